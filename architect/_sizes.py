"""Checks shared by the builders."""
from __future__ import annotations

from synapse import _check


def sizes(args, what: str, minimum: int) -> list[int]:
    """The layer sizes of a builder: at least ``minimum`` of them, each a positive count."""
    if len(args) < minimum:
        raise ValueError(f"{what} needs at least {minimum} layer sizes, got {len(args)}")
    return [_check.count(a, f"{what} layer sizes", minimum=1) for a in args]
