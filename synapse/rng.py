"""The library's one source of randomness.

Every random draw in synapse (initial weights and biases, Liquid's wiring, the
built-in tasks, shuffling) comes from :func:`generator`, so ``synapse.seed(n)``
makes all of it reproducible.
"""
from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def seed(n: int | None) -> None:
    """Reseed every random draw of the library.

    >>> import synapse
    >>> synapse.seed(1); a = synapse.Neuron().bias
    >>> synapse.seed(1); a == synapse.Neuron().bias
    True
    """
    global _generator
    if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer))):
        raise TypeError(f"seed expects an integer or None, got {type(n).__name__}")
    if n is not None and n < 0:
        raise ValueError(f"seed expects a non-negative integer, got {n}")
    _generator = np.random.default_rng(n)


def generator() -> np.random.Generator:
    """The current random generator."""
    return _generator


def uniform_weight() -> float:
    """An initial weight or bias: uniform in [-0.1, 0.1), as synaptic.js draws them."""
    return float(_generator.random() * 0.2 - 0.1)
