"""Many inputs at once: ``predict`` of independent rows and ``run`` of B streams
in lockstep equal the same inputs stepped one stream at a time, on every path."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import ENGINES, use_engine

import synapse
from architect import LSTM, Liquid, Perceptron
from synapse import cost, squash


def _nets():
    synapse.seed(11)
    return {
        "perceptron": Perceptron(3, 5, 2),
        "lstm": LSTM(3, 4, 2),
        "lstm options": LSTM(3, 3, 2, hidden_to_hidden=True, output_to_gates=True),
        "liquid": Liquid(3, 10, 2, connections=25, gates=6),
        "softmax": Perceptron(3, 4, 2, output_squash=squash.SOFTMAX),
    }


def _warm(net, rng):
    """A few steps of learning, so states, traces and gains are not zero."""
    for _ in range(5):
        net.activate(rng.random(net.inputs()))
        net.propagate(0.1, rng.random(net.outputs()))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", list(_nets()))
def test_predict_equals_one_activation_per_row_from_the_same_state(name, engine):
    rng = np.random.default_rng(0)
    net = use_engine(_nets()[name], engine)
    _warm(net, rng)
    X = rng.random((7, net.inputs()))
    before = net.to_json()
    got = net.predict(X)
    assert net.to_json() == before, "predict must leave the network's state as it was"
    for i, x in enumerate(X):
        twin = net.clone()
        np.testing.assert_allclose(got[i], twin.activate(x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", list(_nets()))
def test_batch_run_equals_each_stream_run_alone(name, engine):
    rng = np.random.default_rng(1)
    net = use_engine(_nets()[name], engine)
    _warm(net, rng)
    X = rng.random((4, 6, net.inputs()))
    got = net.run(X)
    assert got.shape == (4, 6, net.outputs())
    for b in range(4):
        np.testing.assert_allclose(got[b], net.clone().run(X[b]), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("learning_cost", [None, cost.MSE])
def test_a_batch_step_follows_the_mean_of_the_streams_gradients(engine, learning_cost):
    """One time step of B streams with targets: the parameters move by rate times
    the mean of the B streams' gradients, each computed at the same weights."""
    rng = np.random.default_rng(2)
    net = use_engine(_nets()["lstm"], engine)
    _warm(net, rng)
    X = rng.random((3, 1, net.inputs()))
    Y = rng.random((3, 1, net.outputs()))
    grads = []
    for b in range(3):
        twin = net.clone()
        twin.activate(X[b, 0])
        twin.zero_grad()
        twin.backward(Y[b, 0], learning_cost)
        grads.append(twin.grad.copy())
    before = net.parameters().copy()
    net.run(X, Y, rate=0.5, cost=learning_cost)
    np.testing.assert_allclose(net.parameters(), before - 0.5 * np.mean(grads, axis=0),
                               rtol=1e-10, atol=1e-14)


def test_run_of_one_stream_in_three_dimensions_is_a_plain_run():
    rng = np.random.default_rng(3)
    a = _nets()["lstm"]
    b = a.clone()
    X = rng.random((5, 3))
    Y = rng.random((5, 2))
    out_a = a.run(X, Y, rate=0.2)
    out_b = b.run(X[None], Y[None], rate=0.2)[0]
    np.testing.assert_allclose(out_a, out_b, rtol=1e-12)
    np.testing.assert_allclose(a.parameters(), b.parameters(), rtol=1e-12)


def test_predict_and_run_refuse_bad_shapes():
    net = _nets()["perceptron"]
    with pytest.raises(ValueError, match="X must have shape"):
        net.predict(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="finite"):
        net.predict([[0, 0, float("nan")]])
    with pytest.raises(TypeError):
        net.predict([["a", 0, 0]])
    with pytest.raises(ValueError, match="targets must have shape"):
        net.run(np.zeros((2, 3, 3)), np.zeros((2, 3, 1)), rate=0.1)


def test_net_call_is_activate():
    net = _nets()["perceptron"]
    twin = net.clone()
    np.testing.assert_array_equal(net([0.1, 0.2, 0.3]), twin.activate([0.1, 0.2, 0.3]))


@pytest.mark.parametrize("engine", ENGINES)
def test_stream_gradients_can_be_added_into_the_networks_own_grad(engine):
    """The objects path steps streams through the network's own row and grad, and
    puts them back: a sum asked for in grad itself must still arrive there."""
    rng = np.random.default_rng(6)
    net = use_engine(_nets()["lstm"], engine)
    S = np.repeat(net._compiled().S, 2, axis=0)
    X, Y = rng.random((2, 3)), rng.random((2, 2))
    path = net._path()
    path.streams(S, X)
    scratch = np.zeros_like(net.grad)
    path.stream_gradient(S.copy(), Y, None, scratch)
    net.zero_grad()
    path.stream_gradient(S.copy(), Y, None, net.grad)
    assert np.any(scratch != 0)
    np.testing.assert_allclose(net.grad, scratch, rtol=1e-12, atol=1e-15)
