"""The library's own exceptions.

Everything else synapse raises is a plain ``TypeError`` or ``ValueError``;
the classes here are subclasses of those, so code that catches ``ValueError``
catches them too.

>>> from synapse import DivergenceError
>>> err = DivergenceError(12, 3, value=float("nan"))
>>> isinstance(err, ValueError), err.iteration, err.parameter
(True, 12, 3)
>>> print(err)  # doctest: +NORMALIZE_WHITESPACE
training diverged at iteration 12: parameter 3 became nan; the network keeps its
last finite parameters (try a smaller learning rate, or clip=)
"""
from __future__ import annotations

__all__ = ["DivergenceError"]


class DivergenceError(ValueError):
    """A learning step made a parameter non-finite (inf or nan).

    Raised by training, which stops at once and leaves the network with the
    parameters it had before the step that diverged.

    Parameters
    ----------
    iteration : int
        The iteration (pass over the training set, counted from 1) whose
        step diverged.
    parameter : int
        The index, in ``Network.parameters()``, of the first parameter that
        became non-finite.
    value : float, optional
        The value it took (inf, -inf or nan), for the message.
    detail : str, optional
        Words appended to the message (the default suggests a remedy).

    Attributes
    ----------
    iteration, parameter, value
        As given.

    Examples
    --------
    >>> try:
    ...     raise DivergenceError(3, 0, value=float("inf"))
    ... except ValueError as e:
    ...     (e.iteration, e.parameter)
    (3, 0)
    """

    def __init__(self, iteration: int, parameter: int, value: float | None = None,
                 detail: str | None = None):
        self.iteration = int(iteration)
        self.parameter = int(parameter)
        self.value = None if value is None else float(value)
        became = "became non-finite" if value is None else f"became {self.value!r}"
        if detail is None:
            detail = ("the network keeps its last finite parameters (try a smaller learning "
                      "rate, or clip=)")
        super().__init__(f"training diverged at iteration {self.iteration}: parameter "
                         f"{self.parameter} {became}; {detail}")

    def __reduce__(self):  # pickles (and crosses process pools) with its attributes
        return (type(self), (self.iteration, self.parameter, self.value, self._detail()))

    def _detail(self) -> str:
        return str(self).split("; ", 1)[1]
