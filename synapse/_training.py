"""What the Trainer and the built-in tasks share: their checked options, the
training set as arrays, the error of a set, the log and schedule of a loop, and
what keeps a run safe and visible: checkpoints for Ctrl-C and divergence, and
the progress bar."""
from __future__ import annotations

import math
import numbers
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

import numpy as np

from . import _check
from . import cost as _cost
from .cost import cost_value
from .errors import DivergenceError

#: A cost ``C(target, output, derivate=False)``.
Cost = Callable[..., Any]
#: A rate as the Trainer takes it: a number, a list splitting the iterations, or
#: a callable ``rate(iteration, last_error)``.
Rate = Union[float, list, Callable[[int, Optional[float]], float]]

GRADIENTS = {"delta": "t - y, eq. 10", "cost": "the cost's exact gradient"}
BUILT_IN_COSTS = _cost._MEANS + _cost._SUMS  # every cost synapse ships (none needs a probe)


# ---------------------------------------------------------------- options
@dataclass(frozen=True)
class Schedule:
    """Call ``do(info)`` every ``every`` iterations; it returning True stops training."""

    every: int
    do: Callable[[dict], Any]


@dataclass(frozen=True)
class Progress:
    """Where a training loop reports: a line printed every ``log`` iterations
    (0: never), and the schedule, if any."""

    log: int = 0
    schedule: Schedule | None = None

    def report(self, info: dict, line: str) -> bool:
        """At iteration ``info["iterations"]``, print ``line.format(**info)`` and
        call the schedule with ``info`` when they are due; whether to stop."""
        it = info["iterations"]
        if self.log and it % self.log == 0:
            print(line.format(**info), flush=True)
        s = self.schedule
        return s is not None and it % s.every == 0 and aborts(s.do(info))

    def next_due(self, it: int) -> int | None:
        """The first iteration after ``it`` at which a line or a schedule call is due."""
        due = [(it // every + 1) * every
               for every in (self.log, self.schedule and self.schedule.every) if every]
        return min(due) if due else None


@dataclass(frozen=True)
class CrossValidate:
    """Train on the first ``1 - test_size`` of the set, test on the rest, stop
    at ``test_error``."""

    test_size: float
    test_error: float

    def split(self, X: np.ndarray, Y: np.ndarray):
        """``(X, Y, X_test, Y_test)``: the first ``ceil((1 - test_size) n)`` rows to
        train on, the rest to test on."""
        n = math.ceil((1 - self.test_size) * len(X))
        if not 0 < n < len(X):
            raise ValueError(f"cross_validate test_size {self.test_size} leaves no rows for "
                             f"training or for testing in a set of {len(X)}")
        return X[:n], Y[:n], X[n:], Y[n:]


@dataclass(frozen=True)
class FitOptions:
    """The options of one :meth:`Trainer.train <synapse.trainer.Trainer.train>`, checked."""

    rate: Rate
    iterations: int
    error: float
    shuffle: bool
    progress: Progress
    cost: Cost
    learn_cost: Cost | None  #: None: learn by t - y (eq. 10); else this cost's gradient
    cross_validate: CrossValidate | None
    bar: bool = False          #: show a progress bar
    optimizer: Any = None      #: a synapse.optim optimizer, or None: synaptic.js's plain step
    batch: int = 1             #: rows whose gradients are averaged per step
    clip: float = 0.0          #: the largest norm of a step's gradient (0: not clipped)


def aborts(result: Any) -> bool:
    """Whether a schedule's ``do`` asked to stop: it returned True, or numpy's True
    (what a comparison of numpy numbers gives). None, 1 and the rest do not."""
    return result is True or (isinstance(result, np.bool_) and bool(result))


def check_rate(rate: Any) -> Rate:
    """A rate as the Trainer takes it: a number, a non-empty list of numbers, or a callable."""
    if callable(rate):
        return rate
    if isinstance(rate, (list, tuple)) or (isinstance(rate, np.ndarray) and rate.ndim == 1):
        if len(rate) == 0:
            raise ValueError("rate must be a number or a list of numbers; a list of rates "
                             "must not be empty")
        return [_check.non_negative(r, "each rate in the list") for r in rate]
    if isinstance(rate, (bool, np.bool_)) or not isinstance(rate, numbers.Real):
        raise TypeError(f"rate must be a number, a list of numbers or a callable "
                        f"(iterations, last_error) -> number, got {_check.came(rate)}")
    return _check.non_negative(rate, "rate")


def check_cost(c: Any) -> Cost | None:
    """None (the caller's default) or a cost callable."""
    return None if c is None else _check.function(c, "cost", "C(target, output, derivate=False)")


def learning_cost(gradient: Any, cost: Cost | None) -> Cost | None:
    """What propagate gets for ``gradient``: None (eq. 10) or the cost whose gradient to follow."""
    gradient = _check.choice(gradient, "gradient", GRADIENTS)
    if gradient == "cost" and cost is _cost.BINARY:
        raise ValueError("cost.BINARY counts misses and has no gradient: use gradient='delta' "
                         "or another cost")
    return cost if gradient == "cost" else None


def check_cross_validate(cv: Any, error: float) -> CrossValidate | None:
    if cv is None:
        return None
    _check.keys(cv, "cross_validate", ("test_size",), ("test_error",))
    return CrossValidate(
        _check.fraction(cv["test_size"], "cross_validate test_size", strict=True),
        _check.non_negative(cv.get("test_error", error), "cross_validate test_error"))


def check_schedule(schedule: Any) -> Schedule | None:
    if schedule is None:
        return None
    _check.keys(schedule, "schedule", ("every", "do"))
    return Schedule(_check.count(schedule["every"], "schedule every", minimum=1),
                    _check.function(schedule["do"], "schedule do", "do(info) -> bool"))


def progress(log: Any, schedule: Any) -> Progress:
    """``log`` (a count, 0: off) and ``schedule`` (a dict or None), checked."""
    return Progress(_check.count(log, "log"), check_schedule(schedule))


# ---------------------------------------------------------------- rates
def rates_of(rate, first: int, last: int, iterations: int) -> np.ndarray:
    """The rates of iterations first..last (1-based) for a number or a list."""
    its = np.arange(first, last + 1)
    if isinstance(rate, list):
        index = np.minimum((its - 1) * len(rate) // iterations, len(rate) - 1)
        return np.asarray(rate, dtype=float)[index]
    return np.full(len(its), float(rate))


def rate_at(rate, it: int, iterations: int, last_error):
    """The rate of iteration ``it`` (1-based)."""
    if callable(rate):
        r = rate(it, last_error)
        if isinstance(r, (bool, np.bool_)) or not isinstance(r, numbers.Real):
            raise TypeError(f"the rate callable must return a number, got {_check.came(r)}")
        return _check.non_negative(r, "the rate callable's result")
    return float(rates_of(rate, it, it, iterations)[0])


# ---------------------------------------------------------------- the set
def _row(v: Any, width: int, what: str) -> np.ndarray:
    if width == 1 and not isinstance(v, (str, bytes)) and not hasattr(v, "__len__"):
        v = [v]  # a lone number for a one-unit row
    return _check.vector(v, width, what)


def _pairs(data, n_in: int, n_out: int, what: str):
    X, Y = np.empty((len(data), n_in)), np.empty((len(data), n_out))
    for i, row in enumerate(data):
        if not isinstance(row, (list, tuple)) or len(row) != 2:
            raise TypeError(f"{what} row {i} must be a pair (input, output), got "
                            f"{_check.came(row)}")
        X[i] = _row(row[0], n_in, f"{what} row {i} input")
        Y[i] = _row(row[1], n_out, f"{what} row {i} output")
    return X, Y


def training_set(data: Any, n_in: int, n_out: int, what: str = "training set"):
    """``data`` as two new float arrays X (n, n_in) and Y (n, n_out), checked.

    The forms are told apart by what ``data`` holds, never by the network's sizes:

    1. any element a dict: rows ``{"input": x, "output": y}``;
    2. two elements, unless both are tuples of two: ``(X, Y)``, arrays (or
       nested lists, DataFrames...) of shapes (n, n_in) and (n, n_out); with one
       input or one output, X or Y may be 1-D (a pandas Series, scikit-learn's y);
    3. every element a tuple (or list) of two: rows ``(x, y)``, as
       ``list(zip(X, Y))`` makes them.

    So two tuples of two, ``[(x1, y1), (x2, y2)]``, are two rows, while two lists
    or arrays ``[X, Y]`` are the inputs and the outputs. Within a row, a one-unit
    input or output may be a lone number.
    """
    if not isinstance(data, (list, tuple)):
        raise TypeError(f"{what} must be a list of {{'input': ..., 'output': ...}} dicts, a "
                        f"list of (input, output) pairs or a pair (inputs, outputs) of "
                        f"arrays, got {type(data).__name__}")
    if len(data) == 0:
        raise ValueError(f"{what} is empty")
    if any(isinstance(row, dict) for row in data):
        X, Y = np.empty((len(data), n_in)), np.empty((len(data), n_out))
        for i, row in enumerate(data):
            if not isinstance(row, dict):
                raise TypeError(f"{what} row {i} must be a dict with 'input' and 'output', "
                                f"got {_check.came(row)}")
            if "input" not in row or "output" not in row:
                raise ValueError(f"{what} row {i} must have the keys 'input' and 'output', "
                                 f"got {sorted(map(str, row))}")
            X[i] = _row(row["input"], n_in, f"{what} row {i} input")
            Y[i] = _row(row["output"], n_out, f"{what} row {i} output")
    elif len(data) == 2 and not all(type(d) is tuple and len(d) == 2 for d in data):
        X = _check.matrix(data[0], n_in, f"{what} inputs")
        Y = _check.matrix(data[1], n_out, f"{what} outputs")
        if len(X) != len(Y):
            raise ValueError(f"{what} has {len(X)} inputs but {len(Y)} outputs")
    elif len(data) == 2:
        try:
            X, Y = _pairs(data, n_in, n_out, what)
        except (TypeError, ValueError) as e:
            raise type(e)(f"{e} (two tuples of two are read as two (input, output) rows; "
                          f"give a pair (inputs, outputs) as lists or arrays)") from None
    else:
        X, Y = _pairs(data, n_in, n_out, what)
    if len(X) == 0:
        raise ValueError(f"{what} is empty")
    return X, Y


# ---------------------------------------------------------------- a step
def average_and_clip(g: np.ndarray, count: int, clip: float) -> None:
    """Make ``g``, a gradient summed over ``count`` rows or sequences, their
    mean, scaled down to norm ``clip`` where it is longer (0: not clipped)."""
    if count > 1:
        g /= count
    if clip:
        norm = float(np.sqrt(g @ g))
        if norm > clip:
            g *= clip / norm


def warm_up(net, keeper: Keeper, learn_cost: Cost | None, optimizer: Any = None) -> float:
    """Compile (or load from numba's cache) the step and the learning step with
    one step towards zeros (with an optimizer: its gradient, no step), put every
    number back, and return the seconds it took, so that a clock can start at
    the first row or sequence."""
    start = time.perf_counter()
    net.activate(np.zeros(net.inputs()))
    if optimizer is None:
        net.propagate(0.0, np.zeros(net.outputs()), learn_cost)
    else:
        net.backward(np.zeros(net.outputs()), learn_cost)
        net.zero_grad()
    keeper.restore()
    return time.perf_counter() - start


# ---------------------------------------------------------------- the error
def probe_cost(cost: Cost, learn_cost: Cost | None, n_out: int) -> None:
    """Call a user's cost once on a made-up pair (targets 0, outputs 0.5), so that a
    cost that returns no number, or, learnt by, no gradient of the outputs' size,
    fails before anything is activated, learnt or drawn."""
    target, output = np.zeros(n_out), np.full(n_out, 0.5)
    if cost not in BUILT_IN_COSTS:
        cost_value(cost, target, output)
    if learn_cost is not None and learn_cost not in BUILT_IN_COSTS:
        try:
            dc = np.asarray(learn_cost(target, output, derivate=True), dtype=float)
        except TypeError:
            raise TypeError("cost must accept derivate=True and return dC/dy "
                            "to be used for learning") from None
        if dc.shape != (n_out,) or not np.all(np.isfinite(dc)):
            raise ValueError(f"cost derivative must be {n_out} finite numbers, got {dc!r}")


# ---------------------------------------------------------------- a run
#: Seconds of compiled training between two returns to Python: how late a
#: Ctrl-C or a progress bar can be.
CHUNK_SECONDS = 0.2
#: The most a chunk may grow from one call to the next (the first passes'
#: timings include the call's own overhead).
CHUNK_GROWTH = 8


def next_chunk(n: int, done: int, elapsed: float) -> int:
    """Passes for the next compiled call, from ``done`` passes taking ``elapsed``
    seconds with ``n`` asked: about :data:`CHUNK_SECONDS` worth, growing at most
    :data:`CHUNK_GROWTH` times.

    >>> next_chunk(1, 1, 1e-5), next_chunk(1000, 1000, 0.4), next_chunk(8, 8, 0.0)
    (8, 500, 64)
    """
    if done <= 0 or elapsed <= 0:
        return n * CHUNK_GROWTH
    return max(1, min(n * CHUNK_GROWTH, int(CHUNK_SECONDS * done / elapsed)))


class Keeper:
    """A copy of a network's numbers (values ``V`` and state ``S``) at the end of
    its last whole pass, with the loop's own bookkeeping (``mark``), so that a
    Ctrl-C or a diverging step can put the network back there."""

    def __init__(self, net, mark: Any, optimizer: Any = None):
        self.net = net
        self.optimizer = optimizer  # its moments and step count are kept too
        self.kept = self._take(mark)

    def _take(self, mark: Any) -> tuple:
        L = self.net._compiled()
        opt = self.optimizer
        moments = None if opt is None else (opt.state.copy(), opt.t)
        return L.V.copy(), L.S.copy(), moments, mark

    def keep(self, mark: Any) -> None:
        """Remember the network as it is now, with ``mark``."""
        # one assignment: a Ctrl-C never leaves half a checkpoint
        self.kept = self._take(mark)

    def restore(self) -> Any:
        """Put the kept numbers back; returns the kept ``mark``."""
        V, S, moments, mark = self.kept
        L = self.net._compiled()
        if L.V.shape == V.shape and L.S.shape == S.shape:  # else the structure changed
            L.V[...] = V
            L.S[...] = S
        if moments is not None:
            self.optimizer.state[...] = moments[0]
            self.optimizer.t = moments[1]
        return mark

    def bad_parameter(self) -> int | None:
        """The index of the first non-finite parameter, or None."""
        L = self.net._compiled()
        p = L.V[:L.n_params]
        if math.isfinite(np.vdot(p, p)):  # one dot product when all is well (as _check.finite)
            return None
        bad = np.flatnonzero(~np.isfinite(p))
        return int(bad[0]) if len(bad) else None  # finite numbers whose dot overflowed


def unit_name(structure, u: int) -> str:
    """Unit ``u`` as a reader finds it: "neuron 2 of hidden[0]"."""
    g = int(np.searchsorted(structure.start, u, side="right")) - 1
    last = structure.n_layers - 1
    layer = "input" if g == 0 else "output" if g == last else f"hidden[{g - 1}]"
    return f"neuron {u - int(structure.start[g])} of {layer}"


def parameter_name(net, p: int) -> str:
    """What ``net.parameters()[p]`` is: a weight (from, to) or a bias."""
    L = net._compiled()
    st = L.structure
    weights = np.flatnonzero(L.w_at == p)
    if len(weights):
        c = int(weights[0])
        return f"the weight from {unit_name(st, st.src[c])} to {unit_name(st, st.dst[c])}"
    return f"the bias of {unit_name(st, int(np.flatnonzero(L.bias_at == p)[0]))}"


def divergence(net, keeper: Keeper, iteration: int, what: str = "iteration") -> DivergenceError:
    """The error for a step at ``iteration`` that made a parameter non-finite;
    puts the network back as ``keeper`` kept it (before that step)."""
    p = keeper.bad_parameter()
    if p is None:  # not expected: the caller saw one
        p = 0
    value = float(net._compiled().V[p])
    name = parameter_name(net, p)
    keeper.restore()
    counted = "" if what == "iteration" else f" (an iteration is a {what})"
    return DivergenceError(
        iteration, p, value=value,
        detail=f"parameters()[{p}] is {name}{counted}; the network keeps its parameters from "
               f"before that step, the last finite ones (try a smaller rate)")


def interrupted(iteration: int, error: float | None, what: str = "iteration") -> None:
    """The one line a Ctrl-C leaves: where training stopped."""
    said = "" if error is None else f" (error {error:.6g})"
    print(f"synapse: training interrupted (Ctrl-C) at {what} {iteration}{said}; the network "
          f"keeps its parameters from the end of that {what}", file=sys.stderr, flush=True)


class Bar:
    """Progress of a run: a tqdm bar (``pip install synapse[progress]``) showing
    iterations, their speed, the error and the rate; without tqdm, a plain line
    on stderr every :attr:`EVERY` seconds; nothing when off."""

    EVERY = 2.0     #: seconds between two plain lines
    REFRESH = 0.1   #: seconds between two updates of the bar's error and rate

    def __init__(self, on: bool, total: int, unit: str = "it", desc: str = "training"):
        self.on, self.total, self.unit = on, total, unit
        self.bar: Any = None
        self.count = self.pending = 0
        self.info: dict = {}
        self.start = time.perf_counter()
        self.due = self.start
        if not on:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            print(f"{desc}: tqdm is not installed (pip install synapse[progress] for a "
                  f"progress bar); a line every {self.EVERY:g} s", file=sys.stderr, flush=True)
            self.due = self.start + self.EVERY
            return
        self.bar = tqdm(total=total, unit=unit, desc=desc, dynamic_ncols=True,
                        mininterval=self.REFRESH)

    def _info(self) -> str:
        return " ".join(f"{k} {v:.4g}" for k, v in self.info.items())

    def update(self, n: int, **info: float) -> None:
        """``n`` more iterations; ``info`` (error, rate...) as of the last one."""
        if not self.on:
            return
        self.count += n
        self.pending += n
        self.info = info
        now = time.perf_counter()
        if now < self.due:
            return
        # pending first: a Ctrl-C inside tqdm must not count them twice
        n, self.pending = self.pending, 0
        if self.bar is not None:
            self.bar.set_postfix_str(self._info(), refresh=False)
            self.bar.update(n)
            self.due = now + self.REFRESH
        else:
            self._line(now)
            self.due = now + self.EVERY

    def _line(self, now: float) -> None:
        speed = self.count / max(now - self.start, 1e-9)
        print(f"{self.unit} {self.count}/{self.total} {self._info()} ({speed:.4g} {self.unit}/s)",
              file=sys.stderr, flush=True)

    def close(self, count: int | None = None, **info: float) -> None:
        """The last numbers, then the bar ends (closing twice does nothing).
        ``count`` and ``info`` correct them (after a Ctrl-C put the network back)."""
        if not self.on:
            return
        self.on = False
        if count is not None:
            self.count, self.info = count, info or self.info
        if self.bar is not None:
            self.bar.set_postfix_str(self._info(), refresh=False)
            self.bar.n = self.count
            self.bar.close()
        elif self.count:
            self._line(time.perf_counter())
