"""What every path shares: the engine contract, the outputs' error, and the
loops a path without compiled loops runs in Python.

Three paths compute one definition (docs/equations.md) on one layout: the
neuron objects (:mod:`.objects`), the numpy engine and the JIT. ``Network``
talks to whichever it uses through :class:`Engine` alone.
"""
from __future__ import annotations

import functools
from typing import Callable, Protocol

import numpy as np

from .. import cost as _cost
from ..store import Layout

#: The costs whose gradient engines compute without calling back (no checks needed).
BUILT_IN = (None, _cost.MSE, _cost.CROSS_ENTROPY, _cost.CATEGORICAL_CROSS_ENTROPY)


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

    def predict(self, X: np.ndarray) -> np.ndarray:
        """One step of a copy of the state for each row of X; the state stays."""

    def run_batch(self, X: np.ndarray, Y: np.ndarray | None, rates: np.ndarray,
                  cost) -> np.ndarray:
        """B independent streams in lockstep, from copies of the state."""

    def bptt(self, S: np.ndarray, X: np.ndarray, Y: np.ndarray, cost, D: np.ndarray,
             scale: float) -> np.ndarray:
        """Backpropagation through time over a window, for the streams of S."""

    def fit(self, X, Y, orders, rates, cost, error_cost, target_error, batch, opt, clip):
        """Passes with mini-batches and an optimizer in one call, or None."""


def quiet(method):
    """Run a numpy path's step without numpy's RuntimeWarnings: a network that
    diverges says so once, as a DivergenceError from the Trainer (or a non-finite
    number the caller sees), not as a stream of overflow warnings."""
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with np.errstate(all="ignore"):
            return method(*args, **kwargs)
    return wrapper


def errors_of(y: np.ndarray, deriv: np.ndarray, target: np.ndarray, cost,
              groups: tuple = ()) -> np.ndarray:
    """The direct error term of outputs y (derivatives deriv) against target:
    t - y (eq. 10), or minus the cost's gradient with respect to each output's
    state: -dC/dy f'(s), and through the Jacobian y_i (delta_ij - y_j) for the
    outputs of a SOFTMAX group (``groups``: (lo, hi) ranges of the outputs).
    A NaN target means "no target here": that output contributes nothing."""
    missing = np.isnan(target)
    if missing.any():
        target = np.where(missing, 0.0, target)
    if cost is None:
        errors = target - y  # eq. 10
        if missing.any():
            errors[missing] = 0.0
        return errors
    if cost in BUILT_IN:  # ours: no need to check what it returns
        dc = cost(target, y, derivate=True)
    else:
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
    if missing.any():
        dc = np.where(missing, 0.0, dc)
    errors = -dc * deriv
    for lo, hi in groups:
        yg, dg = y[lo:hi], dc[lo:hi]
        errors[lo:hi] = -yg * (dg - float(yg @ dg))
    return errors


def output_groups(layout: Layout) -> tuple:
    """The SOFTMAX groups among the outputs, as (lo, hi) ranges of the output vector."""
    out = layout.structure.outputs
    return tuple((lo - out.start, hi - out.start) for lo, hi in layout.structure.softmax
                 if lo >= out.start)


def output_errors(layout: Layout, target: np.ndarray, cost) -> np.ndarray:
    """The outputs' direct error terms for the network's own stream."""
    out = layout.structure.outputs
    return errors_of(layout.units.act[out], layout.units.deriv[out], target, cost,
                     output_groups(layout))


def stream_errors(layout: Layout, S: np.ndarray, Y: np.ndarray, cost) -> np.ndarray:
    """The outputs' direct error terms of every stream (rows of S), (streams, outputs)."""
    out = layout.structure.outputs
    R = layout.rows
    d = S[:, R.deriv + out.start:R.deriv + out.stop]
    return rows_errors(stream_outputs(layout, S), d, Y, cost, output_groups(layout))


def rows_errors(y: np.ndarray, d: np.ndarray, Y: np.ndarray, cost, groups: tuple) -> np.ndarray:
    """The direct error terms of rows of outputs ``y`` (derivatives ``d``)
    towards the rows of ``Y``: t - y (eq. 10), or the cost's gradient, which
    sees one row at a time, as on every path."""
    if cost is None and not np.isnan(Y).any():
        return Y - y
    return np.array([errors_of(y[b], d[b], Y[b], cost, groups) for b in range(len(y))])


class PythonLoops:
    """What a path builds from a few primitives: ``learn``, ``backward``, ``run``,
    ``train``, and the many-stream calls ``predict`` and ``run_batch``, given its
    ``activate``, ``propagate(rate, errors)``, ``accumulate_gradient(errors)``,
    ``streams(S, X)`` (one step of every row of a state arena) and
    ``stream_gradient(S, Y, cost, D)`` (their gradients, summed, added into D)."""

    layout: Layout

    def activate(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def propagate(self, rate: float, errors: np.ndarray) -> None:
        raise NotImplementedError

    def accumulate_gradient(self, errors: np.ndarray) -> None:
        raise NotImplementedError

    def streams(self, S: np.ndarray, X: np.ndarray) -> None:
        raise NotImplementedError

    def stream_gradient(self, S: np.ndarray, Y: np.ndarray, cost, D: np.ndarray) -> None:
        raise NotImplementedError

    def learn(self, rate: float, target: np.ndarray, cost) -> None:
        self.propagate(rate, output_errors(self.layout, target, cost))

    def backward(self, target: np.ndarray, cost) -> None:
        self.accumulate_gradient(output_errors(self.layout, target, cost))

    def run(self, X: np.ndarray, Y: np.ndarray | None, rates: np.ndarray, cost) -> np.ndarray:
        out = np.empty((X.shape[0], len(self.layout.units.act[self.layout.structure.outputs])))
        for i in range(X.shape[0]):
            out[i] = self.activate(X[i])
            if Y is not None and rates[i] != 0:
                self.learn(float(rates[i]), Y[i], cost)
        return out

    def train(self, X, Y, orders, rates, cost, error_cost, target_error):
        return None

    def fit(self, X, Y, orders, rates, cost, error_cost, target_error, batch, opt, clip):
        """Passes with mini-batches and an optimizer in one call, or None when this
        path has no such loop (the Trainer then loops in Python)."""
        return None

    def predict(self, X: np.ndarray) -> np.ndarray:
        """One step of a copy of the network's state for each row of X; the
        network's own state is left as it was. Returns (rows, outputs)."""
        S = np.repeat(self.layout.S, len(X), axis=0)
        self.streams(S, X)
        return stream_outputs(self.layout, S).copy()

    def run_batch(self, X: np.ndarray, Y: np.ndarray | None, rates: np.ndarray,
                  cost) -> np.ndarray:
        """B independent streams (X: streams x steps x inputs), each starting from a
        copy of the network's state, in lockstep; with Y, after each step the
        parameters take a plain step at rates[t] along the streams' mean gradient.
        The network's own state is left as it was. Returns (streams, steps, outputs)."""
        return run_streams(self, X, Y, rates, cost)


def stream_outputs(layout: Layout, S: np.ndarray) -> np.ndarray:
    """The outputs' activations of every stream (rows of S): a view, (streams, outputs)."""
    out, a = layout.structure.outputs, layout.rows.act
    return S[:, a + out.start:a + out.stop]


def run_streams(engine, X: np.ndarray, Y: np.ndarray | None, rates: np.ndarray, cost,
                first: Callable[[np.ndarray, np.ndarray], None] | None = None) -> np.ndarray:
    """``run_batch`` on ``engine`` (its ``streams`` and ``stream_gradient``);
    ``first(S, X0)``, when given, steps the first time step instead."""
    L = engine.layout
    B, T = X.shape[:2]
    S = np.repeat(L.S, B, axis=0)
    out_units = L.structure.outputs
    out = np.empty((B, T, out_units.stop - out_units.start))
    scratch = np.zeros(L.n_params)
    for t in range(T):
        (first if t == 0 and first is not None else engine.streams)(S, X[:, t])
        out[:, t] = stream_outputs(L, S)
        if Y is not None and rates[t] != 0:
            scratch[:] = 0.0
            engine.stream_gradient(S, Y[:, t], cost, scratch)
            L.V[:L.n_params] -= (rates[t] / B) * scratch
    return out
