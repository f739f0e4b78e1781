"""Validation at the door: one rule for every argument the library takes.

A wrong type raises TypeError, a wrong value ValueError, and the message names
the argument, what was expected and what came. Each check returns the value in
the form its caller works with (a float, an int, a bool, an array), so that
checking and converting is one line. Nothing here changes what it is given.

Counts (sizes, iterations, ``log``, ``every``) are integers, or floats with a
whole value as ``1e4`` (booleans are refused: ``True`` is no count). Numbers are
finite reals; an integer too large for a float is a wrong value, never an
OverflowError.

>>> from synapse import _check
>>> _check.count(1e4, "iterations", minimum=1)
10000
>>> _check.count(1.5, "iterations", minimum=1)
Traceback (most recent call last):
...
ValueError: iterations must be a positive integer, got float 1.5
>>> _check.number("0.5", "rate")
Traceback (most recent call last):
...
TypeError: rate must be a finite number, got str '0.5'
"""
from __future__ import annotations

import math
import numbers
from enum import Enum
from typing import Any, Callable, TypeVar

import numpy as np

_INT_MAX = 2 ** 63 - 1  # the largest count numpy can index with
_E = TypeVar("_E", bound=Enum)


def _digits(x: int) -> str:
    bits = abs(x).bit_length()  # str() of an int past 4300 digits raises
    return f"{len(str(abs(x)))}" if bits < 4000 else f"about {int(bits * 0.30103) + 1}"


def _text(x: Any, depth: int = 0) -> str:
    if isinstance(x, int) and not isinstance(x, bool) and abs(x).bit_length() > 64:
        return f"<int of {_digits(x)} digits>"
    if type(x) in (list, tuple) and depth < 2:
        inner = ", ".join(_text(v, depth + 1) for v in x[:6]) + (", ..." if len(x) > 6 else "")
        return f"[{inner}]" if type(x) is list else f"({inner}{',' * (len(x) == 1)})"
    try:
        return repr(x)
    except Exception:  # a repr that fails (a broken object)
        return object.__repr__(x)


def came(x: Any) -> str:
    """What came, for a message: its type and a short repr.

    >>> came("a"), came(10 ** 400), came([0.5, 10 ** 400])
    ("str 'a'", 'int of 401 digits', 'list [0.5, <int of 401 digits>]')
    """
    if isinstance(x, int) and not isinstance(x, bool) and abs(x).bit_length() > 64:
        return f"int of {_digits(x)} digits"
    text = _text(x)
    if len(text) > 80:
        text = text[:70] + " ... " + text[-5:]
    return f"{type(x).__name__} {text}"


def _non_number(x: Any, depth: int = 0) -> Any:
    """In a nest of lists and tuples, the first element that is no number (or a bool)."""
    for v in x:
        if type(v) in (list, tuple) and depth < 32:
            found = _non_number(v, depth + 1)
            if found is not None:
                return found
        elif isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.ndarray)):
            return v
    return None


# ---------------------------------------------------------------- scalars
def number(x: Any, what: str) -> float:
    """A finite real number, as a float."""
    if type(x) is float and math.isfinite(x):
        return x
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a finite number, got {came(x)}")
    try:
        value = float(x)
    except OverflowError:
        raise ValueError(f"{what} must be a finite number, got {came(x)} (too large for a "
                         f"float)") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {came(x)}")
    return value


def non_negative(x: Any, what: str) -> float:
    """A finite number at least 0, as a float."""
    value = number(x, what)
    if value < 0:
        raise ValueError(f"{what} must be at least 0, got {came(x)}")
    return value


def positive(x: Any, what: str) -> float:
    """A finite number greater than 0."""
    x = number(x, what)
    if x <= 0:
        raise ValueError(f"{what} must be a number greater than 0, got {x!r}")
    return x


def fraction(x: Any, what: str, *, strict: bool = False) -> float:
    """A number between 0 and 1: inclusive, or with ``strict`` exclusive."""
    value = number(x, what)
    if not (0 < value < 1 if strict else 0 <= value <= 1):
        raise ValueError(f"{what} must be between 0 and 1{' (exclusive)' if strict else ''}, "
                         f"got {came(x)}")
    return value


def _at_least(minimum: int) -> str:
    return {0: "a non-negative integer", 1: "a positive integer"}.get(
        minimum, f"an integer of at least {minimum}")


def integer(x: Any, what: str, *, minimum: int | None = None) -> int:
    """An integer (an int or a numpy integer, not a bool, not a float), as an int.

    For what is a name rather than an amount (a symbol, an index); amounts
    are :func:`count`."""
    expected = "an integer" if minimum is None else _at_least(minimum)
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{what} must be {expected}, got {came(x)}")
    value = int(x)
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be {expected}, got {came(x)}")
    return value


def count(x: Any, what: str, *, minimum: int = 0, maximum: int = _INT_MAX) -> int:
    """An amount: an integer, or a float with a whole value (``1e4``), as an int,
    from ``minimum`` to ``maximum`` (default: what numpy can count to)."""
    expected = _at_least(minimum)
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be {expected}, got {came(x)}")
    if isinstance(x, numbers.Integral):
        value = int(x)
    else:
        try:
            whole = float(x)
        except OverflowError:
            whole = math.inf
        if not (math.isfinite(whole) and whole.is_integer()):
            raise ValueError(f"{what} must be {expected}, got {came(x)}")
        value = int(whole)
    if value < minimum:
        raise ValueError(f"{what} must be {expected}, got {came(x)}")
    if value > maximum:
        raise ValueError(f"{what} must be at most {maximum}, got {came(x)}")
    return value


def flag(x: Any, what: str) -> bool:
    """True or False (numpy's too), as a bool."""
    if not isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{what} must be True or False, got {came(x)}")
    return bool(x)


def _one_of(options) -> str:
    words = [f"{o!r} ({options[o]})" if isinstance(options, dict) else repr(o) for o in options]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def choice(x: Any, what: str, options: tuple[str, ...] | dict[str, str]) -> str:
    """One of a few strings. ``options``: a tuple, or a dict from each allowed
    string to a few words on it (for the message). Anything else, of any type,
    is a wrong value (ValueError), as for an enum.

    >>> choice("miss", "learn", ("miss", "always"))
    'miss'
    >>> choice("never", "learn", {"miss": "at a miss", "always": "every step"})
    Traceback (most recent call last):
    ...
    ValueError: learn must be 'miss' (at a miss) or 'always' (every step), got str 'never'
    """
    if isinstance(x, str):
        for option in options:
            if x == option:
                return option
    raise ValueError(f"{what} must be {_one_of(options)}, got {came(x)}")


def enum_member(x: Any, cls: type[_E], what: str, *, none: bool = False) -> _E | None:
    """A member of the enum ``cls``, given as itself or as its value (and None
    when ``none``); anything else is a ValueError listing the members."""
    if isinstance(x, cls) or (none and x is None):
        return x
    try:
        return cls(x)
    except (ValueError, TypeError):
        names = [f"{cls.__name__}.{m.name}" for m in cls] + (["None"] if none else [])
        raise ValueError(f"{what} must be one of {', '.join(names)}, got {came(x)}") from None


def function(f: Any, what: str, signature: str) -> Callable:
    """A callable; ``signature`` says how it is called, for the message."""
    if not callable(f):
        raise TypeError(f"{what} must be a callable {signature}, got {came(f)}")
    return f


def squash_fn(f, what: str = "squash"):
    return function(f, what, "f(x, derivate=False)")


def keys(options: Any, what: str, required: tuple[str, ...] = (),
         optional: tuple[str, ...] = ()) -> dict:
    """A dict of options with every required key and no unknown one."""
    if not isinstance(options, dict):
        raise TypeError(f"{what} must be a dict, got {came(options)}")
    unknown = [k for k in options if k not in required and k not in optional]
    if unknown:
        raise ValueError(f"{what} has unknown keys {sorted(map(str, unknown))}; it takes "
                         f"{sorted(required + optional)}")
    missing = [k for k in required if k not in options]
    if missing:
        raise ValueError(f"{what} needs the keys {missing}")
    return options


# ---------------------------------------------------------------- arrays
#: Element types a list converts from at C speed, without a look at each element.
_PLAIN = frozenset((float, int, np.float64, np.float32, np.int64, np.int32))


def _overflows(v: Any) -> bool:
    try:
        float(v)
    except OverflowError:
        return True
    except (TypeError, ValueError):
        pass
    return False


def _too_large(x, what: str) -> ValueError:
    big = next((v for v in x if _overflows(v)), None)
    return ValueError(f"{what} must hold finite numbers, got {came(big)} (too large for a float)")


def _elements(x, size: int, what: str) -> np.ndarray:
    """Any sequence of numbers, element by element (the path of bad input)."""
    if isinstance(x, (str, bytes, dict)) or not hasattr(x, "__len__"):
        raise TypeError(f"{what} must be a sequence of {size} numbers, got {type(x).__name__}")
    for v in x:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(f"{what} must hold numbers, got {came(v)}")
    try:
        return np.array(x, dtype=float)
    except OverflowError:
        raise _too_large(x, what) from None


def _objects(arr: np.ndarray, what: str, expected: str) -> np.ndarray:
    """A float array from an array of Python objects, each of them a number."""
    for v in arr.flat:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(f"{expected}, got {came(v)} in an array of dtype object")
    try:
        return arr.astype(float)
    except OverflowError:
        raise _too_large(arr.flat, what) from None


def floats(x, size: int, what: str) -> np.ndarray:
    """A 1-D float64 array of ``size`` numbers; finiteness is the caller's to check.

    A float64 array of the right shape is returned as it is (callers only read
    it). A list or tuple of plain numbers (floats, ints, numpy's) converts
    without a look at each element, at about the cost of an array; anything
    else is checked element by element."""
    if isinstance(x, np.ndarray):
        if type(x) is np.ndarray and x.dtype == np.float64 and x.shape == (size,):
            return x
        if x.dtype.kind == "O":
            arr = _objects(x, what, f"{what} must hold numbers")
        elif x.dtype.kind not in "fiu":
            raise TypeError(f"{what} must hold numbers, got an array of dtype {x.dtype}")
        else:
            arr = np.array(x, dtype=float)
    elif type(x) in (list, tuple) and set(map(type, x)) <= _PLAIN:
        try:
            arr = np.array(x, dtype=float)
        except OverflowError:
            raise _too_large(x, what) from None
    else:
        arr = _elements(x, size, what)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be 1-D with {size} numbers, got shape {arr.shape}")
    if arr.size != size:
        raise ValueError(f"{what} must have {size} numbers, got {arr.size}")
    return arr


def finite(arr: np.ndarray, what: str) -> np.ndarray:
    """``arr`` if every entry is finite; the message names the first that is not."""
    # one dot product when all is well (BLAS: no warning when it overflows, then look closer)
    if arr.dtype.kind == "f" and math.isfinite(np.vdot(arr, arr)):
        return arr
    if not np.isfinite(arr).all():
        at = int(np.flatnonzero(~np.isfinite(arr))[0])
        where = f" at index {at}" if arr.size > 1 else ""
        raise ValueError(f"{what} must be finite, got {arr.flat[at].item()!r}{where}")
    return arr


def vector(x, size: int, what: str) -> np.ndarray:
    """A 1-D float array of ``size`` finite numbers (not to be modified by the caller)."""
    return finite(floats(x, size, what), what)


def _bool_inside(x) -> bool:
    """Whether a list or tuple (of numbers, or of rows of them) holds a bool,
    which numpy would silently read as 0 or 1 beside numbers."""
    types = set(map(type, x))
    if bool in types or np.bool_ in types:
        return True
    return any(_bool_inside(row) if type(row) in (list, tuple)
               else isinstance(row, np.ndarray) and row.dtype.kind == "b" for row in x)


def array(x: Any, what: str) -> np.ndarray:
    """A new float array, of any shape, of numbers only: no bools, strings, None
    or complex numbers (which numpy would convert, or keep). Finiteness and
    shape are the caller's to check.

    >>> array([[1, 2.5]], "weights").tolist()
    [[1.0, 2.5]]
    >>> array([[True, 0.5]], "weights")
    Traceback (most recent call last):
    ...
    TypeError: weights must be an array of numbers, got a bool in it
    """
    expected = f"{what} must be an array of numbers"
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError):  # rows of unequal lengths
        raise TypeError(f"{expected}, got rows of unequal lengths") from None
    if arr.dtype.kind == "O":  # Python objects: None, lists, numbers too large for a float
        return _objects(arr, what, expected)
    if arr.dtype.kind not in "fiu":
        bad = _non_number(x) if type(x) in (list, tuple) else None
        raise TypeError(f"{expected}, got " + (f"an array of dtype {arr.dtype}" if bad is None
                                               else f"{came(bad)} in it"))
    if type(x) in (list, tuple) and _bool_inside(x):
        raise TypeError(f"{expected}, got a bool in it")
    return arr.astype(float)  # a copy: the caller's data is never touched


def matrix(x: Any, width: int, what: str) -> np.ndarray:
    """A new 2-D float array of shape (n, width) of finite numbers. With ``width``
    1, a 1-D sequence (a pandas Series, scikit-learn's ``y``) is one column.

    >>> matrix([0, 1, 2], 1, "y").shape
    (3, 1)
    """
    arr = array(x, what)
    if arr.ndim == 1 and width == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != width:
        raise ValueError(f"{what} must have shape (n, {width}), got {arr.shape}")
    return finite(arr, what)
