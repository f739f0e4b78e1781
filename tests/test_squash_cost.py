"""Squash functions: finite and warning-free for every finite input, correct
values, derivatives that match finite differences; cost functions and their
derivate=True vectors."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from synapse import cost, squash

ALL = dict(squash.BY_NAME)
#: The squashes that act on each number alone (SOFTMAX normalises a whole group).
ELEMENTWISE = {k: f for k, f in ALL.items() if f is not squash.SOFTMAX}
EXTREMES = [1e308, -1e308, 1e3, -1e3, 0.0, -0.0, 5e-324, -5e-324, 1e-300, 710.0, -746.0,
            np.finfo(float).max, -np.finfo(float).max]

finite_floats = st.floats(allow_nan=False, allow_infinity=False)


def strict(f, *args, **kwargs):
    """Call f with every warning an error and overflow/invalid/divide raising."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return f(*args, **kwargs)


# ---------------------------------------------------------------- squash
def expected(name, x, derivate):
    """Independent reference values (math module, no numpy)."""
    if name == "LOGISTIC":
        if x >= 0:
            y = 1 / (1 + math.exp(-x)) if x < 800 else 1.0
        else:
            y = math.exp(x) / (1 + math.exp(x)) if x > -800 else 0.0
        return y * (1 - y) if derivate else y
    if name == "TANH":
        y = math.tanh(x)
        return 1 - y * y if derivate else y
    if name == "IDENTITY":
        return 1.0 if derivate else x
    if name == "HLIM":
        return 1.0 if derivate else float(x > 0)
    if name == "RELU":
        return float(x > 0) if derivate else (x if x > 0 else 0.0)
    if name == "SOFTMAX":  # over one number: 1, and the Jacobian's diagonal 1 (1 - 1)
        return 0.0 if derivate else 1.0
    raise AssertionError(name)


@pytest.mark.parametrize("name", sorted(ALL))
@pytest.mark.parametrize("derivate", [False, True])
@pytest.mark.parametrize("x", EXTREMES)
def test_squash_at_extremes(name, x, derivate):
    y = strict(ALL[name], x, derivate=derivate) if derivate else strict(ALL[name], x)
    assert isinstance(y, float) and math.isfinite(y)
    assert y == pytest.approx(expected(name, x, derivate), rel=1e-15, abs=1e-300)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_squash_of_arrays_keeps_shape_and_matches_scalars(name):
    f = ALL[name]
    x = np.array(EXTREMES + [0.5, -2.0, 3.0]).reshape(4, 4)
    for derivate in (False, True):
        y = strict(f, x, derivate)
        assert isinstance(y, np.ndarray) and y.shape == x.shape and y.dtype == np.float64
        assert np.all(np.isfinite(y))
        assert y.tolist() == [[float(f(v, derivate)) for v in row] for row in x]
    # the input is not modified, and lists work too
    assert x[0, 0] == 1e308
    assert strict(f, [0.0, 1.0]).shape == (2,)


def test_known_values():
    assert squash.LOGISTIC(0.0) == 0.5 and squash.LOGISTIC(0.0, True) == 0.25
    assert squash.LOGISTIC(1e308) == 1.0 and squash.LOGISTIC(-1e308) == 0.0
    assert squash.LOGISTIC(1e308, True) == 0.0 and squash.LOGISTIC(-1e308, True) == 0.0
    assert squash.TANH(0.0) == 0.0 and squash.TANH(0.0, True) == 1.0
    assert squash.TANH(1e308) == 1.0 and squash.TANH(-1e308) == -1.0
    assert squash.IDENTITY(-1e308) == -1e308 and squash.IDENTITY(-1e308, True) == 1.0
    assert squash.HLIM(0.0) == 0.0 and squash.HLIM(1e-300) == 1.0 and squash.HLIM(-3.0) == 0.0
    assert squash.HLIM(-3.0, True) == 1.0  # synaptic's straight-through pseudo-gradient
    assert squash.RELU(-1e308) == 0.0 and squash.RELU(1e308) == 1e308
    assert squash.RELU(0.0) == 0.0 and squash.RELU(0.0, True) == 0.0
    assert squash.RELU(2.0, True) == 1.0
    assert squash.LOGISTIC(1.0) == pytest.approx(0.7310585786300049, rel=1e-15)
    assert squash.TANH(0.5) == pytest.approx(0.46211715726000974, rel=1e-15)


@settings(max_examples=examples(300), deadline=None)
@given(finite_floats)
def test_squash_finite_everywhere(x):
    for name, f in ALL.items():
        for derivate in (False, True):
            y = strict(f, x, derivate)
            assert math.isfinite(y), (name, x, derivate)
            # derivatives such as 1 - tanh(x)^2 cancel: one ulp of tanh(x) is more
            tol = {"rel": 1e-12, "abs": 1e-15} if derivate else {"rel": 1e-14, "abs": 1e-300}
            assert y == pytest.approx(expected(name, x, derivate), **tol)
    lo, hi = strict(squash.LOGISTIC, x), strict(squash.LOGISTIC, -x)
    assert 0.0 <= lo <= 1.0 and abs(lo + hi - 1.0) <= 1e-15  # logistic(-x) = 1 - logistic(x)
    assert -1.0 <= strict(squash.TANH, x) <= 1.0


@settings(max_examples=examples(200), deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4), elements=finite_floats))
def test_squash_finite_for_any_array(x):
    for f in ELEMENTWISE.values():
        for derivate in (False, True):
            y = strict(f, x, derivate)
            assert np.shape(y) == x.shape and np.all(np.isfinite(y))


@pytest.mark.parametrize("name", ["LOGISTIC", "TANH", "IDENTITY", "RELU"])
@settings(max_examples=examples(100), deadline=None)
@given(x=st.floats(-20, 20))
def test_squash_derivative_matches_finite_differences(name, x):
    f = ALL[name]
    h = 1e-5
    if name == "RELU" and abs(x) < 2 * h:
        x = 1.0  # away from the kink
    numeric = (float(f(x + h)) - float(f(x - h))) / (2 * h)
    assert float(f(x, derivate=True)) == pytest.approx(numeric, rel=1e-6, abs=1e-9)


def test_name_of():
    for name, f in ALL.items():
        assert squash.name_of(f) == name

    def mine(x, derivate=False):
        return x

    assert squash.name_of(mine) == "mine"


# ---------------------------------------------------------------- cost
EPS = 1e-15


def test_cost_values():
    t, y = [1.0, 0.0, 0.5], [0.8, 0.3, 0.5]
    assert cost.MSE(t, y) == pytest.approx((0.04 + 0.09 + 0.0) / 3, rel=1e-15)
    ce = -(math.log(0.8 + EPS) + math.log(1 + EPS - 0.3)
           + 0.5 * math.log(0.5 + EPS) + 0.5 * math.log(1 + EPS - 0.5))
    assert cost.CROSS_ENTROPY(t, y) == pytest.approx(ce, rel=1e-14)
    # BINARY rounds halves up, as JavaScript's Math.round: 2 * 0.25 = 0.5 -> 1 != 0
    assert cost.BINARY([0.0], [0.25]) == 1.0
    assert cost.BINARY([0.0], [0.24]) == 0.0
    assert cost.BINARY([1.0, 0.0, 1.0], [0.9, 0.1, 0.2]) == 1.0
    assert cost.BINARY([0.5], [0.74]) == 0.0  # round(1.0) == round(1.48)
    for f in (cost.MSE, cost.CROSS_ENTROPY, cost.BINARY):
        assert isinstance(f(t, y), float)
        assert f(np.array(t), np.array(y)) == f(t, y)


def test_cross_entropy_is_finite_at_and_beyond_the_ends():
    assert strict(cost.CROSS_ENTROPY, [1.0], [0.0]) == pytest.approx(-math.log(EPS), rel=1e-12)
    assert strict(cost.CROSS_ENTROPY, [0.0], [1.0]) == pytest.approx(-math.log(EPS), rel=1e-2)
    assert strict(cost.CROSS_ENTROPY, [1.0], [1.0]) == pytest.approx(0.0, abs=1e-14)
    for y in (-3.0, 7.0, 1e308, -1e308):  # outputs of other squashes: clipped to [0, 1]
        assert math.isfinite(strict(cost.CROSS_ENTROPY, [0.3], [y]))
        assert np.all(np.isfinite(strict(cost.CROSS_ENTROPY, [0.3], [y], derivate=True)))


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # expected: 1e400
def test_mse_with_huge_errors_is_finite_or_inf_without_nan():
    value = cost.MSE([0.0], [1e200])
    assert not math.isnan(value)


@pytest.mark.parametrize("fn", [cost.MSE, cost.CROSS_ENTROPY, cost.BINARY])
def test_cost_shape_mismatch(fn):
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        fn([0.0, 1.0], [0.1, 0.2, 0.3])


def test_binary_has_no_gradient():
    with pytest.raises(ValueError, match="gradient"):
        cost.BINARY([1.0], [0.5], derivate=True)


@pytest.mark.parametrize("fn", [cost.MSE, cost.CROSS_ENTROPY])
@settings(max_examples=examples(100), deadline=None)
@given(data=st.data())
def test_cost_derivative_matches_finite_differences(fn, data):
    n = data.draw(st.integers(1, 5))
    t = np.array(data.draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    y = np.array(data.draw(st.lists(st.floats(0.02, 0.98), min_size=n, max_size=n)))
    grad = fn(t, y, derivate=True)
    assert isinstance(grad, np.ndarray) and grad.shape == (n,)
    h = 1e-6
    for k in range(n):
        up, down = y.copy(), y.copy()
        up[k] += h
        down[k] -= h
        numeric = (fn(t, up) - fn(t, down)) / (2 * h)
        assert grad[k] == pytest.approx(numeric, rel=1e-6, abs=1e-8)
    # the inputs are not modified
    assert np.all((y >= 0.02) & (y <= 0.98))


@settings(max_examples=examples(100), deadline=None)
@given(x=hnp.arrays(np.float64, st.integers(1, 8), elements=finite_floats))
def test_softmax_of_any_finite_array_is_a_distribution(x):
    y = strict(squash.SOFTMAX, x)
    d = strict(squash.SOFTMAX, x, derivate=True)
    assert y.shape == x.shape and np.all(np.isfinite(y)) and np.all(y >= 0)
    assert abs(y.sum() - 1.0) < 1e-12
    np.testing.assert_array_equal(d, y * (1 - y))
    e = np.exp(x - x.max()) if np.isfinite(x - x.max()).all() else None
    if e is not None:
        np.testing.assert_allclose(y, e / e.sum(), rtol=1e-15)
