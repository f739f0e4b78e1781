"""Networks to and from synaptic.js's JSON, files, networkx graphs and DOT.

The JSON is synaptic.js's ``toJSON()`` schema::

    {"neurons": [{"trace": {"elegibility": {}, "extended": {}}, "state": 0.0,
                  "old": 0.0, "activation": 0.0, "bias": 0.1,
                  "layer": "input" | "output" | 0, 1, ..., "squash": "LOGISTIC"}],
     "connections": [{"from": 0, "to": 3, "weight": 0.05, "gater": null}]}

Loading validates everything before building anything and never evaluates the
file's content: names are looked up in a table, numbers are checked to be finite.
"""
from __future__ import annotations

import json
import math
import numbers
import os
import tempfile
from typing import TYPE_CHECKING

from . import squash as _squash
from .layer import Layer
from .neuron import Neuron

if TYPE_CHECKING:
    from .network import Network

#: What a file or a copy gives to ``Network`` to assemble: (input, hidden, output).
Layers = tuple[Layer, list[Layer], Layer]

_NEURON_KEYS = ("state", "old", "activation", "bias", "layer", "squash")
_CONNECTION_KEYS = ("from", "to", "weight")


def to_json(net: Network) -> dict:
    entries = net.neurons()
    ids = {n: i for i, (n, _) in enumerate(entries)}
    neurons = [{"trace": {"elegibility": {}, "extended": {}},
                "state": n.state, "old": n.old, "activation": n.activation, "bias": n.bias,
                "layer": layer, "squash": _squash.name_of(n.squash)}
               for n, layer in entries]
    for spec, (n, _) in zip(neurons, entries):
        if not n.learn_bias:
            spec["learn_bias"] = False  # an extra key (synaptic.js ignores it)
    connections = []
    for n, _ in entries:
        for c in n.connections.projected:
            if c.to in ids:
                connections.append({"from": ids[n], "to": ids[c.to], "weight": c.weight,
                                     "gater": ids.get(c.gater)})
        if n.selfconnected():
            sc = n.selfconnection
            connections.append({"from": ids[n], "to": ids[n], "weight": sc.weight,
                                "gater": ids.get(sc.gater)})
    return {"neurons": neurons, "connections": connections}


def _number(x, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{where} must be a number, got {type(x).__name__} {x!r}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{where} must be finite, got {x!r}")
    return x


def _index(x, n: int, where: str) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        if isinstance(x, float) and x.is_integer():
            x = int(x)
        else:
            raise TypeError(f"{where} must be a neuron index, got {type(x).__name__} {x!r}")
    if not 0 <= x < n:
        raise ValueError(f"{where} must be a neuron index in [0, {n}), got {x}")
    return int(x)


def _layer_key(x, where: str):
    if x in ("input", "output"):
        return x
    if isinstance(x, str) and x.isdigit():
        return int(x)
    if isinstance(x, numbers.Integral) and not isinstance(x, bool) and x >= 0:
        return int(x)
    raise ValueError(f"{where} must be 'input', 'output' or a hidden layer index, got {x!r}")


def from_json(data, squashes=None) -> Layers:
    """The layers of a network in synaptic.js's JSON (a dict or a string),
    validated in full before anything is built. ``Network.from_json``
    assembles them."""
    if isinstance(data, (str, bytes, bytearray)):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as e:
            raise ValueError(f"network JSON does not parse: {e}") from None
    if not isinstance(data, dict):
        raise TypeError(f"network JSON must be an object, got {type(data).__name__}")
    table = dict(_squash.BY_NAME)
    if squashes is not None:
        if not isinstance(squashes, dict) or not all(callable(f) for f in squashes.values()):
            raise TypeError("squashes must map names to squash functions")
        table.update(squashes)
    for key in ("neurons", "connections"):
        if key not in data:
            raise ValueError(f"network JSON lacks the key {key!r}")
        if not isinstance(data[key], list):
            raise TypeError(f"network JSON {key!r} must be a list, got {type(data[key]).__name__}")

    # ---- validate everything first ----
    specs = []
    for i, cfg in enumerate(data["neurons"]):
        where = f"neurons[{i}]"
        if not isinstance(cfg, dict):
            raise TypeError(f"{where} must be an object, got {type(cfg).__name__}")
        missing = [k for k in _NEURON_KEYS if k not in cfg]
        if missing:
            raise ValueError(f"{where} lacks the key(s) {missing}")
        nums = {k: _number(cfg[k], f"{where}.{k}") for k in ("state", "old", "activation", "bias")}
        name = cfg["squash"]
        if not isinstance(name, str) or name not in table:
            raise ValueError(f"{where}.squash must be one of {sorted(table)}, got {name!r} "
                             f"(pass squashes={{name: function}} for your own)")
        learns = cfg.get("learn_bias", True)
        if not isinstance(learns, bool):
            raise TypeError(f"{where}.learn_bias must be true or false, got {learns!r}")
        nums["learn_bias"] = learns
        specs.append((nums, _layer_key(cfg["layer"], f"{where}.layer"), table[name]))
    n = len(specs)
    links = []
    seen = set()
    for i, cfg in enumerate(data["connections"]):
        where = f"connections[{i}]"
        if not isinstance(cfg, dict):
            raise TypeError(f"{where} must be an object, got {type(cfg).__name__}")
        missing = [k for k in _CONNECTION_KEYS if k not in cfg]
        if missing:
            raise ValueError(f"{where} lacks the key(s) {missing}")
        a = _index(cfg["from"], n, f"{where}.from")
        b = _index(cfg["to"], n, f"{where}.to")
        w = _number(cfg["weight"], f"{where}.weight")
        g = cfg.get("gater")
        g = None if g is None else _index(g, n, f"{where}.gater")
        if (a, b) in seen:
            raise ValueError(f"{where} repeats the connection {a}->{b}")
        seen.add((a, b))
        links.append((a, b, w, g))
    if not any(layer == "input" for _, layer, _ in specs) and n:
        raise ValueError("network JSON has no input neurons")

    # ---- build (cannot fail from here on) ----
    neurons = []
    layers = {"input": Layer(), "output": Layer()}
    hidden: dict[int, Layer] = {}
    for nums, layer, f in specs:
        neuron = Neuron(squash=f, bias=nums["bias"])
        neuron._restore(nums["state"], nums["old"], nums["activation"])
        neuron._learn_bias = nums["learn_bias"]
        neurons.append(neuron)
        target = layers[layer] if isinstance(layer, str) else hidden.setdefault(layer, Layer())
        target.add(neuron)
    for a, b, w, g in links:
        c = neurons[a].project(neurons[b], w)
        if g is not None:
            neurons[g].gate(c)
    return layers["input"], [hidden[k] for k in sorted(hidden)], layers["output"]


def copy_layers(net: Network) -> Layers:
    """Twin layers of ``net``: the same structure, squash objects, labels and
    learning flags, connections made in the same order (same sums, same
    to_json). ``Network.clone`` assembles them and copies every number."""
    entries = net.neurons()
    ids = {n: i for i, (n, _) in enumerate(entries)}
    twins = []
    for n, _ in entries:
        t = Neuron(squash=n.squash, bias=n.bias)
        t.label = n.label
        t._learn_bias = n._learn_bias
        twins.append(t)
    new_in = Layer()
    new_hidden = [Layer() for _ in net.layers.hidden]
    new_out = Layer()
    for (_, layer), t in zip(entries, twins):
        dest = new_in if layer == "input" else new_out if layer == "output" else new_hidden[layer]
        dest.add(t)
    # in creation order, so that every neuron's inputs and projections are
    # listed as in the original (same sums, same to_json)
    inputs = sorted((c for n, _ in entries for c in n.connections.inputs if c.from_ in ids),
                    key=lambda c: c.ID)
    for c in inputs:
        twins[ids[c.from_]].project(twins[ids[c.to]], c.weight)._learns = c._learns
    for n, _ in entries:
        if n.selfconnection.weight != 0:
            twins[ids[n]].project(twins[ids[n]], n.selfconnection.weight)
    for n, _ in entries:
        for c in n.connections.gated:
            if c.to in ids and c.from_ in ids:
                twins[ids[n]].gate(twins[ids[c.from_]].connected(twins[ids[c.to]])
                                   if c.from_ is not c.to else twins[ids[c.to]].selfconnection)
    return new_in, new_hidden, new_out


def save(net: Network, path) -> None:
    text = json.dumps(to_json(net))
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".synapse-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(path, squashes=None) -> Layers:
    with open(os.fspath(path), encoding="utf-8") as fh:
        return from_json(fh.read(), squashes)


def to_networkx(net: Network):
    import networkx as nx

    g = nx.DiGraph()
    entries = net.neurons()
    ids = {n: i for i, (n, _) in enumerate(entries)}
    for i, (n, layer) in enumerate(entries):
        g.add_node(i, layer=layer, squash=_squash.name_of(n.squash), bias=n.bias, label=n.label)
    for i, (n, _) in enumerate(entries):
        for c in n.connections.projected:
            if c.to in ids:
                g.add_edge(i, ids[c.to], weight=c.weight, gater=ids.get(c.gater))
        if n.selfconnected():
            g.add_edge(i, i, weight=n.selfconnection.weight, gater=ids.get(n.selfconnection.gater))
    return g


def to_dot(net: Network) -> str:
    g = to_networkx(net)
    lines = ["digraph network {", "  rankdir=LR;"]
    for i, d in g.nodes(data=True):
        lines.append(f'  n{i} [label="{i}\\n{d["squash"]}\\nb={d["bias"]:.3g}", '
                     f'group="{d["layer"]}"];')
    for a, b, d in g.edges(data=True):
        extra = f', style=dashed, xlabel="g{d["gater"]}"' if d["gater"] is not None else ""
        lines.append(f'  n{a} -> n{b} [label="{d["weight"]:.3g}"{extra}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


__all__ = ["to_json", "from_json", "copy_layers", "save", "load", "to_networkx", "to_dot"]
