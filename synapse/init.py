"""Drawing a network's learnable weights and biases afresh, by a scheme
(``Network.initialize``, and the architectures' ``init=``); the formulas are in
``Network.initialize``'s docstring."""
from __future__ import annotations

import numpy as np

from . import _check, rng
from .store import Layout

__all__ = ["INIT_SCHEMES", "initialize"]

#: The schemes of :meth:`Network.initialize`, and a few words on each.
INIT_SCHEMES = {"uniform": "synaptic.js's U[-0.1, 0.1)", "glorot": "Glorot & Bengio's uniform",
                "he": "He et al.'s normal"}


def generator(seed) -> np.random.Generator:
    """The generator ``initialize`` draws from: synapse's, or a new one from ``seed``."""
    if seed is None:
        return rng.generator()
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(_check.integer(seed, "seed", minimum=0))


def initialize(layout: Layout, scheme: str, seed=None) -> None:
    """Draw the layout's parameters (learning weights and biases) by ``scheme``;
    checks ``scheme`` and ``seed`` before anything changes."""
    scheme = _check.choice(scheme, "initialize scheme", INIT_SCHEMES)
    g = generator(seed)
    st = layout.structure
    learning = np.flatnonzero(st.learns)
    weights = layout.w_at[learning]
    biases = layout.bias_at[np.flatnonzero(st.learn_bias)]
    V = layout.V
    if scheme == "uniform":
        V[weights] = g.random(len(weights)) * 0.2 - 0.1
        V[biases] = g.random(len(biases)) * 0.2 - 0.1
        return
    src, dst = st.src[learning], st.dst[learning]
    fan_in = np.bincount(dst, minlength=st.n_units)[dst]
    if scheme == "glorot":
        fan_out = np.bincount(src, minlength=st.n_units)[src]
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        V[weights] = g.uniform(-limit, limit)
    else:
        V[weights] = g.standard_normal(len(weights)) * np.sqrt(2.0 / fan_in)
    V[biases] = 0.0
