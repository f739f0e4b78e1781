"""How a network shows: its ``repr``, the table of ``summary`` and Jupyter's
view. Each reads the network's structure (``structure.describe``) and changes
no number."""
from __future__ import annotations

import html

import numpy as np

from . import structure
from .squash import name_of

__all__ = ["overview", "one_line", "table", "html_table"]


def many(n: int, thing: str) -> str:
    """``3 connections``, ``1 connection``."""
    return f"{n} {thing}{'s' * (n != 1)}"


#: The columns of a layer table: their titles, and the keys of overview's rows.
_HEAD = ("layer", "units", "squash", "connections in", "self", "gates", "parameters")
_KEYS = ("layer", "units", "squash", "inputs", "self", "gates", "parameters")


def overview(net) -> tuple[dict, list[dict]]:
    """The network in numbers, for ``repr``, ``summary`` and Jupyter: totals,
    and one row per layer. Reads the structure; changes no number."""
    try:  # the engine (laying the network out once, if it steps at all)
        engine = net._path().name
    except Exception:  # noqa: BLE001 (a network that cannot step still shows)
        engine = "none"
    st = net._layout.structure if net._layout is not None else structure.describe(net)
    names = ["input", *(f"hidden[{i}]" for i in range(len(net.layers.hidden))), "output"]
    group = st.layer_of()
    src, dst = group[st.src], group[st.dst]
    gated = st.gater >= 0
    by = group[st.gater[gated]]
    self_gated = np.flatnonzero(st.self_gater >= 0)
    rows = []
    for g, name in enumerate(names):
        lo, hi = int(st.start[g]), int(st.start[g + 1])
        squashes = sorted({name_of(st.squash[u]) for u in range(lo, hi)})
        into = [f"{int(np.sum((dst == g) & (src == h)))} from {names[h]}"
                for h in range(len(names)) if np.any((dst == g) & (src == h))]
        pairs: dict[tuple[int, int], int] = {}
        for a, b in zip(src[gated][by == g], dst[gated][by == g]):
            pairs[(int(a), int(b))] = pairs.get((int(a), int(b)), 0) + 1
        gates = [f"{k} {names[a]}->{names[b]}" for (a, b), k in sorted(pairs.items())]
        selves = group[self_gated][group[st.self_gater[self_gated]] == g]
        gates += [f"{int(np.sum(selves == h))} self {names[h]}" for h in np.unique(selves)]
        rows.append({
            "layer": name, "units": hi - lo,
            "squash": "-" if g == 0 or hi == lo else "/".join(squashes),
            "inputs": ", ".join(into) or "-",
            "self": int(st.memory[lo:hi].sum()),
            "gates": ", ".join(gates) or "-",
            "parameters": int(np.sum(st.learns & (dst == g)) + st.learn_bias[lo:hi].sum())})
    totals = {"class": type(net).__name__, "inputs": net.inputs(),
              "hidden": [layer.size for layer in net.layers.hidden],
              "outputs": net.outputs(), "neurons": st.n_units,
              "connections": len(st.connections), "gated": int(gated.sum()),
              "self": int(st.memory.sum()), "self_gated": len(self_gated),
              "parameters": int(st.learns.sum() + st.learn_bias.sum()), "engine": engine}
    return totals, rows


def one_line(net) -> str:
    """The network's ``repr`` (see ``Network.__repr__``)."""
    try:
        t, _ = overview(net)
    except ValueError as e:  # an inconsistent network (e.g. fed from outside)
        return f"<{type(net).__name__}: {e}>"
    return (f"<{t['class']}: {t['inputs']} -> {t['hidden']} -> {t['outputs']}, "
            f"{many(t['connections'], 'connection')} ({t['gated']} gated), "
            f"{many(t['self'], 'self-connection')} ({t['self_gated']} gated), "
            f"{many(t['parameters'], 'parameter')}, engine {t['engine']}>")


def table(net) -> str:
    """The text of ``Network.summary``: a row per layer, then the totals."""
    t, rows = overview(net)
    grid = [list(_HEAD)] + [[str(r[k]) for k in _KEYS] for r in rows]
    grid.append(["total", str(t["neurons"]), "", f"{t['connections']} ({t['gated']} gated)",
                  str(t["self"]), str(t["gated"] + t["self_gated"]), str(t["parameters"])])
    width = [max(len(row[i]) for row in grid) for i in range(len(_HEAD))]
    right = {1, 4, 6}  # numbers
    lines = [f"{t['class']}: {many(t['inputs'], 'input')}, {many(t['outputs'], 'output')}, "
             f"{many(t['neurons'], 'neuron')}, engine {t['engine']}"]
    for row in grid:
        cells = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(row, width))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def html_table(net) -> str:
    """Jupyter's view of a network (``Network._repr_html_``)."""
    try:
        t, rows = overview(net)
    except ValueError as e:
        return f"<p>{html.escape(type(net).__name__)}: {html.escape(str(e))}</p>"
    cells = "".join(f"<th>{h}</th>" for h in _HEAD)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(r[k]))}</td>" for k in _KEYS)
                   + "</tr>" for r in rows)
    return (f"<div><b>{html.escape(t['class'])}</b>: "
            f"{many(t['connections'], 'connection')} ({t['gated']} gated), "
            f"{many(t['self'], 'self-connection')}, {many(t['parameters'], 'parameter')}, "
            f"engine {html.escape(t['engine'])}"
            f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table></div>")
