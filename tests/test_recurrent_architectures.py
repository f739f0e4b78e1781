"""GRU, Elman, Jordan, NARX and Random: each computes its equations (checked
against independent numpy versions of them), on every engine; the copying
connections stay fixed under training; files and clones keep the class and
the outputs; BPTT equals finite differences on each."""
from __future__ import annotations

import pickle

import numpy as np
import pytest
from conftest import ENGINES, use_engine
from test_bptt import check_against_fd

import synapse
from architect import GRU, NARX, Elman, Jordan, Random
from synapse import Network, Trainer, cost, squash


def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def weights(a, b) -> np.ndarray:
    """The weights from layer a into layer b as a (b.size, a.size) matrix (0: none)."""
    M = np.zeros((b.size, a.size))
    col = {n: i for i, n in enumerate(a.list)}
    for j, n in enumerate(b.list):
        for c in n.connections.inputs:
            if c.from_ in col:
                M[j, col[c.from_]] = c.weight
    return M


def biases(layer) -> np.ndarray:
    return np.array([n.bias for n in layer.list])


# ---------------------------------------------------------------- the equations in numpy
def gru_reference(net: GRU, X: np.ndarray) -> np.ndarray:
    """Cho et al. (2014), written out: z, r, n, h per block, then the output."""
    hs = [np.zeros(h.size) for h in net.states]
    out = []
    for x in X:
        below, prev = x, net.layers.input
        for b, (z, r, n, h) in enumerate(zip(net.update_gates, net.reset_gates, net.candidates,
                                             net.states)):
            hp = hs[b]
            zz = sig(weights(prev, z) @ below + weights(h, z) @ hp + biases(z))
            rr = sig(weights(prev, r) @ below + weights(h, r) @ hp + biases(r))
            nn = np.tanh(weights(prev, n) @ below + weights(h, n) @ (rr * hp) + biases(n))
            hs[b] = zz * hp + (1 - zz) * nn
            below, prev = hs[b], h
        o = net.layers.output
        out.append(sig(weights(prev, o) @ below + biases(o)))
    return np.array(out)


def elman_reference(net: Elman, X: np.ndarray, f=np.tanh) -> np.ndarray:
    hs = [np.zeros(h.size) for h in net.hidden_layers]
    out = []
    for x in X:
        below, prev = x, net.layers.input
        for k, h in enumerate(net.hidden_layers):
            hs[k] = f(weights(prev, h) @ below + weights(net.contexts[k], h) @ hs[k] + biases(h))
            below, prev = hs[k], h
        o = net.layers.output
        out.append(sig(weights(prev, o) @ below + biases(o)))
    return np.array(out)


def jordan_reference(net: Jordan, X: np.ndarray, decay: float) -> np.ndarray:
    c, y = np.zeros(net.outputs()), np.zeros(net.outputs())
    h0, o = net.hidden_layers[0], net.layers.output
    out = []
    for x in X:
        c = decay * c + y
        h = sig(weights(net.layers.input, h0) @ x + weights(net.context, h0) @ c + biases(h0))
        y = sig(weights(h0, o) @ h + biases(o))
        out.append(y)
    return np.array(out)


def narx_reference(net: NARX, X: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """y(t) = F(x(t), x(t-1..t-dx), y(t-1..t-dy)), delayed values 0 before the start."""
    n_in, n_out = net.inputs(), net.outputs()
    h0 = net.hidden_layers[0]
    Wx = weights(net.layers.input, h0)
    Wmx = weights(net.input_memory, h0) if dx else np.zeros((h0.size, 0))
    Wmy = weights(net.output_memory, h0) if dy else np.zeros((h0.size, 0))
    xs, ys, out = [], [], []
    for t, x in enumerate(X):
        # taps are laid out last first: tap k at (d - k) * n
        past_x = [xs[t - k] if t - k >= 0 else np.zeros(n_in) for k in range(dx, 0, -1)]
        past_y = [ys[t - k] if t - k >= 0 else np.zeros(n_out) for k in range(dy, 0, -1)]
        mx = np.concatenate(past_x) if dx else np.zeros(0)
        my = np.concatenate(past_y) if dy else np.zeros(0)
        h = sig(Wx @ x + Wmx @ mx + Wmy @ my + biases(h0))
        prev = h0
        for layer in net.hidden_layers[1:]:
            h = sig(weights(prev, layer) @ h + biases(layer))
            prev = layer
        y = sig(weights(prev, net.layers.output) @ h + biases(net.layers.output))
        xs.append(x)
        ys.append(y)
        out.append(y)
    return np.array(out)


def randomize_all(net, seed: int, scale: float = 0.8) -> None:
    """Every learnable parameter drawn from normal(0, scale): the equations are
    checked away from synaptic.js's tiny initial weights."""
    net.parameters()[...] = np.random.default_rng(seed).normal(0, scale, net.parameters().size)


BUILDERS = {
    "gru": lambda: GRU(3, 4, 2),
    "gru two blocks": lambda: GRU(2, 3, 2, 1),
    "elman": lambda: Elman(3, 4, 2, hidden_squash=squash.TANH),
    "elman stacked": lambda: Elman(2, [3, 2], 2, hidden_squash=squash.TANH),
    "jordan": lambda: Jordan(2, 4, 2, decay=0.5),
    "narx": lambda: NARX(2, 4, 1, input_memory=3, output_memory=2),
    "narx two hidden": lambda: NARX(1, [3, 2], 2, input_memory=1, output_memory=3),
    "narx no memory": lambda: NARX(2, 3, 1, input_memory=0, output_memory=0),
    "random": lambda: Random(3, 8, 2, connections=22, gates=5, self_connections=3,
                             back_connections=4),
}


def reference(name, net, X):
    if name.startswith("gru"):
        return gru_reference(net, X)
    if name.startswith("elman"):
        return elman_reference(net, X)
    if name == "jordan":
        return jordan_reference(net, X, 0.5)
    if name == "narx":
        return narx_reference(net, X, 3, 2)
    if name == "narx two hidden":
        return narx_reference(net, X, 1, 3)
    if name == "narx no memory":
        return narx_reference(net, X, 0, 0)
    raise KeyError(name)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", [n for n in BUILDERS if n != "random"])
def test_each_architecture_computes_its_equations(engine, name):
    synapse.seed(3)
    net = use_engine(BUILDERS[name](), engine)
    randomize_all(net, 1)
    X = np.random.default_rng(2).normal(size=(7, net.inputs()))
    np.testing.assert_allclose(net.run(X), reference(name, net, X), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", list(BUILDERS))
def test_every_engine_gives_the_same_numbers_stepping_and_learning(name):
    """Outputs and LSTM-g steps (train_sequences online), and BPTT's gradient, on
    the neuron objects, numpy and the JIT."""
    rng = np.random.default_rng(4)
    results = {}
    for engine in ENGINES:
        synapse.seed(5)
        net = use_engine(BUILDERS[name](), engine)
        randomize_all(net, 2, 0.5)
        X = rng.normal(size=(6, net.inputs())) if engine == ENGINES[0] else results["X"]
        Y = rng.random((6, net.outputs())) if engine == ENGINES[0] else results["Y"]
        results.setdefault("X", X)
        results.setdefault("Y", Y)
        out = net.run(X)
        net.zero_grad()
        net.clear()
        net.bptt(X, Y)
        grad = net.grad.copy()
        Trainer(net).train_sequences([(X, Y)], rate=0.2, iterations=3, error=0)
        results[engine] = (out, grad, net.parameters().copy(), net.run(X))
    first = results[ENGINES[0]]
    for engine in ENGINES[1:]:
        for a, b in zip(first, results[engine]):
            np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("engine", ENGINES[1:])
@pytest.mark.parametrize("name", list(BUILDERS))
def test_bptt_equals_finite_differences(engine, name):
    synapse.seed(6)
    net = use_engine(BUILDERS[name](), engine)
    randomize_all(net, 3, 0.5)
    rng = np.random.default_rng(7)
    for _ in range(2):  # from a state that is not zero
        net.activate(rng.normal(size=net.inputs()))
    X, Y = rng.normal(size=(5, net.inputs())), rng.random((5, net.outputs()))
    check_against_fd(net, X, Y, cost.MSE)


# ---------------------------------------------------------------- fixed connections
def fixed_numbers(net) -> tuple[list, list]:
    """Weights of connections that never learn, and biases held fixed."""
    st = net._compiled().structure
    return ([c.weight for c in st.connections if not c.learns],
            [n.bias for n in st.neurons[st.n_inputs:] if not n.learn_bias])


@pytest.mark.parametrize("learning", ["lstm-g", "bptt"])
@pytest.mark.parametrize("name", ["gru", "elman", "jordan", "narx"])
def test_copies_stay_copies_under_training(name, learning):
    synapse.seed(8)
    net = BUILDERS[name]()
    weights_before, biases_before = fixed_numbers(net)
    assert set(weights_before) == {1.0} and set(biases_before) <= {0.0}
    rng = np.random.default_rng(9)
    data = [(rng.normal(size=(5, net.inputs())), rng.random((5, net.outputs())))
            for _ in range(3)]
    before = net.parameters().copy()
    Trainer(net).train_sequences(data, learning=learning, optimizer="adam", rate=0.05,
                                 iterations=5, error=0)
    assert not np.allclose(net.parameters(), before)   # it learnt
    assert fixed_numbers(net) == (weights_before, biases_before)
    Trainer(net).train(data[0], rate=0.5, iterations=3, error=0)   # the plain online steps too
    assert fixed_numbers(net) == (weights_before, biases_before)
    if name in ("gru", "elman", "narx"):   # and it still computes its equations
        net.clear()
        X = data[1][0]
        np.testing.assert_allclose(net.run(X), reference(name, net, X), rtol=1e-12)


def test_fixed_connections_are_not_parameters():
    net = GRU(2, 3, 1)
    # W_z, W_r, W_n (3 x 2 each), U_z, U_r, U_n (3 x 3 each), 3 x 3 biases; output 3 + 1
    assert net.parameters().size == 3 * 6 + 3 * 9 + 9 + 4
    assert Elman(3, 4, 2).parameters().size == 12 + 16 + 4 + 8 + 2
    assert Jordan(3, 4, 2).parameters().size == 12 + 8 + 4 + 8 + 2
    assert NARX(2, 4, 1, 3, 2).parameters().size == (2 + 6 + 2) * 4 + 4 + 4 + 1


# ---------------------------------------------------------------- files and clones
@pytest.mark.parametrize("name", list(BUILDERS))
def test_files_clones_and_pickles_keep_the_class_and_the_outputs(name, tmp_path):
    synapse.seed(10)
    net = BUILDERS[name]()
    randomize_all(net, 4, 0.5)
    X = np.random.default_rng(11).normal(size=(4, net.inputs()))
    net.run(X[:2])  # a state that is not zero, carried by every copy
    path = tmp_path / "net.json"
    net.save(path)
    copies = [Network.load(path), net.clone(), pickle.loads(pickle.dumps(net)),
              Network.from_json(net.to_json(state=True))]
    expected = net.clone().run(X)
    for twin in copies:
        assert type(twin) is type(net)
        np.testing.assert_array_equal(twin.run(X), expected)
        assert fixed_numbers(twin) == fixed_numbers(net)
    loaded = copies[0]
    if isinstance(net, NARX):
        assert loaded.input_memory is loaded.layers.hidden[-1] if net.input_delays else True
        assert (loaded.input_delays, loaded.output_delays) == (net.input_delays,
                                                               net.output_delays)
    if isinstance(net, GRU):
        assert [len(x) for x in loaded.states] == [len(x) for x in net.states]


# ---------------------------------------------------------------- shapes and wiring
def test_gru_layers_and_gates():
    net = GRU(2, 3, 4, 1)
    assert [layer.size for layer in net.layers.hidden] == [3] * 5 + [4] * 5
    assert [layer.size for layer in net.states] == [3, 4]
    z, inv, r, n, h = (net.update_gates[0], net.inverse_update_gates[0], net.reset_gates[0],
                       net.candidates[0], net.states[0])
    assert all(u.squash is squash.INVERSE for u in inv.list)
    assert all(u.squash is squash.TANH for u in n.list)
    assert all(u.selfconnection.gater is g for u, g in zip(h.list, z.list))
    # r_i gates everything h_i sends to the candidates
    assert all(c.gater is r.list[i] for i, u in enumerate(h.list)
               for c in u.connections.projected if c.to in n.list)
    assert {c.to for c in net.states[1].list[0].connections.projected} >= set(
        net.layers.output.list)


def test_narx_taps_hold_the_past():
    net = NARX(2, 3, 1, input_memory=3, output_memory=2)
    X = np.arange(10, dtype=float).reshape(5, 2)
    Y = net.run(X)
    taps = [n.activation for n in net.input_memory.list]
    # at t = 5 the taps (last first) hold x(3), x(4), x(5): read next step as x(t-3..t-1)
    assert taps == X[2:].ravel().tolist()
    # and the output taps y(t-2), y(t-1): tap k holds y(t-k) when the hidden layer reads it
    assert [n.activation for n in net.output_memory.list] == pytest.approx(Y[2:4].ravel())


def test_jordan_context_decays():
    net = Jordan(1, 2, 1, decay=0.5)
    Y = net.run(np.ones((4, 1)))
    assert net.context.list[0].activation == pytest.approx(
        Y[2, 0] + 0.5 * Y[1, 0] + 0.25 * Y[0, 0], rel=1e-12)


def test_elman_is_the_vanilla_rnn_with_softmax():
    synapse.seed(12)
    net = Elman(3, 5, 3, hidden_squash=squash.TANH, output_squash=squash.SOFTMAX)
    randomize_all(net, 5)
    X = np.eye(3)[[0, 2, 1, 1]]
    h = np.zeros(5)
    W, U = weights(net.layers.input, net.hidden_layers[0]), weights(net.contexts[0],
                                                                    net.hidden_layers[0])
    V = weights(net.hidden_layers[0], net.layers.output)
    out = net.run(X)
    for t, x in enumerate(X):
        h = np.tanh(W @ x + U @ h + biases(net.hidden_layers[0]))
        s = V @ h + biases(net.layers.output)
        np.testing.assert_allclose(out[t], np.exp(s) / np.exp(s).sum(), rtol=1e-12)


# ---------------------------------------------------------------- Random
def test_random_wiring_counts_and_paths():
    synapse.seed(13)
    net = Random(3, 10, 2, connections=30, gates=6, self_connections=4, back_connections=5)
    st = net._compiled().structure
    order = {n: i for i, n in enumerate(st.neurons)}
    conns = [c for c in st.connections]
    forward = [c for c in conns if order[c.from_] < order[c.to]]
    assert len(forward) == 30 and len(conns) - len(forward) == 5
    assert int(st.memory.sum()) == 4
    gated = sum(c.gater is not None for c in conns) + int((st.self_gater >= 0).sum())
    assert gated == 6
    assert all(c.gater in net.pool.list for c in conns if c.gater is not None)
    # every hidden unit reads an earlier unit and feeds a later one
    for n in net.pool.list:
        assert any(order[c.from_] < order[n] for c in n.connections.inputs)
        assert any(order[c.to] > order[n] for c in n.connections.projected)
    assert all(n.connections.inputs for n in net.layers.output.list)


def test_random_is_seeded_and_puts_the_generator_back_when_it_refuses():
    synapse.seed(14)
    a = Random(2, 5, 1, gates=2).to_json()
    synapse.seed(14)
    assert Random(2, 5, 1, gates=2).to_json() == a
    synapse.seed(15)
    state = synapse.rng.generator().bit_generator.state
    with pytest.raises(ValueError, match="forward connections"):
        Random(2, 8, 1, connections=3)
    assert synapse.rng.generator().bit_generator.state == state


@pytest.mark.parametrize("kwargs, says", [
    ({"connections": 1000}, "room for"), ({"back_connections": 100}, "room for"),
    ({"self_connections": 7}, "room for"), ({"connections": 12, "gates": 13}, "gates on"),
])
def test_random_refuses_what_does_not_fit(kwargs, says):
    with pytest.raises(ValueError, match=says):
        Random(2, 5, 1, **kwargs)


@pytest.mark.parametrize("make, error, says", [
    (lambda: GRU(2, 1), ValueError, "at least 3"),
    (lambda: GRU(2, 0, 1), ValueError, "positive integer, got int 0"),
    (lambda: GRU(2, 3, 1, output_squash="TANH"), TypeError, "output_squash"),
    (lambda: Elman(2, [], 1), ValueError, "non-empty list"),
    (lambda: Elman(2, 3.5, 1), ValueError, "hidden size"),
    (lambda: Jordan(2, 3, 1, decay=1.0), ValueError, r"\[0, 1\)"),
    (lambda: NARX(2, 3, 1, input_memory=-1, output_memory=1), ValueError, "input_memory"),
    (lambda: NARX(2, 3, 1, 1, 1, init="xavier"), ValueError, "init"),
    (lambda: Random(0, 3, 1), ValueError, "inputs"),
])
def test_bad_options_are_refused(make, error, says):
    with pytest.raises(error, match=says):
        make()


def test_init_schemes_leave_the_copies_alone():
    synapse.seed(16)
    net = NARX(2, 4, 1, 2, 2, init="glorot")
    assert fixed_numbers(net)[0] == [1.0] * 6
    assert np.all(net.parameters()[-5:] == 0)  # glorot biases
