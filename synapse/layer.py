"""Layers: ordered groups of neurons that connect and gate as a whole."""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from enum import Enum

import numpy as np

from . import _check, rng
from .neuron import Connection, Neuron, _touch
from .store import Links

__all__ = ["Layer", "Layers", "LayerConnection", "ConnectionType", "GateType"]


class ConnectionType(str, Enum):
    """How :meth:`Layer.project` connects two layers."""

    ALL_TO_ALL = "ALL TO ALL"    #: every neuron to every neuron
    ONE_TO_ONE = "ONE TO ONE"    #: the i-th neuron to the i-th (sizes must match)
    ALL_TO_ELSE = "ALL TO ELSE"  #: every neuron to every other neuron


class GateType(str, Enum):
    """How :meth:`Layer.gate` gates a layer connection."""

    INPUT = "INPUT"            #: gater i gates every connection into the i-th neuron of the target
    OUTPUT = "OUTPUT"          #: gater i gates every connection out of the source's i-th neuron
    ONE_TO_ONE = "ONE TO ONE"  #: gater i gates the i-th connection


def _enum(value, cls, what):
    return _check.enum_member(value, cls, what)


def _label(label, what: str) -> str | None:
    if label is not None and not isinstance(label, str):
        raise TypeError(f"{what} must be a str or None, got {_check.came(label)}")
    return label


class LayerConnection:
    """The connections made by one :meth:`Layer.project`.

    ``from_`` and ``to`` are the layers, ``type`` the ConnectionType, ``list``
    the neuron connections in creation order (for ALL_TO_ALL: for each neuron
    of ``from_``, each neuron of ``to``), ``size`` their number, and
    ``gatedfrom`` the (layer, GateType) pairs that gate it.
    """

    def __init__(self, from_layer: Layer, to_layer: Layer, type=None, weights=None):
        self.from_ = from_layer
        self.to = to_layer
        self.selfconnection = from_layer is to_layer
        if type is None:
            type = ConnectionType.ONE_TO_ONE if self.selfconnection else ConnectionType.ALL_TO_ALL
        self.type = _enum(type, ConnectionType, "connection type")
        pairs = self._pairs()
        ws = self._weights(weights, pairs)
        self.list: list[Connection] = self._connect(pairs, ws)
        self.connections = {c.ID: c for c in self.list}
        self.gatedfrom: list = []
        from_layer.connectedto.append(self)

    @property
    def size(self) -> int:
        return len(self.list)

    def _pairs(self):
        src, dst = self.from_.list, self.to.list
        if self.type is ConnectionType.ONE_TO_ONE:
            if len(src) != len(dst):
                raise ValueError(f"ONE_TO_ONE needs layers of the same size, got {len(src)} "
                                 f"and {len(dst)}")
            return list(zip(src, dst))
        skip_self = self.type is ConnectionType.ALL_TO_ELSE
        return [(a, b) for a in src for b in dst if not (skip_self and a is b)]

    @staticmethod
    def _connect(pairs, ws) -> list[Connection]:
        """Neuron.project for every pair, in bulk: new connections share one
        block of weights (drawn at once where not given) until a network
        compiles, and each network hears of the change once."""
        given = np.array([np.nan if w is None else w for w in ws], dtype=float)
        fresh = np.isnan(given)
        given[fresh] = rng.generator().random(int(fresh.sum())) * 0.2 - 0.1
        links = Links.loose(given)
        out = []
        for i, ((a, b), w) in enumerate(zip(pairs, ws)):
            if a is b:
                out.append(a.project(a, w))
                continue
            c = a._out.get(b)
            if c is None:
                c = a._connect(b, Connection(a, b, links=links, index=i))
            elif w is not None:
                c.weight = w
            out.append(c)
        _touch(*{n for pair in pairs for n in pair})
        return out

    def _weights(self, weights, pairs):
        """One weight (or None) per pair: from None, a number, or an array of
        shape (to.size, from.size) (ONE_TO_ONE: (size,))."""
        if weights is None:
            return [None] * len(pairs)
        if not isinstance(weights, (list, tuple, np.ndarray)):
            w = _check.number(weights, "weights")
            return [w] * len(pairs)
        if self.type is ConnectionType.ONE_TO_ONE:
            return list(_check.vector(weights, len(pairs), "ONE_TO_ONE weights"))
        arr = _check.array(weights, "weights")  # numbers only, as ONE_TO_ONE's
        shape = (self.to.size, self.from_.size)
        if arr.shape != shape:
            raise ValueError(f"weights must have shape (to.size, from.size) = {shape}, "
                             f"got {arr.shape}")
        _check.finite(arr, "weights")
        row = {id(n): i for i, n in enumerate(self.to.list)}
        col = {id(n): i for i, n in enumerate(self.from_.list)}
        return [float(arr[row[id(b)], col[id(a)]]) for a, b in pairs]

    def __repr__(self) -> str:
        return f"LayerConnection({self.type.name}, {self.from_.size} -> {self.to.size})"


class Layer:
    """An ordered list of neurons.

    Parameters
    ----------
    size : int
        How many neurons to make (logistic, random bias).
    label : str, optional

    Examples
    --------
    >>> import synapse
    >>> from synapse import Layer
    >>> synapse.seed(0)
    >>> a, b = Layer(2), Layer(3)
    >>> lc = a.project(b)
    >>> lc.size, b.connected(a) is None, a.connected(b).name
    (6, True, 'ALL_TO_ALL')
    >>> a.activate([0, 1]).tolist()
    [0.0, 1.0]
    >>> b.activate().shape
    (3,)
    """

    def __init__(self, size: int = 0, label: str | None = None):
        size = _check.count(size, "Layer size")
        self.label = _label(label, "Layer label")
        self.list: list[Neuron] = []
        self.connectedto: list[LayerConnection] = []
        self._owners: weakref.WeakSet = weakref.WeakSet()  # networks using this layer
        for _ in range(size):
            self.add()

    @property
    def size(self) -> int:
        return len(self.list)

    def __len__(self) -> int:
        return len(self.list)

    def __repr__(self) -> str:
        return f"Layer(size={self.size}" + (f", label={self.label!r})" if self.label else ")")

    def _structure_changed(self) -> None:
        for net in list(self._owners):
            net._structure_changed()

    # ---- structure ----
    def add(self, neuron: Neuron | None = None) -> Neuron:
        """Append ``neuron`` (a new one when None) and return it."""
        if neuron is None:
            neuron = Neuron()
        elif not isinstance(neuron, Neuron):
            raise TypeError(f"Layer.add expects a Neuron, got {type(neuron).__name__}")
        if self in neuron._layers and any(n is neuron for n in self.list):  # O(1) when new
            raise ValueError(f"neuron {neuron.ID} is already in this layer")
        self.list.append(neuron)
        neuron._layers.add(self)
        self._structure_changed()
        return neuron

    def neurons(self) -> list[Neuron]:
        """The neurons, in order (a new list)."""
        return list(self.list)

    def project(self, layer, type=None, weights=None) -> LayerConnection:
        """Connect to another layer (or a network's input layer).

        ``type`` None means ALL_TO_ALL, or ONE_TO_ONE when projecting to itself.
        ``weights``: None (random), a number, or an array of shape
        (to.size, from.size) ((size,) for ONE_TO_ONE).
        """
        if not isinstance(layer, Layer) and isinstance(getattr(layer, "layers", None), Layers):
            layer = layer.layers.input  # a Network: its input layer
        if not isinstance(layer, Layer):
            raise TypeError(f"project expects a Layer or a Network, got {layer.__class__.__name__}")
        return LayerConnection(self, layer, type, weights)

    def gate(self, connection: LayerConnection, type) -> None:
        """Gate a layer connection with this layer's neurons (see GateType)."""
        if not isinstance(connection, LayerConnection):
            raise TypeError(f"gate expects a LayerConnection, got {connection.__class__.__name__}")
        type = _enum(type, GateType, "gate type")
        plan: list[tuple[Neuron, Connection]] = []
        if type is GateType.INPUT:
            if connection.to.size != self.size:
                raise ValueError(f"INPUT gating needs a gater layer of the target's size "
                                 f"{connection.to.size}, got {self.size}")
            for gater, neuron in zip(self.list, connection.to.list):
                plan += [(gater, c) for c in neuron.connections.inputs
                         if c.ID in connection.connections]
        elif type is GateType.OUTPUT:
            if connection.from_.size != self.size:
                raise ValueError(f"OUTPUT gating needs a gater layer of the source's size "
                                 f"{connection.from_.size}, got {self.size}")
            for gater, neuron in zip(self.list, connection.from_.list):
                plan += [(gater, c) for c in neuron.connections.projected
                         if c.ID in connection.connections]
                if neuron.selfconnection.ID in connection.connections:
                    plan.append((gater, neuron.selfconnection))
        else:
            if connection.size != self.size:
                raise ValueError(f"ONE_TO_ONE gating needs a gater layer of the connection's "
                                 f"size {connection.size}, got {self.size}")
            plan = list(zip(self.list, connection.list))
        if len({id(c) for _, c in plan}) != len(plan):
            raise ValueError("a connection would get two gaters; a connection has one gater")
        for _, c in plan:  # check everything before changing anything
            if c.gater is not None:
                raise ValueError(f"connection {c.from_.ID}->{c.to.ID} is already gated by "
                                 f"neuron {c.gater.ID}; a connection has one gater")
        for gater, c in plan:
            gater._gate(c)
        _touch(*{n for gater, c in plan for n in (gater, c.to)})
        connection.gatedfrom.append((self, type))

    def selfconnected(self) -> bool:
        """Whether every neuron is self-connected."""
        return all(n.selfconnected() for n in self.list)

    def connected(self, layer: Layer) -> ConnectionType | None:
        """How this layer projects to ``layer``: ALL_TO_ALL, ONE_TO_ONE or None.

        Self-connections do not count (as in synaptic.js)."""
        if not isinstance(layer, Layer):
            raise TypeError(f"connected expects a Layer, got {type(layer).__name__}")

        def projects(a, b):
            return a is not b and any(c.to is b for c in a.connections.projected)

        if self.list and layer.list and all(projects(a, b) for a in self.list for b in layer.list):
            return ConnectionType.ALL_TO_ALL
        if self.list and len(self.list) == len(layer.list) and all(
                projects(a, b) for a, b in zip(self.list, layer.list)):
            return ConnectionType.ONE_TO_ONE
        return None

    # ---- state ----
    def set(self, label: str | dict | None = None, squash=None, bias: float | None = None,
            learn_bias: bool | None = None) -> Layer:
        """Set label (as ``label_ID``), squash, bias and/or learn_bias (False: the
        bias is held fixed) of every neuron; returns self. None leaves a
        property as it is.

        As synaptic.js's ``set({...})``, the options may come as one dict with
        the keys ``label``, ``squash``, ``bias`` and ``learn_bias`` (any other
        key is a ValueError). Everything is checked before anything changes.

        >>> from synapse import Layer, squash
        >>> layer = Layer(2).set({"squash": squash.TANH, "bias": 0})
        >>> [(n.squash is squash.TANH, n.bias) for n in layer.list]
        [(True, 0.0), (True, 0.0)]
        """
        if isinstance(label, dict):
            if squash is not None or bias is not None or learn_bias is not None:
                raise TypeError("Layer.set takes its options as one dict or as keywords, "
                                "not both")
            return self.set(**_check.keys(label, "Layer.set options",
                                          optional=("label", "squash", "bias", "learn_bias")))
        label = _label(label, "label")
        if squash is not None:
            _check.squash_fn(squash)
        if bias is not None:
            bias = _check.number(bias, "bias")
        if learn_bias is not None:
            learn_bias = _check.flag(learn_bias, "learn_bias")
        for n in self.list:
            if label is not None:
                n.label = f"{label}_{n.ID}"
            if squash is not None:
                n.squash = squash
            if bias is not None:
                n.bias = bias
            if learn_bias is not None:
                n.learn_bias = learn_bias
        return self

    def clear(self) -> None:
        for n in self.list:
            n.clear()

    def reset(self) -> None:
        for n in self.list:
            n.reset()

    # ---- the step ----
    def activate(self, inputs=None) -> np.ndarray:
        """Activate every neuron in order; with ``inputs``, as input units."""
        if inputs is None:
            for n in self.list:
                n.activate()
            return np.array([n.activation for n in self.list], dtype=float)
        x = _check.vector(inputs, self.size, "layer inputs")
        return np.array([n.activate(v) for n, v in zip(self.list, x)], dtype=float)

    def propagate(self, rate: float, target=None) -> None:
        """Back-propagate through this layer (in reverse order) and learn.

        With ``target`` this is an output layer (error target - y, eq. 10).
        All weight changes come from the weights as they were before the call.
        """
        rate = _check.number(rate, "rate")
        if target is not None:
            t = _check.vector(target, self.size, "target")
            errors = t - np.array([n.activation for n in self.list])
        else:
            errors = [None] * self.size
        for n, e in zip(reversed(self.list), reversed(list(errors))):
            n._responsibility(None if e is None else float(e))
        for n in self.list:
            n._learn(rate)


@dataclass(eq=False)
class Layers:
    """A network's layers in activation order (``net.layers``): ``input``, the
    ``hidden`` layers in order (a list), ``output``."""

    input: Layer
    hidden: list[Layer]
    output: Layer
