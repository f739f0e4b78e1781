"""Every bad input raises ValueError or TypeError, with a message that names
what was expected and what came, and changes nothing: the network's JSON, every
neuron's numbers and connections, and (through a clone taken before) the traces
are as they were. Loading never executes anything from the file."""
from __future__ import annotations

import contextlib
import copy
import json
import math
import os
import re

import numpy as np
import pytest
from conftest import ENGINES, drive, use_engine

import synapse
from architect import LSTM, Perceptron
from synapse import (
    Connection,
    ConnectionType,
    GateType,
    Layer,
    LayerConnection,
    Network,
    Neuron,
    cost,
    squash,
)

BAD = (ValueError, TypeError)


# ---------------------------------------------------------------- snapshots
def neuron_snapshot(neurons):
    out = []
    for n in neurons:
        out.append((n.state, n.old, n.activation, n.derivative, n.bias, n.squash, n.label,
                    n.selfconnection.weight, n.selfconnection.gater,
                    [(c.ID, c.from_, c.weight, c.gater) for c in n.connections.inputs],
                    [c.ID for c in n.connections.projected],
                    [c.ID for c in n.connections.gated]))
    return out


@contextlib.contextmanager
def unchanged(net):
    """The block must leave ``net`` exactly as it was, traces included."""
    before_json = net.to_json()
    before = neuron_snapshot([n for n, _ in net.neurons()])
    layers = (net.layers.input, list(net.layers.hidden), net.layers.output)
    twin = net.clone()
    yield
    assert (net.layers.input, list(net.layers.hidden), net.layers.output) == layers
    assert net.to_json() == before_json
    assert neuron_snapshot([n for n, _ in net.neurons()]) == before
    np.testing.assert_array_equal(drive(net, 15), drive(twin, 15))


def raises(exc, *fragments):
    """pytest.raises whose message must contain every fragment (case-insensitive)."""
    pattern = "".join(f"(?=.*{re.escape(f)})" for f in fragments)
    return pytest.raises(exc, match=re.compile(pattern, re.IGNORECASE | re.DOTALL))


@pytest.fixture(params=ENGINES)
def net(request):
    """A trained LSTM mid-sequence (2 inputs, 2 outputs): traces are nonzero;
    on each engine."""
    synapse.seed(21)
    net = use_engine(LSTM(2, 2, 2), request.param)
    drive(net, 10)
    net.activate([0.3, -0.2])
    return net


# ---------------------------------------------------------------- vectors
@pytest.mark.parametrize("inputs, exc, fragments", [
    ([0.1], ValueError, ["2", "1"]),
    ([0.1, 0.2, 0.3], ValueError, ["2", "3"]),
    ([], ValueError, ["2", "0"]),
    (np.zeros(3), ValueError, ["2", "3"]),
    (np.zeros((1, 2)), ValueError, ["1-D", "(1, 2)"]),
    ([[0.1, 0.2]], TypeError, ["number", "list"]),
    ([math.nan, 0.0], ValueError, ["finite", "nan"]),
    ([0.0, math.inf], ValueError, ["finite", "inf"]),
    (np.array([-np.inf, 0.0]), ValueError, ["finite", "inf"]),
    (["a", 0.0], TypeError, ["number", "str"]),
    ([None, 0.0], TypeError, ["number", "NoneType"]),
    ([True, 0.0], TypeError, ["number", "bool"]),
    ([np.bool_(False), 0.0], TypeError, ["number", "bool"]),
    ([1 + 2j, 0.0], TypeError, ["number", "complex"]),
    (None, TypeError, ["2", "NoneType"]),
    ("ab", TypeError, ["2", "str"]),
    (b"ab", TypeError, ["2", "bytes"]),
    ({0: 1.0, 1: 2.0}, TypeError, ["2", "dict"]),
    (0.5, TypeError, ["2", "float"]),
    (np.array(["a", "b"]), TypeError, ["number", "<U1"]),
    (np.array([True, False]), TypeError, ["number", "bool"]),
    (np.array([1j, 0]), TypeError, ["number", "complex"]),
    (np.array([0.1, None], dtype=object), TypeError, ["number", "object"]),
])
def test_activate_rejects(net, inputs, exc, fragments):
    with unchanged(net), raises(exc, *fragments):
        net.activate(inputs)


@pytest.mark.parametrize("inputs", [[0, -1], (0, -1.0), np.array([0.0, -1.0]),
                                    np.array([0, -1]), np.array([0, -1], dtype=np.float32),
                                    [np.float64(0), np.int64(-1)], range(0, -2, -1)])
def test_activate_accepts_any_sequence_of_numbers(net, inputs):
    reference = net.clone().activate([0.0, -1.0])
    np.testing.assert_array_equal(net.activate(inputs), reference)


@pytest.mark.parametrize("target, exc, fragments", [
    ([0.5], ValueError, ["2", "1"]),
    ([0.5, 0.5, 0.5], ValueError, ["2", "3"]),
    ([math.nan, 0.5], ValueError, ["finite", "nan"]),
    ([0.5, -math.inf], ValueError, ["finite", "inf"]),
    (["0.5", 0.5], TypeError, ["number", "str"]),
    ([None, 0.5], TypeError, ["number", "NoneType"]),
    ([False, 0.5], TypeError, ["number", "bool"]),
    (None, TypeError, ["2", "NoneType"]),
])
def test_propagate_rejects_bad_targets(net, target, exc, fragments):
    with unchanged(net), raises(exc, *fragments):
        net.propagate(0.1, target)


@pytest.mark.parametrize("rate, exc, fragments", [
    (math.nan, ValueError, ["rate", "finite", "nan"]),
    (math.inf, ValueError, ["rate", "finite", "inf"]),
    ("0.1", TypeError, ["rate", "number", "str"]),
    (None, TypeError, ["rate", "number", "NoneType"]),
    (True, TypeError, ["rate", "number", "bool"]),
    ([0.1], TypeError, ["rate", "number", "list"]),
    (np.array([0.1, 0.2]), TypeError, ["rate", "number", "ndarray"]),
])
def test_propagate_rejects_bad_rates(net, rate, exc, fragments):
    with unchanged(net), raises(exc, *fragments):
        net.propagate(rate, [0.5, 0.5])


def no_derivative(target, output):
    return 0.0


def wrong_shape(target, output, derivate=False):
    return np.zeros(3)


def not_finite(target, output, derivate=False):
    return np.array([np.nan, 0.0])


@pytest.mark.parametrize("cost_fn, exc, fragments", [
    ("MSE", TypeError, ["cost", "callable", "str"]),
    (42, TypeError, ["cost", "callable", "int"]),
    (cost.BINARY, ValueError, ["BINARY", "gradient"]),
    (no_derivative, TypeError, ["cost", "derivate"]),
    (wrong_shape, ValueError, ["2", "finite"]),
    (not_finite, ValueError, ["2", "finite", "nan"]),
])
def test_propagate_rejects_bad_costs(net, cost_fn, exc, fragments):
    with unchanged(net), raises(exc, *fragments):
        net.propagate(0.1, [0.5, 0.5], cost=cost_fn)


def test_layer_activate_and_propagate_reject_bad_vectors():
    synapse.seed(1)
    a, b = Layer(3), Layer(2)
    a.project(b)
    a.activate([0.1, 0.2, 0.3])
    b.activate()
    neurons = a.list + b.list
    before = neuron_snapshot(neurons)
    with raises(ValueError, "3", "2"):
        a.activate([0.1, 0.2])
    with raises(ValueError, "finite", "nan"):
        a.activate([0.1, math.nan, 0.3])
    with raises(TypeError, "number", "str"):
        a.activate([0.1, "x", 0.3])
    with raises(ValueError, "2", "3"):
        b.propagate(0.1, [0.1, 0.2, 0.3])
    with raises(ValueError, "finite", "inf"):
        b.propagate(0.1, [0.1, math.inf])
    with raises(ValueError, "rate", "nan"):
        b.propagate(math.nan, [0.1, 0.2])
    with raises(TypeError, "rate", "str"):
        b.propagate("fast")
    assert neuron_snapshot(neurons) == before


def test_neuron_level_bad_numbers():
    synapse.seed(2)
    a, b = Neuron(), Neuron()
    c = a.project(b, 0.5)
    a.activate(0.3)
    b.activate()
    before = neuron_snapshot([a, b])
    for bad, exc in ((math.nan, ValueError), (math.inf, ValueError), ("1", TypeError),
                     (True, TypeError), ([1.0], TypeError)):
        with pytest.raises(exc, match="input"):
            a.activate(bad)
        with pytest.raises(exc, match="rate"):
            b.propagate(bad, 1.0)
        with pytest.raises(exc, match="target"):
            b.propagate(0.1, bad)
        with pytest.raises(exc, match="weight"):
            c.weight = bad
        with pytest.raises(exc, match="weight"):
            a.project(b, bad)
        with pytest.raises(exc, match="bias"):
            b.bias = bad
        with pytest.raises(exc, match="bias"):
            Neuron(bias=bad)
    assert neuron_snapshot([a, b]) == before


# ---------------------------------------------------------------- squash
@pytest.mark.parametrize("bad", [None, 3, "LOGISTIC", [squash.TANH]])
def test_squash_must_be_callable(bad):
    with raises(TypeError, "callable", type(bad).__name__):
        Neuron(squash=bad)
    n = Neuron(squash=squash.TANH)
    with raises(TypeError, "callable", type(bad).__name__):
        n.squash = bad
    assert n.squash is squash.TANH
    if bad is None:
        return  # Layer.set(squash=None) means "leave the squash as it is"
    layer = Layer(3)
    biases = [x.bias for x in layer.list]
    with raises(TypeError, "callable"):
        layer.set(label="x", squash=bad, bias=0.5)  # nothing of it is applied
    assert [x.squash for x in layer.list] == [squash.LOGISTIC] * 3
    assert [x.bias for x in layer.list] == biases
    assert all(x.label is None for x in layer.list)


def test_layer_set_with_bad_bias_changes_nothing():
    layer = Layer(2)
    before = neuron_snapshot(layer.list)
    with raises(ValueError, "bias", "nan"):
        layer.set(squash=squash.TANH, bias=math.nan)
    with raises(TypeError, "bias", "str"):
        layer.set(squash=squash.TANH, bias="0")
    assert neuron_snapshot(layer.list) == before


# ---------------------------------------------------------------- structure
def layer_state(*layers):
    return neuron_snapshot([n for layer in layers for n in layer.list]), \
        [list(layer.connectedto) for layer in layers]


@pytest.mark.parametrize("gtype, gater_size, fragments", [
    (GateType.INPUT, 3, ["INPUT", "2", "3"]),        # target has 2 neurons
    (GateType.OUTPUT, 2, ["OUTPUT", "3", "2"]),      # source has 3 neurons
    (GateType.ONE_TO_ONE, 5, ["ONE", "6", "5"]),     # the connection has 6 connections
])
def test_gating_with_a_layer_of_the_wrong_size(gtype, gater_size, fragments):
    src, dst, gater = Layer(3), Layer(2), Layer(gater_size)
    lc = src.project(dst)
    before = layer_state(src, dst, gater)
    with raises(ValueError, *fragments):
        gater.gate(lc, gtype)
    assert layer_state(src, dst, gater) == before
    assert lc.gatedfrom == []


@pytest.mark.parametrize("bad", ["SIDEWAYS", None, 3])
def test_gate_type_must_be_a_gate_type(bad):
    src, dst, gater = Layer(2), Layer(2), Layer(2)
    lc = src.project(dst)
    with raises(ValueError, "gate type", "GateType.INPUT", repr(bad)):
        gater.gate(lc, bad)
    assert all(c.gater is None for c in lc.list)


def test_gate_expects_connections():
    a, b = Neuron(), Neuron()
    a.project(b)
    with raises(TypeError, "Connection", "Neuron"):
        a.gate(b)
    with raises(TypeError, "LayerConnection", "str"):
        Layer(1).gate("a connection", GateType.INPUT)
    with raises(TypeError, "Neuron", "str"):
        a.project("b")
    with raises(TypeError, "Layer", "str"):
        Layer(1).project("b")


def test_second_gater_on_a_neuron_connection():
    a, b, g1, g2 = Neuron(), Neuron(), Neuron(), Neuron()
    c = a.project(b)
    g1.gate(c)
    before = neuron_snapshot([a, b, g1, g2])
    with raises(ValueError, "already gated", str(g1.ID)):
        g2.gate(c)
    with raises(ValueError, "already gated"):
        g1.gate(c)  # the same gater twice is a second gater too
    assert c.gater is g1
    assert neuron_snapshot([a, b, g1, g2]) == before
    # the self-connection: one gater as well
    b.project(b)
    g1.gate(b.selfconnection)
    with raises(ValueError, "already gated"):
        g2.gate(b.selfconnection)
    assert b.selfconnection.gater is g1 and g2.connections.gated == []


@pytest.mark.parametrize("first, second", [
    (GateType.INPUT, GateType.INPUT), (GateType.INPUT, GateType.OUTPUT),
    (GateType.OUTPUT, GateType.ONE_TO_ONE), (GateType.ONE_TO_ONE, GateType.INPUT)])
def test_second_gater_on_a_layer_connection(first, second):
    src, dst = Layer(2), Layer(2)
    lc = src.project(dst)
    g1 = Layer(lc.size if first is GateType.ONE_TO_ONE else 2)
    g2 = Layer(lc.size if second is GateType.ONE_TO_ONE else 2)
    g1.gate(lc, first)
    gaters = [c.gater for c in lc.list]
    before = layer_state(src, dst, g1, g2)
    with raises(ValueError, "already gated"):
        g2.gate(lc, second)
    assert [c.gater for c in lc.list] == gaters
    assert layer_state(src, dst, g1, g2) == before
    assert lc.gatedfrom == [(g1, first)]


def test_layer_gate_checks_every_connection_before_gating_any():
    """Only the last connection of the plan is already gated: nothing may change."""
    src, dst, gater, other = Layer(2), Layer(2), Layer(2), Neuron()
    lc = src.project(dst)
    last = lc.list[-1]
    other.gate(last)
    before = layer_state(src, dst, gater)
    with raises(ValueError, "already gated"):
        gater.gate(lc, GateType.INPUT)
    assert [c.gater for c in lc.list] == [None, None, None, other]
    assert all(n.connections.gated == [] for n in gater.list)
    assert layer_state(src, dst, gater) == before


def test_network_gate_with_a_second_gater_changes_nothing(net):
    cells = net.layers.hidden[2]
    lc = next(lc for lc in net.layers.input.connectedto if lc.to is cells)
    with unchanged(net), raises(ValueError, "already gated"):
        net.gate(lc, GateType.INPUT)  # the input gate already gates these


@pytest.mark.parametrize("kwargs, exc, fragments", [
    ({"type": ConnectionType.ONE_TO_ONE}, ValueError, ["ONE_TO_ONE", "3", "2"]),
    ({"type": "DIAGONAL"}, ValueError, ["connection type", "ALL_TO_ALL", "DIAGONAL"]),
    ({"weights": np.ones((3, 2))}, ValueError, ["(2, 3)", "(3, 2)"]),
    ({"weights": [[1, 2, 3]]}, ValueError, ["(2, 3)", "(1, 3)"]),
    ({"weights": [[1, 2, math.nan], [1, 2, 3]]}, ValueError, ["finite"]),
    ({"weights": math.nan}, ValueError, ["weights", "nan"]),
    ({"weights": "0.5"}, TypeError, ["weights", "str"]),
])
def test_layer_project_rejects_and_connects_nothing(kwargs, exc, fragments):
    src, dst = Layer(3), Layer(2)
    before = layer_state(src, dst)
    with raises(exc, *fragments):
        src.project(dst, **kwargs)
    assert layer_state(src, dst) == before
    assert src.connected(dst) is None


def test_layer_constructor_and_add():
    for bad in (-1, 2.5, "3", None, True):
        with pytest.raises(BAD, match="size"):
            Layer(bad)
    layer = Layer(1)
    n = layer.list[0]
    with raises(TypeError, "Neuron", "str"):
        layer.add("neuron")
    with raises(ValueError, "already"):
        layer.add(n)
    assert layer.list == [n]


def test_network_structure_errors(net):
    i, o = Layer(1), Layer(1)
    with raises(ValueError, "twice"):
        Network(input=i, hidden=[i], output=o)
    with unchanged(net), raises(TypeError, "hidden[0]", "Layer", "str"):
        net.set(hidden=["not a layer"])
    with unchanged(net), raises(TypeError, "output", "Layer", "int"):
        net.set(output=3)
    with unchanged(net), raises(TypeError, "True or False", "'yes'"):
        net.set_optimize("yes")
    with unchanged(net), raises(ValueError, "twice"):
        net.set(output=net.layers.input)


@pytest.mark.parametrize("bad", ["1", 1.5, True, [1]])
def test_seed_must_be_an_integer(bad):
    synapse.seed(5)
    expected = Neuron().bias
    synapse.seed(5)
    with raises(TypeError, "integer", type(bad).__name__):
        synapse.seed(bad)
    assert Neuron().bias == expected  # the generator was not replaced


# ---------------------------------------------------------------- JSON
@pytest.fixture(scope="module")
def good_json():
    """A small valid network with a gated connection and a self-connection."""
    synapse.seed(3)
    i, h, o = Layer(2), Layer(2), Layer(1)
    i.project(h)
    lc = h.project(o)
    h.project(h)
    gate = Layer(2)
    i.project(gate)
    gate.gate(lc, GateType.OUTPUT)
    net = Network(input=i, hidden=[gate, h], output=o)
    data = net.to_json()
    assert any(c["gater"] is not None for c in data["connections"])
    assert any(c["from"] == c["to"] for c in data["connections"])
    return data


def mutate(data, path, value=None, delete=False):
    data = copy.deepcopy(data)
    *head, last = path
    target = data
    for key in head:
        target = target[key]
    if delete:
        del target[last]
    else:
        target[last] = value
    return data


INJECTION = "__import__('os').system('touch PWNED_BY_SQUASH')"


@pytest.mark.parametrize("edit, exc, fragments", [
    ({"path": ["neurons"], "delete": True}, ValueError, ["neurons"]),
    ({"path": ["connections"], "delete": True}, ValueError, ["connections"]),
    ({"path": ["neurons"], "value": {}}, TypeError, ["neurons", "list", "dict"]),
    ({"path": ["connections"], "value": "none"}, TypeError, ["connections", "list", "str"]),
    ({"path": ["neurons", 1], "value": [0, 1]}, TypeError, ["neurons[1]", "object", "list"]),
    ({"path": ["neurons", 3, "bias"], "delete": True}, ValueError, ["neurons[3]", "bias"]),
    ({"path": ["neurons", 3, "squash"], "delete": True}, ValueError, ["neurons[3]", "squash"]),
    ({"path": ["neurons", 3, "layer"], "delete": True}, ValueError, ["neurons[3]", "layer"]),
    ({"path": ["neurons", 3, "state"], "delete": True}, ValueError, ["neurons[3]", "state"]),
    ({"path": ["neurons", 3, "bias"], "value": "0.1"}, TypeError, ["neurons[3].bias", "str"]),
    ({"path": ["neurons", 3, "bias"], "value": True}, TypeError, ["neurons[3].bias", "bool"]),
    ({"path": ["neurons", 3, "bias"], "value": None}, TypeError, ["neurons[3].bias", "None"]),
    ({"path": ["neurons", 3, "bias"], "value": math.nan}, ValueError, ["neurons[3].bias", "nan"]),
    ({"path": ["neurons", 3, "state"], "value": math.inf}, ValueError, ["state", "inf"]),
    ({"path": ["neurons", 3, "activation"], "value": []}, TypeError, ["activation", "list"]),
    ({"path": ["neurons", 3, "squash"], "value": "SWISH"}, ValueError,
     ["neurons[3].squash", "LOGISTIC", "SWISH"]),
    ({"path": ["neurons", 3, "squash"], "value": "logistic"}, ValueError, ["squash", "logistic"]),
    ({"path": ["neurons", 3, "squash"], "value": INJECTION}, ValueError, ["squash", "__import__"]),
    ({"path": ["neurons", 3, "squash"], "value": "eval"}, ValueError, ["squash", "eval"]),
    ({"path": ["neurons", 3, "squash"], "value": "__class__"}, ValueError, ["squash"]),
    ({"path": ["neurons", 3, "squash"], "value": 5}, ValueError, ["squash", "5"]),
    ({"path": ["neurons", 3, "layer"], "value": "hidden"}, ValueError, ["layer", "hidden"]),
    ({"path": ["neurons", 3, "layer"], "value": -1}, ValueError, ["layer", "-1"]),
    ({"path": ["neurons", 3, "layer"], "value": 0.5}, ValueError, ["layer", "0.5"]),
    ({"path": ["neurons", 3, "layer"], "value": None}, ValueError, ["layer", "None"]),
    ({"path": ["connections", 0], "value": None}, TypeError, ["connections[0]", "NoneType"]),
    ({"path": ["connections", 0, "weight"], "delete": True}, ValueError,
     ["connections[0]", "weight"]),
    ({"path": ["connections", 0, "from"], "delete": True}, ValueError, ["connections[0]", "from"]),
    ({"path": ["connections", 0, "to"], "delete": True}, ValueError, ["connections[0]", "to"]),
    ({"path": ["connections", 0, "weight"], "value": math.nan}, ValueError, ["weight", "nan"]),
    ({"path": ["connections", 0, "weight"], "value": -math.inf}, ValueError, ["weight", "inf"]),
    ({"path": ["connections", 0, "weight"], "value": "1"}, TypeError, ["weight", "str"]),
    ({"path": ["connections", 0, "weight"], "value": None}, TypeError, ["weight", "None"]),
    ({"path": ["connections", 0, "from"], "value": 7}, ValueError, ["from", "[0, 7)", "7"]),
    ({"path": ["connections", 0, "to"], "value": -1}, ValueError, ["to", "[0, 7)", "-1"]),
    ({"path": ["connections", 0, "gater"], "value": 99}, ValueError, ["gater", "[0, 7)", "99"]),
    ({"path": ["connections", 0, "from"], "value": "x"}, ValueError, ["from", "index", "str 'x'"]),
    ({"path": ["connections", 0, "from"], "value": "01"}, ValueError, ["from", "decimal", "'01'"]),
    ({"path": ["connections", 0, "to"], "value": "７"}, ValueError, ["to", "index"]),
    ({"path": ["connections", 0, "gater"], "value": "١"}, ValueError, ["gater", "index"]),
    ({"path": ["connections", 0, "from"], "value": "9" * 40}, ValueError, ["from", "40 digits"]),
    ({"path": ["connections", 0, "weight"], "value": 10 ** 400}, ValueError,
     ["connections[0].weight", "too large"]),
    ({"path": ["neurons", 3, "bias"], "value": -10 ** 400}, ValueError, ["neurons[3].bias"]),
    ({"path": ["neurons", 3, "layer"], "value": "²"}, ValueError, ["neurons[3].layer", "'²'"]),
    ({"path": ["neurons", 3, "layer"], "value": "١"}, ValueError, ["neurons[3].layer", "'١'"]),
    ({"path": ["neurons", 3, "layer"], "value": "01"}, ValueError, ["neurons[3].layer", "'01'"]),
    ({"path": ["neurons", 3, "layer"], "value": " 1"}, ValueError, ["neurons[3].layer"]),
    ({"path": ["neurons", 3, "layer"], "value": 2 ** 40}, ValueError, ["neurons[3].layer"]),
    ({"path": ["neurons", 3, "squash"], "value": None}, ValueError, ["neurons[3].squash", "null"]),
    ({"path": ["neurons", 3, "learn_bias"], "value": 0}, TypeError, ["learn_bias", "int"]),
    ({"path": ["neurons", 3, "label"], "value": 5}, TypeError, ["neurons[3].label", "int"]),
    ({"path": ["connections", 0, "learns"], "value": "no"}, TypeError, ["learns", "str"]),
    ({"path": ["synapse"], "value": []}, TypeError, ["synapse", "list"]),
    ({"path": ["synapse", "class"], "value": "os.system"}, ValueError,
     ["synapse.class", "os.system", "known"]),
    ({"path": ["synapse", "class"], "value": 3}, TypeError, ["synapse.class", "int"]),
    ({"path": ["synapse", "format"], "value": 99}, ValueError, ["synapse.format", "newer"]),
    ({"path": ["synapse", "attributes"], "value": {"x": [1]}}, ValueError,
     ["synapse.attributes.x"]),
    ({"path": ["synapse", "pending_gains"], "value": 1}, TypeError, ["pending_gains"]),
    ({"path": ["connections", 0, "from"], "value": 1.5}, TypeError, ["from", "index", "1.5"]),
    ({"path": ["connections", 0, "to"], "value": True}, TypeError, ["to", "index", "bool"]),
    ({"path": ["connections", 0, "gater"], "value": [2]}, TypeError, ["gater", "index", "list"]),
])
def test_malformed_json(good_json, edit, exc, fragments):
    data = mutate(good_json, **edit)
    snapshot = copy.deepcopy(data)
    with raises(exc, *fragments):
        Network.from_json(data)
    assert data == snapshot  # the input is not modified either


def test_duplicate_connections(good_json):
    for k in range(len(good_json["connections"])):
        data = copy.deepcopy(good_json)
        data["connections"].append(dict(data["connections"][k], weight=0.5))
        c = data["connections"][k]
        with raises(ValueError, "repeats", f"{c['from']}->{c['to']}"):
            Network.from_json(data)


def test_json_without_input_neurons(good_json):
    data = copy.deepcopy(good_json)
    for cfg in data["neurons"]:
        if cfg["layer"] == "input":
            cfg["layer"] = "output"
    with raises(ValueError, "input"):
        Network.from_json(data)


@pytest.mark.parametrize("text, exc, fragments", [
    ("{not json", ValueError, ["JSON", "parse"]),
    ("", ValueError, ["JSON"]),
    ('{"neurons": [], "connections": []', ValueError, ["JSON"]),
    ("[]", TypeError, ["object", "list"]),
    ("42", TypeError, ["object", "int"]),
    ("null", TypeError, ["object", "NoneType"]),
    (b"\xff\xfe garbage", ValueError, ["JSON"]),
])
def test_non_json_text(text, exc, fragments):
    with raises(exc, *fragments):
        Network.from_json(text)


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_in_json_text(good_json, word):
    text = json.dumps(good_json)
    text = text.replace('"weight": ' + json.dumps(good_json["connections"][0]["weight"]),
                        '"weight": ' + word, 1)
    assert word in text
    with raises(ValueError, "connections[0].weight", "finite"):
        Network.from_json(text)


@pytest.mark.parametrize("bad", [None, 42, [], Layer(1)])
def test_from_json_wants_a_dict_or_text(bad):
    with raises(TypeError, "object", type(bad).__name__):
        Network.from_json(bad)


def test_bad_squashes_table(good_json):
    with raises(TypeError, "squashes"):
        Network.from_json(good_json, squashes=["LOGISTIC"])
    with raises(TypeError, "squashes"):
        Network.from_json(good_json, squashes={"X": "not callable"})


def test_loading_never_executes_anything(good_json, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in (INJECTION, "exec('open(\"PWNED\", \"w\")')", "LOGISTIC; import os",
                 "lambda x, derivate=False: x", "os.system"):
        data = mutate(good_json, ["neurons", 4, "squash"], name)
        with raises(ValueError, "squash"):
            Network.from_json(data)
        with raises(ValueError, "squash"):
            Network.from_json(json.dumps(data))
        path = tmp_path / "evil.json"
        path.write_text(json.dumps(data))
        with raises(ValueError, "squash"):
            Network.load(path)
    assert sorted(os.listdir(tmp_path)) == ["evil.json"]


def test_load_of_a_missing_or_garbage_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        Network.load(tmp_path / "missing.json")
    path = tmp_path / "garbage.json"
    path.write_text("synaptic? no.")
    with raises(ValueError, "JSON"):
        Network.load(path)


def test_failed_load_draws_no_random_numbers(good_json):
    synapse.seed(9)
    expected = Neuron().bias
    synapse.seed(9)
    with pytest.raises(ValueError):
        Network.from_json(mutate(good_json, ["connections", 2, "to"], 100))
    assert Neuron().bias == expected


def test_valid_variants_load(good_json):
    """What synaptic's own exports look like also loads: integer numbers, index
    floats such as 3.0, no gater key, a missing trace."""
    data = copy.deepcopy(good_json)
    for cfg in data["neurons"]:
        cfg.pop("trace")
        cfg["state"] = 0
    data["connections"][0]["from"] = float(data["connections"][0]["from"])
    data["connections"][1].pop("gater")
    net = Network.from_json(data)
    assert len(net.neurons()) == 7
    assert isinstance(net, Network)


def test_public_names():
    """The names API.md promises exist (a failing import here is a contract bug)."""
    assert all(isinstance(x, type) for x in (Connection, LayerConnection, Neuron, Layer,
                                             Network, ConnectionType, GateType))
    assert issubclass(Perceptron, Network) and issubclass(LSTM, Network)
