"""Backpropagation through time is the exact gradient of a sequence's cost: it
equals finite differences on random topologies (hypothesis) and on the
architectures, on every engine; where LSTM-g is exact, the two agree."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import Param, assert_gradients_close, finite_difference, use_engine
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_engines import build, topologies

import synapse
from architect import LSTM, Liquid, Perceptron
from synapse import Layer, Network, cost, squash
from synapse.engine import jit

ENGINES = ["numpy"] + (["jit"] if jit.available() else [])
SMOOTH = {squash.HLIM: squash.LOGISTIC, squash.RELU: squash.TANH}  # FD needs derivatives


def grad_params(net):
    """The parameters in net.grad's order: learning weights, then learning biases."""
    st_ = net._compiled().structure
    return ([Param("w", c) for c in st_.connections if c.learns]
            + [Param("bias", n) for n in st_.neurons[st_.n_inputs:] if n.learn_bias])


def check_against_fd(net, X, Y, learn_cost, loss_cost=None, window=None, discard=False):
    """net.bptt's gradient equals finite differences of the sequence's summed cost,
    every run starting from the state the network has now. ``discard``: a random
    network that diverges (an infinite or huge cost) is not an example (hypothesis)."""
    loss_cost = loss_cost or learn_cost
    S0 = net._compiled().S.copy()

    def loss():
        net._compiled().S[...] = S0
        out = net.run(X)
        return sum(loss_cost(Y[t], out[t]) for t in range(len(X)))

    total = loss()
    if discard:
        assume(np.isfinite(total) and abs(total) < 1e6)
    assert np.isfinite(total)
    net._compiled().S[...] = S0
    net.zero_grad()
    net.bptt(X, Y, cost=learn_cost, window=window)
    analytic = net.grad.copy()
    ps = grad_params(net)
    numeric = finite_difference(loss, ps)
    net._compiled().S[...] = S0
    assert_gradients_close(analytic, numeric, ps, rtol=1e-6, loss=total)


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.filter_too_much])
@given(recipe=topologies(), seed=st.integers(0, 1000), steps=st.integers(1, 5))
def test_bptt_equals_finite_differences_on_random_topologies(engine, recipe, seed, steps):
    sizes, conns, gates, squashes, within = recipe
    net = build((sizes, conns, gates, squashes, within))
    for n, _ in net.neurons():
        n.squash = SMOOTH.get(n.squash, n.squash)
    use_engine(net, engine)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(steps, net.inputs()))
    Y = rng.random((steps, net.outputs()))
    check_against_fd(net, X, Y, cost.MSE, discard=True)


def _lstm_every_option():
    return LSTM(2, 3, 2, 2, hidden_to_hidden=True, output_to_hidden=True, output_to_gates=True)


def _softmax_rnn():
    """The seeds' vanilla recurrent network: h = tanh(W x + U h(t-1) + b), softmax out."""
    i, h, o = Layer(3), Layer(4).set(squash=squash.TANH), Layer(3).set(squash=squash.SOFTMAX)
    i.project(h)
    h.project(h, synapse.ConnectionType.ALL_TO_ALL)  # recurrent, incl. self
    h.project(o)
    return Network(input=i, hidden=[h], output=o)


ARCHITECTURES = {
    "perceptron": lambda: Perceptron(3, 4, 2),
    "lstm": lambda: LSTM(3, 3, 2),
    "lstm every option, two blocks": _lstm_every_option,
    "liquid": lambda: Liquid(3, 10, 2, connections=25, gates=8),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", list(ARCHITECTURES))
@pytest.mark.parametrize("learn_cost", [cost.MSE, cost.CROSS_ENTROPY])
def test_bptt_equals_finite_differences_on_every_architecture(engine, name, learn_cost):
    synapse.seed(4)
    net = use_engine(ARCHITECTURES[name](), engine)
    rng = np.random.default_rng(1)
    for _ in range(3):  # from a state that is not zero
        net.activate(rng.normal(size=net.inputs()))
    X = rng.normal(size=(6, net.inputs()))
    Y = rng.random((6, net.outputs()))
    check_against_fd(net, X, Y, learn_cost)


@pytest.mark.parametrize("engine", ENGINES)
def test_bptt_through_softmax_outputs_with_eq_10_is_the_cross_entropy_gradient(engine):
    synapse.seed(5)
    net = use_engine(_softmax_rnn(), engine)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(5, 3))
    Y = np.eye(3)[rng.integers(3, size=5)]

    def cce(t, y, derivate=False):
        return -t / y if derivate else float(-np.sum(t * np.log(y)))

    check_against_fd(net, X, Y, None, loss_cost=cce)


@pytest.mark.parametrize("engine", ENGINES)
def test_steps_without_a_target_contribute_nothing(engine):
    synapse.seed(6)
    net = use_engine(LSTM(2, 2, 2), engine)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(5, 2))
    Y = rng.random((5, 2))
    Y[[0, 2]] = np.nan  # no target at steps 0 and 2
    Y[3, 1] = np.nan    # nor for the second output at step 3
    present = ~np.isnan(Y)

    def masked_mse(t, y, derivate=False):
        m = ~np.isnan(t)
        t0 = np.where(m, t, 0.0)
        if derivate:
            return np.where(m, -2.0 * (t0 - y) / len(t), 0.0)
        return float(np.sum(np.where(m, (t0 - y) ** 2, 0.0)) / len(t))

    assert present.sum() == 5
    S0 = net._compiled().S.copy()
    net.zero_grad()
    net.bptt(X, Y, cost=cost.MSE)
    with_mse = net.grad.copy()
    net._compiled().S[...] = S0
    net.zero_grad()
    net.bptt(X, Y, cost=masked_mse)
    np.testing.assert_allclose(with_mse, net.grad, rtol=1e-12, atol=1e-15)
    net._compiled().S[...] = S0
    check_against_fd(net, X, Y, cost.MSE, loss_cost=masked_mse)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_window_truncates_the_gradient_at_its_start(engine):
    """window=W: the sum of each window's own gradient, walked back from its own
    start state (what the sequence left there) as a constant."""
    synapse.seed(7)
    net = use_engine(LSTM(2, 2, 1), engine)
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(6, 2)), rng.random((6, 1))
    twin = net.clone()
    net.zero_grad()
    net.bptt(X, Y, cost=cost.MSE, window=3)
    expected = np.zeros_like(net.grad)
    for t in (0, 3):
        twin.zero_grad()
        twin.bptt(X[t:t + 3], Y[t:t + 3], cost=cost.MSE)
        expected += twin.grad
    np.testing.assert_allclose(net.grad, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("engine", ENGINES)
def test_streams_of_a_batch_add_their_gradients(engine):
    synapse.seed(8)
    net = use_engine(LSTM(2, 2, 1), engine)
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(3, 4, 2)), rng.random((3, 4, 1))
    before = net._compiled().S.copy()
    net.zero_grad()
    out = net.bptt(X, Y, cost=cost.MSE)
    np.testing.assert_array_equal(net._compiled().S, before)  # the own stream is untouched
    total = net.grad.copy()
    expected = np.zeros_like(total)
    for b in range(3):
        twin = net.clone()
        twin.zero_grad()
        np.testing.assert_allclose(twin.bptt(X[b], Y[b], cost=cost.MSE), out[b], rtol=1e-12)
        expected += twin.grad
    np.testing.assert_allclose(total, expected, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("steps", [1, 4])
def test_where_lstm_g_is_exact_the_two_rules_agree(engine, steps):
    """One LSTM block without peepholes, from clear(), the cost at the last step:
    LSTM-g's step and BPTT's gradient are the same numbers (docs/equations.md)."""
    synapse.seed(9)
    net = use_engine(LSTM(2, 3, 2, peepholes=None), engine)
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(steps, 2)), rng.random(2)
    net.clear()
    for x in X:
        net.activate(x)
    net.zero_grad()
    net.backward(y, cost.MSE)
    lstm_g = net.grad.copy()
    net.clear()
    Y = np.full((steps, 2), np.nan)
    Y[-1] = y
    net.zero_grad()
    net.bptt(X, Y, cost=cost.MSE)
    np.testing.assert_allclose(net.grad, lstm_g, rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_gated_feed_forward_net_agrees_with_lstm_g(engine):
    synapse.seed(10)
    i, g, h, o = Layer(2), Layer(3), Layer(3), Layer(1)
    i.project(g)
    c = i.project(h)
    h.project(o)
    g.gate(c, synapse.GateType.INPUT)
    net = use_engine(Network(input=i, hidden=[g, h], output=o), engine)
    x, y = np.array([0.4, -1.1]), np.array([0.3])
    net.activate(x)
    net.zero_grad()
    net.backward(y, cost.MSE)
    lstm_g = net.grad.copy()
    net.zero_grad()
    net.bptt(x[None], y[None], cost=cost.MSE)
    np.testing.assert_allclose(net.grad, lstm_g, rtol=1e-12, atol=1e-15)


def test_bptt_refuses_bad_input():
    net = LSTM(2, 2, 1)
    with pytest.raises(ValueError, match="targets must have shape"):
        net.bptt(np.zeros((3, 2)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="NaN"):
        net.bptt(np.zeros((3, 2)), np.full((3, 1), np.inf))
    with pytest.raises(ValueError, match="window"):
        net.bptt(np.zeros((3, 2)), np.zeros((3, 1)), window=0)
