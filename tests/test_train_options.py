"""Trainer.train's learning options: optimizers, mini-batches, clipping, weight
decay, init. The compiled kernel and the Python pass take the same steps; a
mini-batch step is the average of its rows' gradients."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import ENGINES, use_engine

import synapse
from architect import LSTM, Perceptron
from synapse import DivergenceError, Trainer, cost, optim

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1.0]])
Y = np.array([[0], [1], [1], [0.0]])


def _xor_net(engine="numpy", seed=3):
    synapse.seed(seed)
    return use_engine(Perceptron(2, 4, 1), engine)


def row_gradients(net, rows):
    """Each row's gradient (backward), every one from the network's numbers now."""
    out = []
    for x, y in rows:
        twin = net.clone()
        twin.activate(x)
        twin.zero_grad()
        twin.backward(y)
        out.append(twin.grad.copy())
    return np.array(out)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_mini_batch_step_is_the_average_of_its_rows_gradients(engine):
    net = _xor_net(engine)
    before = net.parameters().copy()
    g = row_gradients(net, zip(X, Y)).mean(axis=0)
    Trainer(net).train((X, Y), rate=0.3, iterations=1, error=0, batch_size=4)
    np.testing.assert_allclose(net.parameters(), before - 0.3 * g, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("engine", ENGINES)
def test_two_batches_per_pass_and_a_short_last_one(engine):
    """Rows 0-2 in one step, row 3 alone in the next (3 rows per batch)."""
    net = _xor_net(engine)
    twin = net.clone()
    Trainer(net).train((X, Y), rate=0.2, iterations=1, error=0, batch_size=3)
    g = row_gradients(twin, zip(X[:3], Y[:3])).mean(axis=0)
    twin.parameters()[...] -= 0.2 * g
    twin.run(X[:3])  # the state the first three rows left
    g = row_gradients(twin, [(X[3], Y[3])]).mean(axis=0)
    twin.parameters()[...] -= 0.2 * g
    np.testing.assert_allclose(net.parameters(), twin.parameters(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "rmsprop", "adam", "rprop"])
def test_the_compiled_kernel_and_the_python_pass_take_the_same_steps(name):
    if "jit" not in ENGINES:
        pytest.skip("the JIT is not available")
    results = {}
    for engine in ("jit", "numpy"):
        net = _xor_net(engine)
        r = Trainer(net).train((X, Y), optimizer=name, rate=0.05, iterations=40, error=0,
                               batch_size=2, shuffle=True, weight_decay=0.01 if name != "rprop"
                               else 0.0)
        results[engine] = (net.parameters().copy(), r["history"])
    np.testing.assert_allclose(results["jit"][0], results["numpy"][0], rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(results["jit"][1], results["numpy"][1], rtol=1e-11)


@pytest.mark.parametrize("engine", ENGINES)
def test_an_optimizer_step_is_the_rule_applied_to_the_averaged_gradient(engine):
    net = _xor_net(engine)
    ref = net.clone()
    adam = optim.Adam(ref, lr=0.01)
    Trainer(net).train((X, Y), optimizer="adam", rate=0.01, iterations=1, error=0,
                       batch_size=4)
    g = row_gradients(ref, zip(X, Y)).mean(axis=0)
    ref.grad[...] = g
    adam.step()
    np.testing.assert_allclose(net.parameters(), ref.parameters(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("engine", ENGINES)
def test_clip_scales_a_long_gradient_down_to_the_norm(engine):
    net = _xor_net(engine)
    before = net.parameters().copy()
    g = row_gradients(net, zip(X, Y)).mean(axis=0)
    norm = float(np.sqrt(g @ g))
    Trainer(net).train((X, Y), rate=0.5, iterations=1, error=0, batch_size=4, clip=norm / 10)
    np.testing.assert_allclose(net.parameters(), before - 0.5 * g / 10, rtol=1e-10, atol=1e-15)


def test_momentum_and_weight_decay_make_sgd_with_them():
    net = _xor_net()
    t = Trainer(net)
    t.train((X, Y), rate=0.1, iterations=2, error=0, momentum=0.9, weight_decay=1e-3)
    assert isinstance(t.optimizer, optim.SGD)
    assert t.optimizer.options()["momentum"] == 0.9
    assert t.optimizer.options()["weight_decay"] == 1e-3
    with pytest.raises(ValueError, match="momentum"):
        t.train((X, Y), iterations=1, optimizer="adam", momentum=0.9)
    with pytest.raises(ValueError, match="optimizer's own options"):
        t.train((X, Y), iterations=1, optimizer=optim.Adam(net), weight_decay=0.1)


def test_plain_training_is_unchanged_without_the_new_options():
    a, b = _xor_net("numpy"), _xor_net("numpy")
    Trainer(a).train((X, Y), rate=0.3, iterations=50, error=0)
    for _ in range(50):
        b.run(X, Y, rate=0.3)
    np.testing.assert_array_equal(a.parameters(), b.parameters())


@pytest.mark.parametrize("engine", ENGINES)
def test_a_diverging_optimizer_stops_with_the_last_finite_parameters(engine):
    synapse.seed(1)
    from synapse import Layer, Network, squash

    i, h, o = Layer(2), Layer(3), Layer(1).set(squash=squash.IDENTITY)
    i.project(h)
    h.project(o)
    net = use_engine(Network(input=i, hidden=[h], output=o), engine)
    t = Trainer(net)
    with pytest.raises(DivergenceError) as caught:
        t.train((X, Y * 1e3), optimizer="sgd", rate=1e3, iterations=100, error=0)
    assert np.all(np.isfinite(net.parameters()))
    assert caught.value.iteration >= 1


def test_init_draws_the_parameters_before_training():
    """synaptic's uniform draws stay within 0.1; Glorot's for a 2-4-1 net reach
    sqrt(6 / 3) = 1.41 for the hidden layer, and its biases start at 0."""
    net = _xor_net()
    assert np.max(np.abs(net.parameters())) <= 0.1
    Trainer(net).train((X, Y), rate=1e-9, iterations=1, error=0, init="glorot")
    weights = np.array([c.weight for c in net._compiled().structure.connections])
    assert np.max(np.abs(weights)) > 0.3
    np.testing.assert_allclose([n.bias for n, layer in net.neurons() if layer != "input"], 0,
                               atol=1e-8)
    with pytest.raises(ValueError):
        Trainer(net).train((X, Y), iterations=1, init="nonsense")


def test_adam_beats_plain_steps_on_a_sequence_task():
    """A short timing-like sequence learnt by an LSTM: the same iterations, Adam
    ends lower (the benchmark measures the DSR at the paper's settings)."""
    rng = np.random.default_rng(0)
    Xs = rng.random((60, 2))
    Ys = (np.cumsum(Xs[:, :1], axis=0) % 1.0 > 0.5).astype(float)
    errors = {}
    for opt, rate in ((None, 0.1), ("adam", 0.01)):
        synapse.seed(2)
        net = LSTM(2, 4, 1)
        errors[opt] = Trainer(net).train((Xs, Ys), optimizer=opt, rate=rate, iterations=60,
                                         error=0, cost=cost.MSE)["error"]
    assert errors["adam"] < errors[None]


def _bad_cost(target, output, derivate=False):
    return "not a number"


@pytest.mark.parametrize("call, error", [
    (lambda t, data: t.train(data, optimizer="rmsprop", iterations=0), "iterations"),
    (lambda t, data: t.train(data, optimizer="rmsprop", cost=_bad_cost), "cost"),
    (lambda t, data: t.train(data, optimizer="rmsprop", init="glorot", resume=True), "resume"),
    (lambda t, data: t.train_sequences([data], optimizer="rmsprop", init="glorot",
                                       window=3), "window"),
])
def test_a_refused_call_keeps_the_optimizer_and_the_parameters(call, error):
    """The optimizer (with its moments) is made last, and init= draws only once
    every option is checked: a refused call changes nothing."""
    net = _xor_net(ENGINES[-1])
    trainer = Trainer(net)
    trainer.train((X, Y), optimizer="adam", rate=0.01, iterations=3, error=0)
    kept, moments = trainer.optimizer, trainer.optimizer.state.copy()
    before = net.parameters().copy()
    trainer.position = None  # as if it had never trained: resume=True is refused
    with pytest.raises((ValueError, TypeError), match=error):
        call(trainer, (X, Y))
    assert trainer.optimizer is kept
    np.testing.assert_array_equal(trainer.optimizer.state, moments)
    np.testing.assert_array_equal(net.parameters(), before)
