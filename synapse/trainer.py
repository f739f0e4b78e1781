"""Training a network on a set, and the built-in tasks.

:class:`Trainer` is synaptic.js's Trainer in Python: ``train`` runs passes over
a training set (online: activate, then propagate, row by row) until the error
or the iteration budget is reached; ``test`` measures the error of a set;
``xor``, ``dsr``, ``erg`` and ``timing_task`` are the built-in tasks of the
project's TASKS.md.

The learning step and the reported error
-----------------------------------------
A cost function (``cost.MSE``, ``cost.CROSS_ENTROPY``, ``cost.BINARY`` or any
``C(target, output, derivate=False)``) *reports* the error. By default the
learning step does not depend on it: the outputs' error responsibility is
t - y (eq. 10 of the LSTM-g paper), as in synaptic.js. ``gradient="cost"``
makes each step follow the exact gradient of the cost instead (``propagate``
with ``cost``); ``cost.BINARY`` has no gradient and is refused there.
"""
from __future__ import annotations

import math
import numbers
import time

import numpy as np

from . import _check, rng, tasks
from . import cost as _cost
from .network import Network

__all__ = ["Trainer"]

_GRADIENTS = ("delta", "cost")


# ---------------------------------------------------------------- checks
def _positive_int(x, what: str) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{what} must be a positive integer, got {type(x).__name__} {x!r}")
    if x < 1:
        raise ValueError(f"{what} must be a positive integer, got {x!r}")
    return int(x)


def _non_negative(x, what: str) -> float:
    x = _check.number(x, what)
    if x < 0:
        raise ValueError(f"{what} must be at least 0, got {x!r}")
    return x


def _check_rate(rate):
    """A rate as the Trainer takes it: a number, a non-empty list of numbers, or a callable."""
    if callable(rate):
        return rate
    if isinstance(rate, (list, tuple, np.ndarray)):
        if len(rate) == 0:
            raise ValueError("a list of rates must not be empty")
        return [_non_negative(r, "each rate in the list") for r in rate]
    if isinstance(rate, (bool, np.bool_)) or not isinstance(rate, numbers.Real):
        raise TypeError(f"rate must be a number, a list of numbers or a callable "
                        f"(iterations, last_error) -> number, got {type(rate).__name__} {rate!r}")
    return _non_negative(rate, "rate")


def _check_cost(c):
    if c is not None and not callable(c):
        raise TypeError(f"cost must be a callable C(target, output, derivate=False), "
                        f"got {type(c).__name__} {c!r}")
    return c


def _check_gradient(gradient, cost) -> None:
    if gradient not in _GRADIENTS:
        raise ValueError(f"gradient must be 'delta' (t - y, eq. 10) or 'cost' (the cost's "
                         f"exact gradient), got {gradient!r}")
    if gradient == "cost" and cost is _cost.BINARY:
        raise ValueError("cost.BINARY counts misses and has no gradient: use gradient='delta' "
                         "or another cost")


def _check_options(options, what: str, required: tuple, optional: tuple) -> dict:
    if not isinstance(options, dict):
        raise TypeError(f"{what} must be a dict, got {type(options).__name__}")
    unknown = set(options) - set(required) - set(optional)
    if unknown:
        raise ValueError(f"{what} has unknown keys {sorted(unknown)}; it takes "
                         f"{sorted(required + optional)}")
    missing = [k for k in required if k not in options]
    if missing:
        raise ValueError(f"{what} needs the keys {missing}")
    return options


def _check_cross_validate(cv, error: float):
    """(test_size, test_error) or None."""
    if cv is None:
        return None
    _check_options(cv, "cross_validate", ("test_size",), ("test_error",))
    size = _check.number(cv["test_size"], "cross_validate test_size")
    if not 0 < size < 1:
        raise ValueError(f"cross_validate test_size must be between 0 and 1, got {size!r}")
    test_error = _non_negative(cv.get("test_error", error), "cross_validate test_error")
    return size, test_error


def _check_schedule(schedule):
    """(every, do) or None."""
    if schedule is None:
        return None
    _check_options(schedule, "schedule", ("every", "do"), ())
    every = _positive_int(schedule["every"], "schedule every")
    if not callable(schedule["do"]):
        raise TypeError(f"schedule do must be a callable do(info) -> bool, "
                        f"got {type(schedule['do']).__name__}")
    return every, schedule["do"]


def _aborts(result) -> bool:
    """Whether a schedule's ``do`` asked to stop: it returned True, or numpy's True
    (what a comparison of numpy numbers gives). None, 1 and the rest do not."""
    return result is True or (isinstance(result, np.bool_) and bool(result))


def _training_set(data, n_in: int, n_out: int, what: str = "training set"):
    """``data`` as two float arrays X (n, n_in) and Y (n, n_out), checked."""
    if (isinstance(data, (list, tuple)) and len(data) == 2
            and not any(isinstance(d, dict) for d in data)):
        X, Y = data
        arrays = []
        for name, a, width in (("inputs", X, n_in), ("outputs", Y, n_out)):
            try:
                a = np.asarray(a)
            except ValueError:  # ragged nested lists
                a = None
            if a is None or a.dtype.kind not in "fiu":
                raise TypeError(f"{what} {name} must be a 2-D array of numbers")
            a = a.astype(float)
            if a.ndim != 2 or a.shape[1] != width:
                raise ValueError(f"{what} {name} must have shape (n, {width}), got {a.shape}")
            if not np.all(np.isfinite(a)):
                raise ValueError(f"{what} {name} must be finite")
            arrays.append(a)
        X, Y = arrays
        if len(X) != len(Y):
            raise ValueError(f"{what} has {len(X)} inputs but {len(Y)} outputs")
    elif isinstance(data, (list, tuple)):
        X = np.empty((len(data), n_in))
        Y = np.empty((len(data), n_out))
        for i, row in enumerate(data):
            if not isinstance(row, dict) or "input" not in row or "output" not in row:
                raise TypeError(f"{what} row {i} must be a dict with 'input' and 'output', "
                                f"got {row!r}")
            X[i] = _check.vector(row["input"], n_in, f"{what} row {i} input")
            Y[i] = _check.vector(row["output"], n_out, f"{what} row {i} output")
    else:
        raise TypeError(f"{what} must be a list of {{'input': ..., 'output': ...}} dicts or a "
                        f"pair (inputs, outputs) of 2-D arrays, got {type(data).__name__}")
    if len(X) == 0:
        raise ValueError(f"{what} is empty")
    return X, Y


def set_error(cost, targets: np.ndarray, outputs: np.ndarray) -> float:
    """The mean over the rows of ``cost(targets[i], outputs[i])``.

    The built-in costs take all rows in one call: MSE's mean over every entry
    is the mean of the rows' means, and CROSS_ENTROPY's and BINARY's sums over
    every entry, divided by the rows, are the mean of the rows' sums. Any other
    cost is called row by row.

    >>> import numpy as np
    >>> from synapse import cost
    >>> set_error(cost.MSE, np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]]))
    0.25
    """
    T = np.asarray(targets, dtype=float)
    Y = np.asarray(outputs, dtype=float)
    if cost is _cost.MSE:
        return cost(T, Y)
    if cost is _cost.CROSS_ENTROPY or cost is _cost.BINARY:
        return cost(T, Y) / len(T)
    return float(np.mean([_cost_value(cost, t, y) for t, y in zip(T, Y)]))


_BUILT_IN_COSTS = (_cost.MSE, _cost.CROSS_ENTROPY, _cost.BINARY)


def _probe_cost(cost, learn_cost, n_out: int) -> None:
    """Call a user's cost once on a made-up pair (targets 0, outputs 0.5), so that a
    cost that returns no number, or, learnt by, no gradient of the outputs' size,
    fails before anything is activated, learnt or drawn."""
    target, output = np.zeros(n_out), np.full(n_out, 0.5)
    if cost not in _BUILT_IN_COSTS:
        _cost_value(cost, target, output)
    if learn_cost is not None and learn_cost not in _BUILT_IN_COSTS:
        try:
            dc = np.asarray(learn_cost(target, output, derivate=True), dtype=float)
        except TypeError:
            raise TypeError("cost must accept derivate=True and return dC/dy "
                            "to be used for learning") from None
        if dc.shape != (n_out,) or not np.all(np.isfinite(dc)):
            raise ValueError(f"cost derivative must be {n_out} finite numbers, got {dc!r}")


def _cost_value(cost, target, output) -> float:
    value = cost(target, output)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"cost must return a number, got {type(value).__name__} {value!r}")
    return float(value)


# ---------------------------------------------------------------- Trainer
class Trainer:
    """Trains a network on a set, or on a built-in task.

    Parameters
    ----------
    network : Network
    rate : float, list of float or callable, default 0.2
        A list splits the iterations evenly among its rates; a callable is
        called as ``rate(iteration, last_error)`` before each pass
        (``last_error`` is None before the first).
    iterations : int, default 100000
        The most passes over the set.
    error : float, default 0.005
        Stop once the mean cost over the set is at or below it.
    cost : callable, optional
        Reports the error (default ``cost.MSE``; ``cost.CROSS_ENTROPY`` for
        ``dsr`` and ``erg``).
    cross_validate : dict, optional
        ``{"test_size": 0.3, "test_error": 0.01}``, see :meth:`train`.
    gradient : {"delta", "cost"}, default "delta"
        The learning step: "delta" makes the outputs' error t - y (eq. 10, as in
        synaptic.js); "cost" follows the exact gradient of ``cost``.

    Every option of ``__init__`` is a default that :meth:`train` and the tasks
    may override for one call; the Trainer itself never changes.

    Examples
    --------
    >>> import synapse
    >>> from synapse import Trainer
    >>> from architect import Perceptron
    >>> synapse.seed(3)
    >>> net = Perceptron(2, 3, 1)
    >>> result = Trainer(net, rate=0.5).xor()
    >>> result["error"] <= 0.005
    True
    >>> [round(float(net.activate(x)[0])) for x in ([0, 0], [0, 1], [1, 0], [1, 1])]
    [0, 1, 1, 0]
    """

    def __init__(self, network: Network, rate=0.2, iterations: int = 100000, error: float = 0.005,
                 cost=None, cross_validate: dict | None = None, gradient: str = "delta"):
        if not isinstance(network, Network):
            raise TypeError(f"Trainer needs a Network, got {type(network).__name__}")
        self.network = network
        self.rate = _check_rate(rate)
        self.iterations = _positive_int(iterations, "iterations")
        self.error = _non_negative(error, "error")
        self.cost = _check_cost(cost)
        _check_cross_validate(cross_validate, self.error)
        self.cross_validate = cross_validate
        _check_gradient(gradient, self.cost)
        self.gradient = gradient

    def __repr__(self) -> str:
        return (f"Trainer(rate={self.rate!r}, iterations={self.iterations}, error={self.error}, "
                f"gradient={self.gradient!r})")

    # ---- helpers ----
    def _set(self, data, what="training set"):
        return _training_set(data, self.network.inputs(), self.network.outputs(), what)

    def _sequence_options(self, iterations, rate, log, schedule, cost, gradient, clear, learn):
        """The options the sequence tasks (DSR, ERG) share, checked: iterations,
        rate, log, schedule, cost (default cross-entropy), the learning cost,
        clear, and whether to learn at every step."""
        cost = _check_cost(cost) or self.cost or _cost.CROSS_ENTROPY
        options = (_positive_int(iterations, "iterations"), _non_negative(rate, "rate"),
                   _log_every(log), _check_schedule(schedule), cost,
                   self._learning_cost(gradient, cost), _flag(clear, "clear"),
                   _learn_always(learn))
        _probe_cost(cost, options[5], self.network.outputs())
        return options

    def _learning_cost(self, gradient, cost):
        """What propagate gets: None (eq. 10) or the cost whose gradient to follow."""
        gradient = self.gradient if gradient is None else gradient
        _check_gradient(gradient, cost)
        return cost if gradient == "cost" else None

    # ---- training ----
    def train(self, training_set, *, rate=None, iterations: int | None = None,
              error: float | None = None, shuffle: bool = False, log: int = 0, cost=None,
              schedule: dict | None = None, cross_validate: dict | None = None,
              gradient: str | None = None) -> dict:
        """Train on a set, pass after pass, until the error or the iterations run out.

        One iteration is one pass over the set, online: for each row, activate
        on its input, then propagate towards its output. The iteration's error
        is the mean cost of the outputs the pass produced (each computed before
        that row's learning step, as in synaptic.js).

        Parameters
        ----------
        training_set : list of dict, or (inputs, outputs)
            ``[{"input": [...], "output": [...]}, ...]`` or a pair of 2-D arrays
            of shapes (n, inputs) and (n, outputs). It is never modified.
        rate, iterations, error, cost, gradient
            As for :class:`Trainer`, for this call only.
        shuffle : bool
            Visit the rows in a fresh random order every pass (the order of
            each pass is drawn from ``synapse.seed``'s generator).
        log : int
            Print ``iterations``, ``error`` and ``rate`` every ``log``
            iterations (0: never).
        schedule : dict
            ``{"every": n, "do": f}``: every n iterations call
            ``f({"error", "iterations", "rate", "time"})``; if it returns True,
            training stops.
        cross_validate : dict
            ``{"test_size": s, "test_error": e}``: train on the first
            ``ceil((1 - s) n)`` rows and after each pass test on the rest (in the
            given order: shuffle the set beforehand for a random split). The
            error is then the test error, and training stops once it is at or
            below ``e`` (default: ``error``).

        Returns
        -------
        dict
            ``{"error": float, "iterations": int, "time": seconds}``.

        Raises
        ------
        TypeError, ValueError
            For a malformed set or option, before anything is trained.

        Examples
        --------
        >>> import synapse
        >>> from synapse import Layer, Network, Trainer
        >>> synapse.seed(1)
        >>> a, b = Layer(2), Layer(1)
        >>> _ = a.project(b)
        >>> net = Network(input=a, output=b)
        >>> data = [{"input": [0, 0], "output": [0]}, {"input": [0, 1], "output": [1]},
        ...         {"input": [1, 0], "output": [1]}, {"input": [1, 1], "output": [1]}]
        >>> result = Trainer(net).train(data, rate=1, iterations=1000, error=0.01)
        >>> result["error"] <= 0.01, result["iterations"] < 1000
        (True, True)
        """
        net = self.network
        X, Y = self._set(training_set)
        rate = self.rate if rate is None else _check_rate(rate)
        if iterations is None:
            iterations = self.iterations
        else:
            iterations = _positive_int(iterations, "iterations")
        error = self.error if error is None else _non_negative(error, "error")
        if not isinstance(shuffle, (bool, np.bool_)):
            raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
        log = _log_every(log)
        cost = _check_cost(cost) or self.cost or _cost.MSE
        learn_cost = self._learning_cost(gradient, cost)
        _probe_cost(cost, learn_cost, net.outputs())
        schedule = _check_schedule(schedule)
        cv = self.cross_validate if cross_validate is None else cross_validate
        cv = _check_cross_validate(cv, error)
        if cv is not None:
            n_train = math.ceil((1 - cv[0]) * len(X))
            if not 0 < n_train < len(X):
                raise ValueError(f"cross_validate test_size {cv[0]} leaves no rows for training "
                                 f"or for testing in a set of {len(X)}")
            X, Y, X_test, Y_test = X[:n_train], Y[:n_train], X[n_train:], Y[n_train:]
            error = cv[1]

        start = time.perf_counter()
        generator = rng.generator()
        last_error = None
        it = 0
        # Passes the JIT can run many at a time, without returning to Python:
        # up to the next log line or schedule call. Shuffles are drawn the same
        # way either path (argsort of uniform draws, a row per pass), so both
        # give the same numbers.
        chunked = cv is None and not callable(rate) and net._can_train_passes(learn_cost, cost)
        while it < iterations:
            if chunked:
                boundaries = [(it // every + 1) * every
                              for every in (log, schedule and schedule[0]) if every]
                stop = min(iterations, it + _CHUNK, *boundaries)
                n = stop - it
                orders = (np.argsort(generator.random((n, len(X))), axis=1) if shuffle
                          else np.broadcast_to(np.arange(len(X)), (n, len(X))))
                rates = _rates_of(rate, it + 1, stop, iterations)
                done, errors = net._train_passes(X, Y, orders, rates, learn_cost, cost, error)
                it += done
                r, last_error = float(rates[done - 1]), float(errors[-1])
            else:
                it += 1
                r = _rate_at(rate, it, iterations, last_error)
                if shuffle:
                    order = np.argsort(generator.random(len(X)))
                    xs, ys = X[order], Y[order]
                else:
                    xs, ys = X, Y
                outputs = net.run(xs, ys, rate=r, cost=learn_cost)
                if cv is None:
                    last_error = set_error(cost, ys, outputs)
                else:
                    last_error = set_error(cost, Y_test, net.run(X_test))
            if log and it % log == 0:
                print(f"iterations {it} error {last_error:.6g} rate {r:.6g}", flush=True)
            if schedule and it % schedule[0] == 0 and _aborts(schedule[1](
                    {"error": last_error, "iterations": it, "rate": r,
                     "time": time.perf_counter() - start})):
                break
            if last_error <= error:
                break
        return {"error": last_error, "iterations": it, "time": time.perf_counter() - start}

    def test(self, training_set, cost=None) -> dict:
        """The mean cost over a set, activating on each input in order (no learning).

        Returns ``{"error": float, "time": seconds}``.

        >>> import synapse
        >>> from synapse import Trainer, cost
        >>> from architect import Perceptron
        >>> synapse.seed(0)
        >>> t = Trainer(Perceptron(1, 2, 1))
        >>> 0 < t.test(([[0.0], [1.0]], [[0.0], [1.0]]), cost=cost.MSE)["error"] < 1
        True
        """
        X, Y = self._set(training_set, "test set")
        cost = _check_cost(cost) or self.cost or _cost.MSE
        _probe_cost(cost, None, self.network.outputs())
        start = time.perf_counter()
        outputs = self.network.run(X)
        return {"error": set_error(cost, Y, outputs), "time": time.perf_counter() - start}

    # ---- built-in tasks ----
    def xor(self, **options) -> dict:
        """Train on XOR's four rows; options and result as :meth:`train`.

        Defaults: iterations 100000, shuffle on, cost MSE, log off. Needs a
        network with 2 inputs and 1 output.
        """
        net = self.network
        if net.inputs() != 2 or net.outputs() != 1:
            raise ValueError(f"xor needs a network with 2 inputs and 1 output, got "
                             f"{net.inputs()} and {net.outputs()}")
        data = [{"input": [0, 0], "output": [0]}, {"input": [1, 0], "output": [1]},
                {"input": [0, 1], "output": [1]}, {"input": [1, 1], "output": [0]}]
        settings = {"iterations": 100000, "shuffle": True, "cost": _cost.MSE, "log": 0}
        settings.update(options)
        return self.train(data, **settings)

    def dsr(self, *, targets=(2, 4, 7, 8), distractors=(3, 5, 6, 9), prompts=(0, 1),
            length: int = 24, success: float = 0.95, iterations: int = 100000, rate: float = 0.1,
            log: int = 0, schedule: dict | None = None, cost=None, clear: bool = True,
            learn: str = "miss", gradient: str | None = None) -> dict:
        """Distracted Sequence Recall (see TASKS.md).

        Each trial is a random sequence of ``length`` one-hot symbols:
        distractors with a target at ``len(prompts)`` random positions, then the
        prompts; at the k-th prompt the network must output the k-th target
        (one unit per target), and zeros everywhere else. With ``learn="miss"``
        (synaptic.js's) it learns (``rate``) at each step whose rounded outputs
        miss; with ``learn="always"`` at every step. Training stops after
        ``iterations`` trials, or at a multiple of 1000 trials once the fraction
        of fully correct trials in the current block of 1000 reaches
        ``success``.

        ``clear=True`` clears the network before each trial, since trials are
        independent; ``clear=False`` is synaptic.js's behaviour (context leaks
        from one trial into the next). Target positions are sorted numerically
        (synaptic.js sorts them as text).

        Returns ``{"iterations", "success", "error", "time"}``: trials run, the
        current block's success, the last trial's mean cost per step, seconds.
        ``schedule`` gets ``{"iterations", "success", "error", "time",
        "correct"}``; returning True stops.
        """
        net = self.network
        n_symbols = tasks.dsr_symbols(targets, distractors, prompts)
        if net.inputs() != n_symbols or net.outputs() != len(targets):
            raise ValueError(f"dsr needs a network with {n_symbols} inputs (one per symbol) and "
                             f"{len(targets)} outputs (one per target), got {net.inputs()} and "
                             f"{net.outputs()}")
        if isinstance(length, bool) or not isinstance(length, numbers.Integral) \
                or length < 2 * len(prompts):
            raise ValueError(f"dsr length must be an integer of at least {2 * len(prompts)}, "
                             f"got {length!r}")
        criterion = _check.number(success, "success")
        iterations, rate, log, schedule, cost, learn_cost, clear, always = \
            self._sequence_options(iterations, rate, log, schedule, cost, gradient, clear, learn)

        start = time.perf_counter()
        trial = correct = 0
        score = 0.0
        err = float("nan")
        while trial < iterations:
            X, Y = tasks.dsr_trial(targets, distractors, prompts, length)
            if clear:
                net.clear()
            right = True
            total = 0.0
            for x, y in zip(X, Y):
                out = net.activate(x)
                miss = _missed(out, y)
                right = right and not miss
                if miss or always:
                    net.propagate(rate, y, learn_cost)
                total += _cost_value(cost, y, out)
            if trial % 1000 == 0:
                correct = 0  # a new block of 1000 trials
            trial += 1
            correct += right
            score = correct / ((trial - 1) % 1000 + 1)
            err = total / length
            elapsed = time.perf_counter() - start
            if log and trial % log == 0:
                print(f"iterations {trial} success {score:.4f} correct {correct} "
                      f"time {elapsed:.1f}s error {err:.6g}", flush=True)
            if schedule and trial % schedule[0] == 0 and _aborts(schedule[1](
                    {"iterations": trial, "success": score, "error": err, "time": elapsed,
                     "correct": correct})):
                break
            if trial % 1000 == 0 and score >= criterion:
                break
        return {"iterations": trial, "success": score, "error": err,
                "time": time.perf_counter() - start}

    def erg(self, *, iterations: int = 150000, error: float = 0.05, rate: float = 0.1,
            log: int = 500, cost=None, schedule: dict | None = None, clear: bool = True,
            targets: str = "possible", learn: str = "always", pairing: str = "standard",
            gradient: str | None = None) -> dict:
        """The Embedded Reber Grammar (see TASKS.md and :class:`synapse.tasks.ReberGrammar`).

        One iteration: generate a string; for each symbol but the last,
        activate on it and learn (``rate``) towards the target. The iteration's
        error is the summed cost over the string divided by its length;
        training stops once it is at or below
        ``error``, or after ``iterations`` strings. One short string can meet
        that before the grammar is learnt: check fresh strings afterwards
        (:func:`synapse.tasks.fraction_right`; ``benchmarks/tasks.py`` also
        follows the mean error of 1000 strings).

        Needs 6 inputs and 6 outputs (symbols B P T X S E; V reads as no input,
        as in synaptic.js) or 7 and 7 (V has a unit too).

        Where this differs from synaptic.js (each difference is an option):

        * ``targets="possible"``: the target is every symbol the grammar allows
          next, as the task is posed in the literature, and a prediction misses
          when an output rounds to the wrong side of 0.5. ``targets="next"`` is
          synaptic.js's: the symbol that actually came next, missed when the
          arg-max differs. With "next" the error cannot approach 0, since at
          every branch of the grammar the next symbol is a coin toss.
        * ``learn="always"`` learns at every step; ``learn="miss"`` (synaptic.js's)
          only at a missed prediction, which leaves outputs just past the
          rounding threshold: predictions become right, but the error stays
          far above 0.05.
        * ``clear=True`` clears the network before each string (strings are
          independent); ``clear=False`` never does, as synaptic.js.
        * ``pairing="standard"``: B T ... T E and B P ... P E;
          ``pairing="crosswise"`` is synaptic.js's P ... T and T ... P.

        Returns ``{"iterations", "error", "time", "test", "generate"}``:
        ``generate()`` makes a string of the grammar and ``test(string)``
        checks one.
        """
        net = self.network
        if (net.inputs(), net.outputs()) not in ((6, 6), (7, 7)):
            raise ValueError(f"erg needs a network with 6 inputs and 6 outputs (or 7 and 7), "
                             f"got {net.inputs()} and {net.outputs()}")
        grammar = tasks.ReberGrammar(pairing, net.inputs())
        if targets not in ("possible", "next"):
            raise ValueError(f"targets must be 'possible' or 'next', got {targets!r}")
        criterion = _non_negative(error, "error")
        iterations, rate, log, schedule, cost, learn_cost, clear, always = \
            self._sequence_options(iterations, rate, log, schedule, cost, gradient, clear, learn)

        start = time.perf_counter()
        it = 0
        err = float("inf")
        while it < iterations and err > criterion:
            string = grammar.generate()
            X, Y = grammar.sequence(string, targets)
            if clear:
                net.clear()
            total = 0.0
            for x, y in zip(X, Y):
                out = net.activate(x)
                if always or _missed(out, y, by_argmax=targets == "next"):
                    net.propagate(rate, y, learn_cost)
                total += _cost_value(cost, y, out)
            err = total / len(string)
            it += 1
            elapsed = time.perf_counter() - start
            if log and it % log == 0:
                print(f"iterations {it} time {elapsed:.1f}s error {err:.6g}", flush=True)
            if schedule and it % schedule[0] == 0 and _aborts(schedule[1](
                    {"iterations": it, "error": err, "time": elapsed})):
                break
        return {"iterations": it, "error": err, "time": time.perf_counter() - start,
                "test": grammar.test, "generate": grammar.generate}

    def timing_task(self, *, iterations: int = 200, error: float = 0.005, rate=(0.03, 0.02),
                    log: int = 10, cost=None, train_samples: int = 7000,
                    test_samples: int = 1000, schedule: dict | None = None,
                    gradient: str | None = None) -> dict:
        """The timing task (see TASKS.md and :func:`synapse.tasks.timing_samples`).

        One long sequence of ``train_samples + test_samples`` samples; the first
        ``train_samples`` are trained on with :meth:`train` (in order: order is
        the point), then the rest are tested with :meth:`test`, continuing from
        the network's state. Needs 2 inputs and 1 output. Default cost MSE.

        Returns ``{"train": train's result, "test": test's result}``.
        """
        net = self.network
        if net.inputs() != 2 or net.outputs() != 1:
            raise ValueError(f"timing_task needs a network with 2 inputs and 1 output, got "
                             f"{net.inputs()} and {net.outputs()}")
        n_train = _positive_int(train_samples, "train_samples")
        n_test = _positive_int(test_samples, "test_samples")
        cost = _check_cost(cost) or self.cost or _cost.MSE
        # check every option before drawing data or training
        _check_rate(rate), _positive_int(iterations, "iterations"), _non_negative(error, "error")
        _log_every(log), _check_schedule(schedule)
        _probe_cost(cost, self._learning_cost(gradient, cost), net.outputs())
        X, Y = tasks.timing_samples(n_train + n_test)
        result = self.train((X[:n_train], Y[:n_train]), rate=rate, iterations=iterations,
                            error=error, log=log, cost=cost, schedule=schedule,
                            gradient=gradient)
        return {"train": result, "test": self.test((X[n_train:], Y[n_train:]), cost=cost)}


_CHUNK = 10000  # passes per call of the JIT's training kernel, at most


def _rates_of(rate, first: int, last: int, iterations: int) -> np.ndarray:
    """The rates of iterations first..last (1-based) for a number or a list."""
    its = np.arange(first, last + 1)
    if isinstance(rate, list):
        index = np.minimum((its - 1) * len(rate) // iterations, len(rate) - 1)
        return np.asarray(rate, dtype=float)[index]
    return np.full(len(its), float(rate))


def _rate_at(rate, it: int, iterations: int, last_error):
    """The rate of iteration ``it`` (1-based)."""
    if callable(rate):
        r = rate(it, last_error)
        if isinstance(r, (bool, np.bool_)) or not isinstance(r, numbers.Real):
            raise TypeError(f"the rate callable must return a number, got {type(r).__name__} {r!r}")
        return _non_negative(r, "the rate callable's result")
    return float(_rates_of(rate, it, it, iterations)[0])


def _log_every(log) -> int:
    if isinstance(log, (bool, np.bool_)):
        return int(log)
    if not isinstance(log, numbers.Integral) or log < 0:
        raise ValueError(f"log must be a number of iterations (0: off), got {log!r}")
    return int(log)


def _flag(x, what: str) -> bool:
    if not isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{what} must be True or False, got {x!r}")
    return bool(x)


def _learn_always(learn) -> bool:
    if learn not in ("miss", "always"):
        raise ValueError(f"learn must be 'miss' (only at a wrong prediction) or 'always', "
                         f"got {learn!r}")
    return learn == "always"


def _missed(output, target, by_argmax: bool = False) -> bool:
    """Whether a prediction is wrong: some output rounds (half up, as JavaScript's
    Math.round) to another value than its target; or, ``by_argmax``, the largest
    strictly positive entries differ (synaptic.js's ERG test, -1 for none)."""
    if by_argmax:
        return _argmax_positive(output) != _argmax_positive(target)
    return not np.array_equal(np.floor(output + 0.5), target)


def _argmax_positive(v) -> int:
    i = int(np.argmax(v))
    return i if v[i] > 0 else -1
