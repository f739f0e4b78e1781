"""How a network shows itself: repr, summary() and Jupyter's _repr_html_."""
from __future__ import annotations

import json
import re

import pytest
from conftest import ENGINES, use_engine

import synapse
from architect import LSTM, Hopfield, Liquid, Perceptron
from synapse import Layer, Network
from synapse.engine import jit

#: The engine that steps a small network when nothing is asked.
AUTO = "jit" if jit.available() else "numpy"


def counted_by_hand(net):
    """Connections, gated ones, self-connections (gated ones) and parameters,
    counted on the neuron objects (independent of the structure)."""
    inside = {n for n, _ in net.neurons()}
    connections = gated = selves = selves_gated = parameters = 0
    for n, layer in net.neurons():
        if layer == "input":
            continue
        for c in n.connections.inputs:
            connections += 1
            gated += c.gater is not None
            parameters += c.learns
        parameters += n.learn_bias
        if n.selfconnected():
            selves += 1
            selves_gated += n.selfconnection.gater is not None
        assert all(c.from_ in inside for c in n.connections.inputs)
    return connections, gated, selves, selves_gated, parameters


def test_repr_of_an_lstm_names_class_sizes_connections_gates_and_engine():
    synapse.seed(0)
    net = LSTM(2, 3, 1)
    c, g, s, sg, p = counted_by_hand(net)
    assert (c, g, s, sg, p) == (56, 9, 3, 3, 66)  # the cells' 3 biases are held (the default)
    assert p == len(net.parameters())
    assert repr(net) == (f"<LSTM: 2 -> [3, 3, 3, 3] -> 1, 56 connections (9 gated), "
                         f"3 self-connections (3 gated), 66 parameters, engine {AUTO}>")


@pytest.mark.parametrize("make", [
    lambda: Perceptron(2, 3, 1), lambda: LSTM(6, 4, 3, 2), lambda: Hopfield(5),
    lambda: Liquid(2, 6, 1, connections=10, gates=3), lambda: Perceptron(1, 1)])
def test_repr_counts_agree_with_the_neurons(make):
    synapse.seed(1)
    net = make()
    c, g, s, sg, p = counted_by_hand(net)
    text = repr(net)
    assert text.startswith(f"<{type(net).__name__}: {net.inputs()} -> ")
    plural = "" if c == 1 else "s"
    assert f"{c} connection{plural} ({g} gated)" in text
    assert f"({sg} gated)" in text and f"{p} parameter" in text
    assert re.search(rf"\b{s} self-connection", text)


@pytest.mark.parametrize("engine", ENGINES)
def test_repr_names_the_engine_that_steps_it(engine):
    synapse.seed(0)
    net = use_engine(Perceptron(2, 2, 1), engine)
    assert repr(net).endswith(f"engine {engine}>")


def test_repr_changes_no_number_and_survives_an_inconsistent_network():
    synapse.seed(0)
    net = LSTM(2, 2, 1)
    net.activate([1, 0])
    before = json.dumps(net.to_json(), sort_keys=True)
    repr(net), net.summary(show=False), net._repr_html_()
    assert json.dumps(net.to_json(), sort_keys=True) == before
    # a neuron fed from outside the network: it cannot step, but it still shows
    a, b, outside = Layer(1), Layer(1), Layer(1)
    a.project(b)
    outside.project(b)
    broken = Network(input=a, output=b)
    assert repr(broken).startswith("<Network: ") and "not in the network" in repr(broken)
    assert "not in the network" in broken._repr_html_()


def test_summary_prints_and_returns_the_layer_table(capsys):
    synapse.seed(0)
    net = LSTM(2, 3, 1)
    text = net.summary()
    assert capsys.readouterr().out == text + "\n"
    lines = text.splitlines()
    assert lines[0] == f"LSTM: 2 inputs, 1 output, 15 neurons, engine {AUTO}"
    assert lines[1].split() == ["layer", "units", "squash", "connections", "in", "self",
                                "gates", "parameters"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert list(rows) == ["input", "hidden[0]", "hidden[1]", "hidden[2]", "hidden[3]",
                          "output", "total"]
    # the input gate gates the cells' inputs, the forget gate their self-connections,
    # the output gate their outputs; only the cells remember (self-connections)
    assert "6 input->hidden[2]" in rows["hidden[0]"]
    assert "3 self hidden[2]" in rows["hidden[1]"]
    assert "3 hidden[2]->output" in rows["hidden[3]"]
    assert rows["hidden[2]"].split()[1:4] == ["3", "LOGISTIC", "6"]
    assert "6 from input, 9 from hidden[2]" in rows["hidden[0]"]  # peepholes
    # parameters: learning weights into the layer plus its biases, summing to the total
    per_layer = [int(rows[k].split()[-1]) for k in list(rows)[:-1]]
    assert per_layer == [0, 18, 18, 6, 18, 6] and sum(per_layer) == len(net.parameters())
    assert rows["total"].split() == ["total", "15", "56", "(9", "gated)", "3", "12", "66"]
    assert net.summary(show=False) == text and capsys.readouterr().out == ""


def test_summary_counts_fixed_parameters_out():
    """The default LSTM holds its cells' biases: 3 parameters fewer than
    synaptic.js's wiring (cell_bias="learnt"), where they learn."""
    for options, cells, total in (({}, 6, 66), ({"learn_cell_bias": False}, 6, 66),
                                  ({"cell_bias": "learnt"}, 9, 69)):
        synapse.seed(0)
        net = LSTM(2, 3, 1, **options)
        rows = {line.split()[0]: line for line in net.summary(show=False).splitlines()[2:]}
        assert int(rows["hidden[2]"].split()[-1]) == cells
        assert int(rows["total"].split()[-1]) == len(net.parameters()) == total


def test_summary_rejects_a_non_flag():
    with pytest.raises(TypeError, match="show"):
        Perceptron(1, 1).summary(show="no")


def test_html_is_a_short_escaped_table():
    synapse.seed(0)
    net = LSTM(2, 3, 1)
    page = net._repr_html_()
    assert page.startswith("<div><b>LSTM</b>: 56 connections (9 gated)")
    assert page.count("<tr>") == 1 + 6  # the head, then a row per layer
    assert page.count("<th>") == 7
    assert "input-&gt;hidden[2]" in page and "->" not in page.split("<table>")[1]
