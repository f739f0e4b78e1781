"""Validation at the door: clear errors that name what was expected and what came."""
from __future__ import annotations

import math
import numbers

import numpy as np


def number(x, what: str) -> float:
    """A finite real number, as a float."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a finite number, got {type(x).__name__} {x!r}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{what} must be a finite number, got {x!r}")
    return x


def vector(x, size: int, what: str) -> np.ndarray:
    """A 1-D float array of ``size`` finite numbers (a fresh copy)."""
    if isinstance(x, np.ndarray):
        if x.dtype.kind not in "fiu":
            raise TypeError(f"{what} must hold numbers, got an array of dtype {x.dtype}")
        arr = np.array(x, dtype=float)
    else:
        if isinstance(x, (str, bytes, dict)) or not hasattr(x, "__len__"):
            raise TypeError(f"{what} must be a sequence of {size} numbers, got {type(x).__name__}")
        for v in x:
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
                raise TypeError(f"{what} must hold numbers, got {type(v).__name__} {v!r}")
        arr = np.array(x, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be 1-D with {size} numbers, got shape {arr.shape}")
    if arr.size != size:
        raise ValueError(f"{what} must have {size} numbers, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} must be finite, got {arr.tolist()}")
    return arr


def squash_fn(f, what: str = "squash"):
    if not callable(f):
        raise TypeError(f"{what} must be a callable f(x, derivate=False), got {type(f).__name__}")
    return f
