"""Copies that lose nothing: ``save(state=True)``/``load``, ``to_json(state=True)``,
``pickle``, ``copy.deepcopy`` and ``clone`` give a network that activates and
learns exactly as the original would have (bit for bit on the same engine),
of the architecture's class."""
from __future__ import annotations

import copy
import json
import pickle

import numpy as np
import pytest
from conftest import ENGINES, drive, examples, use_engine
from hypothesis import given, settings
from test_json import build_random, hand_built, random_networks

import synapse
from architect import LSTM, Hopfield, Liquid, Perceptron
from synapse import Layer, Network, Neuron, squash


def lstm():
    synapse.seed(3)
    return LSTM(2, 3, 2)


def liquid():
    synapse.seed(4)
    return Liquid(2, 12, 2, connections=30, gates=12)


def fixed_parts():
    """A held-fixed bias and held-fixed weights, labels, custom layer labels."""
    synapse.seed(5)
    net = LSTM(2, 2, 1, learn_cell_bias=False)
    first = net.layers.hidden[0].list[0]
    for c in first.connections.inputs[:1]:
        c.learns = False
    first.label = "gate-0"
    return net


NETS = {"lstm": lstm, "liquid": liquid, "hand_built": hand_built, "fixed": fixed_parts}


def via_file(net, tmp_path):
    net.save(tmp_path / "net.json")
    return Network.load(tmp_path / "net.json")


COPIES = {
    "save": via_file,
    "json": lambda net, _: Network.from_json(json.dumps(net.to_json(state=True))),
    "pickle": lambda net, _: pickle.loads(pickle.dumps(net)),
    "deepcopy": lambda net, _: copy.deepcopy(net),
    "clone": lambda net, _: net.clone(),
}


@pytest.mark.parametrize("how", sorted(COPIES))
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(NETS))
def test_a_copy_made_mid_sequence_learns_on_bit_for_bit(name, engine, how, tmp_path):
    net = use_engine(NETS[name](), engine)
    drive(net, 20, seed=1)  # mid-sequence: states, traces, extended traces, gains
    twin = COPIES[how](net, tmp_path)
    if how in ("save", "json"):  # files carry no engine choice: use the same one
        use_engine(twin, engine)
    assert type(twin) is type(net)
    assert twin.to_json(state=True) == net.to_json(state=True)
    np.testing.assert_array_equal(twin._compiled().S, net._compiled().S)
    np.testing.assert_array_equal(twin.parameters(), net.parameters())
    np.testing.assert_array_equal(drive(twin, 30, seed=2), drive(net, 30, seed=2))
    np.testing.assert_array_equal(twin.parameters(), net.parameters())


def test_without_the_state_a_copy_learns_differently():
    """What the test above shows: mid-sequence, what learning reads next matters."""
    net = lstm()
    drive(net, 20, seed=1)
    plain = Network.from_json(net.to_json(state=False))
    full = Network.from_json(net.to_json(state=True))
    a, b, c = (drive(x, 10, seed=2) for x in (net, full, plain))
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-6


def test_propagate_right_after_loading_uses_the_saved_gains_and_traces():
    net = liquid()
    drive(net, 10, seed=1)
    twin = Network.from_json(net.to_json(state=True))
    target = [0.2, 0.9]
    net.propagate(0.3, target)
    twin.propagate(0.3, target)
    np.testing.assert_array_equal(twin.parameters(), net.parameters())


@settings(max_examples=examples(30), deadline=None)
@given(random_networks())
def test_random_networks_copy_losslessly(spec):
    net = build_random(spec)
    for twin in (Network.from_json(net.to_json(state=True)), pickle.loads(pickle.dumps(net)),
                 copy.deepcopy(net)):
        use_engine(twin, spec["engine"])
        np.testing.assert_array_equal(twin._compiled().S, net._compiled().S)
        np.testing.assert_array_equal(drive(twin, 8, seed=3), drive(copy.deepcopy(net), 8,
                                                                     seed=3))


@pytest.mark.parametrize("engine", ENGINES)
def test_pickle_and_deepcopy_of_a_network_never_used(engine):
    synapse.seed(8)
    net = use_engine(Perceptron(3, 4, 2), engine)
    for twin in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        assert type(twin) is Perceptron
        np.testing.assert_array_equal(drive(twin, 15, seed=4), drive(copy.deepcopy(net), 15,
                                                                      seed=4))


def test_copies_are_independent():
    net = lstm()
    drive(net, 5)
    before = net.to_json(state=True)
    for twin in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net), net.clone()):
        drive(twin, 10)
        twin.parameters()[:] = 0.5
        twin.layers.hidden[0].list[0].squash = squash.TANH
        assert net.to_json(state=True) == before
        assert not set(map(id, (n for n, _ in twin.neurons()))) & set(
            map(id, (n for n, _ in net.neurons())))


def test_deepcopy_keeps_shared_references_and_the_gradient():
    net = lstm()
    net.activate([0.3, 0.1])
    net.backward([1, 0])
    pair = copy.deepcopy([net, net])
    assert pair[0] is pair[1] and pair[0] is not net
    np.testing.assert_array_equal(pair[0].grad, net.grad)
    assert np.abs(net.grad).max() > 0


def test_copies_keep_squash_functions_labels_and_engine_choice():
    def softsign(x, derivate=False):
        x = np.asarray(x, dtype=float)
        return (1 / (1 + np.abs(x)) ** 2)[()] if derivate else (x / (1 + np.abs(x)))[()]

    synapse.seed(2)
    i, h, o = Layer(2, label="in"), Layer(3, label="hid"), Layer(1)
    i.project(h)
    h.project(o)
    h.set(label="h", squash=softsign)
    net = Network(input=i, hidden=[h], output=o)
    net.set_optimize(True, engine="numpy")
    twin = copy.deepcopy(net)
    assert all(n.squash is softsign for n in twin.layers.hidden[0].list)
    assert [n.label for n in twin.layers.hidden[0].list] == [n.label for n in h.list]
    assert twin.layers.hidden[0].label == "hid" and twin.layers.input.label == "in"
    assert twin._engine_kind == "numpy"
    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(net)  # a function defined inside a test cannot be pickled by name


def test_fixed_biases_and_weights_round_trip():
    net = fixed_parts()
    data = net.to_json()
    assert sum(c.get("learns") is False for c in data["connections"]) == 1
    assert sum(n.get("learn_bias") is False for n in data["neurons"]) == 2
    assert data["neurons"][2]["label"] == "gate-0"
    for twin in (Network.from_json(data), pickle.loads(pickle.dumps(net))):
        assert twin.parameters().shape == net.parameters().shape
        first = twin.layers.hidden[0].list[0]
        learns = [c.learns for c in first.connections.inputs]
        assert learns == [c.learns for c in net.layers.hidden[0].list[0].connections.inputs]
        assert learns[0] is False and all(learns[1:])
        assert [n.learn_bias for n in twin.layers.hidden[2].list] == [False, False]
        assert first.label == "gate-0"


# ---------------------------------------------------------------- the architecture's class
@pytest.mark.parametrize("make", [lstm, liquid, lambda: Perceptron(2, 3, 1),
                                  lambda: Hopfield(6)])
def test_every_copy_is_of_the_architectures_class(make, tmp_path):
    net = make()
    for twin in (net.clone(), copy.deepcopy(net), pickle.loads(pickle.dumps(net)),
                 Network.from_json(net.to_json()), via_file(net, tmp_path)):
        assert type(twin) is type(net)


def test_a_loaded_hopfield_network_can_feed(tmp_path):
    synapse.seed(4)
    net = Hopfield(16)
    patterns = [[int(b) for b in f"{k:016b}"] for k in (0xF0F0, 0x3C3C)]
    net.learn(patterns)
    probe = list(patterns[0])
    probe[0] ^= 1
    net.feed(probe)
    for twin in (via_file(net, tmp_path), pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        assert (twin.sweeps, twin.stable) == (net.sweeps, net.stable)
        assert twin.feed(probe) == patterns[0]
        assert twin.energy(patterns[1]) == net.energy(patterns[1])
        twin.learn([patterns[1]])  # learn reaches the copy's own connections
        assert twin.feed(patterns[1]) == patterns[1]
        assert twin.energy(patterns[0]) != net.energy(patterns[0])


def test_a_hopfield_clone_keeps_changes_made_to_the_network():
    """clone() copies the network as it is, not a fresh Hopfield(size)."""
    synapse.seed(1)
    net = Hopfield(6)
    net.learn([[1, 0, 1, 0, 1, 0]])
    net.layers.output.list[2].squash = squash.TANH
    extra = Neuron(squash=squash.HLIM, bias=0.0)
    for n in net.layers.output.list:
        n.project(extra, 0.25)
    net.layers.output.add(extra)
    twin = net.clone()
    assert type(twin) is Hopfield and twin.size == 7
    assert twin.layers.output.list[2].squash is squash.TANH
    assert twin.to_json(state=True) == net.to_json(state=True)
    assert len(twin._recurrent.list) == len(net._recurrent.list) + 6
    assert len(twin._clamp.list) == 6
    x = [1, 0, 1, 0, 1, 0, 1]
    # the clone's recurrent connections include the new ones (the original's
    # were listed when it was built): -1/2 x W x gains -1/2 * 0.25 * 3
    assert twin.energy(x) == pytest.approx(net.energy(x) - 0.5 * 0.25 * 3)


def test_relinking_draws_no_random_numbers():
    net = Hopfield(5)
    synapse.seed(3)
    expected = synapse.rng.generator().random()
    synapse.seed(3)
    copy.deepcopy(net)
    net.clone()
    Network.from_json(net.to_json())
    assert synapse.rng.generator().random() == expected
