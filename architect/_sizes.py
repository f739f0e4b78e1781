"""Checks shared by the builders."""
from __future__ import annotations

import numbers


def sizes(args, what: str, minimum: int) -> list[int]:
    if len(args) < minimum:
        raise ValueError(f"{what} needs at least {minimum} layer sizes, got {len(args)}")
    out = []
    for a in args:
        if isinstance(a, bool) or not isinstance(a, numbers.Integral) or a < 1:
            raise ValueError(f"{what} layer sizes must be positive integers, got {a!r}")
        out.append(int(a))
    return out
