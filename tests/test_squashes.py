"""Every built-in squash: independent reference values (math module), exact
derivatives (finite differences at many points), finite and warning-free at
every finite input, arrays and scalars alike, neataptic's numbers (from
neataptic itself, tests/data/neataptic_squash.json), SOFTMAX, JSON names and
every path equal."""
from __future__ import annotations

import json
import math
import os
import warnings

import numpy as np
import pytest
from conftest import DATA, drive, examples
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import synapse
from architect import Perceptron
from synapse import Layer, Network, squash

ALL = dict(squash.ELEMENTWISE)
NEW = sorted(set(ALL) - {"LOGISTIC", "TANH", "IDENTITY", "HLIM", "RELU"})
MAX = np.finfo(float).max
EXTREMES = [1e308, -1e308, MAX, -MAX, 1e10, -1e10, 1e3, -1e3, 710.0, -746.0, 40.0, -40.0,
            0.0, -0.0, 5e-324, -5e-324, 1e-300, 1.0, -1.0, 0.5, -0.5]
ALPHA, SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def strict(f, *args, **kwargs):
    """Call f with every warning an error and overflow/invalid/divide raising."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return f(*args, **kwargs)


def _logistic(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def reference(name, x, derivate):
    """The textbook definitions with the math module, one number at a time,
    written apart from synapse's numpy (guards only where a float overflows)."""
    x = float(x)
    big = abs(x) > 1e150
    if name == "LEAKY_RELU":
        return (1.0 if x > 0 else 0.01) if derivate else (x if x > 0 else 0.01 * x)
    if name == "ELU":
        return (1.0 if x > 0 else math.exp(x)) if derivate else (x if x > 0 else math.expm1(x))
    if name == "SELU":
        if derivate:
            return SCALE if x > 0 else SCALE * ALPHA * math.exp(x)
        return min(SCALE * x, MAX) if x > 0 else SCALE * ALPHA * math.expm1(x)
    if name == "SOFTPLUS":
        if derivate:
            return _logistic(x)
        return x + math.log1p(math.exp(-x)) if x > 30 else math.log1p(math.exp(x))
    if name == "SOFTSIGN":
        return (1 / (1 + abs(x))) ** 2 if derivate else x / (1 + abs(x))
    if name == "SILU":
        s = _logistic(x)
        return s + x * s * _logistic(-x) if derivate else x * s
    if name == "SINUSOID":
        return math.cos(x) if derivate else math.sin(x)
    if name == "GAUSSIAN":
        e = 0.0 if big else math.exp(-x * x)
        return (0.0 if big else -2 * x * e) if derivate else e
    if name == "BENT_IDENTITY":
        root = abs(x) if big else math.sqrt(x * x + 1)
        if derivate:
            return x / root / 2 + 1
        bent = (abs(x) - 1) / 2 if big else x * x / (root + 1) / 2   # (root - 1) / 2, precisely
        return min(bent + x, MAX) if x > 0 else bent + x
    if name == "BIPOLAR":
        return 0.0 if derivate else (1.0 if x > 0 else -1.0)
    if name == "BIPOLAR_SIGMOID":
        if derivate:
            return 0.0 if abs(x) > 1400 else 0.5 / math.cosh(x / 2) / math.cosh(x / 2)
        e = math.exp(-abs(x))
        return math.copysign(-math.expm1(-abs(x)) / (1 + e), x)
    if name == "HARD_TANH":
        return (1.0 if -1 < x < 1 else 0.0) if derivate else max(-1.0, min(1.0, x))
    if name == "ABSOLUTE":
        return (-1.0 if x < 0 else 1.0) if derivate else abs(x)
    if name == "INVERSE":
        return -1.0 if derivate else 1 - x
    if name == "STEP":
        return 0.0 if derivate else (1.0 if x > 0 else 0.0)
    if name == "LOGISTIC":
        y = _logistic(x) if abs(x) < 800 else float(x > 0)
        return y * (1 - y) if derivate else y
    if name == "TANH":
        return 1 - math.tanh(x) ** 2 if derivate else math.tanh(x)
    if name == "IDENTITY":
        return 1.0 if derivate else x
    if name == "HLIM":
        return 1.0 if derivate else float(x > 0)
    if name == "RELU":
        return float(x > 0) if derivate else max(x, 0.0)
    raise AssertionError(name)


def close(a, b, rel=1e-13, tiny=1e-300):
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b)) or abs(a - b) <= tiny


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("derivate", [False, True])
def test_extremes_are_finite_warning_free_and_right(name, derivate):
    f = ALL[name]
    for x in EXTREMES:
        y = strict(f, x, derivate)
        assert isinstance(y, float) and math.isfinite(y), (x, y)
        want = reference(name, x, derivate)
        # derivatives through the exponential lose an ulp or two more
        assert close(y, want, rel=1e-13 if not derivate else 1e-12, tiny=1e-300), (x, y, want)


@settings(max_examples=examples(300), deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_input(x):
    for name in NEW:
        for derivate in (False, True):
            y = strict(ALL[name], x, derivate)
            want = reference(name, x, derivate)
            assert math.isfinite(y) and close(y, want, rel=1e-12, tiny=1e-290), \
                (name, x, derivate, y, want)


@settings(max_examples=examples(100), deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4),
                  elements=st.floats(allow_nan=False, allow_infinity=False)))
def test_arrays_keep_shape_and_equal_the_scalars(x):
    for name, f in ALL.items():
        for derivate in (False, True):
            y = strict(f, x, derivate)
            assert isinstance(y, np.ndarray) and y.shape == x.shape and y.dtype == np.float64
            assert y.tolist() == np.array([float(f(v, derivate)) for v in x.flat]).reshape(
                x.shape).tolist(), name
    assert strict(squash.ELU, [0.0, -1.0]).shape == (2,)        # lists work too


# where the derivative jumps, or (ELU, SOFTSIGN) the second derivative does
KINKS = {"LEAKY_RELU": [0.0], "ELU": [0.0], "SOFTSIGN": [0.0], "SELU": [0.0], "ABSOLUTE": [0.0],
         "HARD_TANH": [-1.0, 1.0], "BIPOLAR": [0.0], "STEP": [0.0], "RELU": [0.0], "HLIM": [0.0]}
SMOOTH = sorted(set(ALL) - {"HLIM"})          # HLIM's derivative is a convention (1)


def numeric_derivative(f, x, h=1e-4):
    """5-point central stencil, error O(h^4)."""
    return (float(f(x - 2 * h)) - 8 * float(f(x - h)) + 8 * float(f(x + h))
            - float(f(x + 2 * h))) / (12 * h)


@pytest.mark.parametrize("name", SMOOTH)
@settings(max_examples=examples(150), deadline=None)
@given(x=st.floats(-30, 30))
def test_derivative_matches_finite_differences(name, x):
    f = ALL[name]
    for kink in KINKS.get(name, []):
        if abs(x - kink) < 1e-3:
            x = kink + 0.5                    # away from the kink
    numeric = numeric_derivative(f, x)
    scale = max(1.0, abs(float(f(x))))
    assert float(f(x, derivate=True)) == pytest.approx(numeric, rel=1e-7, abs=1e-9 * scale)


def test_conventions_at_the_kinks():
    """neataptic's choices where there is no derivative (see the module docstring)."""
    assert squash.RELU(0.0, True) == 0.0 and squash.LEAKY_RELU(0.0, True) == 0.01
    assert squash.ABSOLUTE(0.0, True) == 1.0 and squash.ABSOLUTE(-0.0, True) == 1.0
    assert squash.HARD_TANH(1.0, True) == 0.0 and squash.HARD_TANH(-1.0, True) == 0.0
    assert squash.HARD_TANH(0.999, True) == 1.0
    assert squash.SELU(0.0, True) == pytest.approx(SCALE * ALPHA, rel=1e-15)
    assert squash.SELU(1e-300, True) == SCALE
    for name in ("STEP", "BIPOLAR"):
        assert [float(ALL[name](x, True)) for x in (-1.0, 0.0, 1.0)] == [0.0, 0.0, 0.0]
    assert squash.STEP(0.0) == 0.0 and squash.BIPOLAR(0.0) == -1.0 and squash.BIPOLAR(1e-300) == 1
    assert squash.HLIM(-3.0, True) == 1.0      # synaptic.js's, unlike STEP


def test_known_values():
    assert squash.SELU(1.0) == pytest.approx(1.0507009873554805, rel=1e-15)
    assert squash.SELU(-1.0) == pytest.approx(-1.1113307378125625, rel=1e-14)
    assert squash.SELU(-1e308) == pytest.approx(-SCALE * ALPHA, rel=1e-15)
    assert squash.ELU(-1e308) == -1.0 and squash.ELU(-1e308, True) == 0.0
    assert squash.SOFTPLUS(0.0) == pytest.approx(math.log(2), rel=1e-15)
    assert squash.SOFTPLUS(1e308) == 1e308 and squash.SOFTPLUS(-1e308) == 0.0
    assert squash.SOFTPLUS(-800.0) == 0.0 and squash.SOFTPLUS(-700.0) > 0.0
    assert squash.SOFTSIGN(1.0) == 0.5 and squash.SOFTSIGN(1.0, True) == 0.25
    assert squash.SOFTSIGN(-3.0, True) == 1 / 16          # neataptic's would say -3/16
    assert squash.SILU(1e308) == 1e308 and squash.SILU(-1e308) == 0.0
    assert squash.GAUSSIAN(0.0) == 1.0 and squash.GAUSSIAN(1.0) == pytest.approx(math.exp(-1))
    assert squash.BENT_IDENTITY(0.0) == 0.0 and squash.BENT_IDENTITY(0.0, True) == 1.0
    assert squash.BENT_IDENTITY(MAX) == MAX and squash.SELU(MAX) == MAX
    assert squash.BENT_IDENTITY(-1e308) == pytest.approx(-5e307, rel=1e-15)
    assert squash.BIPOLAR_SIGMOID(0.0) == 0.0 and squash.BIPOLAR_SIGMOID(0.0, True) == 0.5
    assert squash.BIPOLAR_SIGMOID(50.0, True) == pytest.approx(2 * math.exp(-50), rel=1e-14)
    assert squash.INVERSE(0.25) == 0.75 and squash.INVERSE(-MAX) == MAX


# ---------------------------------------------------------------- neataptic
with open(os.path.join(DATA, "neataptic_squash.json"), encoding="utf-8") as _fh:
    NEATAPTIC = json.load(_fh)


def test_neataptic_names():
    assert set(squash.NEATAPTIC_NAMES) == set(NEATAPTIC["values"])
    for name, f in squash.NEATAPTIC_NAMES.items():
        assert squash.BY_NAME[name] is f


@pytest.mark.parametrize("name", sorted(NEATAPTIC["values"]))
def test_neataptic_values_and_derivatives(name):
    """neataptic's own numbers (node, neataptic 1.4.7). Where neataptic overflows
    inside (x^2 at +-1e308: null in the file, or BENT_IDENTITY's derivative 1 at
    -1e308) synapse gives the finite true value; where neataptic's derivative
    is wrong (SOFTSIGN) synapse's is the exact one."""
    f = squash.NEATAPTIC_NAMES[name]
    xs = NEATAPTIC["x"]
    for key, derivate in (("f", False), ("d", True)):
        theirs = NEATAPTIC["values"][name][key]
        for x, want in zip(xs, theirs):
            mine = float(f(x, derivate))
            if want is None or (abs(x) == 1e308 and name in ("BENT_IDENTITY", "GAUSSIAN")):
                # neataptic squares 1e308 on the way (Infinity): its number is off
                assert abs(x) == 1e308 and math.isfinite(mine)
                assert mine == reference(name, x, derivate)
                continue
            if name == "SOFTSIGN" and derivate:
                assert mine == pytest.approx(want / x if x else 1.0, rel=1e-14)  # theirs = x * ours
                continue
            # rel: neataptic computes some of them by other (less precise) forms
            assert mine == pytest.approx(want, rel=1e-12, abs=1e-15), (x, mine, want)


# ---------------------------------------------------------------- SOFTMAX
def test_softmax_values():
    x = np.array([1.0, 2.0, 3.0])
    e = np.array([math.exp(v) for v in x])
    np.testing.assert_allclose(squash.SOFTMAX(x), e / e.sum(), rtol=1e-15)
    np.testing.assert_allclose(squash.SOFTMAX(x + 1000.0), e / e.sum(), rtol=1e-14)
    assert squash.SOFTMAX(2.5) == 1.0 and squash.SOFTMAX(2.5, derivate=True) == 0.0
    assert squash.SOFTMAX(np.zeros(0)).shape == (0,)
    y = strict(squash.SOFTMAX, [1e308, -1e308, MAX, -MAX, 0.0])
    assert y.tolist() == [0.0, 0.0, 1.0, 0.0, 0.0]
    m = np.array([[0.0, 1.0], [2.0, -1.0]])
    np.testing.assert_allclose(squash.SOFTMAX(m, axis=0).sum(axis=0), [1.0, 1.0], rtol=1e-15)
    np.testing.assert_allclose(squash.SOFTMAX(m).sum(), 1.0, rtol=1e-15)


@settings(max_examples=examples(100), deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 8),
                  elements=st.floats(allow_nan=False, allow_infinity=False)))
def test_softmax_is_a_distribution_for_any_input(x):
    y = strict(squash.SOFTMAX, x)
    d = strict(squash.SOFTMAX, x, True)
    assert np.all((y >= 0) & (y <= 1)) and abs(y.sum() - 1.0) < 1e-12
    assert y[np.argmax(x)] >= 1.0 / len(x) - 1e-15
    np.testing.assert_array_equal(d, y * (1 - y))


@settings(max_examples=examples(60), deadline=None)
@given(hnp.arrays(np.float64, st.integers(2, 6), elements=st.floats(-10, 10)))
def test_softmax_derivative_is_the_jacobians_diagonal(x):
    d = squash.SOFTMAX(x, derivate=True)
    h = 1e-4
    for i in range(len(x)):
        def yi(v, i=i):
            z = x.copy()
            z[i] = v
            return squash.SOFTMAX(z)[i]
        numeric = numeric_derivative(yi, x[i], h)
        assert d[i] == pytest.approx(numeric, rel=1e-7, abs=1e-10)


# ---------------------------------------------------------------- names and paths
def test_json_names():
    assert set(squash.BY_NAME) == set(ALL) | {"SOFTMAX"}
    assert squash.SOFTMAX not in squash.ELEMENTWISE.values()
    for name, f in squash.BY_NAME.items():
        assert squash.name_of(f) == name == f.__name__


@pytest.mark.parametrize("name", sorted(squash.BY_NAME))
def test_json_round_trip_by_name(name):
    synapse.seed(0)
    net = Perceptron(2, 3, 2)
    net.layers.output.set(squash=squash.BY_NAME[name])
    data = json.loads(json.dumps(net.to_json()))
    assert [n["squash"] for n in data["neurons"]][-2:] == [name, name]
    back = Network.from_json(data)
    assert all(n.squash is squash.BY_NAME[name] for n in back.layers.output.list)


@pytest.mark.parametrize("name", NEW)
def test_objects_and_numpy_engine_agree(name):
    """Each new squash in a hidden and an output layer, learning: the numpy
    engine equals the neuron objects step for step. (The JIT runs only
    synaptic.js's five squashes so far; a network with another falls back to
    the numpy engine.)"""
    runs = []
    for optimize in (False, True):
        synapse.seed(5)
        i, h, o = Layer(2), Layer(4), Layer(2)
        i.project(h)
        h.project(o)
        i.project(o)
        h.set(squash=ALL[name])
        # STEP and BIPOLAR learn nothing (derivative 0); eq. 10's t - y climbs the
        # error through INVERSE's derivative -1: those outputs stay LOGISTIC
        o.set(squash=ALL[name] if name not in ("STEP", "BIPOLAR", "INVERSE") else squash.LOGISTIC)
        net = Network(input=i, hidden=[h], output=o)
        net.set_optimize(optimize, engine="numpy" if optimize else None)
        outs = drive(net, 30, seed=2, rate=0.1)
        runs.append((outs, net.parameters().copy()))
        assert np.isfinite(outs).all() and np.isfinite(runs[-1][1]).all()
    np.testing.assert_allclose(runs[0][0], runs[1][0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(runs[0][1], runs[1][1], rtol=1e-9, atol=1e-12)
