"""neataptic's JSON: networks neataptic 1.4.7 built (LSTM, GRU, NARX, Random,
NEAT-mutated) give neataptic's outputs here, and synapse's networks exported
with ``to_neataptic`` give in neataptic what they give here
(tests/data/make_neataptic_fixtures.js recorded both)."""
from __future__ import annotations

import copy
import importlib.util
import json
import os
import re
import warnings

import numpy as np
import pytest
from conftest import DATA, ENGINES, drive, use_engine

import synapse
from architect import LSTM, Hopfield
from synapse import Network, squash

TOL = 1e-9

with open(os.path.join(DATA, "neataptic_networks.json"), encoding="utf-8") as fh:
    FIXTURES = json.load(fh)
with open(os.path.join(DATA, "neataptic_from_synapse.json"), encoding="utf-8") as fh:
    EXPORTED = json.load(fh)
NAMES = sorted(FIXTURES["networks"])


def _a(x):
    return np.asarray(x, dtype=float)


def _f(value, derivative):
    """A squash f(x, derivate=False) from two array functions."""
    def f(x, derivate=False):
        x = _a(x)
        return np.asarray(derivative(x) if derivate else value(x), dtype=float)[()]
    return f


_SELU_A, _SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
#: neataptic's own squashes, written from its methods/activation.js, for those
#: synapse.squash does not have (yet): each network's structure is checked
#: whatever squashes it uses
NEATAPTIC = {
    "STEP": _f(lambda x: (x > 0) * 1.0, lambda x: 0 * x),
    "SOFTSIGN": _f(lambda x: x / (1 + np.abs(x)), lambda x: x / (1 + np.abs(x)) ** 2),
    "SINUSOID": _f(np.sin, np.cos),
    "GAUSSIAN": _f(lambda x: np.exp(-x * x), lambda x: -2 * x * np.exp(-x * x)),
    "BENT_IDENTITY": _f(lambda x: (np.sqrt(x * x + 1) - 1) / 2 + x,
                        lambda x: x / (2 * np.sqrt(x * x + 1)) + 1),
    "BIPOLAR": _f(lambda x: np.where(x > 0, 1.0, -1.0), lambda x: 0 * x),
    "BIPOLAR_SIGMOID": _f(lambda x: 2 / (1 + np.exp(-x)) - 1,
                          lambda x: (1 + (2 / (1 + np.exp(-x)) - 1)) *
                          (1 - (2 / (1 + np.exp(-x)) - 1)) / 2),
    "HARD_TANH": _f(lambda x: np.clip(x, -1, 1), lambda x: ((x > -1) & (x < 1)) * 1.0),
    "ABSOLUTE": _f(np.abs, lambda x: np.where(x < 0, -1.0, 1.0)),
    "INVERSE": _f(lambda x: 1 - x, lambda x: 0 * x - 1),
    "SELU": _f(lambda x: _SELU_S * np.where(x > 0, x, _SELU_A * np.exp(np.minimum(x, 0)) - _SELU_A),
               lambda x: np.where(x > 0, _SELU_S, _SELU_S * _SELU_A * np.exp(np.minimum(x, 0)))),
}
OURS = {k: f for k, f in NEATAPTIC.items() if k not in squash.BY_NAME}


def run(net, inputs):
    return np.array([net.activate(x) for x in inputs])


@pytest.mark.parametrize("engine", [None, *ENGINES])
@pytest.mark.parametrize("name", NAMES)
def test_neataptic_networks_give_neataptics_outputs(name, engine):
    """With synapse's squashes where it has them, else a clear ValueError naming
    the squash and the node; with the missing ones given as ``squashes``, every
    network's outputs."""
    fx = FIXTURES["networks"][name]
    missing = [s for s in fx["squashes"] if s not in squash.BY_NAME]
    if missing:
        with pytest.raises(ValueError, match=r"nodes\[\d+\]\.squash: node \d+ squashes with "
                                             r"str '(" + "|".join(missing) + ")'"):
            Network.from_neataptic(fx["network"])
    else:
        net = Network.from_neataptic(fx["network"])
        if engine:
            use_engine(net, engine)
        np.testing.assert_allclose(run(net, fx["inputs"]), fx["outputs"], rtol=0, atol=TOL)
    net = Network.from_neataptic(json.dumps(fx["network"]), squashes=OURS)
    if engine:  # the JIT runs synapse's own squashes only
        use_engine(net, "numpy" if engine == "jit" and missing else engine)
    np.testing.assert_allclose(run(net, fx["inputs"]), fx["outputs"], rtol=0, atol=TOL)


def test_the_fixtures_cover_what_they_should():
    nets = FIXTURES["networks"]
    late = {name: sum(c["gater"] is not None and c["gater"] >= c["to"]
                      for c in fx["network"]["connections"]) for name, fx in nets.items()}
    assert late["neat"] > 0 and late["random"] > 0  # gates read a step late
    assert all(set(fx["squashes"]) <= set(squash.BY_NAME) for name, fx in nets.items()
               if name in ("perceptron", "lstm", "lstm_deep", "narx", "neat", "random"))
    types = {n["type"] for name in ("gru", "narx") for n in nets[name]["network"]["nodes"]}
    assert "constant" in types
    for name in ("lstm", "neat", "random"):
        conns = nets[name]["network"]["connections"]
        assert any(c["from"] == c["to"] for c in conns) and any(c["gater"] is not None
                                                                for c in conns)
    for name, fx in nets.items():  # the outputs vary: no comparison against a constant
        if not name.startswith("squash_"):
            assert np.ptp(np.array(fx["outputs"]), axis=0).max() > 1e-5, name  # >> TOL


def test_without_neataptics_first_step_gains_the_neat_network_would_differ():
    fx = FIXTURES["networks"]["neat"]
    net = Network.from_neataptic(fx["network"])
    net._gains_pending = False  # read the gaters' (zero) activations instead
    net._engine = None
    assert np.abs(run(net, fx["inputs"])[0] - fx["outputs"][0]).max() > 1e-6


def test_constant_nodes_hold_their_bias_and_input_weights():
    net = Network.from_neataptic(FIXTURES["networks"]["narx"]["network"])
    kinds = [n["type"] for n in FIXTURES["networks"]["narx"]["network"]["nodes"]]
    neurons = [n for n, _ in net.neurons()]
    for n, kind in zip(neurons, kinds):
        if kind == "constant":
            assert not n.learn_bias and n.connections.inputs
            assert not any(c.learns for c in n.connections.inputs)
        elif kind in ("hidden", "output"):
            assert n.learn_bias and all(c.learns for c in n.connections.inputs)
    before = {id(c): c.weight for n, k in zip(neurons, kinds) if k == "constant"
              for c in n.connections.inputs}
    drive(net, 10)
    assert {id(c): c.weight for n, k in zip(neurons, kinds) if k == "constant"
            for c in n.connections.inputs} == before


@pytest.mark.parametrize("name", NAMES)
def test_a_neataptic_network_comes_back_out_as_it_came_in(name):
    data = FIXTURES["networks"][name]["network"]
    net = Network.from_neataptic(data, squashes=OURS)
    assert net.to_neataptic() == data


# ---------------------------------------------------------------- synapse -> neataptic
def _exporter():
    spec = importlib.util.spec_from_file_location(
        "make_synapse_for_neataptic", os.path.join(DATA, "make_synapse_for_neataptic.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(EXPORTED))
def test_synapse_networks_give_in_neataptic_what_they_give_here(name):
    net = _exporter().networks()[name]
    data = net.to_neataptic()
    assert data == EXPORTED[name]["network"]  # what neataptic ran is what to_neataptic gives
    theirs = FIXTURES["from_synapse"][name]
    inputs = EXPORTED[name]["inputs"]
    np.testing.assert_allclose(run(Network.from_neataptic(data), inputs), theirs, rtol=0,
                               atol=TOL)
    late = any(c["gater"] is not None and c["gater"] >= c["to"] for c in data["connections"])
    net.clear()
    ours = run(net, inputs)
    if not late:  # the original, cleared, is what neataptic starts from
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOL)
    elif name == "gated":  # neataptic reads gain 1 until the gater activates; cleared, 0
        assert np.abs(ours[0] - theirs[0]).max() > 1e-6


@pytest.mark.parametrize("engine", ENGINES)
def test_learning_through_a_neataptic_round_trip(engine):
    """neataptic's JSON holds no state, so a cleared network and its round trip
    learn alike (to rounding: the round trip may group units into other layers).
    Nor does it hold a bias held fixed: synaptic.js's wiring, whose cell biases
    learn, goes through it whole."""
    synapse.seed(6)
    net = use_engine(LSTM(2, 3, 1, cell_bias="learnt"), engine)
    drive(net, 10)
    net.clear()
    twin = use_engine(Network.from_neataptic(net.to_neataptic()), engine)
    np.testing.assert_allclose(drive(twin, 40, seed=3), drive(net, 40, seed=3), rtol=0,
                               atol=1e-9)
    np.testing.assert_allclose(twin.parameters()[np.argsort(twin.parameters())],
                               net.parameters()[np.argsort(net.parameters())], atol=1e-9)


# ---------------------------------------------------------------- what neataptic cannot hold
def test_to_neataptic_refuses_squashes_neataptic_lacks():
    with pytest.raises(ValueError, match="neuron 3 squashes with HLIM.*STEP is HLIM"):
        Hopfield(3).to_neataptic()

    def mine(x, derivate=False):
        return _a(x)

    net = LSTM(1, 1, 1)
    net.layers.hidden[2].list[0].squash = mine
    with pytest.raises(ValueError, match="neuron 3 squashes with mine"):
        net.to_neataptic()


def test_to_neataptic_warns_of_numbers_held_fixed_it_cannot_say():
    """The default LSTM holds its cells' biases fixed while their weights learn:
    neataptic's JSON has no word for that, so the export says so, and writes the
    numbers all the same (they equal the network's)."""
    net = LSTM(2, 3, 1)
    cells = [i for i, (n, _) in enumerate(net.neurons()) if not n.learn_bias]
    assert len(cells) == 3
    with pytest.warns(UserWarning, match=re.escape(f"nodes {cells}") + ".*learn_bias=False"):
        data = net.to_neataptic()
    assert [data["nodes"][i]["bias"] for i in cells] == [0.0] * 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LSTM(2, 3, 1, cell_bias="learnt").to_neataptic()  # nothing held: no warning


GOOD = FIXTURES["networks"]["neat"]["network"]


def edit(path, value=None, delete=False):
    data = copy.deepcopy(GOOD)
    *head, last = path
    target = data
    for key in head:
        target = target[key]
    if delete:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize("data, exc, fragment", [
    ([], TypeError, "object, got list"),
    (edit(["nodes"], delete=True), ValueError, "lacks the key 'nodes'"),
    (edit(["connections"], {}), TypeError, "'connections' must be a list"),
    (edit(["nodes", 4, "mask"], 0.5), ValueError, r"nodes\[4\]\.mask is 0\.5.*dropout"),
    (edit(["nodes", 4, "type"], "bias"), ValueError, r"nodes\[4\]\.type"),
    (edit(["nodes", 4, "bias"], "1"), TypeError, r"nodes\[4\]\.bias"),
    (edit(["nodes", 4, "squash"], "eval"), ValueError, r"nodes\[4\]\.squash.*'eval'"),
    (edit(["nodes", 0, "type"], "hidden"), ValueError, "input nodes first"),
    (edit(["nodes", 4, "type"], "output"), ValueError, "output nodes last"),
    (edit(["input"], 2), ValueError, "input nodes first"),
    (edit(["output"], True), TypeError, "'output' must be a count"),
    (edit(["dropout"], 2), ValueError, "dropout"),
    (edit(["connections", 0, "to"], 99), ValueError, r"connections\[0\]\.to.*\[0, "),
    (edit(["connections", 0, "weight"], float("nan")), ValueError, r"connections\[0\]\.weight"),
    (edit(["connections", 0, "gater"], "x"), ValueError, r"connections\[0\]\.gater"),
    (edit(["connections", 1], copy.deepcopy(GOOD["connections"][0])), ValueError, "repeats"),
])
def test_malformed_neataptic_json(data, exc, fragment):
    with pytest.raises(exc, match=fragment):
        Network.from_neataptic(data)
