"""The built-in tasks: Distracted Sequence Recall, the Embedded Reber Grammar
and the timing task (see ``docs/tasks.md``): their data, and their training loops.

Every random draw comes from :func:`synapse.rng.generator`, so ``synapse.seed``
makes the data reproducible. :meth:`Trainer.dsr <synapse.trainer.Trainer.dsr>`,
``erg`` and ``timing_task`` check their options into the dataclasses below and
call :func:`train_dsr`, :func:`train_erg` and :func:`train_timing`.

>>> import synapse
>>> from synapse import tasks
>>> synapse.seed(0)
>>> X, Y = tasks.dsr_trial([2, 4], [3, 5], [0, 1], 9)
>>> X.shape, Y.shape
((9, 6), (9, 2))
>>> int(Y[:7].sum()), int(Y[7:].sum())      # silent until the two prompts
(0, 2)
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import _check, rng
from ._training import (
    Bar,
    Cost,
    Keeper,
    Progress,
    average_and_clip,
    divergence,
    interrupted,
    warm_up,
)
from .cost import cost_value

__all__ = ["dsr_symbols", "dsr_trial", "ReberGrammar", "timing_samples", "fraction_right"]


@dataclass(frozen=True)
class SequenceOptions:
    """What the sequence tasks (DSR, ERG) share, checked."""

    iterations: int            #: sequences to train on, at most
    rate: float                #: the learning rate
    progress: Progress         #: log lines and schedule
    cost: Cost                 #: the reported error
    learn_cost: Cost | None  #: None: learn by t - y (eq. 10); else this cost's gradient
    clear: bool                #: clear the network before each sequence
    always: bool               #: learn at every step (else only where the prediction misses)
    bar: bool = False          #: show a progress bar
    optimizer: Any = None      #: a synapse.optim optimizer, or None: synaptic.js's plain step
    clip: float = 0.0          #: the largest norm of a step's gradient (0: not clipped)

    def learner(self, net) -> Callable[[np.ndarray], None]:
        """One learning step towards a target, as these options ask: a plain
        ``propagate`` at ``rate`` (no optimizer), else ``backward`` and the
        optimizer's step at learning rate ``rate``, its gradient clipped to
        ``clip``."""
        rate, cost, opt, clip = self.rate, self.learn_cost, self.optimizer, self.clip
        if opt is None:
            return lambda target: net.propagate(rate, target, cost)
        opt.lr = rate
        grad = net.grad

        def step(target: np.ndarray) -> None:
            grad[...] = 0.0
            net.backward(target, cost)
            average_and_clip(grad, 1, clip)
            opt.step()

        return step


# ---------------------------------------------------------------- DSR
def dsr_symbols(targets, distractors, prompts) -> int:
    """Check the symbol lists of a DSR task and return how many symbols there are.

    Symbols are the integers ``0 .. n-1`` (one input unit each); targets,
    distractors and prompts together must be exactly those, each once.
    """
    lists = {"targets": targets, "distractors": distractors, "prompts": prompts}
    every = []
    for name, values in lists.items():
        # a set has no order: which target would be the first output?
        unordered = isinstance(values, (str, bytes, set, frozenset, dict))
        if unordered or not hasattr(values, "__len__"):
            raise TypeError(f"DSR {name} must be a non-empty list of symbol numbers, "
                            f"got {_check.came(values)}")
        if len(values) == 0:
            raise ValueError(f"DSR {name} must be a non-empty list of symbol numbers, "
                             f"got {_check.came(values)}")
        every += [_check.integer(v, f"each of the DSR {name}", minimum=0) for v in values]
    n = len(every)
    if sorted(every) != list(range(n)):
        raise ValueError(f"DSR symbols must be 0..{n - 1}, each once, across targets, "
                         f"distractors and prompts; got {_check.came(sorted(every))}")
    return n


def dsr_trial(targets, distractors, prompts, length: int):
    """One Distracted Sequence Recall trial: ``(inputs, outputs)``.

    ``length - len(prompts)`` random distractors, with a random target at each of
    ``len(prompts)`` distinct random positions (the k-th target is the one at the
    k-th position in numeric order), then the prompts, one per step. ``inputs``
    is one-hot over the symbols, shape (length, symbols); ``outputs`` is zero
    except at the k-th prompt step, where the unit of the k-th target is 1,
    shape (length, len(targets)).
    """
    n = dsr_symbols(targets, distractors, prompts)
    length = dsr_length(length, len(prompts))
    return _dsr_draw(np.asarray(targets, dtype=int), np.asarray(distractors, dtype=int),
                     np.asarray(prompts, dtype=int), n, length)


def dsr_length(length, prompts: int) -> int:
    """A DSR trial's length, checked: room for a target per prompt, then the prompts."""
    return _check.count(length, f"DSR length (a target and a prompt for each of {prompts} "
                                f"prompts)", minimum=2 * prompts)


def _dsr_draw(targets: np.ndarray, distractors: np.ndarray, prompts: np.ndarray, n: int,
              length: int, g: np.random.Generator | None = None):
    """:func:`dsr_trial` of checked integer arrays, drawn from ``g`` (default:
    synapse's generator)."""
    g = rng.generator() if g is None else g
    body = length - len(prompts)
    sequence = distractors[g.integers(len(distractors), size=body)]
    which = g.integers(len(targets), size=len(prompts))
    positions = np.sort(g.choice(body, size=len(prompts), replace=False))  # numeric order
    sequence[positions] = targets[which]
    sequence = np.concatenate([sequence, prompts])
    inputs = np.zeros((length, n))
    inputs[np.arange(length), sequence] = 1.0
    outputs = np.zeros((length, len(targets)))
    outputs[body + np.arange(len(prompts)), which] = 1.0
    return inputs, outputs


@dataclass(frozen=True)
class DSROptions:
    """A Distracted Sequence Recall run, checked (see :meth:`Trainer.dsr`)."""

    targets: tuple[int, ...]
    distractors: tuple[int, ...]
    prompts: tuple[int, ...]
    length: int                 #: steps per trial
    success: float              #: stop at a block of 1000 trials this fraction right
    training: SequenceOptions


_DSR_LINE = ("iterations {iterations} success {success:.4f} correct {correct} "
             "time {time:.1f}s error {error:.6g}")


#: DSR trials per block: success is counted, and history kept, block by block.
DSR_BLOCK = 1000


def train_dsr(net, options: DSROptions) -> dict:
    """Train ``net`` on DSR trials as :meth:`Trainer.dsr` describes; its result.

    Its ``history`` is the mean error of each block of :data:`DSR_BLOCK` trials
    (the last one maybe partial), ``successes`` the fraction of each block's
    trials entirely right; a Ctrl-C or a diverging step leaves the network as
    it was after its last whole trial (see :meth:`Trainer.train`)."""
    o, t = options, options.training
    targets, distractors, prompts = (np.asarray(v, dtype=int)
                                     for v in (o.targets, o.distractors, o.prompts))
    n = len(targets) + len(distractors) + len(prompts)
    trial = correct = 0
    score, err, block = 0.0, float("nan"), 0.0  # block: the sum of this block's errors
    history: list[float] = []
    successes: list[float] = []
    keeper = Keeper(net, None, t.optimizer)
    learn = t.learner(net)
    compiling, start, stopped = 0.0, time.perf_counter(), False
    bar = Bar(False, t.iterations)
    try:
        compiling = warm_up(net, keeper, t.learn_cost, t.optimizer)
        bar = Bar(t.bar, t.iterations, unit="trials", desc="DSR")
        start = time.perf_counter()
        while trial < t.iterations:
            keeper.keep((trial, correct, score, err, block, len(history)))
            X, Y = _dsr_draw(targets, distractors, prompts, n, o.length)
            if t.clear:
                net.clear()
            right = True
            total = 0.0
            for x, y in zip(X, Y):
                out = net.activate(x)
                miss = _missed(out, y)
                right = right and not miss
                if miss or t.always:
                    learn(y)
                total += cost_value(t.cost, y, out)
            if keeper.bad_parameter() is not None:
                raise divergence(net, keeper, trial + 1, "trial")
            if trial % DSR_BLOCK == 0:
                correct = 0  # a new block of trials
            trial += 1
            correct += right
            score = correct / ((trial - 1) % DSR_BLOCK + 1)
            err = total / o.length
            block += err
            if trial % DSR_BLOCK == 0:
                history.append(block / DSR_BLOCK)
                successes.append(score)
                block = 0.0
            bar.update(1, success=score, error=err)
            if t.progress.report({"iterations": trial, "success": score, "error": err,
                                  "time": time.perf_counter() - start, "correct": correct},
                                 _DSR_LINE):
                break
            if trial % DSR_BLOCK == 0 and score >= o.success:
                break
    except KeyboardInterrupt:
        mark = keeper.restore()
        if mark is not None:  # else it stopped in the warm-up
            trial, correct, score, err, block, kept = mark
            del history[kept:], successes[kept:]
            bar.close(trial, success=score, error=err)
        interrupted(trial, err, "trial")
        stopped = True
    finally:
        bar.close()
    if trial % DSR_BLOCK:  # the last block, partial
        history.append(block / (trial % DSR_BLOCK))
        successes.append(score)
    result = {"iterations": trial, "success": score, "error": err,
              "time": time.perf_counter() - start, "history": history, "successes": successes,
              "history_every": DSR_BLOCK, "compile": compiling}
    if stopped:
        result["interrupted"] = True
    return result


# ---------------------------------------------------------------- ERG
_PAIRINGS = {"standard": "B T ... T E and B P ... P E",
             "crosswise": "synaptic.js's P ... T and T ... P"}
ERG_TARGETS = {"possible": "every symbol the grammar allows next",
               "next": "the symbol that came next, as synaptic.js"}


class ReberGrammar:
    """The Embedded Reber Grammar, as a graph of nodes with labelled edges.

    The inner Reber grammar (a node's outgoing edges carry distinct symbols)::

        start -B-> n6;  n6 -T-> n4, n6 -P-> n5;  n4 -S-> n4, n4 -X-> n2;
        n5 -T-> n5, n5 -V-> n3;  n2 -X-> n5, n2 -S-> n1;  n3 -P-> n2, n3 -V-> n1;
        n1 -E-> end

    The embedded grammar: B, then T + Reber string + T or P + Reber string + P,
    then E (``pairing="standard"``). synaptic.js pairs them crosswise, P...T and
    T...P (``pairing="crosswise"``).

    Symbols are encoded over ``units`` (6 or 7) one-hot units in the order
    ``B P T X S E V``. With 6 units, as in synaptic.js, V has no unit: it reads
    as the all-zero input and cannot be a target.

    >>> import synapse
    >>> from synapse.tasks import ReberGrammar
    >>> g = ReberGrammar()
    >>> g.test("BTBTXSETE"), g.test("BTBTXSEPE")
    (True, False)
    >>> sorted(g.possible("BT"))
    ['B']
    """

    SYMBOLS = "BPTXSEV"
    _REBER = {"start": [("B", "n6")], "n6": [("T", "n4"), ("P", "n5")],
              "n4": [("S", "n4"), ("X", "n2")], "n5": [("T", "n5"), ("V", "n3")],
              "n2": [("X", "n5"), ("S", "n1")], "n3": [("P", "n2"), ("V", "n1")],
              "n1": [("E", "end")]}

    def __init__(self, pairing: str = "standard", units: int = 6):
        self.pairing = _check.choice(pairing, "pairing", _PAIRINGS)
        self.units = _check.count(units, "the grammar's units", minimum=6)
        if self.units not in (6, 7):
            raise ValueError(f"the grammar's symbols need 6 or 7 units, got {self.units}")
        inner = {}
        for copy in ("a", "b"):
            for node, edges in self._REBER.items():
                inner[(copy, node)] = [(s, (copy, n)) for s, n in edges]
        # copy "a" is entered by T; standard pairing leaves it by T too
        first_a, first_b = "T", "P"
        last_a, last_b = (first_a, first_b) if pairing == "standard" else (first_b, first_a)
        self.edges: dict[Any, list] = {"start": [("B", "second")],
            "second": [(first_a, ("a", "start")), (first_b, ("b", "start"))],
            ("a", "end"): [(last_a, "last")], ("b", "end"): [(last_b, "last")],
            "last": [("E", "end")], "end": [], **inner}

    def generate(self) -> str:
        """A random string of the grammar (each edge from a node equally likely)."""
        g = rng.generator()
        node, out = "start", []
        while self.edges[node]:
            symbol, node = self.edges[node][g.integers(len(self.edges[node]))]
            out.append(symbol)
        return "".join(out)

    def _walk(self, prefix: str):
        node = "start"
        for ch in prefix:
            step = [n for s, n in self.edges[node] if s == ch]
            if not step:
                return None
            node = step[0]
        return node

    def possible(self, prefix: str) -> set:
        """The symbols that may follow ``prefix`` (empty if it is not a prefix of the grammar)."""
        node = self._walk(prefix)
        return set() if node is None else {s for s, _ in self.edges[node]}

    def test(self, string: str) -> bool:
        """Whether ``string`` is a complete string of the grammar."""
        return isinstance(string, str) and self._walk(string) == "end"

    def encode(self, symbols) -> np.ndarray:
        """The 0/1 vector over ``units`` with a 1 at each of the given symbols."""
        v = np.zeros(self.units)
        for s in symbols:
            i = self.SYMBOLS.index(s)
            if i < self.units:
                v[i] = 1.0
        return v

    def sequence(self, string: str, targets: str = "possible"):
        """(inputs, outputs) for predicting ``string``, one row per symbol but the last.

        ``targets="possible"``: every symbol the grammar allows next (the task
        as Hochreiter and Schmidhuber, and the LSTM-g paper, pose it; error can
        go to 0). ``targets="next"``: the symbol that actually came next
        (synaptic.js's; at every branch of the grammar it is a coin toss).
        """
        targets = _check.choice(targets, "targets", ERG_TARGETS)
        inputs = np.array([self.encode(s) for s in string[:-1]])
        if targets == "next":
            outputs = np.array([self.encode(s) for s in string[1:]])
        else:
            outputs = np.array([self.encode(self.possible(string[:i + 1]))
                                for i in range(len(string) - 1)])
        return inputs, outputs


@dataclass(frozen=True)
class ERGOptions:
    """An Embedded Reber Grammar run, checked (see :meth:`Trainer.erg`)."""

    grammar: ReberGrammar
    targets: str                #: "possible" or "next"
    error: float                #: stop at a string whose error is at most this
    training: SequenceOptions


def train_erg(net, options: ERGOptions) -> dict:
    """Train ``net`` on strings of the grammar as :meth:`Trainer.erg` describes; its result.

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
    """
    o, t = options, options.training
    by_argmax = o.targets == "next"
    it = 0
    err = float("inf")
    history: list[float] = []
    keeper = Keeper(net, None, t.optimizer)
    learn = t.learner(net)
    compiling, start, stopped = 0.0, time.perf_counter(), False
    bar = Bar(False, t.iterations)
    try:
        compiling = warm_up(net, keeper, t.learn_cost, t.optimizer)
        bar = Bar(t.bar, t.iterations, unit="strings", desc="ERG")
        start = time.perf_counter()
        while it < t.iterations and err > o.error:
            keeper.keep((it, err, len(history)))
            string = o.grammar.generate()
            X, Y = o.grammar.sequence(string, o.targets)
            if t.clear:
                net.clear()
            total = 0.0
            for x, y in zip(X, Y):
                out = net.activate(x)
                if t.always or _missed(out, y, by_argmax=by_argmax):
                    learn(y)
                total += cost_value(t.cost, y, out)
            if keeper.bad_parameter() is not None:
                raise divergence(net, keeper, it + 1, "string")
            err = total / len(string)
            history.append(err)
            it += 1
            bar.update(1, error=err)
            if t.progress.report({"iterations": it, "error": err,
                                  "time": time.perf_counter() - start},
                                 "iterations {iterations} time {time:.1f}s error {error:.6g}"):
                break
    except KeyboardInterrupt:
        mark = keeper.restore()
        if mark is not None:  # else it stopped in the warm-up
            it, err, kept = mark
            del history[kept:]
            bar.close(it, error=err)
        interrupted(it, None if it == 0 else err, "string")
        stopped = True
    finally:
        bar.close()
    result = {"iterations": it, "error": err, "time": time.perf_counter() - start,
              "history": history, "compile": compiling, "test": o.grammar.test,
              "generate": o.grammar.generate}
    if stopped:
        result["interrupted"] = True
    return result


# ---------------------------------------------------------------- timing
def timing_samples(size: int):
    """The timing task's one long sequence: ``(inputs (size, 2), outputs (size, 1))``.

    Everything starts as input (0, 0), output 0. Walking along at t: draw
    n = round(uniform(0, 20)); sample t gets a pulse (input[0] = 1); samples
    t..t+n get input[1] = n/20 and output 0.5; advance t by n; draw another n and
    copy input[1] of sample t to the next n samples; advance by n; repeat while
    t < size - 20.
    """
    size = _check.count(size, "the timing task's samples", minimum=1)
    g = rng.generator()
    inputs = np.zeros((size, 2))
    outputs = np.zeros((size, 1))
    t = 0
    while t < size - 20:
        n = int(g.random() * 20 + 0.5)  # round half up, as JavaScript's Math.round
        inputs[t, 0] = 1.0
        inputs[t:t + n + 1, 1] = n / 20
        outputs[t:t + n + 1, 0] = 0.5
        t += n
        n = int(g.random() * 20 + 0.5)  # round half up, as JavaScript's Math.round
        inputs[t + 1:min(t + n + 1, size), 1] = inputs[t, 1]
        t += n
    return inputs, outputs


@dataclass(frozen=True)
class TimingOptions:
    """A timing task run's sizes, checked (see :meth:`Trainer.timing_task`)."""

    train_samples: int
    test_samples: int


def train_timing(options: TimingOptions, fit: Callable[[np.ndarray, np.ndarray], dict],
                 test: Callable[[np.ndarray, np.ndarray], dict]) -> dict:
    """Draw the timing task's sequence, ``fit`` the first ``train_samples`` (in
    order), then ``test`` the rest, continuing from the network's state."""
    n = options.train_samples
    X, Y = timing_samples(n + options.test_samples)
    return {"train": fit(X[:n], Y[:n]), "test": test(X[n:], Y[n:])}


# ---------------------------------------------------------------- checking
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


def fraction_right(net, make, n: int, clear: bool = True) -> float:
    """The fraction of ``n`` fresh sequences ``(inputs, targets) = make()`` on which
    every output of ``net`` rounds (half up) to its target. Nothing is learnt;
    with ``clear`` the network is cleared before each sequence.

    >>> import synapse
    >>> from architect import LSTM
    >>> synapse.seed(0)
    >>> fraction_right(LSTM(6, 2, 2), lambda: dsr_trial([2, 4], [3, 5], [0, 1], 9), 10)
    0.0
    """
    _check.function(make, "make", "make() -> (inputs, targets)")
    n = _check.count(n, "n", minimum=1)
    clear = _check.flag(clear, "clear")
    right = 0
    for _ in range(n):
        X, Y = make()
        if clear:
            net.clear()
        right += np.array_equal(np.floor(net.run(X) + 0.5), Y)
    return right / n
