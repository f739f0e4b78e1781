"""Data for sequence learning that no one here made up: the Mackey-Glass
series (integrated from its equation), the adding problem, and a short
public-domain text.

Every random draw comes from ``synapse.seed``'s generator unless a ``seed``
is given.

>>> from synapse import datasets
>>> x = datasets.mackey_glass(500)
>>> x.shape, bool(0.2 < x.min() and x.max() < 1.5)
((500,), True)
>>> X, Y = datasets.adding_problem(3, 10, seed=0)[0]
>>> X.shape, int(X[:, 1].sum()), bool(Y[-1, 0] == X[X[:, 1] == 1, 0].sum())
((10, 2), 2, True)
"""
from __future__ import annotations

import os

import numpy as np

from . import _check, rng

__all__ = ["mackey_glass", "adding_problem", "alice"]

_HERE = os.path.dirname(os.path.abspath(__file__))


def _generator(seed) -> np.random.Generator:
    if seed is None:
        return rng.generator()
    return np.random.default_rng(_check.integer(seed, "seed", minimum=0))


def mackey_glass(n: int, tau: float = 17.0, beta: float = 0.2, gamma: float = 0.1,
                 power: float = 10.0, x0: float = 1.2, dt: float = 0.1, every: float = 1.0,
                 discard: float = 1000.0) -> np.ndarray:
    """``n`` samples of the Mackey-Glass series, every ``every`` time units.

    The delay differential equation of Mackey & Glass (1977),

    .. code-block:: text

        dx/dt = beta x(t - tau) / (1 + x(t - tau)^power) - gamma x(t)

    with the constants of the usual benchmark (beta 0.2, gamma 0.1, power 10,
    tau 17: chaotic; tau 30: more so), integrated by the classical fourth-order
    Runge-Kutta method with step ``dt`` from x(t) = ``x0`` for t <= 0; the
    delayed value half a step between two grid points is their mean. The first
    ``discard`` time units (the transient) are dropped.

    Parameters
    ----------
    n : int
        Samples to return.
    tau, beta, gamma, power, x0 : float
    dt : float
        The integration step; ``every`` and ``tau`` must be whole multiples.
    every : float
        Time between two samples (1: the series as Jaeger (2001) predicts it
        84 steps ahead).
    discard : float
        Time units dropped at the start.

    Returns
    -------
    numpy.ndarray of shape (n,)

    Examples
    --------
    >>> x = mackey_glass(2000)
    >>> round(float(x.mean()), 2), round(float(x.std()), 2)
    (0.93, 0.23)
    """
    n = _check.count(n, "n", minimum=1)
    dt = _check.positive(dt, "dt")
    per = {}
    for what, value in (("tau", tau), ("every", every), ("discard", discard)):
        steps = _check.non_negative(value, what) / dt
        if abs(steps - round(steps)) > 1e-9 or (what != "discard" and round(steps) < 1):
            raise ValueError(f"{what} must be a positive whole multiple of dt = {dt}, got "
                             f"{value}")
        per[what] = int(round(steps))
    beta, gamma, power, x0 = (_check.number(v, k) for k, v in
                              (("beta", beta), ("gamma", gamma), ("power", power), ("x0", x0)))
    d, k = per["tau"], per["every"]
    total = per["discard"] + (n - 1) * k + 1
    x = np.empty(d + total)
    x[:d + 1] = x0  # history: x(t) = x0 for t <= 0

    def f(now, late):
        return beta * late / (1.0 + late ** power) - gamma * now

    for i in range(d, d + total - 1):
        late0, late1 = x[i - d], x[i - d + 1]
        half = 0.5 * (late0 + late1)
        a = f(x[i], late0)
        b = f(x[i] + 0.5 * dt * a, half)
        c = f(x[i] + 0.5 * dt * b, half)
        e = f(x[i] + dt * c, late1)
        x[i + 1] = x[i] + dt / 6.0 * (a + 2 * b + 2 * c + e)
    return x[d + per["discard"]::k][:n].copy()


def adding_problem(n: int, T: int, seed=None) -> list:
    """``n`` sequences of the adding problem (Hochreiter & Schmidhuber 1997,
    experiment 4; here in the form of Le, Jaitly & Hinton 2015).

    Each step has two inputs: a number drawn uniformly from [0, 1), and a
    marker, 1 at two steps and 0 elsewhere, one marked step drawn in the first
    half of the sequence and one in the second. The target, at the last step
    only, is the sum of the two marked numbers (NaN elsewhere: no target).
    Always answering 1 has mean squared error 1/6 (the variance of the sum of
    two uniform numbers), the baseline a network must beat.

    Returns a list of (X, Y) pairs, X (T, 2) and Y (T, 1), as
    :meth:`Trainer.train_sequences <synapse.trainer.Trainer.train_sequences>`
    takes them.

    >>> seqs = adding_problem(2000, 20, seed=1)
    >>> round(float(np.mean([(Y[-1, 0] - 1.0) ** 2 for _, Y in seqs])), 2)   # about 1/6
    0.17
    """
    n = _check.count(n, "n", minimum=1)
    T = _check.count(T, "T", minimum=2)
    g = _generator(seed)
    values = g.random((n, T))
    first = g.integers(0, T // 2, size=n)
    second = g.integers(T // 2, T, size=n)
    out = []
    for i in range(n):
        X = np.zeros((T, 2))
        X[:, 0] = values[i]
        X[[first[i], second[i]], 1] = 1.0
        Y = np.full((T, 1), np.nan)
        Y[-1, 0] = values[i, first[i]] + values[i, second[i]]
        out.append((X, Y))
    return out


def alice() -> str:
    """The first five paragraphs of Lewis Carroll's *Alice's Adventures in
    Wonderland* (1865; public domain), 1661 characters, as the text of the
    character-level language model demo.

    >>> text = alice()
    >>> text[:26], len(text)
    ('Alice was beginning to get', 1661)
    """
    with open(os.path.join(_HERE, "data", "alice.txt"), encoding="utf-8") as fh:
        return fh.read()
