"""What every path shares: the engine contract, the outputs' error, and the
loops a path without compiled loops runs in Python.

Three paths compute one definition (docs/equations.md) on one layout: the
neuron objects (:mod:`.objects`), the numpy engine and the JIT. ``Network``
talks to whichever it uses through :class:`Engine` alone.
"""
from __future__ import annotations

from typing import Protocol

import numpy as np

from .. import cost as _cost
from ..store import Layout

#: The costs whose gradient engines compute without calling back (no checks needed).
BUILT_IN = (None, _cost.MSE, _cost.CROSS_ENTROPY)


class Engine(Protocol):
    """The contract of a path. ``target`` and ``x`` are checked float arrays."""

    name: str
    layout: Layout

    def activate(self, x: np.ndarray) -> np.ndarray:
        """One time step (eqs. 14-18); returns a fresh array of the outputs."""

    def learn(self, rate: float, target: np.ndarray, cost) -> None:
        """Responsibilities towards target (eqs. 10, 19-23), then a step at rate (eq. 24)."""

    def backward(self, target: np.ndarray, cost) -> None:
        """Responsibilities, then the error's gradient added into ``layout.grad``."""

    def run(self, X: np.ndarray, Y: np.ndarray | None, rates: np.ndarray, cost) -> np.ndarray:
        """Each row of X in turn: activate, then (with Y) learn at rates[i]."""

    def train(self, X, Y, orders, rates, cost, error_cost, target_error):
        """Whole passes in one call, or None when this path has no such loop."""

    def clear(self) -> None:
        """States, activations, traces, responsibilities and gains to 0."""


def output_errors(layout: Layout, target: np.ndarray, cost) -> np.ndarray:
    """The direct error term of each output: t - y (eq. 10), or -dC/dy f'(s)."""
    out = layout.structure.outputs
    y = layout.units.act[out]
    if cost is None:
        return target - y  # eq. 10
    if cost in BUILT_IN:  # ours: no need to check what it returns
        return -cost(target, y, derivate=True) * layout.units.deriv[out]
    if not callable(cost):
        raise TypeError(f"cost must be a callable C(target, output, derivate=False), got "
                        f"{type(cost).__name__}")
    try:
        dc = np.asarray(cost(target, y, derivate=True), dtype=float)
    except TypeError:
        raise TypeError("cost must accept derivate=True and return dC/dy "
                        "to be used for learning") from None
    if dc.shape != y.shape or not np.all(np.isfinite(dc)):
        raise ValueError(f"cost derivative must be {y.size} finite numbers, got {dc!r}")
    return -dc * layout.units.deriv[out]


class PythonLoops:
    """``learn``, ``backward``, ``run`` and ``train`` for a path that steps one
    row at a time from Python, given its ``activate``, ``propagate(rate, errors)``
    and ``accumulate_gradient(errors)``."""

    layout: Layout

    def activate(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def propagate(self, rate: float, errors: np.ndarray) -> None:
        raise NotImplementedError

    def accumulate_gradient(self, errors: np.ndarray) -> None:
        raise NotImplementedError

    def learn(self, rate: float, target: np.ndarray, cost) -> None:
        self.propagate(rate, output_errors(self.layout, target, cost))

    def backward(self, target: np.ndarray, cost) -> None:
        self.accumulate_gradient(output_errors(self.layout, target, cost))

    def run(self, X: np.ndarray, Y: np.ndarray | None, rates: np.ndarray, cost) -> np.ndarray:
        out = np.empty((X.shape[0], len(self.layout.units.act[self.layout.structure.outputs])))
        for i in range(X.shape[0]):
            out[i] = self.activate(X[i])
            if Y is not None:
                self.learn(float(rates[i]), Y[i], cost)
        return out

    def train(self, X, Y, orders, rates, cost, error_cost, target_error):
        return None
