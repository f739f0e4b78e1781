"""Pictures: a training curve, and a network drawn from its networkx graph.

Needs matplotlib (``pip install synapse[plot]``); importing this module does not,
each function imports it when called. Both functions draw into ``ax`` (a new
figure when None) and return the matplotlib Axes, so the usual matplotlib calls
(``ax.figure.savefig(path)``, ``plt.show()``) follow.

>>> import synapse, synapse.plot
>>> from synapse import Trainer
>>> from architect import Perceptron
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> synapse.seed(0)
>>> net = Perceptron(2, 3, 1)
>>> result = Trainer(net).xor(iterations=200)
>>> synapse.plot.history(result).get_yscale()
'log'
>>> ax = synapse.plot.network(net)
>>> ax.get_title()
'Perceptron: 6 neurons, 9 connections (0 gated)'
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import _check

__all__ = ["history", "network"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("synapse.plot needs matplotlib: pip install synapse[plot] "
                          "(or pip install matplotlib)") from None
    return plt


def _curve(result: Any) -> tuple[np.ndarray, np.ndarray, str]:
    """(iterations, errors, what an iteration is) from a result or a list of errors."""
    if isinstance(result, dict) and "history" not in result and isinstance(
            result.get("train"), dict):
        result = result["train"]  # the timing task: its training's result
    if isinstance(result, dict):
        if "history" not in result:
            raise ValueError(f"the result has no 'history' to draw, got the keys "
                             f"{sorted(map(str, result))}")
        errors = _check.array(result["history"], "the result's history")
        every = _check.count(result.get("history_every", 1), "history_every", minimum=1)
        what = "trial" if "success" in result else "iteration"
        last = result.get("iterations", len(errors) * every)
    elif isinstance(result, (list, tuple, np.ndarray)):
        errors, every, what, last = _check.array(result, "history"), 1, "iteration", None
    else:
        raise TypeError(f"history needs a training result (a dict with 'history') or a "
                        f"list of errors, got {_check.came(result)}")
    if errors.ndim != 1 or len(errors) == 0:
        raise ValueError(f"history must be a non-empty list of errors, got shape "
                         f"{errors.shape}")
    x = np.arange(1, len(errors) + 1) * every
    if isinstance(last, numbers.Integral) and every > 1:
        x = np.minimum(x, int(last))  # the last block may be partial
    return x, errors.astype(float), what


def history(result, ax=None, *, label: str | None = None):
    """The training curve: the error of each iteration, on a log scale.

    Parameters
    ----------
    result : dict or list of float
        What :meth:`Trainer.train <synapse.trainer.Trainer.train>` (or a task)
        returned, or its ``history``. DSR's history (one error per block of
        trials) is drawn at the end of each block.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    label : str, optional
        The curve's legend entry (then a legend is drawn).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ImportError
        Without matplotlib (``pip install synapse[plot]``).
    TypeError, ValueError
        For something that holds no history.
    """
    x, errors, what = _curve(result)
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
    ax.plot(x, errors, lw=1.2, label=label)
    finite = errors[np.isfinite(errors)]
    if len(finite) and np.all(finite > 0):
        ax.set_yscale("log")
    ax.set_xlabel(f"{what}s" if what == "trial" else "iteration")
    ax.set_ylabel("error")
    title = "training error"
    if isinstance(result, dict) and (result.get("interrupted")
                                     or result.get("train", {}).get("interrupted")):
        title += " (interrupted)"
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    if label is not None:
        ax.legend()
    return ax


def _columns(g) -> tuple[dict, list[str]]:
    """Each node's column (input 0, hidden layers in order, output last) and the
    columns' names."""
    hidden = sorted({d["layer"] for _, d in g.nodes(data=True) if isinstance(d["layer"], int)})
    names = ["input", *(f"hidden[{h}]" for h in hidden), "output"]
    where: dict[str | int, int] = {"input": 0, "output": len(names) - 1,
                                   **{h: i + 1 for i, h in enumerate(hidden)}}
    return {n: where[d["layer"]] for n, d in g.nodes(data=True)}, names


def _layout(g, column: dict) -> dict:
    """Node positions: columns left to right, each column's units top to bottom
    (in activation order), centred."""
    by_column: dict[int, list] = {}
    for n in sorted(g.nodes):
        by_column.setdefault(column[n], []).append(n)
    pos = {}
    for c, nodes in by_column.items():
        for k, n in enumerate(nodes):
            pos[n] = (1.6 * c, (len(nodes) - 1) / 2 - k)
    return pos


def network(net, ax=None, *, labels: bool | None = None, cmap: str = "coolwarm"):
    """Draw a network from its networkx graph (:meth:`Network.to_networkx`).

    Layers run left to right (input, hidden layers in order, output), each
    layer's neurons top to bottom. Each connection is an arrow whose colour is
    its weight (``cmap``, symmetric around 0, with a colour bar); a gated
    connection is dashed, with a dotted grey line from its gater to its middle;
    a self-connection is a small loop above its neuron (dashed and linked to
    its gater when gated). Connections that skip a layer, run backwards or stay
    inside one are curved.

    Parameters
    ----------
    net : Network
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    labels : bool, optional
        Number the neurons (their index in activation order, as the networkx
        graph has them). Default: when there are at most 60.
    cmap : str
        A matplotlib colour map for the weights.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ImportError
        Without matplotlib (``pip install synapse[plot]``).
    TypeError
        When ``net`` is not a Network.
    """
    from .network import Network

    if not isinstance(net, Network):
        raise TypeError(f"network needs a Network, got {_check.came(net)}")
    plt = _pyplot()
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, FancyArrowPatch

    g = net.to_networkx()
    column, names = _columns(g)
    pos = _layout(g, column)
    low = min([y for _, y in pos.values()] + [0.0])
    if ax is None:  # about an inch per unit of the drawing (equal aspect), within a screen
        wide, tall = 1.6 * (len(names) - 1) + 2.0, 2.8 - 2 * low
        inch = min(1.0, 13.0 / wide, 11.0 / tall)
        _, ax = plt.subplots(figsize=(wide * inch + 2.2, tall * inch + 1.2),
                             layout="constrained")
    edges = list(g.edges(data=True))
    weights = np.array([d["weight"] for _, _, d in edges], dtype=float)
    # the colour scale fits the connections between neurons; the (often fixed)
    # self-connections beyond it take the end colours
    between = np.abs([w for (a, b, _), w in zip(edges, weights) if a != b])
    top = float(np.max(between)) if len(between) and np.max(between) > 0 else (
        float(np.max(np.abs(weights))) if len(weights) and np.max(np.abs(weights)) > 0 else 1.0)
    norm = Normalize(-top, top)
    beyond = bool(len(weights)) and float(np.max(np.abs(weights))) > top
    colours = plt.get_cmap(cmap)
    node_size = 14.0  # points: the arrows stop at the nodes' edge
    gated_count = 0
    for (a, b, d), w in zip(edges, weights):
        colour = colours(norm(w))
        style = "--" if d["gater"] is not None else "-"
        gated_count += d["gater"] is not None and a != b
        (xa, ya), (xb, yb) = pos[a], pos[b]
        if a == b:  # a self-connection: a loop above the neuron
            centre = (xa, ya + 0.27)
            ax.add_patch(Circle(centre, 0.17, fill=False, edgecolor=colour, lw=1.4,
                                linestyle=style, zorder=1))
            middle = (xa, ya + 0.44)
        else:
            forward_next = column[b] == column[a] + 1
            rad = 0.0 if forward_next else (0.35 if column[b] == column[a] else 0.18)
            ax.add_patch(FancyArrowPatch(
                (xa, ya), (xb, yb), arrowstyle="-|>", mutation_scale=9, lw=1.2,
                color=colour, linestyle=style, shrinkA=node_size / 2 + 1,
                shrinkB=node_size / 2 + 1, connectionstyle=f"arc3,rad={rad}", zorder=1))
            # the middle of the arc3 curve (a quadratic Bezier; equal aspect)
            middle = ((xa + xb) / 2 + 0.5 * rad * (yb - ya), (ya + yb) / 2 - 0.5 * rad * (xb - xa))
        if d["gater"] is not None:
            xg, yg = pos[d["gater"]]
            ax.plot([xg, middle[0]], [yg, middle[1]], linestyle=":", color="0.45", lw=0.9,
                    zorder=0.5)
            ax.plot(*middle, marker="o", markersize=3, color="0.3", zorder=2)
    kinds = {0: "#d9d9d9", len(names) - 1: "#fdd0a2"}
    for n, (x, y) in pos.items():
        ax.plot(x, y, marker="o", markersize=node_size, markerfacecolor=kinds.get(
            column[n], "#c6dbef"), markeredgecolor="black", markeredgewidth=0.8, zorder=3)
    if labels or (labels is None and len(pos) <= 60):
        for n, (x, y) in pos.items():
            ax.text(x, y, str(n), ha="center", va="center", fontsize=7, zorder=4)
    for c, name in enumerate(names):
        size = sum(1 for n in column if column[n] == c)
        ax.text(1.6 * c, low - 0.9, f"{name}\n({size})", ha="center", va="top", fontsize=8)
    ax.set_aspect("equal")
    ax.set_xlim(-1.0, 1.6 * (len(names) - 1) + 1.0)
    ax.set_ylim(low - 1.8, -low + 1.0)
    ax.axis("off")
    mappable = plt.cm.ScalarMappable(norm=norm, cmap=colours)
    ax.figure.colorbar(mappable, ax=ax, label="weight", shrink=0.7,
                       extend="both" if beyond else "neither")
    handles = [Line2D([], [], color="0.2", lw=1.2, label="connection"),
               Line2D([], [], color="0.2", lw=1.2, linestyle="--", label="gated connection"),
               Line2D([], [], color="0.45", lw=0.9, linestyle=":", marker="o", markersize=3,
                      markevery=[1], label="gater -> what it gates")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3,
              fontsize=8, frameon=False)
    loops = [d["gater"] is not None for a, b, d in edges if a == b]
    title = (f"{type(net).__name__}: {len(pos)} neurons, {len(edges) - len(loops)} connections "
             f"({gated_count} gated)")
    if loops:
        title += f", {len(loops)} self-connections ({sum(loops)} gated)"
    ax.set_title(title)
    return ax
