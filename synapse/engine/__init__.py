"""The paths that step a network: the neuron objects, the numpy engine, the JIT.

Each is built from a :class:`~synapse.store.Layout` alone and honours the
:class:`~synapse.engine.base.Engine` contract; :func:`make_engine` picks one.
"""
from __future__ import annotations

from ..store import Layout
from . import jit
from .base import Engine, output_errors
from .jit import JitEngine
from .numpy_engine import NumpyEngine
from .objects import ObjectsEngine

__all__ = ["Engine", "NumpyEngine", "JitEngine", "ObjectsEngine", "make_engine", "prefers_jit",
           "check_kind", "output_errors", "CHOICES"]

#: What ``set_optimize(engine=...)`` (and a checkpoint's engine) may name: None picks.
CHOICES = (None, "numpy", "jit")


#: The cost model :func:`prefers_jit` compares, fitted on LSTMs of 2300-41700
#: connections, Perceptrons of 5500-79400 and a Liquid of 7000 (one learning
#: step each, 2 shared cores, 2026-11-26): the JIT's loops cost about 5 ns per
#: number (connection or extended trace), numpy's vectorized steps about
#: 18 us per segment (units activated together) plus 2 ns per number.
JIT_NS_PER_NUMBER, NUMPY_US_PER_SEGMENT, NUMPY_NS_PER_NUMBER = 5.0, 18.0, 2.0
SMALL = 10000  # below this many numbers the JIT wins whatever numpy's segments


def numbers(layout: Layout) -> int:
    """The numbers a step walks: connections plus extended traces."""
    return len(layout.structure.connections) + layout.rows.total - layout.rows.X


def prefers_jit(layout: Layout, segments: int) -> bool:
    """Whether the JIT should beat numpy on this network, whose numpy plan has
    ``segments`` segments (the cost model above: LSTM(20,40,20), 14000 numbers
    in 4 segments, goes to the JIT, 76 against 122 us; Perceptron(784,100,10),
    79400 in 2, to numpy, 64 against 296 us; a Liquid, whose units read each
    other within a layer, has a segment per unit and always goes to the JIT)."""
    n = numbers(layout)
    return n * (JIT_NS_PER_NUMBER - NUMPY_NS_PER_NUMBER) * 1e-3 < NUMPY_US_PER_SEGMENT * segments


def check_kind(kind: str | None, layout: Layout | None = None) -> None:
    """Refuse an engine name this network cannot use (the one check set_optimize relies on)."""
    if kind not in CHOICES:
        raise ValueError(f"engine must be 'numpy', 'jit' or None, got {kind!r}")
    if kind == "jit" and (not jit.available() or (layout is not None and not jit.supports(layout))):
        raise ValueError("the JIT engine needs numba (pip install synapse[fast]) "
                         "and squash functions it can compile (the built-ins, or yours if numba "
                         "compiles them)")


def make_engine(layout: Layout, kind: str | None = None) -> Engine:
    """kind: "objects", "numpy", "jit", or None to pick the faster compiled one
    that can run this network."""
    if kind == "objects":
        return ObjectsEngine(layout)
    check_kind(kind, layout)
    if kind == "jit":
        return JitEngine(layout)
    if kind is None and jit.supports(layout):
        if numbers(layout) < SMALL:
            return JitEngine(layout)
        engine = NumpyEngine(layout, fused=kernels_or_none())
        return JitEngine(layout) if prefers_jit(layout, len(engine.plan.segments)) else engine
    return NumpyEngine(layout, fused=kernels_or_none())


def kernels_or_none():
    """The JIT's kernels (their fused array passes serve the numpy engine too) when
    numba can run, else None."""
    return jit.kernels() if jit.available() else None
