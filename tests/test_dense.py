"""Mini-batch passes of layered feed-forward networks as matrix products
(synapse/engine/dense.py): the same steps, errors and final state as the
row-by-row passes, and used only where they apply."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import ENGINES, use_engine

import synapse
from architect import LSTM, Perceptron
from synapse import ConnectionType, Layer, Network, Trainer, cost, squash
from synapse.engine import dense


def _mixed(seed=5):
    """Every case the matrices must handle: a skip connection (input -> output),
    a partial block (ONE_TO_ONE), two squashes in one layer, a SOFTMAX group
    in a hidden layer and at the outputs, a weight, a whole block and a bias
    held fixed."""
    synapse.seed(seed)
    i, a, b, o = Layer(3), Layer(4), Layer(3), Layer(3)
    i.project(a)
    i.project(b, ConnectionType.ONE_TO_ONE)
    a.project(b)
    held = a.project(o)
    b.project(o)
    first = i.project(o)
    a.list[0].squash = squash.TANH
    a.list[1].squash = squash.RELU
    b.set(squash=squash.SOFTMAX)
    o.set(squash=squash.SOFTMAX)
    first.list[0].learns = False
    for c in held.list:
        c.learns = False
    a.list[2].learn_bias = False
    return Network(input=i, hidden=[a, b], output=o)


def _data(n=11, seed=0):
    g = np.random.default_rng(seed)
    X = g.uniform(-1, 1, (n, 3))
    Y = np.eye(3)[g.integers(0, 3, n)]
    return X, Y


def _numbers(net):
    j = net.to_json()
    return np.array([c["weight"] for c in j["connections"]] +
                    [u[k] for u in j["neurons"] for k in ("bias", "state", "old", "activation")])


@pytest.mark.parametrize("name", ["adam", "sgd", "rmsprop"])
@pytest.mark.parametrize("learn", [None, "cost"])
@pytest.mark.parametrize("n", [11, 9])
def test_matrix_passes_take_the_row_by_row_steps(name, learn, n):
    """The neuron objects step row by row from Python; a compiled path runs the
    matrix passes. Parameters, errors and every number of the network's own
    stream agree to rounding: 11 rows in batches of 4 (the last of 3), shuffled;
    9 rows (the last batch of 1, whose ``old`` is the batch before's state)."""
    X, Y = _data(n)
    results = []
    for engine in ("objects", ENGINES[-1]):
        net = use_engine(_mixed(), engine)
        t = Trainer(net, cost=cost.CATEGORICAL_CROSS_ENTROPY)
        synapse.seed(9)
        r = t.train((X, Y), optimizer=name, rate=0.05, iterations=6, error=0, batch_size=4,
                    shuffle=True, clip=0.5, gradient="delta" if learn is None else "cost")
        assert (t._dense is None) == (engine == "objects")
        results.append((net.parameters().copy(), r["history"], _numbers(net)))
    (p0, h0, n0), (p1, h1, n1) = results
    np.testing.assert_allclose(p1, p0, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h1, h0, rtol=1e-12)
    np.testing.assert_allclose(n1, n0, rtol=1e-11, atol=1e-14)


def test_matrix_passes_equal_the_jit_kernel():
    """The JIT's compiled mini-batch kernel and the matrix passes, on the same
    orders and rates (MSE, which the kernel has), from the same numbers."""
    if "jit" not in ENGINES:
        pytest.skip("the JIT is not available")
    synapse.seed(2)
    net = use_engine(Perceptron(5, 7, 4, 3), "jit")
    X, Y = np.random.default_rng(1).random((13, 5)), np.random.default_rng(2).random((13, 3))
    twin = net.clone()
    orders = np.array([np.random.default_rng(k).permutation(13) for k in range(4)])
    rates = np.array([0.01, 0.02, 0.01, 0.005])
    outs = []
    for n, run in ((net, lambda n, o: n._fit_passes(X, Y, orders, rates, None, cost.MSE, -1, 5,
                                                   o, 0.0)),
                   (twin, lambda n, o: dense.plan(n._compiled()).fit(
                       X, Y, orders, rates, None, cost.MSE, -1, 5, o, 0.0))):
        opt = synapse.optim.Adam(n, lr=0.01)
        done, errors = run(n, opt)
        outs.append((done, errors, n.parameters().copy(), opt.state.copy(), opt.t, _numbers(n)))
    a, b = outs
    assert a[0] == b[0] == 4 and a[4] == b[4] == 12
    for x, y in zip(a[1:4] + a[5:], b[1:4] + b[5:]):
        np.testing.assert_allclose(y, x, rtol=1e-11, atol=1e-14)


def test_matrix_passes_stop_at_the_error():
    X, Y = _data(8)
    net = use_engine(_mixed(), "numpy")
    r = Trainer(net).train((X, Y), optimizer="adam", rate=0.05, iterations=500, error=0.2,
                           batch_size=4)
    assert r["error"] <= 0.2 and r["iterations"] < 500
    assert len(r["history"]) == r["iterations"] and min(r["history"][:-1]) > 0.2


@pytest.mark.parametrize("make", [
    lambda: LSTM(2, 2, 1),                       # gates and self-connections
    lambda: _recurrent(),                        # a connection back to an earlier layer
    lambda: _within(),                           # a connection inside a layer
])
def test_only_layered_feed_forward_networks_get_matrix_passes(make):
    synapse.seed(0)
    assert dense.plan(make()._compiled()) is None
    assert dense.plan(Perceptron(2, 3, 1)._compiled()) is not None


def _recurrent():
    i, h, o = Layer(2), Layer(2), Layer(1)
    i.project(h)
    h.project(o)
    o.project(h)
    return Network(input=i, hidden=[h], output=o)


def _within():
    i, h, o = Layer(2), Layer(2), Layer(1)
    i.project(h)
    h.list[0].project(h.list[1])
    h.project(o)
    return Network(input=i, hidden=[h], output=o)


def test_online_steps_and_the_objects_path_keep_their_own_passes():
    X, Y = _data(6)
    net = _mixed()
    t = Trainer(net)
    t.train((X, Y), optimizer="adam", rate=0.01, iterations=1, error=0)       # batch 1
    assert t._dense is None
    t.train((X, Y), rate=0.01, iterations=1, error=0, batch_size=3)           # plain SGD
    assert t._dense is not None
    net.set_optimize(False)
    t.train((X, Y), rate=0.01, iterations=1, error=0, batch_size=3)
    assert t._dense is None
