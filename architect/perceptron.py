"""Multilayer perceptron."""
from __future__ import annotations

from synapse import Layer, Network, _check
from synapse.init import INIT_SCHEMES

from ._sizes import sizes


class Perceptron(Network):
    """A feed-forward network: each layer projects ALL_TO_ALL to the next.

    ``Perceptron(n_in, *hidden, n_out, output_squash=None, hidden_squash=None,
    init=None)``.

    Parameters
    ----------
    *layer_sizes : int
        At least two: the inputs, any hidden layers, the outputs.
    output_squash : callable, optional
        The output layer's squash (default LOGISTIC); ``squash.SOFTMAX`` makes
        a classifier (with ``cost.CATEGORICAL_CROSS_ENTROPY``).
    hidden_squash : callable, optional
        Every hidden layer's squash (default LOGISTIC).
    init : {"uniform", "glorot", "he"}, optional
        Draw the weights and biases by this scheme after building (see
        :meth:`Network.initialize`). None keeps the constructor's own draws,
        synaptic.js's uniform ones, exactly as they always were for a seed.

    Raises
    ------
    TypeError, ValueError
        For bad sizes, squashes or init (before anything is built or drawn).

    Examples
    --------
    >>> import synapse
    >>> from synapse import squash
    >>> from architect import Perceptron
    >>> synapse.seed(0)
    >>> net = Perceptron(2, 3, 1)
    >>> [layer.size for layer in net.layers.hidden], net.outputs()
    ([3], 1)
    >>> net = Perceptron(4, 8, 3, output_squash=squash.SOFTMAX, hidden_squash=squash.TANH,
    ...                  init="glorot")
    >>> net.layers.output.list[0].squash is squash.SOFTMAX
    True
    """

    def __init__(self, *layer_sizes: int, output_squash=None, hidden_squash=None,
                 init: str | None = None):
        n = sizes(layer_sizes, "Perceptron", 2)
        if output_squash is not None:
            _check.squash_fn(output_squash, "output_squash")
        if hidden_squash is not None:
            _check.squash_fn(hidden_squash, "hidden_squash")
        if init is not None:
            _check.choice(init, "Perceptron init", INIT_SCHEMES)
        layers = [Layer(s) for s in n]
        for a, b in zip(layers, layers[1:]):
            a.project(b)
        for layer in layers[1:-1]:
            layer.set(squash=hidden_squash)
        layers[-1].set(squash=output_squash)
        super().__init__(input=layers[0], hidden=layers[1:-1], output=layers[-1])
        if init is not None:
            self.initialize(init)
