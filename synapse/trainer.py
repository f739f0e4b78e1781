"""Training a network on a set, and the built-in tasks.

:class:`Trainer` is synaptic.js's Trainer in Python: ``train`` runs passes over
a training set (online: activate, then propagate, row by row) until the error
or the iteration budget is reached; ``test`` measures the error of a set;
``xor``, ``dsr``, ``erg`` and ``timing_task`` are the built-in tasks of
``docs/tasks.md`` (their data and loops live in :mod:`synapse.tasks`).

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

import dataclasses
import time
from typing import Any

import numpy as np

from . import _check, optim, rng, tasks
from . import cost as _cost
from ._sequences import LEARNING, SequenceOptions, sequence_set
from ._sequences import fit as fit_sequences
from ._training import (
    GRADIENTS,
    Bar,
    Cost,
    FitOptions,
    Keeper,
    average_and_clip,
    check_cost,
    check_cross_validate,
    check_rate,
    divergence,
    interrupted,
    learning_cost,
    next_chunk,
    probe_cost,
    progress,
    rate_at,
    rates_of,
    training_set,
    warm_up,
)
from .cost import set_error
from .engine import dense
from .network import Network

__all__ = ["Trainer"]

_LEARN = {"miss": "only at a wrong prediction", "always": "at every step"}


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
        The most passes over the set (a float with a whole value, as ``1e5``,
        counts too).
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
    may override for one call; the Trainer itself never changes. It only notes
    where :meth:`train` got to: ``position`` is ``{"iterations", "error"}`` after
    each pass (None before any), and ``train(..., resume=True)`` continues from
    there (``synapse.checkpoint`` saves and restores it).

    Raises
    ------
    TypeError, ValueError
        For an option of the wrong type or value (the message names it).

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
            raise TypeError(f"Trainer needs a Network, got {_check.came(network)}")
        self.network = network
        self.rate = check_rate(rate)
        self.iterations = _check.count(iterations, "iterations", minimum=1)
        self.error = _check.non_negative(error, "error")
        self.cost = check_cost(cost)
        check_cross_validate(cross_validate, self.error)
        self.cross_validate = cross_validate
        self.gradient = _check.choice(gradient, "gradient", GRADIENTS)
        learning_cost(self.gradient, self.cost)
        self.position: dict | None = None
        self.optimizer: optim.Optimizer | None = None  #: what train() last stepped with
        self._dense: dense.Dense | None = None  # the current train()'s matrix passes, if any

    def __repr__(self) -> str:
        return (f"Trainer(rate={self.rate!r}, iterations={self.iterations}, error={self.error}, "
                f"gradient={self.gradient!r})")

    # ---- options ----
    def _set(self, data, what="training set"):
        return training_set(data, self.network.inputs(), self.network.outputs(), what)

    def _learning_cost(self, gradient, cost: Cost) -> Cost | None:
        return learning_cost(self.gradient if gradient is None else gradient, cost)

    def _fit_options(self, rate, iterations, error, shuffle, log, cost, schedule,
                     cross_validate, gradient, progress_bar=False, optimizer=None, momentum=0.0,
                     batch_size=1, weight_decay=0.0, clip=None) -> FitOptions:
        """:meth:`train`'s options, checked, with the Trainer's defaults for None."""
        cost = check_cost(cost) or self.cost or _cost.MSE
        error = self.error if error is None else _check.non_negative(error, "error")
        batch = _check.count(batch_size, "batch_size", minimum=1)
        clip = 0.0 if clip is None else _check.positive(clip, "clip")
        options = FitOptions(
            rate=self.rate if rate is None else check_rate(rate),
            iterations=(self.iterations if iterations is None
                        else _check.count(iterations, "iterations", minimum=1)),
            error=error, shuffle=_check.flag(shuffle, "shuffle"),
            progress=progress(log, schedule), cost=cost,
            learn_cost=self._learning_cost(gradient, cost),
            cross_validate=check_cross_validate(
                self.cross_validate if cross_validate is None else cross_validate, error),
            bar=_check.flag(progress_bar, "progress"), optimizer=None, batch=batch, clip=clip)
        probe_cost(cost, options.learn_cost, self.network.outputs())
        return dataclasses.replace(
            options, optimizer=self._stepper(optimizer, momentum, weight_decay, clip, batch))

    def _stepper(self, optimizer, momentum, weight_decay, clip: float, batch: int = 1):
        """The optimizer a call's steps take, made last, once every other option
        is checked (a refused call leaves ``self.optimizer`` as it was): the one
        asked for, or plain SGD where batches or clipping need one, else None."""
        opt = self._optimizer(optimizer, momentum, weight_decay)
        if opt is None and (batch > 1 or clip):
            opt = optim.SGD(self.network)  # plain steps, averaged over a batch or clipped
        return opt

    def _optimizer(self, optimizer, momentum, weight_decay):
        """The optimizer a call of :meth:`train` steps with: None for synaptic.js's
        plain step (no optimizer, no momentum, no weight decay), else one made by
        ``optim.make`` (kept in ``self.optimizer``, so a checkpoint saves it and
        a resumed run goes on with its moments)."""
        momentum = _check.non_negative(momentum, "momentum")
        weight_decay = _check.non_negative(weight_decay, "weight_decay")
        if optimizer is None and not momentum and not weight_decay:
            return None
        if isinstance(optimizer, optim.Optimizer):
            if momentum or weight_decay:
                raise ValueError("momentum and weight_decay are an optimizer's own options: "
                                 "set them when making it, not in train()")
            self.optimizer = optim.make(optimizer, self.network)
            return self.optimizer
        name = "momentum" if optimizer is None and momentum else (optimizer or "sgd")
        kind_options: dict = {"weight_decay": weight_decay} if weight_decay else {}
        if momentum:
            if not isinstance(name, str) or name.lower() not in ("sgd", "momentum", "nesterov"):
                raise ValueError(f"momentum is an option of SGD ('sgd', 'momentum' or "
                                 f"'nesterov'), not of {name!r}")
            kind_options["momentum"] = momentum
        made = optim.make(name, self.network, **kind_options)
        kept = self.optimizer
        if (kept is not None and type(kept) is type(made) and kept.net is self.network
                and kept.n_params == made.n_params and _but_lr(kept) == _but_lr(made)):
            return kept  # the same optimizer as the last call: go on with its moments
        self.optimizer = made
        return made

    def _sequence_options(self, iterations, rate, log, schedule, cost, gradient, clear,
                          learn, progress_bar, optimizer=None, momentum=0.0, weight_decay=0.0,
                          clip=None) -> tasks.SequenceOptions:
        """The options the sequence tasks (DSR, ERG) share, checked; the cost
        defaults to cross-entropy."""
        cost = check_cost(cost) or self.cost or _cost.CROSS_ENTROPY
        clip = 0.0 if clip is None else _check.positive(clip, "clip")
        options = tasks.SequenceOptions(
            iterations=_check.count(iterations, "iterations", minimum=1),
            rate=_check.non_negative(rate, "rate"), progress=progress(log, schedule),
            cost=cost, learn_cost=self._learning_cost(gradient, cost),
            clear=_check.flag(clear, "clear"),
            always=_check.choice(learn, "learn", _LEARN) == "always",
            bar=_check.flag(progress_bar, "progress"), clip=clip)
        probe_cost(cost, options.learn_cost, self.network.outputs())
        return dataclasses.replace(
            options, optimizer=self._stepper(optimizer, momentum, weight_decay, clip))

    def _check_sizes(self, task: str, *allowed: tuple[int, int]) -> None:
        """ValueError unless the network's (inputs, outputs) is one of ``allowed``."""
        net = self.network
        if (net.inputs(), net.outputs()) not in allowed:
            (i, o), more = allowed[0], "".join(f" (or {a} and {b})" for a, b in allowed[1:])
            raise ValueError(f"{task} needs a network with {i} inputs and {o} output"
                             f"{'s' * (o != 1)}{more}, got {net.inputs()} and {net.outputs()}")

    # ---- training ----
    def train(self, training_set, *, rate=None, iterations: int | None = None,
              error: float | None = None, shuffle: bool = False, log: int = 0, cost=None,
              schedule: dict | None = None, cross_validate: dict | None = None,
              gradient: str | None = None, progress: bool = False, resume: bool = False,
              optimizer=None, momentum: float = 0.0, batch_size: int = 1,
              weight_decay: float = 0.0, clip: float | None = None, init: str | None = None
              ) -> dict:
        """Train on a set, pass after pass, until the error or the iterations run out.

        One iteration is one pass over the set, online: for each row, activate
        on its input, then propagate towards its output. The iteration's error
        is the mean cost of the outputs the pass produced (each computed before
        that row's learning step, as in synaptic.js).

        Parameters
        ----------
        training_set : list of dict, list of (x, y) pairs, or (inputs, outputs)
            ``[{"input": [...], "output": [...]}, ...]``; or ``[(x, y), ...]``
            (tuples, as ``list(zip(X, y))`` makes them); or a pair ``(X, Y)``
            of arrays of shapes (n, inputs) and (n, outputs), where X may be
            1-D for one input and Y 1-D for one output (a pandas Series,
            scikit-learn's ``y``). Two tuples of two are two rows; two lists
            or arrays are (X, Y). It is never modified.
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
        progress : bool
            Show a progress bar (iterations, their speed, the error and the
            rate) on stderr. It needs tqdm (``pip install synapse[progress]``);
            without it a plain line is printed every 2 seconds instead.
        resume : bool
            Continue from ``position`` (where the last call stopped, or as a
            checkpoint restored it): passes are counted on from there, up to
            ``iterations`` in all. With the same set and options, and the random
            generator as it was (``synapse.checkpoint`` restores it), a run
            stopped and resumed ends with the same parameters, bit for bit, as
            one that never stopped.
        optimizer : None, str or synapse.optim.Optimizer
            None: synaptic.js's plain step (``rate`` times the LSTM-g gradient,
            row by row). A name ("sgd", "momentum", "nesterov", "rmsprop",
            "adam", "rprop") or an optimizer object: its rule steps the
            parameters, at learning rate ``rate`` (a list or callable schedule
            works as for plain steps). Kept in ``self.optimizer``.
        momentum, weight_decay : float
            SGD's momentum (with optimizer None or a name of SGD) and L2 weight
            decay, for an optimizer made here.
        batch_size : int
            Rows whose gradients are averaged per step (1: online). The rows of
            a batch keep their order and the network's state carries on through
            them, as in online training; only the step waits.
        clip : float, optional
            The largest norm of a step's gradient: a longer one is scaled down
            to it (None: no clipping).
        init : str, optional
            Draw the parameters afresh first (``Network.initialize``:
            "uniform", "glorot" or "he").

        Returns
        -------
        dict
            ``{"error", "iterations", "time", "history", "compile"}``: the last
            iteration's error, the iterations run, the seconds they took,
            ``history`` the error of every iteration (a list), and ``compile``
            the seconds spent before the first pass laying the network out and
            compiling its kernels (or loading them from numba's cache; not
            counted in ``time``). After a Ctrl-C, also ``"interrupted": True``.

        Raises
        ------
        TypeError, ValueError
            For a malformed set or option, before anything is trained.
        synapse.DivergenceError
            When a pass makes a parameter non-finite (a ValueError; its
            ``iteration`` and ``parameter`` say which). The network keeps the
            parameters and state it had after the pass before.

        Notes
        -----
        **Ctrl-C** (SIGINT, or a notebook's interrupt) stops training within
        a fraction of a second: compiled passes run in calls of about 0.2 s.
        The network is left as it was at the end of the last whole pass
        counted, one line on stderr says at which iteration, and the result
        so far is returned with ``"interrupted": True`` (no exception).

        Examples
        --------
        >>> import synapse
        >>> from synapse import Layer, Network, Trainer
        >>> synapse.seed(1)
        >>> a, b = Layer(2), Layer(1)
        >>> _ = a.project(b)
        >>> net = Network(input=a, output=b)
        >>> data = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [1])]
        >>> result = Trainer(net).train(data, rate=1, iterations=1000, error=0.01)
        >>> result["error"] <= 0.01, result["iterations"] < 1000
        (True, True)
        >>> len(result["history"]) == result["iterations"], result["history"][-1] <= 0.01
        (True, True)
        """
        X, Y = self._set(training_set)
        if _check.flag(resume, "resume") and self.position is None:
            raise ValueError("resume=True needs a position to resume from: this Trainer has "
                             "not trained yet (or was not restored from a checkpoint)")
        options = self._fit_options(rate, iterations, error, shuffle, log, cost, schedule,
                                    cross_validate, gradient, progress, optimizer, momentum,
                                    batch_size, weight_decay, clip)
        if init is not None:
            self.network.initialize(init)
        return self._fit(X, Y, options, self.position if resume else None)

    def train_sequences(self, sequences, *, learning: str = "lstm-g", window: int | None = None,
                        rate=None, iterations: int | None = None, error: float | None = None,
                        cost=None, gradient: str | None = None, optimizer=None,
                        momentum: float = 0.0, batch_size: int = 1, weight_decay: float = 0.0,
                        clip: float | None = None, shuffle: bool = False, log: int = 0,
                        schedule: dict | None = None, progress: bool = False,
                        init: str | None = None) -> dict:
        """Train on a list of sequences, pass after pass, until the error or the
        iterations run out.

        The network is cleared before each sequence (sequences are
        independent). One iteration is one pass over the list; its error is
        the mean cost over the steps that have a target, each output taken
        before the learning step that uses it. After training the network is
        cleared.

        Parameters
        ----------
        sequences : list
            ``[{"input": X, "output": Y}, ...]`` or ``[(X, Y), ...]``: X of
            shape (T, inputs), Y of shape (T, outputs), T >= 1 and free to
            differ between sequences (with one input or output unit, X or Y may
            be 1-D). NaN in Y means no target for that output at that step: it
            adds nothing to the gradient or to the error. Never modified.
        learning : {"lstm-g", "bptt"}
            ``"lstm-g"`` (default): LSTM-g's online gradient, as ``activate``
            + ``propagate`` take it, at every step that has a target; exact
            through self-connections, truncated to one step on recurrent
            connections between different units (docs/equations.md).
            ``"bptt"``: the exact gradient of the sequence's summed cost
            (:meth:`Network.bptt`), on any topology.
        window : int, optional
            With ``"bptt"``: truncated backpropagation through time, the
            sequence cut into windows of ``window`` steps, each walked back on
            its own (the state carried on) and followed by a step. None: the
            whole sequence, one step at its end.
        rate, iterations, error, cost, gradient
            As for :meth:`train` (``rate`` is the optimizer's learning rate
            when there is one). The error is reported with ``cost``; the
            gradient follows eq. 10 (t - y) or, with ``gradient="cost"``, the
            cost's own.
        optimizer, momentum, weight_decay, clip
            As for :meth:`train`: None takes plain steps (``rate`` times the
            gradient); a name or an optimizer object takes its rule's steps;
            ``clip`` bounds each step's gradient norm.
        batch_size : int
            Sequences whose gradients are averaged per step. The sequences of
            a batch run side by side in lockstep, each from a cleared state
            (shorter ones padded with steps that have no target). With
            ``"lstm-g"`` the parameters take one step at each time step where
            some sequence of the batch has a target, along the sum of their
            gradients divided by the batch's size; with ``"bptt"`` one step
            per batch (or per window), along the sum of the sequences' exact
            gradients divided by the batch's size.
        shuffle : bool
            Visit the sequences in a fresh random order every pass (drawn from
            ``synapse.seed``'s generator).
        log, schedule, progress
            As for :meth:`train`.
        init : str, optional
            Draw the parameters afresh first (``Network.initialize``).

        Returns
        -------
        dict
            ``{"error", "iterations", "time", "history", "compile"}`` as for
            :meth:`train` (``history``: the error of every pass); after a
            Ctrl-C also ``"interrupted": True``.

        Raises
        ------
        TypeError, ValueError
            For a malformed set or option, before anything is trained.
        synapse.DivergenceError
            When a pass makes a parameter non-finite; the network keeps the
            parameters it had before that pass.

        Notes
        -----
        One sequence at a time (``batch_size=1``) with LSTM-g, plain steps and
        no clipping runs in the engine's own loop (``Network.run`` with a
        rate), exactly the steps of activate + propagate. A step that takes a
        target for some outputs and NaN for others goes through the general
        loop, where those outputs add nothing.

        Examples
        --------
        >>> import numpy as np, synapse
        >>> from synapse import Trainer, squash
        >>> from architect import Elman
        >>> synapse.seed(2)
        >>> net = Elman(1, 4, 1, output_squash=squash.IDENTITY)
        >>> x = np.array([[1.0], [0.0], [0.0], [0.0]])      # echo the first input 2 steps late
        >>> y = np.array([[np.nan], [np.nan], [1.0], [np.nan]])
        >>> data = [(x, y), (0 * x, 0 * y)]
        >>> result = Trainer(net).train_sequences(data, learning="bptt", optimizer="adam",
        ...                                       rate=0.05, iterations=2000, error=1e-4)
        >>> result["error"] <= 1e-4
        True
        >>> round(float(net.run(x)[2, 0]), 1)
        1.0
        """
        seqs = sequence_set(sequences, self.network.inputs(), self.network.outputs())
        learning = _check.choice(learning, "learning", LEARNING)
        if window is not None:
            window = _check.count(window, "window", minimum=1)
            if learning != "bptt":
                raise ValueError("window is an option of learning='bptt' (truncated "
                                 "backpropagation through time), not of 'lstm-g'")
        fit = self._fit_options(rate, iterations, error, shuffle, log, cost, schedule, None,
                                gradient, progress, optimizer, momentum, batch_size,
                                weight_decay, clip)
        if init is not None:
            self.network.initialize(init)
        return fit_sequences(self.network, seqs, SequenceOptions(fit, learning, window or 0))

    def _fit(self, X: np.ndarray, Y: np.ndarray, o: FitOptions, at: dict | None = None) -> dict:
        """:meth:`train` on checked arrays and options."""
        net = self.network
        rate, iterations, error, cv = o.rate, o.iterations, o.error, o.cross_validate
        X_test = Y_test = None
        if cv is not None:
            X, Y, X_test, Y_test = cv.split(X, Y)
            error = cv.test_error

        generator = rng.generator()
        # Passes the JIT can run many at a time, without returning to Python:
        # about CHUNK_SECONDS' worth, and no further than the next log line or
        # schedule call. Shuffles are drawn the same way either path (argsort
        # of uniform draws, a row per pass), so both give the same numbers,
        # however the passes are cut into calls.
        # Mini-batches of a layered feed-forward network: matrix products per batch
        # (engine/dense.py), the same steps; else the engine's own passes.
        self._dense = (self._dense_plan(o) if cv is None and not callable(rate) else None)
        chunked = self._dense is not None or (
            cv is None and not callable(rate) and net._can_train_passes(o.learn_cost, o.cost))
        it, r = (0, float("nan")) if at is None else (at["iterations"], float("nan"))
        last_error: float | None = None if at is None else at["error"]  # resuming
        history: list[np.ndarray] = []  # the errors of the passes, a chunk at a time
        start = time.perf_counter()
        keeper = Keeper(net, (it, last_error, r, 0), o.optimizer)  # lays the network out
        compiling, stopped = 0.0, False
        bar = Bar(False, iterations)
        try:
            self._warm_up(X, Y, o, chunked, keeper)
            compiling = time.perf_counter() - start
            bar = Bar(o.bar, iterations)
            start = time.perf_counter()
            n = 1
            while it < iterations:
                keeper.keep((it, last_error, r, len(history)))
                if chunked:
                    due = o.progress.next_due(it)
                    stop = min(iterations, it + n, *([due] if due else []))
                    orders = (np.argsort(generator.random((stop - it, len(X))), axis=1)
                              if o.shuffle else
                              np.broadcast_to(np.arange(len(X)), (stop - it, len(X))))
                    rates = rates_of(rate, it + 1, stop, iterations)
                    began = time.perf_counter()
                    done, errors = self._passes(X, Y, orders, rates, o, error)
                    n = next_chunk(stop - it, done, time.perf_counter() - began)
                    if keeper.bad_parameter() is not None:
                        raise self._diverged(X, Y, o, keeper, it, orders[:done], rates[:done])
                    history.append(errors)
                    it += done
                    r, last_error = float(rates[done - 1]), float(errors[-1])
                else:
                    r = rate_at(rate, it + 1, iterations, last_error)
                    if o.shuffle:
                        order = np.argsort(generator.random(len(X)))
                        xs, ys = X[order], Y[order]
                    else:
                        xs, ys = X, Y
                    outputs = (net.run(xs, ys, rate=r, cost=o.learn_cost) if o.optimizer is None
                               else self._python_pass(xs, ys, r, o))
                    if keeper.bad_parameter() is not None:
                        raise divergence(net, keeper, it + 1)
                    if X_test is None or Y_test is None:
                        pass_error = set_error(o.cost, ys, outputs)
                    else:
                        pass_error = set_error(o.cost, Y_test, net.run(X_test))
                    history.append(np.array([pass_error]))
                    it, last_error = it + 1, pass_error
                self.position = {"iterations": it, "error": last_error}
                bar.update(it - bar.count, error=last_error, rate=r)
                if o.progress.report({"error": last_error, "iterations": it, "rate": r,
                                      "time": time.perf_counter() - start},
                                     "iterations {iterations} error {error:.6g} rate {rate:.6g}"):
                    break
                if last_error <= error:
                    break
        except KeyboardInterrupt:
            it, last_error, r, kept = keeper.restore()
            del history[kept:]
            self.position = {"iterations": it, "error": last_error}
            bar.close(it, error=last_error, rate=r)
            interrupted(it, last_error)
            stopped = True
        finally:
            bar.close()
        result = {"error": last_error, "iterations": it, "time": time.perf_counter() - start,
                  "history": np.concatenate(history).tolist() if history else [],
                  "compile": compiling}
        if stopped:
            result["interrupted"] = True
        return result

    def _dense_plan(self, o: FitOptions) -> dense.Dense | None:
        """The matrix-product passes (engine/dense.py) when they apply: mini-batches
        with a compiled path (not the neuron objects) on a layered feed-forward
        network."""
        net = self.network
        if o.optimizer is None or o.batch < 2 or net._path().name not in ("numpy", "jit"):
            return None
        return dense.plan(net._compiled())

    def _passes(self, X, Y, orders, rates, o: FitOptions, target: float):
        """Passes in one compiled call: plain steps, or the optimizer's."""
        net = self.network
        plan = self._dense
        if plan is not None and o.optimizer is not None:
            return plan.fit(X, Y, orders, rates, o.learn_cost, o.cost, target, o.batch,
                            o.optimizer, o.clip)
        if o.optimizer is None:
            return net._train_passes(X, Y, orders, rates, o.learn_cost, o.cost, target)
        return net._fit_passes(X, Y, orders, rates, o.learn_cost, o.cost, target, o.batch,
                               o.optimizer, o.clip)

    def _python_pass(self, X: np.ndarray, Y: np.ndarray, rate: float, o: FitOptions
                     ) -> np.ndarray:
        """One pass from Python with an optimizer: each row's gradient added up,
        and every ``batch`` rows (and at the end) averaged, clipped and stepped,
        as the compiled pass does. Returns the outputs, each before its step."""
        net, opt = self.network, o.optimizer
        out = np.empty((len(X), net.outputs()))
        net.zero_grad()
        count = 0
        for i in range(len(X)):
            out[i] = net.activate(X[i])
            net.backward(Y[i], o.learn_cost)
            count += 1
            if count == o.batch or i == len(X) - 1:
                average_and_clip(net.grad, count, o.clip)
                opt.hyper[0] = rate  # the Trainer's rate is the learning rate (as in the kernel)
                opt.step()
                net.zero_grad()
                count = 0
        return out

    def _warm_up(self, X: np.ndarray, Y: np.ndarray, o: FitOptions, chunked: bool,
                 keeper: Keeper) -> None:
        """Compile (or load from numba's cache) what the passes will call, so that
        the clock of :meth:`train` starts at the first pass: no pass of the
        compiled loop, or one row of ``run``, after which ``keeper`` puts every
        number back."""
        net = self.network
        if chunked:
            self._passes(X, Y, np.zeros((0, len(X)), dtype=np.int64), np.zeros(0), o, -np.inf)
        elif o.optimizer is None:
            net.run(X[:1], Y[:1], rate=0.0, cost=o.learn_cost)
            keeper.restore()
        else:  # the Python pass: activate, then backward
            warm_up(net, keeper, o.learn_cost, o.optimizer)

    def _diverged(self, X, Y, o: FitOptions, keeper: Keeper, it: int, orders: np.ndarray,
                  rates: np.ndarray) -> Exception:
        """A chunk of passes made a parameter non-finite: find the pass by running
        the chunk again from its start in halves, and return the error to raise,
        with the network back at the end of the pass before it."""
        net = self.network
        keeper.restore()
        # the network is after pass lo (kept by ``after``); passes lo..hi-1 diverge.
        # ``keeper`` keeps the chunk's start, where a Ctrl-C in here leaves it.
        after = Keeper(net, None)
        lo, hi = 0, len(orders)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            self._passes(X, Y, orders[lo:mid], rates[lo:mid], o, -np.inf)
            if after.bad_parameter() is None:
                lo = mid
                after.keep(None)
            else:
                hi = mid
                after.restore()
        self._passes(X, Y, orders[lo:hi], rates[lo:hi], o, -np.inf)
        return divergence(net, after, it + hi)

    def test(self, training_set, cost=None) -> dict:
        """The mean cost over a set (any form :meth:`train` takes), activating on
        each input in order (no learning).

        Returns ``{"error": float, "time": seconds}``.

        >>> import synapse
        >>> from synapse import Trainer, cost
        >>> from architect import Perceptron
        >>> synapse.seed(0)
        >>> t = Trainer(Perceptron(1, 2, 1))
        >>> 0 < t.test(([0.0, 1.0], [0.0, 1.0]), cost=cost.MSE)["error"] < 1
        True
        """
        X, Y = self._set(training_set, "test set")
        cost = check_cost(cost) or self.cost or _cost.MSE
        probe_cost(cost, None, self.network.outputs())
        return self._test(X, Y, cost)

    def _test(self, X: np.ndarray, Y: np.ndarray, cost: Cost) -> dict:
        start = time.perf_counter()
        outputs = self.network.run(X)
        return {"error": set_error(cost, Y, outputs), "time": time.perf_counter() - start}

    # ---- built-in tasks ----
    def xor(self, **options) -> dict:
        """Train on XOR's four rows; options and result as :meth:`train`.

        Defaults: iterations 100000, shuffle on, cost MSE, log off. Needs a
        network with 2 inputs and 1 output.
        """
        self._check_sizes("xor", (2, 1))
        data = [{"input": [0, 0], "output": [0]}, {"input": [1, 0], "output": [1]},
                {"input": [0, 1], "output": [1]}, {"input": [1, 1], "output": [0]}]
        settings: dict[str, Any] = {"iterations": 100000, "shuffle": True, "cost": _cost.MSE,
                                    "log": 0}
        settings.update(options)
        return self.train(data, **settings)

    def dsr(self, *, targets=(2, 4, 7, 8), distractors=(3, 5, 6, 9), prompts=(0, 1),
            length: int = 24, success: float = 0.95, iterations: int = 100000, rate: float = 0.1,
            log: int = 0, schedule: dict | None = None, cost=None, clear: bool = True,
            learn: str = "miss", gradient: str | None = None, progress: bool = False,
            optimizer=None, momentum: float = 0.0, weight_decay: float = 0.0,
            clip: float | None = None) -> dict:
        """Distracted Sequence Recall (see ``docs/tasks.md``).

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

        ``optimizer`` (None, a name or an ``optim`` object; with ``momentum``,
        ``weight_decay`` and ``clip``, as for :meth:`train`) makes each
        learning step ``backward`` and the optimizer's step, at learning rate
        ``rate``, still online: one step per step learnt. None (default) is
        synaptic.js's plain ``propagate``. Adam wants a smaller rate than plain
        steps: at .01 it meets the paper's DSR criterion in a quarter of the
        trials plain steps at .1 take (``benchmarks/learning.py dsr``).

        Returns ``{"iterations", "success", "error", "time", "history",
        "successes", "history_every", "compile"}``: trials run, the current
        block's success, the last trial's mean cost per step, seconds (the
        warm-up's, ``compile``, apart); ``history`` the mean error of each block
        of ``history_every`` (1000) trials and ``successes`` each block's
        success (the last block may be partial). ``schedule`` gets
        ``{"iterations", "success", "error", "time", "correct"}``; returning
        True stops. ``progress``, Ctrl-C and divergence as for :meth:`train`
        (a trial is an iteration).
        """
        n_symbols = tasks.dsr_symbols(targets, distractors, prompts)
        self._check_sizes("dsr", (n_symbols, len(targets)))
        options = tasks.DSROptions(
            targets=tuple(map(int, targets)), distractors=tuple(map(int, distractors)),
            prompts=tuple(map(int, prompts)), length=tasks.dsr_length(length, len(prompts)),
            success=_check.fraction(success, "success"),
            training=self._sequence_options(iterations, rate, log, schedule, cost, gradient,
                                            clear, learn, progress, optimizer, momentum,
                                            weight_decay, clip))
        return tasks.train_dsr(self.network, options)

    def erg(self, *, iterations: int = 150000, error: float = 0.05, rate: float = 0.1,
            log: int = 500, cost=None, schedule: dict | None = None, clear: bool = True,
            targets: str = "possible", learn: str = "always", pairing: str = "standard",
            gradient: str | None = None, progress: bool = False, optimizer=None,
            momentum: float = 0.0, weight_decay: float = 0.0, clip: float | None = None
            ) -> dict:
        """The Embedded Reber Grammar (see ``docs/tasks.md`` and
        :class:`synapse.tasks.ReberGrammar`).

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

        Where this differs from synaptic.js, an option gives synaptic.js's way
        (:func:`synapse.tasks.train_erg` says what each changes):
        ``targets="next"`` (the symbol that came next, missed by arg-max,
        rather than every symbol allowed next, missed by rounding),
        ``learn="miss"`` (learn only at a missed prediction), ``clear=False``
        (never clear between strings), ``pairing="crosswise"`` (P ... T and
        T ... P rather than B T ... T E and B P ... P E).

        ``optimizer``, ``momentum``, ``weight_decay`` and ``clip`` as for
        :meth:`dsr`: each learning step is ``backward`` and the optimizer's
        step, at learning rate ``rate``.

        Returns ``{"iterations", "error", "time", "history", "compile", "test",
        "generate"}``: ``history`` is the error of every string,
        ``generate()`` makes a string of the grammar and ``test(string)``
        checks one. ``progress``, Ctrl-C and divergence as for :meth:`train`
        (a string is an iteration).
        """
        net = self.network
        self._check_sizes("erg", (6, 6), (7, 7))
        options = tasks.ERGOptions(
            grammar=tasks.ReberGrammar(pairing, net.inputs()),
            targets=_check.choice(targets, "targets", tasks.ERG_TARGETS),
            error=_check.non_negative(error, "error"),
            training=self._sequence_options(iterations, rate, log, schedule, cost, gradient,
                                            clear, learn, progress, optimizer, momentum,
                                            weight_decay, clip))
        return tasks.train_erg(net, options)

    def timing_task(self, *, iterations: int = 200, error: float = 0.005, rate=(0.03, 0.02),
                    log: int = 10, cost=None, train_samples: int = 7000,
                    test_samples: int = 1000, schedule: dict | None = None,
                    gradient: str | None = None, progress: bool = False) -> dict:
        """The timing task (see ``docs/tasks.md`` and :func:`synapse.tasks.timing_samples`).

        One long sequence of ``train_samples + test_samples`` samples; the first
        ``train_samples`` are trained on as :meth:`train` does (in order: order
        is the point), then the rest are tested as :meth:`test` does, continuing
        from the network's state. Needs 2 inputs and 1 output. Default cost MSE.

        Returns ``{"train": train's result, "test": test's result}``;
        ``progress``, Ctrl-C and divergence concern the training, as for
        :meth:`train`.
        """
        self._check_sizes("timing_task", (2, 1))
        options = tasks.TimingOptions(
            _check.count(train_samples, "train_samples", minimum=1),
            _check.count(test_samples, "test_samples", minimum=1))
        # every option is checked before data is drawn or anything trained
        fit = self._fit_options(rate, iterations, error, False, log, cost, schedule, None,
                                gradient, progress)
        return tasks.train_timing(options, lambda X, Y: self._fit(X, Y, fit),
                                  lambda X, Y: self._test(X, Y, fit.cost))


def _but_lr(opt: optim.Optimizer) -> dict:
    """An optimizer's options but its learning rate (which the Trainer's rate sets)."""
    return {k: v for k, v in opt.options().items() if k != "lr"}
