"""Cost functions: ``C(target, output, derivate=False)``.

Each returns the cost of one output vector against its target, or with
``derivate=True`` the vector dC/dy of its exact derivative with respect to the
outputs (used by ``Network.propagate(..., cost=...)``). The costs are
synaptic.js's: MSE is the mean of squared errors, CROSS_ENTROPY the summed
binary cross-entropy, BINARY the number of outputs that round to the wrong half.

>>> from synapse import cost
>>> cost.MSE([1, 0], [0.5, 0.5])
0.25
>>> cost.MSE([1, 0], [0.5, 0.5], derivate=True).tolist()
[-0.5, 0.5]
"""
from __future__ import annotations

import numpy as np

__all__ = ["MSE", "CROSS_ENTROPY", "BINARY"]

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
