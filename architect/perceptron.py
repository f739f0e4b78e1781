"""Multilayer perceptron."""
from __future__ import annotations

from synapse import Layer, Network

from ._sizes import sizes


class Perceptron(Network):
    """A feed-forward network: each layer projects ALL_TO_ALL to the next.

    ``Perceptron(n_in, *hidden, n_out)``.

    >>> import synapse
    >>> from architect import Perceptron
    >>> synapse.seed(0)
    >>> net = Perceptron(2, 3, 1)
    >>> [layer.size for layer in net.layers.hidden], net.outputs()
    ([3], 1)
    """

    def __init__(self, *layer_sizes: int):
        n = sizes(layer_sizes, "Perceptron", 2)
        layers = [Layer(s) for s in n]
        for a, b in zip(layers, layers[1:]):
            a.project(b)
        super().__init__(input=layers[0], hidden=layers[1:-1], output=layers[-1])
