"""The costs added after synaptic.js's: CATEGORICAL_CROSS_ENTROPY, MAE, MSLE and
HINGE. Values from their formulas (math module), derivatives against finite
differences, their domains, softmax + categorical cross-entropy giving y - t,
and learning with each alike on every path."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from conftest import examples
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import synapse
from architect import Perceptron
from synapse import cost, squash

EPS = 1e-15
NEW = [cost.CATEGORICAL_CROSS_ENTROPY, cost.MAE, cost.MSLE, cost.HINGE]


def strict(f, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return f(*args, **kwargs)


def test_values():
    t, y = [0.0, 1.0, 0.0], [0.25, 0.6, 0.15]
    assert cost.CATEGORICAL_CROSS_ENTROPY(t, y) == pytest.approx(-math.log(0.6 + EPS), rel=1e-15)
    soft = [0.3, 0.7]
    assert cost.CATEGORICAL_CROSS_ENTROPY(soft, [0.4, 0.6]) == pytest.approx(
        -(0.3 * math.log(0.4) + 0.7 * math.log(0.6)), rel=1e-13)
    assert cost.MAE(t, y) == pytest.approx((0.25 + 0.4 + 0.15) / 3, rel=1e-15)
    msle = ((math.log(1) - math.log(1.25)) ** 2 + (math.log(2) - math.log(1.6)) ** 2
            + (math.log(1) - math.log(1.15)) ** 2) / 3
    assert cost.MSLE(t, y) == pytest.approx(msle, rel=1e-14)
    assert cost.HINGE([1, -1, 1, -1], [2.0, 0.5, 0.25, -0.5]) == pytest.approx(
        0.0 + 1.5 + 0.75 + 0.5, rel=1e-15)
    for f in NEW:
        assert isinstance(f(t, y), float)
        assert f(np.array(t), np.array(y)) == f(t, y)
        assert f([], []) == 0.0


@pytest.mark.parametrize("fn", NEW)
def test_shape_mismatch(fn):
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        fn([0.0, 1.0], [0.1, 0.2, 0.3])


def draws(data, n, lo, hi):
    return np.array(data.draw(st.lists(st.floats(lo, hi), min_size=n, max_size=n)))


def check_derivative(fn, t, y, h=1e-6):
    grad = fn(t, y, derivate=True)
    assert isinstance(grad, np.ndarray) and grad.shape == y.shape
    for k in range(len(y)):
        up, down = y.copy(), y.copy()
        up[k] += h
        down[k] -= h
        numeric = (fn(t, up) - fn(t, down)) / (2 * h)
        assert grad[k] == pytest.approx(numeric, rel=1e-6, abs=1e-7), (k, t, y)


@settings(max_examples=examples(100), deadline=None)
@given(data=st.data())
def test_categorical_cross_entropy_derivative(data):
    n = data.draw(st.integers(1, 5))
    check_derivative(cost.CATEGORICAL_CROSS_ENTROPY, draws(data, n, 0, 1),
                     draws(data, n, 0.02, 0.98))


@settings(max_examples=examples(100), deadline=None)
@given(data=st.data())
def test_mae_derivative(data):
    n = data.draw(st.integers(1, 5))
    t, y = draws(data, n, -5, 5), draws(data, n, -5, 5)
    assume(np.all(np.abs(t - y) > 1e-3))              # off the kink
    check_derivative(cost.MAE, t, y)


@settings(max_examples=examples(100), deadline=None)
@given(data=st.data())
def test_msle_derivative(data):
    n = data.draw(st.integers(1, 5))
    check_derivative(cost.MSLE, draws(data, n, -0.9, 10), draws(data, n, -0.9, 10))


@settings(max_examples=examples(100), deadline=None)
@given(data=st.data())
def test_hinge_derivative(data):
    n = data.draw(st.integers(1, 5))
    t = np.array(data.draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n)))
    y = draws(data, n, -3, 3)
    assume(np.all(np.abs(1 - t * y) > 1e-3))           # off the kink
    check_derivative(cost.HINGE, t, y)


def test_domains_and_edges():
    # categorical: clipped to [0, 1], flat (gradient 0) outside, finite everywhere
    for y in (-3.0, 7.0, 1e308, -1e308):
        assert math.isfinite(strict(cost.CATEGORICAL_CROSS_ENTROPY, [1.0], [y]))
        assert strict(cost.CATEGORICAL_CROSS_ENTROPY, [1.0], [y], derivate=True).tolist() == [0.0]
    assert strict(cost.CATEGORICAL_CROSS_ENTROPY, [1.0], [0.0]) == pytest.approx(-math.log(EPS))
    assert strict(cost.CATEGORICAL_CROSS_ENTROPY, [1.0], [0.0], derivate=True)[0] == -1 / EPS
    # MSLE: outputs at or below -1 raised to -1 + 1e-15, flat below; targets above -1
    for y in (-1.0, -5.0, -1e308):
        assert strict(cost.MSLE, [0.0], [y]) == pytest.approx(math.log(EPS) ** 2, rel=1e-2)
        assert strict(cost.MSLE, [0.0], [y], derivate=True).tolist() == [0.0]
    assert math.isfinite(strict(cost.MSLE, [1e308], [1e308]))
    for bad in (-1.0, -2.0):
        with pytest.raises(ValueError, match="MSLE needs targets above -1"):
            cost.MSLE([0.5, bad], [0.5, 0.5])
    # MAE: zero derivative where exact; HINGE: zero past the margin and at the kink
    assert cost.MAE([1.0, 2.0], [1.0, 3.0], derivate=True).tolist() == [0.0, 0.5]
    assert cost.HINGE([1.0, -1.0], [1.0, -3.0], derivate=True).tolist() == [0.0, 0.0]
    assert cost.HINGE([0.0], [5.0]) == 1.0                # a 0 target: constant, as documented


@settings(max_examples=examples(60), deadline=None)
@given(data=st.data())
def test_softmax_with_categorical_cross_entropy_has_gradient_y_minus_t(data):
    """d/dx CCE(t, SOFTMAX(x)) = y - t for targets that sum to 1: what the
    engines use (issue: "with softmax outputs, eq. 10's t - y is exactly the
    gradient"), checked by finite differences of the composition."""
    n = data.draw(st.integers(2, 6))
    x = draws(data, n, -4, 4)
    t = draws(data, n, 0, 1) + 1e-3
    t /= t.sum()
    y = squash.SOFTMAX(x)

    def loss(z):
        return cost.CATEGORICAL_CROSS_ENTROPY(t, squash.SOFTMAX(z))

    h = 1e-5
    for k in range(n):
        up, down = x.copy(), x.copy()
        up[k] += h
        down[k] -= h
        numeric = (loss(up) - loss(down)) / (2 * h)
        assert numeric == pytest.approx(y[k] - t[k], abs=1e-7)
    # and through the full Jacobian of SOFTMAX, J = diag(y) - y y^T
    J = np.diag(y) - np.outer(y, y)
    np.testing.assert_allclose(J.T @ cost.CATEGORICAL_CROSS_ENTROPY(t, y, derivate=True),
                               y - t, atol=1e-12)


@pytest.mark.parametrize("fn", NEW, ids=lambda f: f.__name__)
def test_learning_with_each_cost_is_alike_on_every_path_and_descends(fn):
    """propagate(rate, target, cost=fn): the objects and the numpy engine take
    the same steps, and small steps lower the cost."""
    target = [1.0, -1.0] if fn is cost.HINGE else [0.0, 1.0] if fn is not cost.MAE else [0.2, 0.7]
    runs = []
    for optimize in (False, True):
        synapse.seed(4)
        net = Perceptron(3, 4, 2)
        net.layers.output.set(squash=squash.TANH if fn is cost.HINGE else squash.LOGISTIC)
        net.set_optimize(optimize, engine="numpy" if optimize else None)
        x = [0.5, -0.25, 1.0]
        before = fn(target, net.activate(x))
        for _ in range(20):
            net.activate(x)
            net.propagate(0.05, target, cost=fn)
        after = fn(target, net.activate(x))
        assert after < before
        runs.append(net.parameters().copy())
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-12, atol=1e-14)
