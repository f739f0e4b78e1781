"""Training on a list of sequences (:meth:`Trainer.train_sequences
<synapse.trainer.Trainer.train_sequences>`): the set as arrays, the two
learning rules (LSTM-g online, backpropagation through time), mini-batches of
sequences stepped in lockstep, and the loop with its history, Ctrl-C and
divergence, shared with :meth:`Trainer.train` through :mod:`synapse._training`."""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from . import _check, rng
from . import cost as _cost
from ._training import (
    Bar,
    FitOptions,
    Keeper,
    average_and_clip,
    divergence,
    interrupted,
    rate_at,
)
from .cost import cost_value
from .engine.base import stream_outputs

#: The learning rules of ``train_sequences``, and a few words on each.
LEARNING = {"lstm-g": "LSTM-g's online gradient, a step at every step with a target",
            "bptt": "backpropagation through time, a step per batch (or window)"}

#: What one iteration of ``train_sequences`` is, for its messages.
ITERATION = "pass over the sequences"
PASS = "pass"


@dataclass(frozen=True)
class SequenceOptions:
    """The options of one ``train_sequences``, checked."""

    fit: FitOptions   #: rate, iterations, error, shuffle, costs, optimizer, batch, clip...
    learning: str     #: "lstm-g" or "bptt"
    window: int       #: steps per truncated window of BPTT (0: the whole sequence)


# ---------------------------------------------------------------- the set
def _part(x, width: int, what: str, targets: bool) -> np.ndarray:
    """One sequence's inputs (finite) or targets (finite or NaN), as (T, width)."""
    arr = _check.array(x, what)
    if arr.ndim == 1 and width == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != width:
        raise ValueError(f"{what} must have shape (T, {width}), got {arr.shape}")
    if len(arr) == 0:
        raise ValueError(f"{what} is empty: a sequence needs at least one step")
    if targets:
        if np.isinf(arr).any():
            raise ValueError(f"{what} must be finite numbers or NaN (no target), got inf")
    else:
        _check.finite(arr, what)
    return np.ascontiguousarray(arr)


def sequence_set(data, n_in: int, n_out: int, what: str = "sequences") -> list:
    """``data`` as a list of (X, Y) float arrays, X (T, n_in) finite and Y
    (T, n_out) finite or NaN, T >= 1 per sequence (lengths may differ).

    Each element is a dict ``{"input": X, "output": Y}`` or a pair ``(X, Y)``;
    with one input (or output) unit, X (or Y) may be 1-D. At least one target
    must be present somewhere. Nothing of ``data`` is modified."""
    if not isinstance(data, (list, tuple)):
        raise TypeError(f"{what} must be a list of {{'input': X, 'output': Y}} dicts or "
                        f"(X, Y) pairs of 2-D arrays, got {_check.came(data)}")
    if len(data) == 0:
        raise ValueError(f"{what} is empty")
    out = []
    for i, item in enumerate(data):
        where = f"{what}[{i}]"
        if isinstance(item, dict):
            _check.keys(item, where, ("input", "output"))
            x, y = item["input"], item["output"]
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            x, y = item
        else:
            raise TypeError(f"{where} must be a dict {{'input': X, 'output': Y}} or a pair "
                            f"(X, Y), got {_check.came(item)}")
        X = _part(x, n_in, f"{where} input", targets=False)
        Y = _part(y, n_out, f"{where} output", targets=True)
        if len(X) != len(Y):
            raise ValueError(f"{where} has {len(X)} input steps but {len(Y)} output steps")
        out.append((X, Y))
    if all(np.isnan(Y).all() for _, Y in out):
        raise ValueError(f"{what} hold no target at all (every output is NaN)")
    return out


def _padded(batch: list) -> tuple[np.ndarray, np.ndarray]:
    """The sequences of a batch as (B, T, n) arrays, T the longest: shorter ones
    end in inputs 0 and targets NaN, which add nothing to any gradient."""
    T = max(len(X) for X, _ in batch)
    X3 = np.zeros((len(batch), T, batch[0][0].shape[1]))
    Y3 = np.full((len(batch), T, batch[0][1].shape[1]), np.nan)
    for b, (X, Y) in enumerate(batch):
        X3[b, :len(X)] = X
        Y3[b, :len(Y)] = Y
    return X3, Y3


# ---------------------------------------------------------------- the error
def target_errors(cost, Y: np.ndarray, out: np.ndarray) -> tuple[float, int]:
    """The summed cost over the steps that have a target, and their number.

    A step's cost is ``cost(t, y)`` over its outputs with a target (not NaN);
    ``Y`` and ``out``: (..., outputs)."""
    Y2, out2 = Y.reshape(-1, Y.shape[-1]), out.reshape(-1, out.shape[-1])
    present = ~np.isnan(Y2)
    n = present.sum(axis=1)
    rows = np.flatnonzero(n)
    if cost is _cost.MSE:
        sq = np.where(present, (np.where(present, Y2, 0.0) - out2) ** 2, 0.0)
        return float(np.sum(sq[rows].sum(axis=1) / n[rows])), len(rows)
    if cost in _cost._SUMS and present[rows].all():  # a sum over entries: one call
        return cost(Y2[rows], out2[rows]), len(rows)
    total = 0.0
    for r in rows:
        m = present[r]
        total += cost_value(cost, Y2[r, m], out2[r, m])
    return total, len(rows)


# ---------------------------------------------------------------- the steps
def _step(net, rate: float, o: SequenceOptions, B: int) -> None:
    """One step of the parameters along ``net.grad`` averaged over B sequences
    (clipped to norm ``clip``): the optimizer's, or a plain one at ``rate``."""
    g = net.grad
    f = o.fit
    with np.errstate(all="ignore"):  # a diverging step is a DivergenceError, not warnings
        average_and_clip(g, B, f.clip)
        if f.optimizer is None:
            net.parameters()[...] -= rate * g
        else:
            f.optimizer.lr = rate
            f.optimizer.step()


def _online(net, X: np.ndarray, Y: np.ndarray, rate: float, o: SequenceOptions) -> np.ndarray:
    """LSTM-g on one sequence, from clear(), stepping as activate + propagate
    would (the engine's own loop): a plain step at every step whose outputs
    all have a target, none where none has. (T, outputs)."""
    net.clear()
    has = ~np.isnan(Y[:, 0])
    rates = np.where(has, rate, 0.0)
    targets = np.where(np.isnan(Y), 0.0, Y)
    return net._path().run(X, targets, rates, o.fit.learn_cost)


def _lstm_g(net, X3: np.ndarray, Y3: np.ndarray, rate: float, o: SequenceOptions) -> np.ndarray:
    """LSTM-g on a batch of sequences stepped in lockstep, each from a cleared
    state: at each step where some sequence has a target, their gradients
    (NaN targets add nothing) are averaged over the batch and stepped."""
    L, path = net._compiled(), net._path()
    B, T = X3.shape[:2]
    S = L.fresh_state(B)
    outs = L.structure.outputs
    out = np.empty((B, T, outs.stop - outs.start))
    due = (~np.isnan(Y3)).any(axis=(0, 2))
    scratch = np.zeros(L.n_params)  # not grad itself: a path may use grad as its own scratch
    for t in range(T):
        path.streams(S, X3[:, t])
        out[:, t] = stream_outputs(L, S)
        if due[t]:
            scratch[:] = 0.0
            path.stream_gradient(S, np.ascontiguousarray(Y3[:, t]), o.fit.learn_cost, scratch)
            L.grad[...] = scratch
            _step(net, rate, o, B)
    return out


def _bptt(net, X3: np.ndarray, Y3: np.ndarray, rate: float, o: SequenceOptions) -> np.ndarray:
    """Backpropagation through time on a batch of sequences, each from a cleared
    state: the exact gradient of each window (the whole sequence when
    ``window`` is 0), summed over the batch's sequences, averaged and stepped
    once per window that holds a target."""
    L, path = net._compiled(), net._path()
    B, T = X3.shape[:2]
    W = o.window or T
    S = L.fresh_state(B)
    out = np.empty(Y3.shape)
    for t in range(0, T, W):
        Xw, Yw = np.ascontiguousarray(X3[:, t:t + W]), np.ascontiguousarray(Y3[:, t:t + W])
        net.zero_grad()
        out[:, t:t + W] = path.bptt(S, Xw, Yw, o.fit.learn_cost, L.grad, -1.0)
        if not np.isnan(Yw).all():
            _step(net, rate, o, B)
    return out


def _fast(o: SequenceOptions, Y: np.ndarray) -> bool:
    """Whether one sequence can run in the engine's own online loop: LSTM-g,
    plain steps, no clipping, and each step's targets all there or all NaN."""
    f = o.fit
    if o.learning != "lstm-g" or f.optimizer is not None or f.clip or f.batch != 1:
        return False
    missing = np.isnan(Y)
    return bool(np.all(missing.all(axis=1) | ~missing.any(axis=1)))


def one_pass(net, seqs: list, order: np.ndarray, rate: float, o: SequenceOptions) -> float:
    """The sequences in ``order``, batch by batch, learning; returns the mean
    cost over the steps with a target, each output taken before the step that
    learns from it."""
    total, count = 0.0, 0
    B = o.fit.batch
    for k in range(0, len(order), B):
        batch = [seqs[i] for i in order[k:k + B]]
        if len(batch) == 1 and _fast(o, batch[0][1]):
            X, Y = batch[0]
            out = _online(net, X, Y, rate, o)
        else:
            X, Y = _padded(batch)
            out = (_bptt if o.learning == "bptt" else _lstm_g)(net, X, Y, rate, o)
        s, c = target_errors(o.fit.cost, Y, out)
        total += s
        count += c
    return total / count


def _warm_up(net, seqs: list, o: SequenceOptions, keeper: Keeper) -> None:
    """Compile (or load from numba's cache) what the passes call, on one step of
    the first sequence at rate 0; then every number goes back (``keeper``)."""
    X, Y = seqs[0]
    first = Y[np.flatnonzero(~np.isnan(Y).all(axis=1))[:1]]  # a step with a target, if any
    Y1 = np.where(np.isnan(first), np.nan, 0.0) if len(first) else np.zeros((1, Y.shape[1]))
    one_pass(net, [(X[:1], Y1)], np.zeros(1, dtype=np.int64), 0.0, o)
    keeper.restore()
    net.zero_grad()


# ---------------------------------------------------------------- the loop
def fit(net, seqs: list, o: SequenceOptions) -> dict:
    """``train_sequences`` on a checked set and options."""
    f = o.fit
    generator = rng.generator()
    it, r = 0, float("nan")
    last_error: float | None = None
    history: list[float] = []
    start = time.perf_counter()
    keeper = Keeper(net, (it, last_error, r, 0), f.optimizer)
    compiling, stopped = 0.0, False
    bar = Bar(False, f.iterations)
    try:
        _warm_up(net, seqs, o, keeper)
        compiling = time.perf_counter() - start
        bar = Bar(f.bar, f.iterations)
        start = time.perf_counter()
        while it < f.iterations:
            keeper.keep((it, last_error, r, len(history)))
            r = rate_at(f.rate, it + 1, f.iterations, last_error)
            order = (np.argsort(generator.random(len(seqs))) if f.shuffle
                     else np.arange(len(seqs)))
            error = one_pass(net, seqs, order, r, o)
            if keeper.bad_parameter() is not None:
                raise divergence(net, keeper, it + 1, ITERATION)
            history.append(error)
            it, last_error = it + 1, error
            bar.update(1, error=error, rate=r)
            if f.progress.report({"error": error, "iterations": it, "rate": r,
                                  "time": time.perf_counter() - start},
                                 "iterations {iterations} error {error:.6g} rate {rate:.6g}"):
                break
            if error <= f.error:
                break
    except KeyboardInterrupt:
        it, last_error, r, kept = keeper.restore()
        del history[kept:]
        bar.close(it, error=last_error, rate=r)
        interrupted(it, last_error, PASS)
        stopped = True
    finally:
        bar.close()
        net.clear()
    result = {"error": last_error, "iterations": it, "time": time.perf_counter() - start,
              "history": history, "compile": compiling}
    if stopped:
        result["interrupted"] = True
    return result
