"""Networks: an input layer, hidden layers and an output layer, activated and
trained as one, in one activation order."""
from __future__ import annotations

import math
import threading
from types import SimpleNamespace

import numpy as np

from . import _check, serialize, store
from .engine import Engine, check_kind, make_engine
from .engine.jit import COST_CODES, LEARN_CODES
from .engine.standalone import standalone
from .layer import Layer, LayerConnection
from .neuron import Neuron

__all__ = ["Network"]


class Network:
    """Layers in activation order: ``input``, then ``hidden`` in order, then ``output``.

    Parameters
    ----------
    input, output : Layer
    hidden : list of Layer, optional

    Examples
    --------
    >>> import synapse
    >>> from synapse import Layer, Network
    >>> synapse.seed(1)
    >>> i, h, o = Layer(2), Layer(3), Layer(1)
    >>> _ = i.project(h), h.project(o)
    >>> net = Network(input=i, hidden=[h], output=o)
    >>> net.activate([1, 0]).shape
    (1,)
    >>> net.propagate(0.3, [1])
    >>> net.inputs(), net.outputs(), len(net.neurons())
    (2, 1, 6)
    """

    def __init__(self, input: Layer | None = None, hidden=None, output: Layer | None = None):
        self.layers = SimpleNamespace(input=Layer(0), hidden=[], output=Layer(0))
        self._optimize = True
        self._engine_kind: str | None = None  # None: the JIT when numba can run it, else numpy
        self._layout: store.Layout | None = None
        self._engine: Engine | None = None
        self._lock = threading.RLock()  # one compile, whichever thread asks first
        if input is not None or output is not None or hidden:
            self.set(input=input, hidden=hidden, output=output)

    # ---- structure ----
    def set(self, input: Layer | None = None, hidden=None, output: Layer | None = None) -> Network:
        """Replace the layers that are given; returns self."""
        new = SimpleNamespace(
            input=self.layers.input if input is None else input,
            hidden=list(self.layers.hidden) if hidden is None else list(hidden),
            output=self.layers.output if output is None else output)
        for name, layer in (("input", new.input), ("output", new.output),
                            *((f"hidden[{i}]", h) for i, h in enumerate(new.hidden))):
            if not isinstance(layer, Layer):
                raise TypeError(f"network layer {name} must be a Layer, got {type(layer).__name__}")
        every = [new.input, *new.hidden, new.output]
        if len({id(x) for x in every}) != len(every):
            raise ValueError("a layer appears twice in the network")
        seen = set()
        for layer in every:
            for n in layer.list:
                if n in seen:
                    raise ValueError(f"neuron {n.ID} is in two of the network's layers")
                seen.add(n)
        for layer in (self.layers.input, *self.layers.hidden, self.layers.output):
            layer._owners.discard(self)
        self.layers = new
        for layer in every:
            layer._owners.add(self)
        self._structure_changed()
        return self

    def _structure_changed(self) -> None:
        with self._lock:
            self._layout = None
            self._engine = None

    def _compiled(self) -> store.Layout:
        """The network's arrays, laid out anew if the structure changed."""
        layout = self._layout
        if layout is None:
            with self._lock:  # two threads' first steps must not build two layouts
                if self._layout is None:
                    self._layout = store.build(self)
                layout = self._layout
        return layout

    def _path(self) -> Engine:
        """The path that steps this network (objects, numpy or JIT), over the current layout."""
        engine = self._engine
        if engine is None:
            with self._lock:
                layout = self._compiled()
                if self._engine is None:
                    kind = self._engine_kind if self._optimize else "objects"
                    self._engine = make_engine(layout, kind)
                engine = self._engine
        return engine

    def project(self, unit, type=None, weights=None) -> LayerConnection:
        """Project the output layer to a Layer, or to a Network's input layer."""
        if isinstance(unit, Network):
            unit = unit.layers.input
        if not isinstance(unit, Layer):
            raise TypeError(f"project expects a Network or a Layer, got {unit.__class__.__name__}")
        return self.layers.output.project(unit, type, weights)

    def gate(self, connection: LayerConnection, type) -> None:
        """Gate a layer connection with the output layer."""
        self.layers.output.gate(connection, type)

    def neurons(self) -> list[tuple[Neuron, str | int]]:
        """(neuron, layer) pairs in activation order; layer is 'input', 'output'
        or the hidden layer's index."""
        out = [(n, "input") for n in self.layers.input.list]
        for i, layer in enumerate(self.layers.hidden):
            out += [(n, i) for n in layer.list]
        out += [(n, "output") for n in self.layers.output.list]
        return out

    def inputs(self) -> int:
        return self.layers.input.size

    def outputs(self) -> int:
        return self.layers.output.size

    def set_optimize(self, optimize: bool, engine: str | None = None) -> None:
        """True (default): step the compiled arrays; False: step the neuron objects.

        All paths read and write the same numbers and compute the same ones.
        ``engine`` picks the compiled path: "numpy", "jit" (needs numba, the
        ``fast`` extra, and built-in squashes) or None (the faster for the size).
        """
        if not isinstance(optimize, (bool, np.bool_)):
            raise TypeError(f"set_optimize expects True or False, got {optimize!r}")
        check_kind(engine, self._compiled() if engine == "jit" else None)
        with self._lock:
            self._optimize = bool(optimize)
            self._engine_kind = engine
            self._engine = None

    # ---- the step ----
    def activate(self, inputs) -> np.ndarray:
        """One time step: activate every unit in order; returns the outputs.

        Parameters
        ----------
        inputs : sequence of float or 1-D array
            One number per input unit, all finite.

        Returns
        -------
        numpy.ndarray
            The output units' activations (float64, a fresh array).

        Raises
        ------
        TypeError, ValueError
            For inputs of the wrong type, length or non-finite values (nothing
            changes then).

        Examples
        --------
        >>> import synapse
        >>> from architect import Perceptron
        >>> synapse.seed(0)
        >>> net = Perceptron(2, 3, 1)
        >>> net.activate([0, 1]).shape
        (1,)
        """
        engine = self._engine if self._engine is not None else self._path()
        return engine.activate(_check.floats(inputs, self.layers.input.size, "inputs"))

    __call__ = activate

    def _target(self, target) -> np.ndarray:
        t = _check.floats(target, self.layers.output.size, "target")
        if not math.isfinite(np.add.reduce(t)) and not np.isfinite(t).all():
            raise ValueError(f"target must be finite, got {t.tolist()}")
        return t

    def propagate(self, rate: float, target, cost=None) -> None:
        """Back-propagate the error of the last activation and learn at ``rate``.

        The outputs' error is target - y (eq. 10), or with ``cost`` minus the
        exact derivative of that cost with respect to each output's state. All
        weight changes come from the weights as they were before the call, so
        this is one exact gradient step wherever the traces are exact.

        >>> import synapse
        >>> from architect import Perceptron
        >>> synapse.seed(0)
        >>> net = Perceptron(1, 2, 1)
        >>> before = net.activate([1.0])[0]
        >>> net.propagate(0.5, [1.0])
        >>> bool(net.activate([1.0])[0] > before)
        True
        """
        rate = _check.number(rate, "rate")
        engine = self._engine if self._engine is not None else self._path()
        engine.learn(rate, self._target(target), cost)

    def backward(self, target, cost=None) -> None:
        """Add the gradient of the last activation's error into :attr:`grad`.

        The same LSTM-g step :meth:`propagate` takes, without changing a weight:
        ``grad`` holds the derivative of the error, so a plain step is
        ``parameters() -= rate * grad`` (``propagate(rate, target)`` is exactly
        that, at once). Gradients add up until :meth:`zero_grad`.

        >>> import numpy as np, synapse
        >>> from architect import Perceptron
        >>> synapse.seed(0)
        >>> net = Perceptron(2, 2, 1)
        >>> _ = net.activate([1, 0])
        >>> net.zero_grad(); net.backward([1])
        >>> net.grad.shape == net.parameters().shape
        True
        """
        engine = self._engine if self._engine is not None else self._path()
        engine.backward(self._target(target), cost)

    def parameters(self) -> np.ndarray:
        """Every learnable number, as a writable view: the weights of the
        connections that learn (in a fixed order), then the biases that learn.
        Writing it changes the network. It stays valid until the structure
        changes (a projection, a gate, a new squash...)."""
        layout = self._compiled()
        return layout.V[:layout.n_params]

    @property
    def grad(self) -> np.ndarray:
        """The accumulated gradient of the error, shaped like :meth:`parameters`."""
        return self._compiled().grad

    def zero_grad(self) -> None:
        """Set :attr:`grad` to 0."""
        self._compiled().grad[...] = 0.0

    def run(self, inputs, targets=None, *, rate=0.0, cost=None) -> np.ndarray:
        """Step through a sequence in one call: for each row i, activate
        ``inputs[i]`` (state carries over from row to row, as with ``activate``),
        then, with ``targets``, propagate at ``rate`` (a number, or one per row)
        towards ``targets[i]``. Returns the outputs of every activation, shape
        (len(inputs), outputs()). The compiled engine runs it without returning
        to Python per row.

        >>> import synapse
        >>> from architect import Perceptron
        >>> synapse.seed(0)
        >>> net = Perceptron(2, 3, 1)
        >>> net.run([[0, 0], [0, 1], [1, 0]]).shape
        (3, 1)
        """
        X = _check.array(inputs, "inputs")  # numbers only: an int too large is a ValueError
        if X.ndim != 2 or X.shape[1] != self.inputs():
            raise ValueError(f"inputs must have shape (n, {self.inputs()}), got {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("inputs must be finite")
        Y = None
        if targets is not None:
            Y = _check.array(targets, "targets")
            if Y.shape != (X.shape[0], self.outputs()):
                raise ValueError(f"targets must have shape ({X.shape[0]}, {self.outputs()}), "
                                 f"got {Y.shape}")
            if not np.all(np.isfinite(Y)):
                raise ValueError("targets must be finite")
        rates = _check.array(rate, "rate")
        if rates.ndim > 1 or rates.size not in (1, X.shape[0]):
            raise ValueError(f"rate must be a number or {X.shape[0]} numbers (one per row), "
                             f"got shape {rates.shape}")
        rates = np.broadcast_to(rates.reshape(-1), (X.shape[0],))
        if not np.all(np.isfinite(rates)):
            raise ValueError("rate must be finite")
        return self._path().run(np.ascontiguousarray(X), Y, np.ascontiguousarray(rates), cost)

    def _train_passes(self, X, Y, orders, rates, cost=None, error_cost=None,
                      target_error=-np.inf):
        """Several online passes over (X, Y) in one call, when the engine can
        run them: pass k visits the rows orders[k] at rates[k], learning with
        ``cost`` (None: eq. 10) and reporting the mean ``error_cost`` of its
        activations; stops after the first pass at or below target_error.
        Returns (passes run, their errors), or None when the engine cannot (the
        caller then loops over ``run``). Inputs must be validated by the caller."""
        return self._path().train(X, Y, orders, rates, cost, error_cost, target_error)

    def _can_train_passes(self, cost=None, error_cost=None) -> bool:
        """Whether ``_train_passes`` can run these costs on this network's engine."""
        return (self._path().name == "jit" and cost in LEARN_CODES and error_cost is not None
                and error_cost in COST_CODES)

    def clear(self) -> None:
        """Forget context: states, activations, traces and responsibilities to 0."""
        self._path().clear()

    def reset(self) -> None:
        """clear(), then fresh random weights and biases."""
        for n, _ in self.neurons():
            n.reset()

    # ---- copies and views ----
    def clone(self) -> Network:
        """An independent copy with the same structure and every number (traces too)."""
        i, h, o = serialize.copy_layers(self)
        copy = Network(input=i, hidden=h, output=o)
        copy._optimize = self._optimize
        copy._engine_kind = self._engine_kind  # the same engine, the same sums
        # identical structure gives an identical layout: one copy of each arena
        # carries every number (weights, biases, states, traces)
        store.copy_numbers(self._compiled(), copy._compiled())
        return copy

    def to_json(self) -> dict:
        """synaptic.js's toJSON() schema (see ``Network.from_json``)."""
        return serialize.to_json(self)

    @classmethod
    def _assemble(cls, layers: serialize.Layers) -> Network:
        """A network from loaded layers; its gains as read follow the gaters'
        stored activations (docs/differences.md)."""
        i, h, o = layers
        net = Network(input=i, hidden=h, output=o)
        store.gains_from_gaters(net._compiled())
        return net

    @classmethod
    def from_json(cls, data, squashes=None) -> Network:
        """A network from synaptic.js's JSON (a dict or a string).

        ``squashes`` maps extra squash names to functions, for networks saved
        with user-defined squashes. Raises ValueError or TypeError for malformed
        input; nothing in the file is ever executed."""
        return cls._assemble(serialize.from_json(data, squashes))

    def save(self, path) -> None:
        """Write ``to_json()`` to ``path`` atomically (a temporary file, then a rename)."""
        serialize.save(self, path)

    @classmethod
    def load(cls, path, squashes=None) -> Network:
        """Read a network written by ``save`` (or by synaptic.js's toJSON)."""
        return cls._assemble(serialize.load(path, squashes))

    def standalone(self):
        """A function inputs -> outputs that needs nothing of the library (numpy only).

        It starts from the network's current state, carries its own state on
        from call to call (as ``activate`` does) and never learns. Its generated
        source is in ``.source`` (``make(arrays)`` returns the function; the
        arrays are in ``.arrays``); it holds only names and numbers chosen here.
        """
        return standalone(self)

    def to_networkx(self):
        """A networkx DiGraph: neurons as nodes (layer, squash, bias), connections
        as edges (weight, gater)."""
        return serialize.to_networkx(self)

    def to_dot(self) -> str:
        """Graphviz DOT source of the network."""
        return serialize.to_dot(self)
