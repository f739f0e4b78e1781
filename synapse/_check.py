"""Validation at the door: clear errors that name what was expected and what came."""
from __future__ import annotations

import math
import numbers

import numpy as np


def number(x, what: str) -> float:
    """A finite real number, as a float."""
    if type(x) is float and math.isfinite(x):
        return x
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a finite number, got {type(x).__name__} {x!r}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{what} must be a finite number, got {x!r}")
    return x


def floats(x, size: int, what: str) -> np.ndarray:
    """A 1-D float64 array of ``size`` numbers; finiteness is the caller's to check.

    A float64 array of the right shape is returned as it is (callers only read it)."""
    if type(x) is np.ndarray and x.dtype == np.float64 and x.shape == (size,):
        return x
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
    return arr


def finite(arr: np.ndarray, what: str) -> np.ndarray:
    if not np.isfinite(arr).all():
        raise ValueError(f"{what} must be finite, got {arr.tolist()}")
    return arr


def vector(x, size: int, what: str) -> np.ndarray:
    """A 1-D float array of ``size`` finite numbers (not to be modified by the caller)."""
    return finite(floats(x, size, what), what)


def squash_fn(f, what: str = "squash"):
    if not callable(f):
        raise TypeError(f"{what} must be a callable f(x, derivate=False), got {type(f).__name__}")
    return f
