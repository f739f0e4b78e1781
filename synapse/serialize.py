"""Networks to and from synaptic.js's JSON, neataptic's JSON, files, networkx
graphs and DOT.

The JSON is synaptic.js's ``toJSON()`` schema::

    {"neurons": [{"trace": {"elegibility": {}, "extended": {}}, "state": 0.0,
                  "old": 0.0, "activation": 0.0, "bias": 0.1,
                  "layer": "input" | "output" | 0, 1, ..., "squash": "LOGISTIC"}],
     "connections": [{"from": 0, "to": 3, "weight": 0.05, "gater": null}]}

synapse adds keys that synaptic.js ignores (docs/differences.md, "Files"):
``"synapse"`` at the top (the format, the architecture's class), ``label`` and
``learn_bias`` on neurons, ``learns`` on connections, and with ``state=True``
what learning reads next: per neuron ``derivative``, ``bias_trace``,
``error`` and ``gating`` ([k, T_kj, x^k_j,bias] per gated later unit k); per
connection ``trace`` (e_ji), ``gain`` (as read) and ``extended``
([k, x^k_ji] per gated unit with memory).

synaptic.js before 1.1 wrote indices and layer names as strings (``"from":
"0"``, ``"layer": "0"``); those load too. Loading validates everything
before building anything and never evaluates the file's content: names are
looked up in tables, numbers are checked to be finite.
"""
from __future__ import annotations

import json
import math
import numbers
import os
import re
import secrets
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from . import _check
from . import squash as _squash
from .layer import Layer
from .neuron import Connection, Neuron

if TYPE_CHECKING:
    from .network import Network

#: What a file or a copy gives to ``Network`` to assemble: (input, hidden, output).
Layers = tuple[Layer, list[Layer], Layer]

#: The version of the keys synapse adds; a file with a larger one is refused.
FORMAT = 1

_NEURON_KEYS = ("state", "old", "activation", "bias", "layer", "squash")
_CONNECTION_KEYS = ("from", "to", "weight")
#: A JavaScript array index as text: what ``neurons["12"]`` finds in synaptic.js.
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_LAYER_MAX = 2 ** 32 - 2  # the largest JavaScript array index (synaptic.js's hidden layers)
#: The squash names neataptic 1.4 knows (its ``methods.activation``), in its order.
NEATAPTIC_SQUASHES = tuple(_squash.NEATAPTIC_NAMES)


# ---------------------------------------------------------------- reading values
def parse(data: Any, what: str = "network JSON") -> Any:
    """``data`` as parsed JSON: text and bytes are parsed, anything else is
    returned as it is. Any failure is a ValueError that says so (never a
    RecursionError for deep nesting)."""
    if isinstance(data, (str, bytes, bytearray)):
        try:
            return json.loads(data)
        except RecursionError:
            raise ValueError(f"{what} is nested too deeply to read") from None
        except ValueError as e:  # JSONDecodeError, a bad encoding, an integer of 4300+ digits
            raise ValueError(f"{what} does not parse: {e}") from None
    return data


def _number(x: Any, where: str) -> float:
    return _check.number(x, where)


def _index(x: Any, n: int, where: str) -> int:
    """A neuron index: an integer, a float with a whole value, or a decimal
    string as synaptic.js before 1.1 wrote them ("12")."""
    if isinstance(x, str):
        if not _DECIMAL.fullmatch(x):
            raise ValueError(f"{where} must be a neuron index (a number, or a decimal string "
                             f"such as '12'), got {_check.came(x)}")
        if len(x) > 18:
            raise ValueError(f"{where} must be a neuron index in [0, {n}), got a string of "
                             f"{len(x)} digits")
        x = int(x)
    elif isinstance(x, float) and x.is_integer():
        x = int(x)
    elif isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{where} must be a neuron index, got {_check.came(x)}")
    if not 0 <= x < n:
        shown = x if abs(int(x)).bit_length() <= 64 else _check.came(x)
        raise ValueError(f"{where} must be a neuron index in [0, {n}), got {shown}")
    return int(x)


def _layer_key(x: Any, where: str) -> str | int:
    """'input', 'output' or a hidden layer's index (a number, or a decimal
    string as synaptic.js before 1.1 wrote it)."""
    if isinstance(x, str) and x in ("input", "output"):
        return x
    value = None
    if isinstance(x, str) and len(x) <= 10 and _DECIMAL.fullmatch(x):
        value = int(x)
    elif isinstance(x, float) and x.is_integer():
        value = int(x)
    elif isinstance(x, numbers.Integral) and not isinstance(x, bool):
        value = int(x)
    if value is None or not 0 <= value <= _LAYER_MAX:
        raise ValueError(f"{where} must be 'input', 'output' or a hidden layer index "
                         f"(0, 1, ...: a number or a decimal string), got {_check.came(x)}")
    return value


def _flag(x: Any, where: str) -> bool:
    if not isinstance(x, bool):
        raise TypeError(f"{where} must be true or false, got {_check.came(x)}")
    return x


def _squash_table(squashes) -> dict:
    table: dict = dict(_squash.BY_NAME)
    if squashes is not None:
        if not isinstance(squashes, dict) or not all(callable(f) for f in squashes.values()):
            raise TypeError("squashes must map names to squash functions, got "
                            f"{_check.came(squashes)}")
        bad = [k for k in squashes if k is not None and not isinstance(k, str)]
        if bad:
            raise TypeError(f"squashes must map names (str, or None for synaptic.js's null) "
                            f"to functions, got the key {_check.came(bad[0])}")
        table.update(squashes)
    return table


def _squash_of(name: Any, table: dict, where: str):
    if name is None:
        if None in table:
            return table[None]
        raise ValueError(f"{where} is null: synaptic.js writes null for a squash function of "
                         f"its own (and loads it as LOGISTIC); pass squashes={{None: function}} "
                         f"to say which")
    if not isinstance(name, str) or name not in table:
        known = sorted(k for k in table if isinstance(k, str))
        hint = ("; HTAN is what synaptic.js called TANH until October 2014 (1.1.4 reads it "
                "as LOGISTIC): pass squashes={'HTAN': squash.TANH}" if name == "HTAN" else "")
        raise ValueError(f"{where} must be one of {known}, got {_check.came(name)} "
                         f"(pass squashes={{name: function}} for your own){hint}")
    return table[name]


def _pairs(x: Any, width: int, n: int, where: str) -> list[tuple]:
    """A list of [index, number, ...] rows of ``width`` entries."""
    if not isinstance(x, list):
        raise TypeError(f"{where} must be a list, got {_check.came(x)}")
    out = []
    seen = set()
    for i, row in enumerate(x):
        at = f"{where}[{i}]"
        if not isinstance(row, list) or len(row) != width:
            raise TypeError(f"{at} must be a list of {width} entries, got {_check.came(row)}")
        k = _index(row[0], n, f"{at}[0]")
        if k in seen:
            raise ValueError(f"{at} repeats the unit {k}")
        seen.add(k)
        out.append((k, *(_number(v, f"{at}[{m + 1}]") for m, v in enumerate(row[1:]))))
    return out


# ---------------------------------------------------------------- what a file gives
@dataclass
class Loaded:
    """A network read from a file, before ``Network`` assembles it: its layers,
    and what is written into its arrays once they are laid out."""

    layers: Layers
    cls: str | None = None          # the architecture's class name, if recorded
    attributes: dict = field(default_factory=dict)
    synapse: bool = False           # written by synapse (else synaptic.js or neataptic)
    pending_gains: bool = False     # gains read 1 until their gater activates (synaptic.js)
    squash_names: dict = field(default_factory=dict)   # function -> the name it was read as
    units: list = field(default_factory=list)       # (neuron, deriv, eb, delta, deltap)
    links: list = field(default_factory=list)       # (connection, gain or None, e or None)
    relations: list = field(default_factory=list)   # (neuron j, neuron k, T, XB)
    extended: list = field(default_factory=list)    # (connection, neuron k, x)


def _meta(data: dict) -> dict | None:
    meta = data.get("synapse")
    if meta is None:
        return None
    if not isinstance(meta, dict):
        raise TypeError(f"network JSON 'synapse' must be an object, got {_check.came(meta)}")
    fmt = meta.get("format", 1)
    if isinstance(fmt, bool) or not isinstance(fmt, int) or fmt < 1:
        raise ValueError(f"synapse.format must be a positive integer, got {_check.came(fmt)}")
    if fmt > FORMAT:
        raise ValueError(f"synapse.format is {fmt}: written by a newer synapse (this one reads "
                         f"up to {FORMAT})")
    cls = meta.get("class")
    if cls is not None and not isinstance(cls, str):
        raise TypeError(f"synapse.class must be a class name, got {_check.came(cls)}")
    attributes = meta.get("attributes", {})
    if not isinstance(attributes, dict):
        raise TypeError(f"synapse.attributes must be an object, got {_check.came(attributes)}")
    for k, v in attributes.items():
        if not (v is None or isinstance(v, (bool, str)) or
                (isinstance(v, (int, float)) and math.isfinite(v) and abs(v) < 2 ** 63)):
            raise ValueError(f"synapse.attributes.{k} must be a plain value (a finite number, "
                             f"text, true, false or null), got {_check.came(v)}")
    pending = meta.get("pending_gains", False)
    _flag(pending, "synapse.pending_gains")
    return {"class": cls, "attributes": dict(attributes), "pending_gains": pending}



def _link(cfg: Any, where: str, n: int, seen: set) -> tuple:
    """(from, to, weight, gater or None) of one connection of a file (synaptic.js's
    or neataptic's: the same keys) among ``n`` neurons; a pair already in
    ``seen`` is refused, and the pair is added to it."""
    if not isinstance(cfg, dict):
        raise TypeError(f"{where} must be an object, got {_check.came(cfg)}")
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
    return a, b, w, g

def read(data: Any, squashes=None) -> Loaded:
    """A network in synaptic.js's JSON (a dict or text), validated in full
    before anything is built. ``Network.from_json`` assembles it."""
    data = parse(data)
    if not isinstance(data, dict):
        raise TypeError(f"network JSON must be an object, got {type(data).__name__}")
    table = _squash_table(squashes)
    if "synapse_checkpoint" in data and "neurons" not in data:
        raise ValueError("this is a synapse checkpoint: read it with synapse.checkpoint.load")
    for key in ("neurons", "connections"):
        if key not in data:
            raise ValueError(f"network JSON lacks the key {key!r}")
        if not isinstance(data[key], list):
            raise TypeError(f"network JSON {key!r} must be a list, got {type(data[key]).__name__}")
    meta = _meta(data)

    # ---- validate everything first ----
    specs = []
    for i, cfg in enumerate(data["neurons"]):
        where = f"neurons[{i}]"
        if not isinstance(cfg, dict):
            raise TypeError(f"{where} must be an object, got {type(cfg).__name__}")
        missing = [k for k in _NEURON_KEYS if k not in cfg]
        if missing:
            raise ValueError(f"{where} lacks the key(s) {missing}")
        nums: dict[str, Any] = {k: _number(cfg[k], f"{where}.{k}")
                                for k in ("state", "old", "activation", "bias")}
        f = _squash_of(cfg["squash"], table, f"{where}.squash")
        nums["learn_bias"] = _flag(cfg.get("learn_bias", True), f"{where}.learn_bias")
        label = cfg.get("label")
        if label is not None and not isinstance(label, str):
            raise TypeError(f"{where}.label must be text or null, got {_check.came(label)}")
        nums["label"] = label
        specs.append((nums, _layer_key(cfg["layer"], f"{where}.layer"), f, cfg["squash"]))
    n = len(specs)
    if n and not any(layer == "input" for _, layer, _, _ in specs):
        raise ValueError("network JSON has no input neurons")

    # activation order: input, hidden layers by index, output; file order within a layer
    def rank(layer):
        return (0, 0) if layer == "input" else (2, 0) if layer == "output" else (1, layer)

    order = sorted(range(n), key=lambda i: (rank(specs[i][1]), i))
    pos = [0] * n
    for p, i in enumerate(order):
        pos[i] = p
    n_in = sum(layer == "input" for _, layer, _, _ in specs)

    links = []
    seen: set = set()
    for i, cfg in enumerate(data["connections"]):
        where = f"connections[{i}]"
        a, b, w, g = _link(cfg, where, n, seen)
        learns = _flag(cfg.get("learns", True), f"{where}.learns")
        if a == b and not learns:
            raise ValueError(f"{where}.learns: a self-connection's weight never learns; "
                             f"the key belongs to connections between two units")
        links.append((a, b, w, g, learns))

    # what a compiled network holds (synapse.structure): connections into
    # non-input units, relations j -> k with j before k, memory where k loops
    inside = [a != b and pos[b] >= n_in for a, b, _, _, _ in links]
    memory = [False] * n
    relations = set()
    for a, b, w, g, _ in links:
        if a == b and pos[b] >= n_in and w != 0:
            memory[b] = True
        if g is not None and pos[b] >= n_in and pos[g] < pos[b]:
            relations.add((g, b))
    states = _read_state(data, n, links, inside, memory, relations)

    # ---- build (cannot fail from here on) ----
    neurons = []
    layers = {"input": Layer(), "output": Layer()}
    hidden: dict[int, Layer] = {}
    names: dict = {}
    for nums, layer, f, name in specs:
        neuron = Neuron(squash=f, bias=nums["bias"])
        neuron._restore(nums["state"], nums["old"], nums["activation"])
        neuron._learn_bias = nums["learn_bias"]
        neuron.label = nums["label"]
        neurons.append(neuron)
        target = layers[layer] if isinstance(layer, str) else hidden.setdefault(layer, Layer())
        target.add(neuron)
        _remember_name(names, f, name)
    made = []
    for a, b, w, g, learns in links:
        c = neurons[a].project(neurons[b], w)
        c._learns = learns
        if g is not None:
            neurons[g].gate(c)
        made.append(c)
    loaded = Loaded((layers["input"], [hidden[k] for k in sorted(hidden)], layers["output"]),
                    squash_names=names)
    if meta is None:
        loaded.pending_gains = True  # synaptic.js: every gain reads 1 until its gater activates
    else:
        loaded.synapse = True
        loaded.cls, loaded.attributes = meta["class"], meta["attributes"]
        loaded.pending_gains = meta["pending_gains"]
    unit_rows, link_rows, rel_rows, x_rows = states
    loaded.units = [(neurons[i], *v) for i, *v in unit_rows]
    loaded.links = [(made[i], g, e) for i, g, e in link_rows]
    loaded.relations = [(neurons[j], neurons[k], t, xb) for j, k, t, xb in rel_rows]
    loaded.extended = [(made[i], neurons[k], x) for i, k, x in x_rows]
    return loaded


def _read_state(data, n, links, inside, memory, relations):
    """The learning state keys (``state=True`` files), validated against the
    structure they describe."""
    unit_rows, link_rows, rel_rows, x_rows = [], [], [], []
    for i, cfg in enumerate(data["neurons"]):
        where = f"neurons[{i}]"
        if "derivative" in cfg or "bias_trace" in cfg or "error" in cfg:
            deriv = _number(cfg.get("derivative", 0.0), f"{where}.derivative")
            eb = _number(cfg.get("bias_trace", 0.0), f"{where}.bias_trace")
            error = cfg.get("error", {})
            if not isinstance(error, dict):
                raise TypeError(f"{where}.error must be an object, got {_check.came(error)}")
            delta = _number(error.get("responsibility", 0.0), f"{where}.error.responsibility")
            deltap = _number(error.get("projected", 0.0), f"{where}.error.projected")
            unit_rows.append((i, deriv, eb, delta, deltap))
        if "gating" in cfg:
            for k, t, xb in _pairs(cfg["gating"], 3, n, f"{where}.gating"):
                if (i, k) not in relations:
                    raise ValueError(f"{where}.gating names unit {k}, but neuron {i} gates no "
                                     f"connection into {k} that it activates before")
                rel_rows.append((i, k, t, xb))
    for i, cfg in enumerate(data["connections"]):
        where = f"connections[{i}]"
        a, b, _, g, _ = links[i]
        gain = trace = None
        if "gain" in cfg or "trace" in cfg or "extended" in cfg:
            if not inside[i]:
                raise ValueError(f"{where} carries learning state, but it is "
                                 f"{'a self-connection' if a == b else 'into an input neuron'}")
        if "gain" in cfg:
            if g is None:
                raise ValueError(f"{where}.gain: the connection has no gater")
            gain = _number(cfg["gain"], f"{where}.gain")
        if "trace" in cfg:
            trace = _number(cfg["trace"], f"{where}.trace")
        if gain is not None or trace is not None:
            link_rows.append((i, gain, trace))
        if "extended" in cfg:
            for k, x in _pairs(cfg["extended"], 2, n, f"{where}.extended"):
                if (b, k) not in relations or not memory[k]:
                    raise ValueError(f"{where}.extended names unit {k}, but neuron {b} gates "
                                     f"no self-connected unit {k} after it")
                x_rows.append((i, k, x))
    return unit_rows, link_rows, rel_rows, x_rows


def _remember_name(names: dict, f, name) -> None:
    """Keep the name a user's squash function was read under, so that saving
    writes it again (a built-in needs none)."""
    if not any(f is g for g in _squash.BY_NAME.values()):
        try:
            names.setdefault(f, name)
        except TypeError:  # an unhashable callable: saved by its __name__
            pass


# ---------------------------------------------------------------- writing
def squash_namer(net: Network) -> Callable[[Any], Any]:
    """The JSON name of each squash function of ``net``: a built-in's name, the
    name a function was loaded under, else its ``__name__``."""
    loaded = net._squash_names  # never a built-in: the readers leave those out

    def name(f):
        try:
            if f in loaded:
                return loaded[f]
        except TypeError:  # an unhashable callable
            pass
        return _squash.name_of(f)
    return name


def _connections(net: Network, ids: dict) -> list[Connection]:
    """The network's connections between its own neurons in creation order (so
    that a reloaded network sums each unit's inputs in the same order), then
    the self-connections in unit order."""
    between = sorted((c for n in ids for c in n.connections.projected if c.to in ids),
                     key=lambda c: c.ID)
    return between + [n.selfconnection for n in ids if n.selfconnected()]


def to_json(net: Network, learning=None, *, names=None, meta: dict | None = None) -> dict:
    """synaptic.js's schema for ``net``, with synapse's extra keys.

    ``learning``: (structure, ``store.learning_state`` of it) to write the
    learning state too; ``names``: squash function -> name; ``meta``: the
    ``"synapse"`` entry (None: none)."""
    entries = net.neurons()
    ids: dict[Any, int] = {n: i for i, (n, _) in enumerate(entries)}
    name = names or squash_namer(net)
    neurons = []
    for n, layer in entries:
        spec = {"trace": {"elegibility": {}, "extended": {}},
                "state": n.state, "old": n.old, "activation": n.activation, "bias": n.bias,
                "layer": layer, "squash": name(n.squash)}
        if not n.learn_bias:
            spec["learn_bias"] = False
        if n.label is not None:
            spec["label"] = n.label
        neurons.append(spec)
    conns = _connections(net, ids)
    connections = []
    for c in conns:
        spec = {"from": ids[c.from_], "to": ids[c.to], "weight": c.weight,
                "gater": ids.get(c.gater)}
        if c.from_ is not c.to and not c.learns:
            spec["learns"] = False
        connections.append(spec)
    if learning is not None:
        _write_state(net, learning, neurons, conns, connections)
    out: dict = {"neurons": neurons, "connections": connections}
    if meta is not None:
        out["synapse"] = meta
    return out


def _write_state(net, learning, neurons, conns, connections) -> None:
    st, s = learning
    if len(st.neurons) != len(neurons) or any(a is not b for a, b in
                                               zip(st.neurons, (n for n, _ in net.neurons()))):
        raise ValueError("the layout does not match the network; compile it first")
    for i, spec in enumerate(neurons):
        spec["derivative"] = float(s["deriv"][i])
        spec["bias_trace"] = float(s["eb"][i])
        spec["error"] = {"responsibility": float(s["delta"][i]),
                         "projected": float(s["deltap"][i])}
    for r in range(len(s["rel_j"])):
        spec = neurons[int(s["rel_j"][r])]
        spec.setdefault("gating", []).append([int(s["rel_k"][r]), float(s["T"][r]),
                                              float(s["XB"][r])])
    index = {id(c): m for m, c in enumerate(st.connections)}
    at = {}
    for c, spec in zip(conns, connections):
        m = index.get(id(c))
        if m is None:
            continue
        at[m] = spec
        spec["trace"] = float(s["e"][m])
        if c.gater is not None:
            spec["gain"] = float(s["g"][m])
    for m, k, x in zip(s["x_c"], s["x_k"], s["x"]):
        at[int(m)].setdefault("extended", []).append([int(k), float(x)])


def _first_non_finite(x: Any, where: str, depth: int = 0) -> str | None:
    if isinstance(x, float):
        return None if math.isfinite(x) else f"{where} is {x!r}"
    if depth > 8:
        return None
    items: Any
    if isinstance(x, dict):
        items = x.items()
    elif isinstance(x, list):
        items = ((f"[{i}]", v) for i, v in enumerate(x))
    else:
        return None
    for k, v in items:
        found = _first_non_finite(v, f"{where}{k}" if str(k).startswith("[") else
                                  f"{where}.{k}" if where else str(k), depth + 1)
        if found:
            return found
    return None


def dumps(data: dict, what: str = "the network") -> str:
    """Strict JSON text of ``data``; a non-finite number is a ValueError naming its place."""
    bad = _first_non_finite(data, "")
    if bad:
        raise ValueError(f"cannot save {what}: {bad} (JSON holds finite numbers only)")
    return json.dumps(data, allow_nan=False)


# ---------------------------------------------------------------- files
def write_text(path, text: str) -> None:
    """Replace the file at ``path`` with ``text``, atomically, as trusted
    editors do: the text goes to a temporary file beside the target, which is
    flushed, synced and renamed over it. A symbolic link is followed (its
    target is replaced); an existing file keeps its permission bits (and its
    group, where allowed); a new file gets the umask's. Errors name ``path``;
    on any failure the temporary file is removed and the old file is intact.

    Only a kill that cannot be caught (SIGKILL, power loss) between creating
    and renaming the temporary file can leave it behind, as
    ``.<name>.synapse-<random>.tmp`` beside the target."""
    user_path = os.fspath(path)
    target = os.path.realpath(user_path)
    folder, base = os.path.split(target)
    data = text.encode("utf-8")  # everything that can fail without the disk, first
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as e:
        raise type(e)(e.errno, e.strerror, user_path) from None
    tmp = os.path.join(folder, f".{base}.synapse-{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o666)  # the umask applies, as for any new file
    except OSError as e:
        raise type(e)(e.errno, e.strerror, user_path) from None
    try:
        try:
            if existing is not None and hasattr(os, "fchmod"):
                os.fchmod(fd, existing.st_mode & 0o7777)
                try:
                    os.fchown(fd, -1, existing.st_gid)
                except (OSError, AttributeError):
                    pass  # not a member of that group: the mode is still kept
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError) and e.filename is not None and e.errno is not None:
            raise type(e)(e.errno, e.strerror, user_path) from None
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def read_text(path) -> str:
    """The text of a file; a file that is not UTF-8 is a ValueError naming it."""
    path = os.fspath(path)
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path} is not a JSON file (not UTF-8 text: {e})") from None


def save(path, data: dict) -> None:
    """Write ``data`` as strict JSON to ``path`` (see :func:`write_text`)."""
    write_text(path, dumps(data))


# ---------------------------------------------------------------- copies
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
    new_in = Layer(label=net.layers.input.label)
    new_hidden = [Layer(label=h.label) for h in net.layers.hidden]
    new_out = Layer(label=net.layers.output.label)
    for (_, layer), t in zip(entries, twins):
        dest = new_in if layer == "input" else new_out if layer == "output" else new_hidden[
            int(layer)]
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
                twin = (twins[ids[c.from_]].connected(twins[ids[c.to]]) if c.from_ is not c.to
                        else twins[ids[c.to]].selfconnection)
                assert twin is not None  # made above, in the same order
                twins[ids[n]].gate(twin)
    return new_in, new_hidden, new_out


# ---------------------------------------------------------------- neataptic
def to_neataptic(net: Network, names=None) -> dict:
    """neataptic 1.4's ``toJSON()`` schema for ``net``: ``{"nodes", "connections",
    "input", "output", "dropout"}``; see ``Network.to_neataptic``."""
    entries = net.neurons()
    ids: dict[Any, int] = {n: i for i, (n, _) in enumerate(entries)}
    name = names or squash_namer(net)
    nodes = []
    lossy: list[int] = []  # nodes with some, not all, numbers held fixed
    for i, (n, layer) in enumerate(entries):
        sq = name(n.squash)
        if layer == "input":
            kind = "input"
            if sq not in NEATAPTIC_SQUASHES:
                sq = "LOGISTIC"  # an input's squash is never used, in either library
        else:
            if sq not in NEATAPTIC_SQUASHES:
                hint = (" (neataptic's STEP is HLIM with derivative 0)" if sq == "HLIM" else "")
                raise ValueError(f"neuron {i} squashes with {sq}, which neataptic does not "
                                 f"have{hint}; it knows {list(NEATAPTIC_SQUASHES)}")
            held = [not n.learn_bias] + [not c.learns for c in n.connections.inputs]
            fixed = all(held)
            kind = "output" if layer == "output" else "constant" if fixed else "hidden"
            if any(held) and kind != "constant":
                lossy.append(i)
        nodes.append({"bias": n.bias, "type": kind, "squash": sq, "mask": 1, "index": i})
    connections = []
    for n, _ in entries:  # neataptic lists each node's self-connection first
        if n.selfconnected():
            sc = n.selfconnection
            connections.append({"weight": sc.weight, "from": ids[n], "to": ids[n],
                                "gater": ids.get(sc.gater)})
    for c in _connections(net, ids):
        if c.from_ is not c.to:
            connections.append({"weight": c.weight, "from": ids[c.from_], "to": ids[c.to],
                                "gater": ids.get(c.gater)})
    if lossy:
        warnings.warn(f"neataptic's JSON holds a node's numbers fixed only all together "
                      f"(a 'constant' node); nodes {lossy[:10]}{' ...' if len(lossy) > 10 else ''}"
                      f" hold some fixed (a bias with learn_bias=False, or a connection "
                      f"that does not learn), and will learn them after from_neataptic "
                      f"or in neataptic", UserWarning, stacklevel=3)
    return {"nodes": nodes, "connections": connections, "input": net.inputs(),
            "output": net.outputs(), "dropout": 0}


def read_neataptic(data: Any, squashes=None) -> Loaded:
    """A network in neataptic's JSON, validated in full before anything is built.

    Nodes activate in their order (inputs first, outputs last, as neataptic
    keeps them); hidden nodes are split into layers wherever a node reads one
    of the same step before it. A "constant" node keeps its bias and input
    weights fixed. Every gain reads 1 until its gater first activates, as in
    neataptic."""
    data = parse(data, "neataptic JSON")
    if not isinstance(data, dict):
        raise TypeError(f"neataptic JSON must be an object, got {type(data).__name__}")
    for key in ("nodes", "connections"):
        if key not in data:
            raise ValueError(f"neataptic JSON lacks the key {key!r}")
        if not isinstance(data[key], list):
            raise TypeError(f"neataptic JSON {key!r} must be a list, got "
                            f"{type(data[key]).__name__}")
    table = _squash_table(squashes)  # every neataptic name is synapse's too
    nodes = data["nodes"]
    n = len(nodes)
    specs = []
    for i, cfg in enumerate(nodes):
        where = f"nodes[{i}]"
        if not isinstance(cfg, dict):
            raise TypeError(f"{where} must be an object, got {_check.came(cfg)}")
        missing = [k for k in ("bias", "type", "squash") if k not in cfg]
        if missing:
            raise ValueError(f"{where} lacks the key(s) {missing}")
        kind = cfg["type"]
        if kind not in ("input", "hidden", "output", "constant"):
            raise ValueError(f"{where}.type must be 'input', 'hidden', 'output' or 'constant', "
                             f"got {_check.came(kind)}")
        bias = _number(cfg["bias"], f"{where}.bias")
        name = cfg["squash"]
        if not isinstance(name, str) or name not in table:
            known = sorted(k for k in table if isinstance(k, str))
            raise ValueError(f"{where}.squash: node {i} squashes with {_check.came(name)}"
                             f"; synapse knows {known} (pass squashes={{name: "
                             f"function}} for your own)")
        mask = _number(cfg.get("mask", 1), f"{where}.mask")
        if mask != 1:
            raise ValueError(f"{where}.mask is {mask}: neataptic scales this node's activation "
                             f"by it (dropout); synapse has no such scale, so set the masks "
                             f"to 1 before toJSON")
        specs.append((kind, bias, table[name], name))
    counts = {}
    for key in ("input", "output"):
        if key not in data:
            raise ValueError(f"neataptic JSON lacks the key {key!r}")
        v = data[key]
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"neataptic JSON {key!r} must be a count, got {_check.came(v)}")
        counts[key] = v
    if "dropout" in data:
        _check.fraction(data["dropout"], "neataptic JSON 'dropout'")
    n_in, n_out = counts["input"], counts["output"]
    kinds = [kind for kind, _, _, _ in specs]
    if kinds.count("input") != n_in or kinds[:n_in] != ["input"] * n_in:
        raise ValueError(f"neataptic JSON must list its {n_in} input nodes first (node i takes "
                         f"input i), got types {kinds[:n_in + 1]}")
    if kinds.count("output") != n_out or (n_out and kinds[n - n_out:] != ["output"] * n_out):
        raise ValueError(f"neataptic JSON must list its {n_out} output nodes last (synapse "
                         f"activates the output layer last), got {kinds.count('output')} "
                         f"output nodes, ending with {kinds[-n_out - 1:] if n_out else kinds}")
    links = []
    seen: set = set()
    for i, cfg in enumerate(data["connections"]):
        links.append(_link(cfg, f"connections[{i}]", n, seen))

    # hidden layers: a new one wherever a node reads a node of the current one
    reads: dict[int, set] = {}
    for a, b, _, g in links:
        reads.setdefault(b, set()).update(x for x in (a, g) if x is not None and x != b)
        if a == b and g is not None and g != b:
            reads[b].add(g)
    groups: list[list[int]] = []
    current: set = set()
    for i in range(n_in, n - n_out):
        if not groups or reads.get(i, set()) & current:
            groups.append([])
            current = set()
        groups[-1].append(i)
        current.add(i)

    # ---- build ----
    neurons = []
    for kind, bias, f, _ in specs:
        neuron = Neuron(squash=f, bias=bias)
        neuron._restore(0.0, 0.0, 0.0)
        if kind == "constant":
            neuron._learn_bias = False
        neurons.append(neuron)
    input_layer, output_layer = Layer(), Layer()
    for i in range(n_in):
        input_layer.add(neurons[i])
    hidden = []
    for group in groups:
        layer = Layer()
        for i in group:
            layer.add(neurons[i])
        hidden.append(layer)
    for i in range(n - n_out, n):
        output_layer.add(neurons[i])
    for a, b, w, g in links:
        c = neurons[a].project(neurons[b], w)
        if specs[b][0] == "constant" and a != b:
            c._learns = False
        if g is not None:
            neurons[g].gate(c)
    names: dict = {}
    for _, _, f, name in specs:
        _remember_name(names, f, name)
    return Loaded((input_layer, hidden, output_layer), pending_gains=True, squash_names=names)


# ---------------------------------------------------------------- views
def to_networkx(net: Network):
    import networkx as nx

    g = nx.DiGraph()
    entries = net.neurons()
    ids: dict[Any, int] = {n: i for i, (n, _) in enumerate(entries)}
    name = squash_namer(net)
    for i, (n, layer) in enumerate(entries):
        g.add_node(i, layer=layer, squash=name(n.squash), bias=n.bias, label=n.label)
    for c in _connections(net, ids):
        g.add_edge(ids[c.from_], ids[c.to], weight=c.weight, gater=ids.get(c.gater))
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


__all__ = ["to_json", "read", "Loaded", "parse", "dumps", "copy_layers", "save", "write_text",
           "read_text", "to_neataptic", "read_neataptic", "to_networkx", "to_dot", "FORMAT",
           "NEATAPTIC_SQUASHES"]
