"""Compiled engines: a network's step as vectorized or JIT-compiled code over its layout.

``NumpyEngine`` needs numpy alone; ``JitEngine`` needs numba (an optional extra)
and built-in squashes. ``make_engine`` picks one; both compute what the neuron
objects compute, on the same arrays.
"""
from __future__ import annotations

from . import jit
from .jit import JitEngine
from .numpy_engine import NumpyEngine

__all__ = ["NumpyEngine", "JitEngine", "make_engine", "prefers_jit"]


def prefers_jit(layout) -> bool:
    """Whether the JIT should beat numpy here. Measured on this project's
    benchmarks: the JIT's unit-by-unit loops cost ~7 ns per connection and
    extended trace; numpy's vectorized steps cost ~20-40 us per layer, then
    less per element. They cross near 40000 numbers (about 8000 connections)."""
    return layout.C.shape[1] < 8000 and layout.C.shape[1] + layout.xflat.size < 40000


def make_engine(net, layout, kind: str | None = None):
    """kind: "numpy", "jit", or None to pick the faster one that can run this network."""
    if kind not in (None, "numpy", "jit"):
        raise ValueError(f"engine must be 'numpy', 'jit' or None, got {kind!r}")
    if kind == "jit" or (kind is None and jit.supports(layout) and prefers_jit(layout)):
        if not jit.supports(layout):
            raise ValueError("the JIT engine needs numba and built-in squash functions")
        return JitEngine(net, layout)
    return NumpyEngine(net, layout)
