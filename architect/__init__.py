"""Ready-made networks, each a :class:`synapse.Network`."""
from .lstm import LSTM
from .perceptron import Perceptron

__all__ = ["Perceptron", "LSTM"]
