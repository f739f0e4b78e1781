"""Networks: an input layer, hidden layers and an output layer, activated and
trained as one, in one activation order."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from . import _check, store
from . import cost as _cost
from .layer import Layer, LayerConnection
from .neuron import Neuron

__all__ = ["Network"]

_COST_CODES = {None: 0, _cost.MSE: 1, _cost.CROSS_ENTROPY: 2}  # the gradients the JIT computes
_ERROR_CODES = {_cost.MSE: 1, _cost.CROSS_ENTROPY: 2, _cost.BINARY: 3}  # the costs it reports


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
        self._engine_kind = None  # None: the JIT when numba can run it, else numpy
        self._layout = None
        self._engine = None
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
        self._layout = None
        self._engine = None

    def _compiled(self) -> store.Layout:
        """The network's arrays, laid out anew if the structure changed."""
        if self._layout is None:
            self._layout = store.build(self)
        return self._layout

    def _fast(self):
        """The compiled engine over the current layout."""
        layout = self._compiled()
        if self._engine is None:
            from .engine import make_engine

            self._engine = make_engine(self, layout, self._engine_kind)
        return self._engine

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
        if engine not in (None, "numpy", "jit"):
            raise ValueError(f"engine must be 'numpy', 'jit' or None, got {engine!r}")
        if engine == "jit":
            from .engine import jit

            if not jit.supports(self._compiled()):
                raise ValueError("the JIT engine needs numba (pip install synapse[fast]) "
                                 "and built-in squash functions")
        self._optimize = bool(optimize)
        if engine != self._engine_kind:
            self._engine_kind = engine
            self._engine = None

    # ---- the step ----
    def activate(self, inputs) -> np.ndarray:
        """One time step: activate every unit in order; returns the outputs."""
        if self._optimize:
            engine = self._engine if self._engine is not None else self._fast()
            return engine.activate(_check.floats(inputs, self.layers.input.size, "inputs"))
        x = _check.vector(inputs, self.inputs(), "inputs")
        self._compiled()
        for n, v in zip(self.layers.input.list, x):
            n.activate(float(v))
        for layer in self.layers.hidden:
            for n in layer.list:
                n.activate()
        return np.array([n.activate() for n in self.layers.output.list], dtype=float)

    def propagate(self, rate: float, target, cost=None) -> None:
        """Back-propagate the error of the last activation and learn at ``rate``.

        The outputs' error is target - y (eq. 10), or with ``cost`` minus the
        exact derivative of that cost with respect to each output's state. All
        weight changes come from the weights as they were before the call, so
        this is one exact gradient step wherever the traces are exact.
        """
        rate = _check.number(rate, "rate")
        if self._optimize:
            engine = self._engine if self._engine is not None else self._fast()
            t = _check.floats(target, self.layers.output.size, "target")
            if engine.loops_in_kernel and cost in _COST_CODES:
                engine.learn(rate, t, _COST_CODES[cost])  # checks t itself
            else:
                engine.propagate(rate, self._output_errors(_check.finite(t, "target"), cost))
            return
        t = _check.vector(target, self.outputs(), "target")
        self._compiled()
        errors = self._output_errors(t, cost)
        out = self.layers.output.list
        for n, e in zip(reversed(out), reversed(errors.tolist())):
            n._responsibility(e)
        for layer in reversed(self.layers.hidden):
            for n in reversed(layer.list):
                n._responsibility()
        for layer in (*self.layers.hidden, self.layers.output):
            for n in layer.list:
                n._learn(rate)

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
        X, Y = inputs, targets
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.inputs():
            raise ValueError(f"inputs must have shape (n, {self.inputs()}), got {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("inputs must be finite")
        if Y is not None:
            Y = np.asarray(Y, dtype=float)
            if Y.shape != (X.shape[0], self.outputs()):
                raise ValueError(f"targets must have shape ({X.shape[0]}, {self.outputs()}), "
                                 f"got {Y.shape}")
            if not np.all(np.isfinite(Y)):
                raise ValueError("targets must be finite")
        rates = np.broadcast_to(np.asarray(rate, dtype=float), (X.shape[0],))
        if not np.all(np.isfinite(rates)):
            raise ValueError("rate must be finite")
        if self._optimize and cost in _COST_CODES and self._fast().loops_in_kernel:
            return self._fast().run(np.ascontiguousarray(X), Y, np.ascontiguousarray(rates),
                                    _COST_CODES[cost])
        out = np.empty((X.shape[0], self.outputs()))
        for i in range(X.shape[0]):
            out[i] = self.activate(X[i])
            if Y is not None:
                self.propagate(float(rates[i]), Y[i], cost)
        return out

    def _train_passes(self, X, Y, orders, rates, cost=None, error_cost=None,
                      target_error=-np.inf):
        """Several online passes over (X, Y) in one call, when the JIT engine can
        run them: pass k visits the rows orders[k] at rates[k], learning with
        ``cost`` (None: eq. 10) and reporting the mean ``error_cost`` of its
        activations; stops after the first pass at or below target_error.
        Returns (passes run, their errors), or None when the engine cannot (the
        caller then loops over ``run``). Inputs must be validated by the caller."""
        if not self._can_train_passes(cost, error_cost):
            return None
        return self._fast().train(np.ascontiguousarray(X, dtype=float),
                            np.ascontiguousarray(Y, dtype=float),
                            np.ascontiguousarray(orders, dtype=np.int64),
                            np.ascontiguousarray(rates, dtype=float),
                            _COST_CODES[cost], _ERROR_CODES[error_cost], float(target_error))

    def _can_train_passes(self, cost=None, error_cost=None) -> bool:
        """Whether ``_train_passes`` can run these costs on this network's engine."""
        if not self._optimize or cost not in _COST_CODES or error_cost not in _ERROR_CODES:
            return False
        return self._fast().loops_in_kernel

    def _output_errors(self, target: np.ndarray, cost) -> np.ndarray:
        """The direct error term of each output: t - y, or -dC/dy f'(s)."""
        layout = self._compiled()
        out = slice(layout.start[-1], layout.stop[-1])
        y = layout.units.act[out]
        if cost is None:
            return target - y  # eq. 10
        if cost in _COST_CODES:  # ours: no need to check what it returns
            return -cost(target, y, derivate=True) * layout.units.deriv[out]
        if not callable(cost):
            raise TypeError(f"cost must be a callable C(target, output, derivate=False), got "
                            f"{type(cost).__name__}")
        try:
            dc = np.asarray(cost(target, y, derivate=True), dtype=float)
        except TypeError:
            raise TypeError("cost must accept derivate=True and return dC/dy "
                            "to be used for learning") from None
        if dc.shape != y.shape or not np.all(np.isfinite(dc)):
            raise ValueError(f"cost derivative must be {y.size} finite numbers, got {dc!r}")
        return -dc * layout.units.deriv[out]

    def clear(self) -> None:
        """Forget context: states, activations, traces and responsibilities to 0."""
        if self._optimize:
            self._fast().clear()
            return
        for n, _ in self.neurons():
            n.clear()

    def reset(self) -> None:
        """clear(), then fresh random weights and biases."""
        for n, _ in self.neurons():
            n.reset()

    # ---- copies and views ----
    def clone(self) -> Network:
        """An independent copy with the same structure and every number (traces too)."""
        from .serialize import copy_network

        return copy_network(self)

    def to_json(self) -> dict:
        """synaptic.js's toJSON() schema (see ``Network.from_json``)."""
        from .serialize import to_json

        return to_json(self)

    @classmethod
    def from_json(cls, data, squashes=None) -> Network:
        """A network from synaptic.js's JSON (a dict or a string).

        ``squashes`` maps extra squash names to functions, for networks saved
        with user-defined squashes. Raises ValueError or TypeError for malformed
        input; nothing in the file is ever executed."""
        from .serialize import from_json

        return from_json(data, squashes)

    def save(self, path) -> None:
        """Write ``to_json()`` to ``path`` atomically (a temporary file, then a rename)."""
        from .serialize import save

        save(self, path)

    @classmethod
    def load(cls, path, squashes=None) -> Network:
        """Read a network written by ``save`` (or by synaptic.js's toJSON)."""
        from .serialize import load

        return load(path, squashes)

    def standalone(self):
        """A function inputs -> outputs that needs nothing of the library (numpy only).

        It starts from the network's current state, carries its own state on
        from call to call (as ``activate`` does) and never learns. Its generated
        source is in ``.source`` (``make(arrays)`` returns the function; the
        arrays are in ``.arrays``); it holds only names and numbers chosen here.
        """
        from .engine.standalone import standalone

        return standalone(self)

    def to_networkx(self):
        """A networkx DiGraph: neurons as nodes (layer, squash, bias), connections
        as edges (weight, gater)."""
        from .serialize import to_networkx

        return to_networkx(self)

    def to_dot(self) -> str:
        """Graphviz DOT source of the network."""
        from .serialize import to_dot

        return to_dot(self)
