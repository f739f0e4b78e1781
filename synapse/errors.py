"""The exceptions synapse raises beyond TypeError and ValueError."""
from __future__ import annotations

__all__ = ["DivergenceError"]


class DivergenceError(ValueError):
    """Training made a parameter non-finite (inf or nan): it diverged.

    Raised by :meth:`Trainer.train <synapse.trainer.Trainer.train>` and the
    built-in tasks. The network keeps its parameters (and state) from before
    the step that diverged: the last finite ones.

    Attributes
    ----------
    iteration : int or None
        The iteration (1-based) whose step made a parameter non-finite.
    parameter : int or None
        That parameter's index in ``net.parameters()``.

    >>> from synapse.errors import DivergenceError
    >>> e = DivergenceError("diverged", iteration=3, parameter=7)
    >>> isinstance(e, ValueError), e.iteration, e.parameter
    (True, 3, 7)
    """

    def __init__(self, message: str, iteration: int | None = None,
                 parameter: int | None = None):
        super().__init__(message)
        self.iteration = iteration
        self.parameter = parameter

    def __reduce__(self):
        # pickled whole (a process pool sends it back): message and attributes
        return type(self), (str(self), self.iteration, self.parameter)
