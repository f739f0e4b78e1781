"""What every demo shows: the progress choice, the summary line, the saved picture."""
from __future__ import annotations

import sys


def summary(**fields) -> None:
    """The demo's last line: ``-- summary: name value, ...``."""
    print("-- summary: " + ", ".join(f"{k} {v}" for k, v in fields.items()), flush=True)


def show_bar(progress: bool | None) -> bool:
    """Whether to show a progress bar: as asked, or when stdout is a terminal."""
    if progress is None:
        isatty = getattr(sys.stdout, "isatty", None)
        return bool(isatty and isatty())
    return bool(progress)


def save_plot(path: str | None, net, result: dict | None) -> None:
    """The training curve (when there is one) beside the network, saved to ``path``
    (needs matplotlib)."""
    if path is None:
        return
    from matplotlib.figure import Figure

    from . import plot

    if result is None:
        fig = Figure(figsize=(9, 7), layout="constrained")
        plot.network(net, ax=fig.subplots())
    else:
        fig = Figure(figsize=(12, 5), layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[1, 1.25])
        plot.history(result, ax=left)
        plot.network(net, ax=right)
    fig.savefig(path, dpi=110)
    print(f"  saved the plot to {path}", flush=True)
