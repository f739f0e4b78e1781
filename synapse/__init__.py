"""synapse: neural networks built neuron by neuron, trained by LSTM-g.

>>> import synapse
>>> from architect import Perceptron
>>> synapse.seed(0)
>>> net = Perceptron(2, 3, 1)
>>> net.activate([0, 1]).shape
(1,)
"""
from . import checkpoint, cost, datasets, optim, plot, squash
from .errors import DivergenceError
from .layer import ConnectionType, GateType, Layer, LayerConnection
from .network import Network
from .neuron import Connection, Neuron
from .rng import seed
from .trainer import Trainer

__version__ = "0.1.0"

__all__ = ["Neuron", "Connection", "Layer", "LayerConnection", "Network", "Trainer",
           "ConnectionType", "GateType", "squash", "cost", "optim", "plot", "seed",
           "DivergenceError", "checkpoint", "datasets"]
