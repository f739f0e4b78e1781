"""Parts the recurrent builders share: units that copy, connections that never
learn, and the checks of their options."""
from __future__ import annotations

from synapse import Layer, LayerConnection, _check, squash
from synapse.init import INIT_SCHEMES


def copies(size: int) -> Layer:
    """A layer of ``size`` units that pass their input on unchanged: IDENTITY
    squash, bias 0 held fixed (context and delay units, a GRU's state)."""
    return Layer(size).set(squash=squash.IDENTITY, bias=0.0, learn_bias=False)


def fixed(connection: LayerConnection) -> LayerConnection:
    """Make every connection of a layer connection one that never learns (its
    weight stays what it is, whatever the training); returns it."""
    for c in connection.list:
        c.learns = False
    return connection


def hidden_sizes(hidden, what: str) -> list[int]:
    """``hidden`` as a list of layer sizes: one positive count, or a non-empty
    list (or tuple) of them."""
    if isinstance(hidden, (list, tuple)):
        if len(hidden) == 0:
            raise ValueError(f"{what} hidden must be a positive count or a non-empty list of "
                             f"them, got {_check.came(hidden)}")
        return [_check.count(h, f"{what} hidden layer sizes", minimum=1) for h in hidden]
    return [_check.count(hidden, f"{what} hidden size", minimum=1)]


def options(what: str, hidden_squash=None, output_squash=None, init=None) -> None:
    """Check the squash and init options every recurrent builder takes."""
    if hidden_squash is not None:
        _check.squash_fn(hidden_squash, f"{what} hidden_squash")
    if output_squash is not None:
        _check.squash_fn(output_squash, f"{what} output_squash")
    if init is not None:
        _check.choice(init, f"{what} init", INIT_SCHEMES)
