"""Squash (activation) functions.

Each is ``f(x, derivate=False)``: the activation ``f(x)``, or its derivative
``f'(x)`` when ``derivate`` is true. ``x`` may be a float or a numpy array; the
result has the same shape. Every function is finite for every finite input
(``LOGISTIC(-1e308)`` is 0, not an ``OverflowError``).

Any callable with this signature may serve as a neuron's squash; the compiled
engine calls it with arrays, so a user function should accept them too.

>>> from synapse import squash
>>> float(squash.LOGISTIC(0.0)), float(squash.LOGISTIC(0.0, derivate=True))
(0.5, 0.25)
"""
from __future__ import annotations

import numpy as np

__all__ = ["LOGISTIC", "TANH", "IDENTITY", "HLIM", "RELU", "SOFTMAX", "BY_NAME", "name_of"]


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


def SOFTMAX(x, derivate: bool = False):
    """e^x_j / sum_i e^x_i over the neurons of one layer that share it.

    Given an array, the softmax over the whole array (computed from x - max(x),
    so it never overflows); given one number, 1. ``derivate`` gives the
    diagonal of the Jacobian, y_j (1 - y_j): the engines apply the full
    Jacobian dy_i/ds_j = y_i (delta_ij - y_j) to a layer's group (see
    docs/equations.md). A SOFTMAX unit cannot gate, and its layer's SOFTMAX
    units must be neighbours that do not read each other within a step.
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(over="ignore"):  # x - max(x) below -max float is -inf: e^-inf = 0
        e = np.exp(x - (x.max() if x.size else 0.0))
    y = e / e.sum()
    return (y * (1.0 - y))[()] if derivate else y[()]


#: The names synaptic.js's JSON uses, and the functions they stand for.
BY_NAME = {"LOGISTIC": LOGISTIC, "TANH": TANH, "IDENTITY": IDENTITY, "HLIM": HLIM, "RELU": RELU,
           "SOFTMAX": SOFTMAX}


def name_of(f) -> str:
    """The JSON name of a squash function: a built-in's name, else ``f.__name__``."""
    for name, g in BY_NAME.items():
        if f is g:
            return name
    return getattr(f, "__name__", repr(f))
