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
           "check_kind", "output_errors"]

KINDS = ("objects", "numpy", "jit")


def prefers_jit(layout: Layout) -> bool:
    """Whether the JIT should beat numpy here. Measured on this project's
    benchmarks: the JIT's unit-by-unit loops cost ~7 ns per connection and
    extended trace; numpy's vectorized steps cost ~20-40 us per layer, then
    less per element. They cross near 40000 numbers (about 8000 connections)."""
    C = len(layout.structure.connections)
    return C < 8000 and C + layout.rows.total - layout.rows.X < 40000


def check_kind(kind: str | None, layout: Layout | None = None) -> None:
    """Refuse an engine name this network cannot use (the one check set_optimize relies on)."""
    if kind not in (None, "numpy", "jit"):
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
    if kind == "jit" or (kind is None and jit.supports(layout) and prefers_jit(layout)):
        return JitEngine(layout)
    return NumpyEngine(layout, fused=kernels_or_none())


def kernels_or_none():
    """The JIT's kernels (their fused array passes serve the numpy engine too) when
    numba can run, else None."""
    return jit.kernels() if jit.available() else None
