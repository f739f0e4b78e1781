"""The classic worked example of backpropagation (Matt Mazur, "A Step by Step
Backpropagation Example"): a 2-2-2 logistic network, one training step.

Weights: w1 i1->h1 .15, w2 i2->h1 .20, w3 i1->h2 .25, w4 i2->h2 .30,
w5 h1->o1 .40, w6 h2->o1 .45, w7 h1->o2 .50, w8 h2->o2 .55; biases .35
(hidden) and .60 (output); inputs .05 .10, targets .01 .99. E is half the
summed squared error, which for two outputs is exactly cost.MSE (the mean).
The expected numbers are the article's, independent of this library.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from synapse import Layer, Network, cost, squash

X, T = [0.05, 0.10], [0.01, 0.99]
W1, W2, W3, W4 = 0.15, 0.20, 0.25, 0.30
W5, W6, W7, W8 = 0.40, 0.45, 0.50, 0.55


def build(optimize=True):
    i, h, o = Layer(2), Layer(2), Layer(2)
    # Layer.project's weights have shape (to.size, from.size)
    i.project(h, weights=[[W1, W2], [W3, W4]])
    h.project(o, weights=[[W5, W6], [W7, W8]])
    h.set(bias=0.35)
    o.set(bias=0.60)
    net = Network(input=i, hidden=[h], output=o)
    net.set_optimize(optimize)
    (i1, i2), (h1, h2), (o1, o2) = i.list, h.list, o.list
    w = {1: i1.connected(h1), 2: i2.connected(h1), 3: i1.connected(h2), 4: i2.connected(h2),
         5: h1.connected(o1), 6: h2.connected(o1), 7: h1.connected(o2), 8: h2.connected(o2)}
    return net, w, (h1, h2, o1, o2)


@pytest.fixture(params=[False, True], ids=["objects", "optimized"])
def example(request):
    return build(request.param)


def test_weights_land_where_the_article_puts_them(example):
    _, w, _ = example
    assert [w[k].weight for k in range(1, 9)] == [W1, W2, W3, W4, W5, W6, W7, W8]
    assert all(w[k].from_ is not w[k].to for k in w)


def test_forward_pass(example):
    net, _, (h1, h2, o1, _o2) = example
    y = net.activate(X)
    assert h1.state == pytest.approx(0.3775, abs=1e-12)
    assert h1.activation == pytest.approx(0.593269992, abs=1e-9)
    assert h2.activation == pytest.approx(0.596884378, abs=1e-9)
    assert o1.state == pytest.approx(1.105905967, abs=1e-9)
    assert y[0] == pytest.approx(0.75136507, abs=1e-8)
    assert y[1] == pytest.approx(0.772928465, abs=1e-8)
    assert cost.MSE(T, y) == pytest.approx(0.298371109, abs=1e-9)


def test_one_step_at_rate_half(example):
    net, w, _ = example
    net.activate(X)
    before = {k: c.weight for k, c in w.items()}
    net.propagate(0.5, T, cost=cost.MSE)
    grad = {k: (w[k].weight - before[k]) / -0.5 for k in w}
    assert grad[5] == pytest.approx(0.082167041, abs=1e-8)
    assert grad[1] == pytest.approx(0.000438568, abs=1e-8)
    assert w[5].weight == pytest.approx(0.35891648, abs=1e-8)
    assert w[6].weight == pytest.approx(0.408666186, abs=1e-8)
    assert w[7].weight == pytest.approx(0.511301270, abs=1e-8)
    assert w[8].weight == pytest.approx(0.561370121, abs=1e-8)
    assert w[1].weight == pytest.approx(0.149780716, abs=1e-8)
    assert w[2].weight == pytest.approx(0.19956143, abs=1e-8)
    assert w[3].weight == pytest.approx(0.24975114, abs=1e-8)
    assert w[4].weight == pytest.approx(0.29950229, abs=1e-8)


def test_hidden_weights_use_the_pre_step_output_weights(example):
    """The article computes dE/dw1 with w5 and w7 from before the step (as
    eq. 24 of docs/equations.md requires); with the already-updated w5, w7 it
    would differ."""
    net, w, (h1, _, o1, o2) = example
    net.activate(X)
    net.propagate(0.5, T, cost=cost.MSE)
    y1, y2 = o1.activation, o2.activation  # unchanged until the next activate
    d1 = (y1 - T[0]) * y1 * (1 - y1)
    d2 = (y2 - T[1]) * y2 * (1 - y2)
    a = h1.activation
    with_new = (d1 * w[5].weight + d2 * w[7].weight) * a * (1 - a) * X[0]
    assert abs(with_new - 0.000438568) > 1e-6
    assert (W1 - w[1].weight) / 0.5 == pytest.approx(0.000438568, abs=1e-8)


def test_biases_move_by_their_gradient(example):
    net, _, (h1, h2, o1, o2) = example
    y = net.activate(X)
    net.propagate(0.5, T, cost=cost.MSE)
    for o, yk, tk in ((o1, y[0], T[0]), (o2, y[1], T[1])):
        assert o.bias == pytest.approx(0.60 - 0.5 * (yk - tk) * yk * (1 - yk), abs=1e-12)
    assert h1.bias < 0.35 and h2.bias < 0.35  # both outputs push the hidden states down


def reference_errors(steps):
    """Plain matrix backprop with fixed biases, as in the article: the error
    before each step (independent of the library)."""
    def f(z):
        return 1 / (1 + np.exp(-z))

    a = np.array([[W1, W2], [W3, W4]])
    b = np.array([[W5, W6], [W7, W8]])
    x, t, errors = np.array(X), np.array(T), []
    for _ in range(steps + 1):
        h = f(a @ x + 0.35)
        o = f(b @ h + 0.60)
        errors.append(float(np.mean((t - o) ** 2)))
        do = (o - t) * o * (1 - o)
        dh = (b.T @ do) * h * (1 - h)
        b = b - 0.5 * np.outer(do, h)
        a = a - 0.5 * np.outer(dh, x)
    return errors


def test_error_after_the_step_and_after_10000_steps():
    """The article keeps the biases fixed; so does this test, by restoring them."""
    net, _, units = build()
    errors = []
    for _ in range(10001):
        errors.append(cost.MSE(T, net.activate(X)))
        net.propagate(0.5, T, cost=cost.MSE)
        for u, b in zip(units, (0.35, 0.35, 0.60, 0.60)):
            u.bias = b
    reference = reference_errors(10000)
    np.testing.assert_allclose(errors, reference, rtol=1e-9, atol=0)
    # the article's (rounded) numbers: 0.298371109, 0.291027924, 0.0000351085
    assert errors[0] == pytest.approx(0.298371109, abs=1e-9)
    assert errors[1] == pytest.approx(0.291027924, abs=2e-7)
    assert errors[10000] == pytest.approx(3.51085e-05, rel=1e-3)


def test_squash_is_logistic_by_default():
    _, _, units = build()
    assert all(u.squash is squash.LOGISTIC for u in units)
    assert math.isclose(squash.LOGISTIC(0.3775), 0.593269992, abs_tol=1e-9)
