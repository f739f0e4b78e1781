"""synapse.plot: the training curve and the network, drawn to PNG files (Agg)."""
from __future__ import annotations

import sys

import numpy as np
import pytest

import synapse
from architect import LSTM, Perceptron
from synapse import Trainer, plot

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch  # noqa: E402

SMALL_DSR = dict(targets=[2, 4], distractors=[3, 5], prompts=[0, 1], length=9)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def trained_xor():
    synapse.seed(1)
    net = Perceptron(2, 3, 1)
    return net, Trainer(net).xor()


def test_history_draws_every_error_on_a_log_scale(tmp_path):
    net, result = trained_xor()
    ax = plot.history(result)
    (line,) = ax.get_lines()
    x, y = line.get_data()
    assert np.array_equal(x, np.arange(1, result["iterations"] + 1))
    assert np.array_equal(y, result["history"])
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "iteration"
    assert ax.get_ylabel() == "error" and ax.get_title() == "training error"
    path = tmp_path / "history.png"
    ax.figure.savefig(path, dpi=80)
    assert path.stat().st_size > 10_000  # a curve, axes and labels, not an empty canvas


def test_history_of_dsr_blocks_and_of_the_timing_task():
    synapse.seed(0)
    result = Trainer(LSTM(6, 2, 2)).dsr(iterations=2100, **SMALL_DSR)
    ax = plot.history(result)
    x, y = ax.get_lines()[0].get_data()
    assert list(x) == [1000, 2000, 2100]  # block ends; the last block is partial
    assert list(y) == result["history"] and ax.get_xlabel() == "trials"
    synapse.seed(0)
    timing = Trainer(LSTM(2, 2, 1)).timing_task(iterations=3, train_samples=50,
                                                test_samples=10, log=0)
    _, y = plot.history(timing).get_lines()[0].get_data()
    assert list(y) == timing["train"]["history"]


def test_history_draws_into_a_given_axes_and_marks_an_interruption():
    fig, ax = plt.subplots()
    got = plot.history({"history": [0.5, 0.25, 0.0], "iterations": 3, "interrupted": True},
                       ax=ax, label="run 1")
    assert got is ax and ax.get_yscale() == "linear"  # a zero error: no log scale
    assert ax.get_title() == "training error (interrupted)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["run 1"]
    assert list(plot.history([3.0, 2.0]).get_lines()[0].get_ydata()) == [3.0, 2.0]


@pytest.mark.parametrize("bad, error, message", [
    ({"error": 0.1}, ValueError, "no 'history'"), ("history", TypeError, "training result"),
    ([], ValueError, "non-empty"), ({"history": [[1, 2]]}, ValueError, "non-empty")])
def test_history_refuses_what_holds_no_history(bad, error, message):
    with pytest.raises(error, match=message):
        plot.history(bad)


def test_network_draws_layers_left_to_right_with_weights_as_colour(tmp_path):
    net, _ = trained_xor()
    ax = plot.network(net)
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 9 and all(p.get_linestyle() == "-" for p in arrows)
    # nodes: input at x 0, hidden at 1.6, output at 3.2, each column centred
    nodes = {(round(x, 6), round(y, 6)) for line in ax.get_lines() if line.get_marker() == "o"
             for x, y in [line.get_xydata()[0]]}
    assert nodes == {(0.0, 0.5), (0.0, -0.5), (1.6, 1.0), (1.6, 0.0), (1.6, -1.0), (3.2, 0.0)}
    # the colour of each arrow is its weight on the colour bar's scale
    colorbar = ax.figure.axes[-1]
    low, high = colorbar.get_ylim()
    weights = [d["weight"] for _, _, d in net.to_networkx().edges(data=True)]
    assert high == pytest.approx(max(abs(w) for w in weights)) and low == -high
    cmap = plt.get_cmap("coolwarm")
    expected = sorted(tuple(np.round(cmap((w + high) / (2 * high)), 6)) for w in weights)
    assert sorted(tuple(np.round(p.get_edgecolor(), 6)) for p in arrows) == expected
    assert ax.get_title() == "Perceptron: 6 neurons, 9 connections (0 gated)"
    path = tmp_path / "perceptron.png"
    ax.figure.savefig(path, dpi=80)
    assert path.stat().st_size > 15_000


def test_network_marks_gates_and_self_connections(tmp_path):
    synapse.seed(0)
    net = LSTM(2, 3, 1)
    ax = plot.network(net)
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    loops = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(arrows) == 56 and len(loops) == 3
    dashed = [p for p in arrows if p.get_linestyle() != "-"]
    assert len(dashed) == 9  # the input gates' and the output gates' connections
    assert all(p.get_linestyle() != "-" for p in loops)  # gated by the forget gates
    # one dotted line from a gater to each gated connection or self-connection
    gater_lines = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert len(gater_lines) == 9 + 3
    assert ax.get_title() == ("LSTM: 15 neurons, 56 connections (9 gated), "
                              "3 self-connections (3 gated)")
    labels = [t.get_text() for t in ax.texts if "\n" in t.get_text()]
    assert labels == ["input\n(2)", "hidden[0]\n(3)", "hidden[1]\n(3)", "hidden[2]\n(3)",
                      "hidden[3]\n(3)", "output\n(1)"]
    path = tmp_path / "lstm.png"
    ax.figure.savefig(path, dpi=80)
    assert path.stat().st_size > 30_000


def test_network_refuses_a_non_network():
    with pytest.raises(TypeError, match="Network"):
        plot.network({"neurons": []})


def test_without_matplotlib_the_error_names_the_extra(monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"pip install synapse\[plot\]"):
        plot.history([1.0, 0.5])
    with pytest.raises(ImportError, match=r"pip install synapse\[plot\]"):
        plot.network(Perceptron(1, 1))
