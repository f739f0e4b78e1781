"""Network.initialize and the constructors' init=: the weights' statistics
match each scheme, seeds reproduce, what does not learn stays put, every path
sees the new numbers; Perceptron's output_squash and hidden_squash; XOR with a
tanh hidden layer learns with init="glorot"."""
from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import ENGINES, use_engine

import synapse
from architect import LSTM, Liquid, Perceptron
from synapse import Layer, Network, Trainer, rng, squash


def generator_state():
    return rng.generator().bit_generator.state


def layers_weights(net, a, b):
    """The weights from layer a into layer b (neuron objects), as a flat array."""
    targets = set(b.list)
    return np.array([c.weight for n in a.list for c in n.connections.projected
                     if c.to in targets])


def fraction_within(x, bound):
    return float(np.mean(np.abs(x) < bound))


# ---------------------------------------------------------------- statistics
def test_glorot_on_a_big_layer():
    net = Perceptron(400, 300, 2)
    net.initialize("glorot", seed=1)
    i, h, o = net.layers.input, net.layers.hidden[0], net.layers.output
    w = layers_weights(net, i, h)                   # fan_in 400, fan_out 300
    a = math.sqrt(6 / 700)
    assert w.size == 120000 and np.all(np.abs(w) <= a)
    assert abs(w.mean()) < 0.002 * a
    assert w.std() == pytest.approx(a / math.sqrt(3), rel=0.01)      # uniform: a / sqrt(3)
    assert fraction_within(w, a / 2) == pytest.approx(0.5, abs=0.01)
    v = layers_weights(net, h, o)                   # fan_in 300, fan_out 2
    b = math.sqrt(6 / 302)
    assert np.all(np.abs(v) <= b) and v.std() == pytest.approx(b / math.sqrt(3), rel=0.1)
    assert all(n.bias == 0.0 for n in h.list + o.list)


def test_he_on_a_big_layer():
    net = Perceptron(500, 200, 1)
    net.initialize("he", seed=2)
    w = layers_weights(net, net.layers.input, net.layers.hidden[0])
    std = math.sqrt(2 / 500)
    assert abs(w.mean()) < 0.01 * std
    assert w.std() == pytest.approx(std, rel=0.01)
    assert fraction_within(w, std) == pytest.approx(0.6827, abs=0.01)      # normal
    assert fraction_within(w, 2 * std) == pytest.approx(0.9545, abs=0.005)
    v = layers_weights(net, net.layers.hidden[0], net.layers.output)
    assert v.std() == pytest.approx(math.sqrt(2 / 200), rel=0.15)
    assert not np.any(net.parameters()[-201:])                           # biases 0


def test_uniform_is_synaptics_draw():
    net = Perceptron(300, 200, 1)
    net.initialize("uniform", seed=3)
    P = net.parameters()
    w, b = P[:-201], P[-201:]
    for x in (w, b):
        assert np.all((x >= -0.1) & (x < 0.1))
    assert w.std() == pytest.approx(0.2 / math.sqrt(12), rel=0.01)
    assert b.std() == pytest.approx(0.2 / math.sqrt(12), rel=0.15)


def test_fan_counts_learning_connections_of_each_unit():
    """Unit by unit: a source feeding two layers counts both in fan_out; a fixed
    connection counts in neither."""
    i, h1, h2, o = Layer(3), Layer(5), Layer(2), Layer(1)
    i.project(h1)
    i.project(h2)
    fixed = h1.project(o)
    for c in fixed.list:
        c.learns = False
    h2.project(o)
    net = Network(input=i, hidden=[h1, h2], output=o)
    net.initialize("glorot", seed=4)
    # i -> h1: fan_in(h1) 3, fan_out(i) 5 + 2; i -> h2: fan_in 3, fan_out 7;
    # h2 -> o: fan_in(o) 2 (the fixed ones do not count), fan_out(h2) 1
    for n in i.list:
        for c in n.connections.projected:
            assert abs(c.weight) <= math.sqrt(6 / (3 + 7))
    for n in h2.list:
        (c,) = n.connections.projected
        assert abs(c.weight) <= math.sqrt(6 / 3)
    assert net.parameters().size == 3 * 5 + 3 * 2 + 2 + 5 + 2 + 1
    net.initialize("he", seed=5)
    # he: std sqrt(2 / fan_in); h2 -> o has fan_in 2, so |w| / sqrt(2 / 2) is a
    # standard normal draw: the same numbers as the generator's, in order
    z = np.random.default_rng(5).standard_normal(3 * 5 + 3 * 2 + 2)
    P = net.parameters()
    np.testing.assert_allclose(P[:21], z[:21] * math.sqrt(2 / 3), rtol=1e-15)
    np.testing.assert_allclose(P[21:23], z[21:23] * math.sqrt(2 / 2), rtol=1e-15)


# ---------------------------------------------------------------- what changes
def snapshot_fixed(net):
    out = []
    for n, layer in net.neurons():
        out.append((n.ID, "self", n.selfconnection.weight))
        if not n.learn_bias or layer == "input":
            out.append((n.ID, "bias", n.bias))
        out += [(c.ID, "w", c.weight) for c in n.connections.inputs if not c.learns]
    return out


@pytest.mark.parametrize("scheme", ["uniform", "glorot", "he"])
def test_only_what_learns_is_drawn(scheme):
    synapse.seed(6)
    net = LSTM(3, 4, 2, learn_cell_bias=False)
    first = next(iter(net.layers.input.list[0].connections.projected))
    first.learns = False
    net.layers.output.list[0].learn_bias = False
    net.layers.output.list[0].bias = 0.75
    for _ in range(3):
        net.activate([0.5, -0.5, 1.0])
    fixed, state = snapshot_fixed(net), net.layers.output.list[1].state
    before = net.parameters().copy()
    net.initialize(scheme, seed=7)
    after = net.parameters()
    assert snapshot_fixed(net) == fixed
    assert (first.ID, "w", first.weight) in fixed
    assert any(c[1] == "self" and c[2] == 1.0 for c in fixed)     # the cells' loops
    assert net.layers.output.list[1].state == state                # state untouched
    assert np.mean(after != before) > 0.95


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("scheme", ["uniform", "glorot", "he"])
def test_every_path_sees_the_new_numbers(engine, scheme):
    synapse.seed(8)
    net = use_engine(Perceptron(3, 4, 2, hidden_squash=squash.TANH), engine)
    net.activate([0.1, 0.2, 0.3])                  # compiled before the change
    net.initialize(scheme, seed=9)
    net.clear()
    x = np.array([0.5, -1.0, 0.25])
    h = net.layers.hidden[0].list
    W1 = np.array([[next(c.weight for c in n.connections.inputs if c.from_ is m)
                    for m in net.layers.input.list] for n in h])
    b1 = np.array([n.bias for n in h])
    o = net.layers.output.list
    W2 = np.array([[next(c.weight for c in n.connections.inputs if c.from_ is m) for m in h]
                   for n in o])
    b2 = np.array([n.bias for n in o])
    expected = 1 / (1 + np.exp(-(W2 @ np.tanh(W1 @ x + b1) + b2)))
    np.testing.assert_allclose(net.activate(x), expected, rtol=1e-14)


# ---------------------------------------------------------------- seeds
def test_seed_reproduces_and_leaves_synapses_generator_alone():
    net = Perceptron(4, 6, 2)
    net.initialize("he", seed=11)
    a = net.parameters().copy()
    state = generator_state()
    net.initialize("he", seed=11)
    assert net.parameters().tolist() == a.tolist()
    assert generator_state() == state
    net.initialize("he", seed=12)
    assert net.parameters().tolist() != a.tolist()
    net.initialize("glorot", seed=np.random.default_rng(11))
    assert np.all(net.parameters()[-8:] == 0)


def test_no_seed_draws_from_synapses_generator():
    net = Perceptron(4, 6, 2)
    synapse.seed(13)
    net.initialize("uniform")
    a = net.parameters().copy()
    assert generator_state() != np.random.default_rng(13).bit_generator.state
    synapse.seed(13)
    net.initialize("uniform")
    assert net.parameters().tolist() == a.tolist()


@pytest.mark.parametrize("scheme, seed, error, message", [
    ("xavier", None, ValueError, "initialize scheme must be 'uniform'.*got str 'xavier'"),
    (None, None, ValueError, "initialize scheme must be"),
    ("he", -1, ValueError, "seed must be a non-negative integer"),
    ("he", 1.5, TypeError, "seed must be a non-negative integer"),
    ("he", "1", TypeError, "seed must be a non-negative integer"),
])
def test_bad_arguments_change_nothing(scheme, seed, error, message):
    net = Perceptron(2, 3, 1)
    before, state = net.parameters().copy(), generator_state()
    with pytest.raises(error, match=message):
        net.initialize(scheme, seed=seed)
    assert net.parameters().tolist() == before.tolist() and generator_state() == state


# ---------------------------------------------------------------- constructors
def test_init_none_keeps_the_constructors_draws():
    """Built by hand as before init= existed: the same numbers for a seed."""
    for seed in (0, 1):
        synapse.seed(seed)
        layers = [Layer(s) for s in (2, 3, 1)]
        for a, b in zip(layers, layers[1:]):
            a.project(b)
        by_hand = Network(input=layers[0], hidden=layers[1:-1], output=layers[-1])
        synapse.seed(seed)
        net = Perceptron(2, 3, 1, init=None)
        assert net.parameters().tolist() == by_hand.parameters().tolist()
        synapse.seed(seed)
        a = LSTM(2, 2, 1).parameters().tolist()
        synapse.seed(seed)
        assert LSTM(2, 2, 1, init=None).parameters().tolist() == a


def test_lstm_init_keeps_the_gates_biases_at_1():
    synapse.seed(14)
    net = LSTM(3, 4, 2, init="glorot")
    ig, fg, cell, og = net.layers.hidden
    assert all(n.bias == 1.0 for layer in (ig, fg, og) for n in layer.list)
    assert all(n.bias == 0.0 for n in cell.list + net.layers.output.list)
    assert all(n.selfconnection.weight == 1.0 for n in cell.list)
    w = layers_weights(net, net.layers.input, cell)
    # fan_in(cell) 3 inputs, fan_out(input) 4 * 4 layers + 2 outputs
    assert np.all(np.abs(w) <= math.sqrt(6 / (3 + 18)))
    synapse.seed(14)
    again = LSTM(3, 4, 2, init="glorot")
    assert again.parameters().tolist() == net.parameters().tolist()


def test_liquid_init():
    synapse.seed(15)
    net = Liquid(2, 10, 1, connections=15, gates=4, init="he")
    pool = net.layers.hidden[0].list
    assert all(n.bias == 0.0 for n in pool)
    assert all(n.selfconnection.weight in (0.0, 1.0) for n in pool)
    out = net.layers.output.list[0]
    ws = [c.weight for c in out.connections.inputs]
    assert len(ws) == 10 and np.std(ws) > 0.1         # sqrt(2 / 10) = 0.45, not 0.06


@pytest.mark.parametrize("make", [
    lambda: Perceptron(2, 3, 1, init="glorot_uniform"),
    lambda: LSTM(2, 2, 1, init="xavier"),
    lambda: Liquid(2, 5, 1, connections=4, gates=1, init=3),
])
def test_bad_init_builds_and_draws_nothing(make):
    state = generator_state()
    with pytest.raises(ValueError, match="init must be 'uniform'"):
        make()
    assert generator_state() == state


def test_output_and_hidden_squash():
    net = Perceptron(4, 5, 6, 3, output_squash=squash.SOFTMAX, hidden_squash=squash.ELU)
    assert all(n.squash is squash.SOFTMAX for n in net.layers.output.list)
    assert all(n.squash is squash.ELU for layer in net.layers.hidden for n in layer.list)
    plain = Perceptron(2, 2, 1)
    assert all(n.squash is squash.LOGISTIC for n, _ in plain.neurons())
    state = generator_state()
    with pytest.raises(TypeError, match="output_squash must be a callable"):
        Perceptron(2, 2, 1, output_squash="SOFTMAX")
    with pytest.raises(TypeError, match="hidden_squash must be a callable"):
        Perceptron(2, 2, 1, hidden_squash=1)
    assert generator_state() == state


# ---------------------------------------------------------------- XOR
def test_xor_with_a_tanh_hidden_layer_learns_with_glorot():
    """The issue's new user: XOR, 2-3-1 with a TANH hidden layer, the Trainer's
    plain steps (rate 0.2, eq. 10). With glorot it learns on 10 of 10 seeds
    (over seeds 0-99: 91; 2-4-1: 99; 2-8-1: 100); with the default draws the
    weights collapse and it learns on none."""
    learned, collapsed = 0, 0
    for seed in range(10):
        synapse.seed(seed)
        net = Perceptron(2, 3, 1, hidden_squash=squash.TANH, init="glorot")
        result = Trainer(net, rate=0.2).xor(iterations=5000, error=0.005)
        outs = [net.activate(x)[0] for x in ([0, 0], [0, 1], [1, 0], [1, 1])]
        learned += result["error"] <= 0.005 and [round(y) for y in outs] == [0, 1, 1, 0]
    for seed in range(3):
        synapse.seed(seed)
        net = Perceptron(2, 3, 1, hidden_squash=squash.TANH)
        result = Trainer(net, rate=0.2).xor(iterations=2000, error=0.005)
        collapsed += result["error"] > 0.2
    assert learned == 10 and collapsed == 3
