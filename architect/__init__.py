"""Ready-made networks, each a :class:`synapse.Network`."""
from .gru import GRU
from .hopfield import Hopfield
from .liquid import Liquid
from .lstm import LSTM
from .perceptron import Perceptron
from .random_net import Random
from .recurrent import NARX, Elman, Jordan

__all__ = ["Perceptron", "LSTM", "Liquid", "Hopfield", "GRU", "Elman", "Jordan", "NARX",
           "Random"]
