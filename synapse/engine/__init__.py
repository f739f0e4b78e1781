"""Compiled engines: a network's step as vectorized operations on its layout."""
from .numpy_engine import NumpyEngine

__all__ = ["NumpyEngine"]
