"""Squash (activation) functions.

Each is ``f(x, derivate=False)``: the activation ``f(x)``, or its derivative
``f'(x)`` when ``derivate`` is true. ``x`` may be a float or a numpy array; the
result has the same shape. Every function is finite for every finite input
(``LOGISTIC(-1e308)`` is 0, not an ``OverflowError``; a value beyond the float
range, as ``SELU(1.7e308)``, is the largest float) and raises no numpy warning.

The built-ins are synaptic.js's five (LOGISTIC, TANH, IDENTITY, HLIM, RELU),
neataptic's set (STEP, SOFTSIGN, SINUSOID, GAUSSIAN, BENT_IDENTITY, BIPOLAR,
BIPOLAR_SIGMOID, HARD_TANH, ABSOLUTE, INVERSE, SELU), computed by neataptic's
formulas so that a network saved by neataptic runs the same, and LEAKY_RELU,
ELU, SOFTPLUS, SILU and SOFTMAX. Every derivative is the exact derivative of
the function, with these conventions where there is none:

* HLIM: 1 everywhere (synaptic.js's straight-through estimate);
* STEP and BIPOLAR: 0 everywhere (neataptic's: the true derivative off 0);
* at a kink, the derivative of one side, as neataptic: RELU and LEAKY_RELU
  take the left one at 0, ABSOLUTE the right one (1), HARD_TANH 0 at -1 and 1.

Where neataptic's derivative is wrong, synapse's is exact: neataptic's
SOFTSIGN derivative is x / (1 + |x|)^2; the derivative is 1 / (1 + |x|)^2.

Any callable with this signature may serve as a neuron's squash; the compiled
engine calls it with arrays, so a user function should accept them too.

>>> from synapse import squash
>>> float(squash.LOGISTIC(0.0)), float(squash.LOGISTIC(0.0, derivate=True))
(0.5, 0.25)
>>> float(squash.SELU(-1.0)), float(squash.SOFTPLUS(0.0))
(-1.1113307378125625, 0.6931471805599453)
"""
from __future__ import annotations

import numpy as np

__all__ = ["LOGISTIC", "TANH", "IDENTITY", "HLIM", "RELU", "LEAKY_RELU", "ELU", "SELU",
           "SOFTPLUS", "SOFTSIGN", "SILU", "SINUSOID", "GAUSSIAN", "BENT_IDENTITY", "BIPOLAR",
           "BIPOLAR_SIGMOID", "HARD_TANH", "ABSOLUTE", "INVERSE", "STEP", "SOFTMAX", "BY_NAME",
           "NEATAPTIC_NAMES", "ELEMENTWISE", "name_of"]

_MAX = float(np.finfo(float).max)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) from e^-|x|: never overflows (an array, not squeezed)."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def LOGISTIC(x, derivate: bool = False):
    """1 / (1 + e^-x), computed from e^-|x| so that it never overflows."""
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    fx = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return (fx * (1.0 - fx))[()] if derivate else fx[()]


def TANH(x, derivate: bool = False):
    """tanh(x); derivative 1 - tanh(x)^2."""
    fx = np.tanh(np.asarray(x, dtype=float))
    return (1.0 - fx * fx)[()] if derivate else fx[()]


def IDENTITY(x, derivate: bool = False):
    """x; derivative 1."""
    x = np.asarray(x, dtype=float)
    return np.ones_like(x)[()] if derivate else x[()]


def HLIM(x, derivate: bool = False):
    """Hard limit: 1 where x > 0, else 0. Its derivative is taken as 1 (as in
    synaptic.js: a straight-through estimate, since the true one is 0)."""
    x = np.asarray(x, dtype=float)
    return np.ones_like(x)[()] if derivate else (x > 0).astype(float)[()]


def RELU(x, derivate: bool = False):
    """max(x, 0); derivative 1 where x > 0, else 0."""
    x = np.asarray(x, dtype=float)
    return (x > 0).astype(float)[()] if derivate else np.where(x > 0, x, 0.0)[()]


LEAKY_SLOPE = 0.01  # LEAKY_RELU's slope below 0
SELU_ALPHA = 1.6732632423543772848170429916717  # Klambauer et al. 2017, as neataptic
SELU_SCALE = 1.0507009873554804934193349852946


def LEAKY_RELU(x, derivate: bool = False):
    """x where x > 0, else 0.01 x; derivative 1 where x > 0, else 0.01."""
    x = np.asarray(x, dtype=float)
    if derivate:
        return np.where(x > 0, 1.0, LEAKY_SLOPE)[()]
    return np.where(x > 0, x, LEAKY_SLOPE * x)[()]


def ELU(x, derivate: bool = False):
    """x where x > 0, else e^x - 1 (alpha 1); derivative 1 where x > 0, else e^x."""
    x = np.asarray(x, dtype=float)
    below = np.minimum(x, 0.0)
    if derivate:
        return np.where(x > 0, 1.0, np.exp(below))[()]
    return np.where(x > 0, x, np.expm1(below))[()]


def SELU(x, derivate: bool = False):
    """scale * (x where x > 0, else alpha (e^x - 1)), with neataptic's (and
    Klambauer et al.'s) alpha = 1.67326..., scale = 1.05070...; derivative
    scale where x > 0, else scale alpha e^x. Above the float range (x > 1.7e308
    / 1.05) the value is the largest float."""
    x = np.asarray(x, dtype=float)
    below = np.minimum(x, 0.0)
    if derivate:
        return np.where(x > 0, SELU_SCALE, SELU_SCALE * SELU_ALPHA * np.exp(below))[()]
    with np.errstate(over="ignore"):
        y = SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(below))
    return np.minimum(y, _MAX)[()]


def SOFTPLUS(x, derivate: bool = False):
    """log(1 + e^x), as max(x, 0) + log(1 + e^-|x|) (never overflows); derivative
    the logistic function."""
    x = np.asarray(x, dtype=float)
    if derivate:
        return _sigmoid(x)[()]
    return (np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x))))[()]


def SOFTSIGN(x, derivate: bool = False):
    """x / (1 + |x|); derivative 1 / (1 + |x|)^2 (neataptic's, x / (1 + |x|)^2,
    is not the derivative)."""
    x = np.asarray(x, dtype=float)
    r = 1.0 / (1.0 + np.abs(x))
    return (r * r)[()] if derivate else (x * r)[()]


def SILU(x, derivate: bool = False):
    """x * logistic(x) (also called swish); derivative s (1 + x (1 - s)) with
    s = logistic(x) and 1 - s computed as logistic(-x)."""
    x = np.asarray(x, dtype=float)
    s = _sigmoid(x)
    if derivate:
        return (s * (1.0 + x * _sigmoid(-x)))[()]
    return (x * s)[()]


def SINUSOID(x, derivate: bool = False):
    """sin(x); derivative cos(x)."""
    x = np.asarray(x, dtype=float)
    return np.cos(x)[()] if derivate else np.sin(x)[()]


def GAUSSIAN(x, derivate: bool = False):
    """e^(-x^2); derivative -2 x e^(-x^2). (Computed from x clipped to [-40, 40],
    where both already are 0, so that x^2 never overflows.)"""
    x = np.clip(np.asarray(x, dtype=float), -40.0, 40.0)
    e = np.exp(-x * x)
    return (-2.0 * x * e)[()] if derivate else e[()]


def BENT_IDENTITY(x, derivate: bool = False):
    """(sqrt(x^2 + 1) - 1) / 2 + x; derivative x / (2 sqrt(x^2 + 1)) + 1. The root
    is ``hypot(x, 1)``, so x^2 never overflows, and sqrt(x^2 + 1) - 1 is
    computed as x (x / (sqrt(x^2 + 1) + 1)), which keeps its precision for small
    x; above about 1.2e308 the value is the largest float."""
    x = np.asarray(x, dtype=float)
    h = np.hypot(x, 1.0)
    if derivate:
        return (0.5 * (x / h) + 1.0)[()]
    with np.errstate(over="ignore"):
        y = 0.5 * (x * (x / (h + 1.0))) + x
    return np.minimum(y, _MAX)[()]


def BIPOLAR(x, derivate: bool = False):
    """1 where x > 0, else -1; derivative 0 (neataptic's: the true one off 0, so
    nothing learns through it)."""
    x = np.asarray(x, dtype=float)
    return np.zeros_like(x)[()] if derivate else np.where(x > 0, 1.0, -1.0)[()]


def BIPOLAR_SIGMOID(x, derivate: bool = False):
    """2 / (1 + e^-x) - 1, computed as tanh(x / 2); derivative (1 + y)(1 - y) / 2,
    computed as 2 e / (1 + e)^2 with e = e^-|x| so that it keeps its precision
    where y is near -1 or 1."""
    x = np.asarray(x, dtype=float)
    if derivate:
        e = np.exp(-np.abs(x))
        return (2.0 * e / ((1.0 + e) * (1.0 + e)))[()]
    return np.tanh(0.5 * x)[()]


def HARD_TANH(x, derivate: bool = False):
    """x clipped to [-1, 1]; derivative 1 where -1 < x < 1, else 0."""
    x = np.asarray(x, dtype=float)
    if derivate:
        return ((x > -1.0) & (x < 1.0)).astype(float)[()]
    return np.clip(x, -1.0, 1.0)[()]


def ABSOLUTE(x, derivate: bool = False):
    """|x|; derivative -1 where x < 0, else 1 (1 at 0, as neataptic)."""
    x = np.asarray(x, dtype=float)
    return np.where(x < 0, -1.0, 1.0)[()] if derivate else np.abs(x)[()]


def INVERSE(x, derivate: bool = False):
    """1 - x; derivative -1."""
    x = np.asarray(x, dtype=float)
    return np.full_like(x, -1.0)[()] if derivate else (1.0 - x)[()]


def STEP(x, derivate: bool = False):
    """1 where x > 0, else 0; derivative 0 (neataptic's; HLIM is the same function
    with synaptic.js's derivative 1)."""
    x = np.asarray(x, dtype=float)
    return np.zeros_like(x)[()] if derivate else (x > 0).astype(float)[()]


def SOFTMAX(x, derivate: bool = False, axis=None):
    """e^x / sum(e^x) over the whole array (or along ``axis``), computed from
    x - max(x) so that it never overflows; for a single number, 1.

    The units of a layer that share this squash form one group: the engines
    give it the group's states. ``derivate=True`` returns y (1 - y), the
    diagonal of the Jacobian dy_i/dx_j = y_i (delta_ij - y_j); the engines use
    the full Jacobian for a group.

    >>> from synapse import squash
    >>> squash.SOFTMAX([1.0, 1.0]).tolist(), squash.SOFTMAX([0.0, 1e308]).tolist()
    ([0.5, 0.5], [0.0, 1.0])
    >>> squash.SOFTMAX([1.0, 1.0], derivate=True).tolist()
    [0.25, 0.25]
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 0 or x.size == 0:
        y = np.ones_like(x)
    else:
        top = np.max(x, axis=axis, keepdims=True)
        with np.errstate(over="ignore"):  # -inf only where the exponential is 0 anyway
            z = x - top
        e = np.exp(z)
        y = e / np.sum(e, axis=axis, keepdims=True)
    return (y * (1.0 - y))[()] if derivate else y[()]


#: The names synapse's JSON uses (synaptic.js's five first), and the functions
#: they stand for: each is the attribute's name.
BY_NAME = {"LOGISTIC": LOGISTIC, "TANH": TANH, "IDENTITY": IDENTITY, "HLIM": HLIM, "RELU": RELU,
           "LEAKY_RELU": LEAKY_RELU, "ELU": ELU, "SELU": SELU, "SOFTPLUS": SOFTPLUS,
           "SOFTSIGN": SOFTSIGN, "SILU": SILU, "SINUSOID": SINUSOID, "GAUSSIAN": GAUSSIAN,
           "BENT_IDENTITY": BENT_IDENTITY, "BIPOLAR": BIPOLAR, "BIPOLAR_SIGMOID": BIPOLAR_SIGMOID,
           "HARD_TANH": HARD_TANH, "ABSOLUTE": ABSOLUTE, "INVERSE": INVERSE, "STEP": STEP,
           "SOFTMAX": SOFTMAX}

#: Every squash name neataptic (1.4.7, ``methods.activation``) writes in its JSON,
#: and the function it stands for here. Each name is also synapse's own; neataptic
#: has no HLIM (its STEP is the same function with derivative 0), LEAKY_RELU, ELU,
#: SOFTPLUS, SILU or SOFTMAX.
NEATAPTIC_NAMES = {name: BY_NAME[name] for name in (
    "LOGISTIC", "TANH", "IDENTITY", "STEP", "RELU", "SOFTSIGN", "SINUSOID", "GAUSSIAN",
    "BENT_IDENTITY", "BIPOLAR", "BIPOLAR_SIGMOID", "HARD_TANH", "ABSOLUTE", "INVERSE", "SELU")}

#: The built-ins that act on each number alone (every one but SOFTMAX).
ELEMENTWISE = {name: f for name, f in BY_NAME.items() if f is not SOFTMAX}


def name_of(f) -> str:
    """The JSON name of a squash function: a built-in's name, else ``f.__name__``."""
    for name, g in BY_NAME.items():
        if f is g:
            return name
    return getattr(f, "__name__", repr(f))
