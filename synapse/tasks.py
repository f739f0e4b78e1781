"""Data of the built-in tasks: Distracted Sequence Recall, the Embedded Reber
Grammar and the timing task (see the project's TASKS.md).

Every random draw comes from :func:`synapse.rng.generator`, so ``synapse.seed``
makes the data reproducible. The :class:`~synapse.trainer.Trainer` runs the
tasks; these functions only make their sequences.

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

import numbers

import numpy as np

from . import rng

__all__ = ["dsr_symbols", "dsr_trial", "ReberGrammar", "timing_samples", "fraction_right"]


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
        if unordered or not hasattr(values, "__len__") or len(values) == 0:
            raise TypeError(f"DSR {name} must be a non-empty list of symbol numbers, "
                            f"got {values!r}")
        for v in values:
            if isinstance(v, bool) or not isinstance(v, numbers.Integral):
                raise TypeError(f"DSR {name} must hold integers, got {v!r}")
        every += [int(v) for v in values]
    n = len(every)
    if sorted(every) != list(range(n)):
        raise ValueError(f"DSR symbols must be 0..{n - 1}, each once, across targets, "
                         f"distractors and prompts; got {sorted(every)}")
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
    if isinstance(length, bool) or not isinstance(length, numbers.Integral):
        raise TypeError(f"DSR length must be an integer, got {length!r}")
    body = int(length) - len(prompts)
    if body < len(prompts):
        raise ValueError(f"DSR length must leave room for {len(prompts)} targets before the "
                         f"{len(prompts)} prompts (at least {2 * len(prompts)}), got {length}")
    g = rng.generator()
    targets, distractors, prompts = (np.asarray(v, dtype=int)
                                     for v in (targets, distractors, prompts))
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


# ---------------------------------------------------------------- ERG
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
        if pairing not in ("standard", "crosswise"):
            raise ValueError(f"pairing must be 'standard' or 'crosswise', got {pairing!r}")
        if isinstance(units, bool) or units not in (6, 7):
            raise ValueError(f"the grammar's symbols need 6 or 7 units, got {units!r}")
        self.pairing = pairing
        self.units = int(units)
        inner = {}
        for copy in ("a", "b"):
            for node, edges in self._REBER.items():
                inner[(copy, node)] = [(s, (copy, n)) for s, n in edges]
        # copy "a" is entered by T; standard pairing leaves it by T too
        first_a, first_b = "T", "P"
        last_a, last_b = (first_a, first_b) if pairing == "standard" else (first_b, first_a)
        self.edges = {"start": [("B", "second")],
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
        if targets not in ("possible", "next"):
            raise ValueError(f"targets must be 'possible' or 'next', got {targets!r}")
        inputs = np.array([self.encode(s) for s in string[:-1]])
        if targets == "next":
            outputs = np.array([self.encode(s) for s in string[1:]])
        else:
            outputs = np.array([self.encode(self.possible(string[:i + 1]))
                                for i in range(len(string) - 1)])
        return inputs, outputs


# ---------------------------------------------------------------- timing
def timing_samples(size: int):
    """The timing task's one long sequence: ``(inputs (size, 2), outputs (size, 1))``.

    Everything starts as input (0, 0), output 0. Walking along at t: draw
    n = round(uniform(0, 20)); sample t gets a pulse (input[0] = 1); samples
    t..t+n get input[1] = n/20 and output 0.5; advance t by n; draw another n and
    copy input[1] of sample t to the next n samples; advance by n; repeat while
    t < size - 20.
    """
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
        raise ValueError(f"the timing task needs a positive number of samples, got {size!r}")
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


# ---------------------------------------------------------------- checking
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
    right = 0
    for _ in range(n):
        X, Y = make()
        if clear:
            net.clear()
        right += np.array_equal(np.floor(net.run(X) + 0.5), Y)
    return right / n
