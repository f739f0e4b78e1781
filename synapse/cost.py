"""Cost functions: ``C(target, output, derivate=False)``.

Each returns the cost of one output vector against its target, or with
``derivate=True`` the vector dC/dy of its exact derivative with respect to the
outputs (used by ``Network.propagate(..., cost=...)``). The costs are
synaptic.js's: MSE is the mean of squared errors, CROSS_ENTROPY the summed
binary cross-entropy, BINARY the number of outputs that round to the wrong half.
The others: CATEGORICAL_CROSS_ENTROPY (for SOFTMAX outputs), MAE, MSLE and
HINGE (neataptic's names; MSLE is the usual one, not neataptic's, see there).

>>> from synapse import cost
>>> cost.MSE([1, 0], [0.5, 0.5])
0.25
>>> cost.MSE([1, 0], [0.5, 0.5], derivate=True).tolist()
[-0.5, 0.5]
"""
from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from ._check import came

__all__ = ["MSE", "CROSS_ENTROPY", "BINARY", "CATEGORICAL_CROSS_ENTROPY", "MAE", "MSLE", "HINGE"]

EPS = 1e-15  # keeps the logarithms finite (the JIT reads it too)


def _pair(target, output):
    t = np.asarray(target, dtype=float)
    y = np.asarray(output, dtype=float)
    if t.shape != y.shape:
        raise ValueError(f"target and output must have the same shape, got {t.shape} and {y.shape}")
    return t, y


def MSE(target, output, derivate: bool = False):
    """Mean squared error, mean over the outputs of (t - y)^2."""
    t, y = _pair(target, output)
    if derivate:
        return -2.0 * (t - y) / max(t.size, 1)
    return float(np.mean((t - y) ** 2)) if t.size else 0.0


def CROSS_ENTROPY(target, output, derivate: bool = False):
    """-sum(t log(y + eps) + (1 - t) log(1 + eps - y)), eps = 1e-15.

    Outputs are clipped to [0, 1] first, so the cost stays finite for outputs of
    any squash; outside [0, 1] it is flat, and its derivative there is 0."""
    t, raw = _pair(target, output)
    y = np.clip(raw, 0.0, 1.0)
    if derivate:
        d = -t / (y + EPS) + (1.0 - t) / ((1.0 + EPS) - y)
        return np.where((raw >= 0.0) & (raw <= 1.0), d, 0.0)
    return float(-np.sum(t * np.log(y + EPS) + (1.0 - t) * np.log((1.0 + EPS) - y)))


def BINARY(target, output, derivate: bool = False):
    """Number of outputs y with round(2y) != round(2t) (halves round up, as in JavaScript)."""
    t, y = _pair(target, output)
    if derivate:
        raise ValueError("cost.BINARY counts misses and has no gradient; "
                         "propagate with cost.MSE or cost.CROSS_ENTROPY instead")
    return float(np.sum(np.floor(t * 2 + 0.5) != np.floor(y * 2 + 0.5)))


def CATEGORICAL_CROSS_ENTROPY(target, output, derivate: bool = False):
    """-sum(t log(y + eps)), eps = 1e-15: the cross-entropy of a distribution of
    outputs (SOFTMAX's) against a target distribution (one-hot for classes).

    Outputs are clipped to [0, 1] first, as in CROSS_ENTROPY, so the cost stays
    finite for outputs of any squash; outside [0, 1] it is flat, and its
    derivative there is 0. Inside, the derivative is -t / (y + eps). With SOFTMAX
    outputs and targets that sum to 1, the derivative with respect to the
    outputs' states is y - t (to within eps), which the engines use.

    >>> from synapse import cost
    >>> round(cost.CATEGORICAL_CROSS_ENTROPY([0, 1, 0], [0.2, 0.5, 0.3]), 12)
    0.69314718056
    >>> cost.CATEGORICAL_CROSS_ENTROPY([0, 1], [0.5, 0.5], derivate=True).round(9).tolist()
    [-0.0, -2.0]
    """
    t, raw = _pair(target, output)
    y = np.clip(raw, 0.0, 1.0)
    if derivate:
        return np.where((raw >= 0.0) & (raw <= 1.0), -t / (y + EPS), 0.0)
    return float(-np.sum(t * np.log(y + EPS)))


def MAE(target, output, derivate: bool = False):
    """Mean absolute error, mean over the outputs of |t - y|; derivative
    -sign(t - y) / n (0 where y = t).

    >>> from synapse import cost
    >>> cost.MAE([1, 0], [0.5, 0.25]), cost.MAE([1, 0], [0.5, 0.25], derivate=True).tolist()
    (0.375, [-0.5, 0.5])
    """
    t, y = _pair(target, output)
    if derivate:
        return -np.sign(t - y) / max(t.size, 1)
    return float(np.mean(np.abs(t - y))) if t.size else 0.0


MSLE_FLOOR = -1.0 + EPS  # MSLE's outputs are raised to this: log(1 + y) stays finite


def MSLE(target, output, derivate: bool = False):
    """Mean squared logarithmic error, mean over the outputs of
    (log(1 + t) - log(1 + y))^2; derivative -2 (log(1 + t) - log(1 + y)) / (n (1 + y)).

    Domain: targets must be above -1 (ValueError otherwise). Outputs at or
    below -1 are raised to -1 + 1e-15 first, so the cost stays finite; below
    that it is flat, and its derivative there is 0. (neataptic's MSLE is
    another function: the plain sum of log(max(t, 1e-15)) - log(max(y, 1e-15)),
    neither squared nor averaged, which can be negative.)

    >>> from synapse import cost
    >>> import math
    >>> cost.MSLE([math.e - 1], [0.0])
    1.0
    """
    t, raw = _pair(target, output)
    if t.size and not np.all(t > -1.0):
        raise ValueError(f"MSLE needs targets above -1, got {t[~(t > -1.0)][0]!r}")
    y = np.maximum(raw, MSLE_FLOOR)
    r = np.log1p(t) - np.log1p(y)
    if derivate:
        return np.where(raw >= MSLE_FLOOR, -2.0 * r / (max(t.size, 1) * (1.0 + y)), 0.0)
    return float(np.mean(r * r)) if t.size else 0.0


def HINGE(target, output, derivate: bool = False):
    """Hinge loss, sum over the outputs of max(0, 1 - t y), as neataptic's HINGE
    (a sum, not a mean); derivative -t where t y < 1, else 0 (0 at the kink).

    The targets are classes as -1 and 1 (outputs of TANH or the like); a
    target of 0 contributes a constant 1 and no gradient.

    >>> from synapse import cost
    >>> cost.HINGE([1, -1, 1], [0.5, -2.0, -1.0])
    2.5
    >>> cost.HINGE([1, -1, 1], [0.5, -2.0, -1.0], derivate=True).tolist()
    [-1.0, 0.0, -1.0]
    """
    t, y = _pair(target, output)
    margin = 1.0 - t * y
    if derivate:
        return np.where(margin > 0.0, -t, 0.0)
    return float(np.sum(np.maximum(margin, 0.0)))


# ---------------------------------------------------------------- over a set
_MEANS = (MSE, MAE, MSLE)
_SUMS = (CROSS_ENTROPY, BINARY, CATEGORICAL_CROSS_ENTROPY, HINGE)


def set_error(cost: Callable, targets: np.ndarray, outputs: np.ndarray) -> float:
    """The mean over the rows of ``cost(targets[i], outputs[i])``.

    The built-in costs take all rows in one call: the mean over every entry
    (MSE, MAE, MSLE) is the mean of the rows' means, and the sum over every
    entry (CROSS_ENTROPY, BINARY, CATEGORICAL_CROSS_ENTROPY, HINGE), divided by
    the rows, is the mean of the rows' sums. Any other cost is called row by
    row.

    >>> import numpy as np
    >>> set_error(MSE, np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]]))
    0.25
    """
    T = np.asarray(targets, dtype=float)
    Y = np.asarray(outputs, dtype=float)
    if cost in _MEANS:
        return cost(T, Y)
    if cost in _SUMS:
        return cost(T, Y) / len(T)
    return float(np.mean([cost_value(cost, t, y) for t, y in zip(T, Y)]))


def cost_value(cost: Callable, target, output) -> float:
    """``cost(target, output)`` as a float; a TypeError if it returns no number."""
    value = cost(target, output)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"cost must return a number, got {came(value)}")
    return float(value)
