"""SOFTMAX over the neurons of a layer, on every path: outputs, exact gradients
through the group's Jacobian (docs/equations.md), and the structures it refuses."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import ENGINES, assert_gradients_close, finite_difference, use_engine

import synapse
from synapse import Layer, Network, cost, squash


def cce(target, output, derivate=False):
    """-sum t log y: categorical cross-entropy, written here independently."""
    t, y = np.asarray(target, float), np.asarray(output, float)
    return -t / y if derivate else float(-np.sum(t * np.log(y)))


def classifier(n_in=3, hidden=4, n_out=3, hidden_squash=squash.TANH, seed=5):
    synapse.seed(seed)
    i, h, o = Layer(n_in), Layer(hidden).set(squash=hidden_squash), Layer(n_out)
    o.set(squash=squash.SOFTMAX)
    i.project(h)
    h.project(o)
    i.project(o)
    return Network(input=i, hidden=[h], output=o)


def hidden_softmax(seed=6):
    """A SOFTMAX layer inside: input -> softmax(4) -> logistic(2)."""
    synapse.seed(seed)
    i, h, o = Layer(3), Layer(4).set(squash=squash.SOFTMAX), Layer(2)
    i.project(h)
    h.project(o)
    return Network(input=i, hidden=[h], output=o)


def gradient_by_backward(net, x, t, learn_cost):
    net.activate(x)
    net.zero_grad()
    net.backward(t, learn_cost)
    return net.grad.copy()


def order_of_grad(net):
    """The parameters in the order of net.grad: learning weights in connection
    order, then learning biases in unit order."""
    from conftest import Param

    st = net._compiled().structure
    ps = [Param("w", c) for c in st.connections]
    ps += [Param("bias", n) for n in st.neurons[st.n_inputs:] if n.learn_bias]
    return ps


@pytest.mark.parametrize("engine", ENGINES)
def test_softmax_outputs_sum_to_one_and_agree_with_the_formula(engine):
    net = use_engine(classifier(), engine)
    out = net.activate([0.3, -1.2, 2.0])
    states = np.array([n.state for n in net.layers.output.list])
    e = np.exp(states - states.max())
    np.testing.assert_allclose(out, e / e.sum(), rtol=1e-15)
    assert abs(out.sum() - 1.0) < 1e-15


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("learn_cost,loss_cost", [(None, cce), (cce, cce), (cost.MSE, cost.MSE),
                                                  (cost.CROSS_ENTROPY, cost.CROSS_ENTROPY)])
def test_backward_through_softmax_outputs_is_the_cost_gradient(engine, learn_cost, loss_cost):
    """eq. 10's t - y is exactly the categorical cross-entropy's gradient for
    SOFTMAX outputs (targets summing to 1); a named cost goes through the Jacobian."""
    net = use_engine(classifier(), engine)
    x, t = np.array([0.5, -0.3, 0.9]), np.array([0.0, 1.0, 0.0])
    analytic = gradient_by_backward(net, x, t, learn_cost)
    ps = order_of_grad(net)
    numeric = finite_difference(lambda: loss_cost(t, net.activate(x)), ps)
    assert_gradients_close(analytic, numeric, ps, loss=loss_cost(t, net.activate(x)))


@pytest.mark.parametrize("engine", ENGINES)
def test_backward_through_a_hidden_softmax_layer(engine):
    net = use_engine(hidden_softmax(), engine)
    x, t = np.array([0.2, 1.5, -0.7]), np.array([1.0, 0.0])
    analytic = gradient_by_backward(net, x, t, cost.MSE)
    ps = order_of_grad(net)
    numeric = finite_difference(lambda: cost.MSE(t, net.activate(x)), ps)
    assert_gradients_close(analytic, numeric, ps)


@pytest.mark.parametrize("make", [classifier, hidden_softmax])
def test_every_path_computes_the_same_softmax_learning(make):
    rng = np.random.default_rng(7)
    nets = {e: use_engine(make(), e) for e in ENGINES}
    for _ in range(30):
        x = rng.normal(size=3)
        t = np.eye(nets["objects"].outputs())[rng.integers(nets["objects"].outputs())]
        outs = {e: n.activate(x) for e, n in nets.items()}
        for n in nets.values():
            n.propagate(0.3, t, cost.MSE)
        for e in ENGINES:
            np.testing.assert_allclose(outs[e], outs["objects"], rtol=1e-10)
    for e in ENGINES:
        np.testing.assert_allclose(nets[e].parameters(), nets["objects"].parameters(),
                                   rtol=1e-9)


def test_a_softmax_unit_cannot_gate():
    net = classifier()
    g = net.layers.output.list[0]
    g.gate(net.layers.hidden[0].list[0].connections.inputs[0])
    with pytest.raises(ValueError, match="cannot gate"):
        net.activate([0, 0, 0])


def test_a_softmax_group_must_be_neighbours():
    net = classifier(n_out=3)
    net.layers.output.list[1].squash = squash.LOGISTIC
    with pytest.raises(ValueError, match="neighbours"):
        net.activate([0, 0, 0])


def test_a_softmax_unit_cannot_read_its_group_within_a_step():
    net = classifier(n_out=3)
    out = net.layers.output.list
    out[0].project(out[2])
    with pytest.raises(ValueError, match="within a step"):
        net.activate([0, 0, 0])


def test_softmax_round_trips_through_json():
    net = classifier()
    twin = Network.from_json(net.to_json())
    assert twin.layers.output.list[0].squash is squash.SOFTMAX
    np.testing.assert_allclose(twin.activate([1, 2, 3]), net.activate([1, 2, 3]), rtol=1e-15)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("learn_cost", [None, cost.CATEGORICAL_CROSS_ENTROPY])
def test_categorical_cross_entropy_is_a_kernel_cost(engine, learn_cost):
    """Training a SOFTMAX classifier reporting categorical cross-entropy runs in
    the JIT's training kernel, with the same numbers as the other paths."""
    from synapse import Trainer

    rng = np.random.default_rng(3)
    X = rng.normal(size=(12, 3))
    Y = np.eye(3)[rng.integers(3, size=12)]
    nets = {e: use_engine(classifier(), e) for e in ENGINES}
    results = {e: Trainer(n).train((X, Y), rate=0.1, iterations=20, error=0,
                                   cost=cost.CATEGORICAL_CROSS_ENTROPY,
                                   gradient="cost" if learn_cost else "delta")
               for e, n in nets.items()}
    if "jit" in nets:
        assert nets["jit"]._can_train_passes(learn_cost, cost.CATEGORICAL_CROSS_ENTROPY)
    for e in ENGINES:
        np.testing.assert_allclose(results[e]["history"], results["objects"]["history"],
                                   rtol=1e-10)
        np.testing.assert_allclose(nets[e].parameters(), nets["objects"].parameters(),
                                   rtol=1e-9, atol=1e-14)
    assert results["objects"]["history"][-1] < results["objects"]["history"][0]
