"""Ready-made networks, each a :class:`synapse.Network`."""
from .hopfield import Hopfield
from .liquid import Liquid
from .lstm import LSTM
from .perceptron import Perceptron

__all__ = ["Perceptron", "LSTM", "Liquid", "Hopfield"]
