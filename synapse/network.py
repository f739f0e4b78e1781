"""Networks: an input layer, hidden layers and an output layer, activated and
trained as one, in one activation order."""
from __future__ import annotations

import importlib
import math
import threading
from typing import TypeVar

import numpy as np

from . import _check, display, init, serialize, store
from .engine import Engine, check_kind, make_engine
from .engine.jit import COST_CODES, LEARN_CODES
from .engine.loaded import loaded_gains
from .engine.standalone import standalone
from .layer import Layer, LayerConnection, Layers
from .neuron import Neuron

_N = TypeVar("_N", bound="Network")  # clone() keeps the architecture's class

__all__ = ["Network", "INIT_SCHEMES"]

INIT_SCHEMES = init.INIT_SCHEMES  # the schemes of Network.initialize

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
        self.layers = Layers(input=Layer(0), hidden=[], output=Layer(0))
        self._optimize = True
        self._engine_kind: str | None = None  # None: the JIT when numba can run it, else numpy
        self._layout: store.Layout | None = None
        self._engine: Engine | None = None
        self._lock = threading.RLock()  # one compile, whichever thread asks first
        self._squash_names: dict = {}  # a loaded network's own squash functions -> names read
        self._gains_pending = False    # loaded from synaptic.js or neataptic, not yet stepped
        if input is not None or output is not None or hidden:
            self.set(input=input, hidden=hidden, output=output)

    # ---- structure ----
    def set(self, input: Layer | None = None, hidden=None, output: Layer | None = None) -> Network:
        """Replace the layers that are given; returns self."""
        new = Layers(
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
                    engine = make_engine(layout, kind)
                    if self._gains_pending:  # loaded from synaptic.js
                        engine = loaded_gains(self, engine)
                    self._engine = engine
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
        out: list[tuple[Neuron, str | int]] = [(n, "input") for n in self.layers.input.list]
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
        return _check.finite(_check.floats(target, self.layers.output.size, "target"),
                             "target")

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
        """Step through a sequence in one call.

        ``inputs`` of shape (T, inputs()): T consecutive steps of the network's
        own stream, state carried over as with ``activate``; with ``targets``
        (T, outputs()) and ``rate`` > 0 (a number, or one per step) it learns
        at every step, as ``activate`` + ``propagate`` would. Returns the outputs,
        (T, outputs()).

        ``inputs`` of shape (B, T, inputs()): B independent streams in
        lockstep, each starting from a copy of the network's current state
        (the network's own state is left as it was); with targets
        (B, T, outputs()) the parameters take one plain step per time step
        along the streams' mean gradient. Returns (B, T, outputs()).

        >>> import synapse
        >>> from architect import Perceptron
        >>> synapse.seed(0)
        >>> net = Perceptron(2, 3, 1)
        >>> net.run([[0, 0], [0, 1], [1, 0]]).shape
        (3, 1)
        >>> net.run([[[0, 0], [0, 1]]] * 4).shape    # 4 streams of 2 steps
        (4, 2, 1)
        """
        X = _check.finite(_check.array(inputs, "inputs"), "inputs")  # ints too large: ValueError
        if X.ndim not in (2, 3) or X.shape[-1] != self.inputs():
            raise ValueError(f"inputs must have shape (T, {self.inputs()}) or "
                             f"(B, T, {self.inputs()}), got {X.shape}")
        Y = None
        if targets is not None:
            Y = _check.finite(_check.array(targets, "targets"), "targets")
            if Y.shape != X.shape[:-1] + (self.outputs(),):
                raise ValueError(f"targets must have shape {X.shape[:-1] + (self.outputs(),)}, "
                                 f"got {Y.shape}")
        T = X.shape[-2]
        if type(rate) is float and math.isfinite(rate):  # the usual case, checked at once
            rates = np.full(T, rate)
        else:
            rates = _check.array(rate, "rate")
            if rates.ndim > 1 or rates.size not in (1, T):
                raise ValueError(f"rate must be a number or {T} numbers (one per step), "
                                 f"got shape {rates.shape}")
            rates = np.ascontiguousarray(np.broadcast_to(rates.reshape(-1), (T,)))
            if not np.all(np.isfinite(rates)):
                raise ValueError("rate must be finite")
        path = self._path()
        if X.ndim == 3:
            return path.run_batch(np.ascontiguousarray(X), Y, rates, cost)
        return path.run(np.ascontiguousarray(X), Y, rates, cost)

    def bptt(self, inputs, targets, *, cost=None, window=None) -> np.ndarray:
        """Backpropagation through time: add the exact gradient of a sequence's
        cost into :attr:`grad`, on any topology (docs/equations.md).

        Steps the sequence as :meth:`run` does (``inputs`` (T, inputs()) moves
        the network's own stream; (B, T, inputs()) steps B copies of its state
        and leaves it as it was), then walks back through it. The cost is the
        sum over steps (and streams) of ``cost(target, output)``; ``cost`` None
        is eq. 10's (t - y at the outputs: cross-entropy's gradient for
        logistic or SOFTMAX outputs). A NaN target means no target at that step
        and output. ``window`` W cuts the sequence into windows of W steps, each
        walked back on its own (the gradient truncated at the window's start);
        None: the whole sequence. No parameter changes; returns the outputs.

        >>> import numpy as np, synapse
        >>> from architect import LSTM
        >>> synapse.seed(0)
        >>> net = LSTM(2, 2, 1)
        >>> net.zero_grad()
        >>> net.bptt(np.ones((4, 2)), np.zeros((4, 1))).shape
        (4, 1)
        >>> bool(np.any(net.grad != 0))
        True
        """
        X = _check.finite(_check.array(inputs, "inputs"), "inputs")
        if X.ndim not in (2, 3) or X.shape[-1] != self.inputs():
            raise ValueError(f"inputs must have shape (T, {self.inputs()}) or "
                             f"(B, T, {self.inputs()}), got {X.shape}")
        Y = _check.array(targets, "targets")
        if Y.shape != X.shape[:-1] + (self.outputs(),):
            raise ValueError(f"targets must have shape {X.shape[:-1] + (self.outputs(),)}, "
                             f"got {Y.shape}")
        if np.isinf(Y).any():
            raise ValueError("targets must be finite numbers or NaN (no target)")
        T = X.shape[-2]
        W = T if window is None else _check.count(window, "window", minimum=1)
        path = self._path()
        layout = self._compiled()
        own = X.ndim == 2
        S = layout.S if own else np.repeat(layout.S, X.shape[0], axis=0)
        X3, Y3 = (X[None], Y[None]) if own else (X, Y)
        outs = [path.bptt(S, np.ascontiguousarray(X3[:, t:t + W]),
                          np.ascontiguousarray(Y3[:, t:t + W]), cost, layout.grad, -1.0)
                for t in range(0, T, max(W, 1))]
        out = np.concatenate(outs, axis=1) if outs else np.empty(X3.shape[:2] + (self.outputs(),))
        return out[0] if own else out

    def generate(self, seed_inputs, steps: int, feedback=None) -> np.ndarray:
        """Closed-loop prediction: each output, through ``feedback``, becomes the next input.

        Steps the network's own stream through ``seed_inputs`` (T, inputs())
        as :meth:`run` does (from the state it has: ``clear()`` first to start
        afresh), then keeps going on its own: row 0 of the result is the
        output of the last seed step, and each further row is the output of one
        step on ``feedback(previous row)``. The state is left where the last
        step put it; nothing learns.

        Parameters
        ----------
        seed_inputs : array of shape (T, inputs()), T >= 1
            (1-D for a network with one input.)
        steps : int
            Rows to return, at least 1 (``steps - 1`` closed-loop steps).
        feedback : callable, optional
            ``feedback(output) -> next input`` (``inputs()`` finite numbers),
            called with a copy of each output: e.g. a one-hot draw from a
            SOFTMAX output for text, or a rescaling. None: the output itself
            (for a network with as many inputs as outputs).

        Returns
        -------
        numpy.ndarray of shape (steps, outputs())

        Raises
        ------
        TypeError, ValueError
            For bad seed inputs, steps or feedback (before any step), or a
            feedback result of the wrong type, length or non-finite (the steps
            until then are taken).

        Examples
        --------
        >>> import synapse
        >>> from synapse import Layer, Network, squash
        >>> a, b = Layer(1), Layer(1).set(squash=squash.IDENTITY, bias=0)
        >>> _ = a.project(b, weights=2.0)
        >>> net = Network(input=a, output=b)       # y = 2 x
        >>> net.generate([[1.0]], 4)[:, 0].tolist()
        [2.0, 4.0, 8.0, 16.0]
        >>> net.generate([[1.0]], 3, feedback=lambda y: y - 1)[:, 0].tolist()
        [2.0, 2.0, 2.0]
        """
        X = _check.finite(_check.array(seed_inputs, "seed_inputs"), "seed_inputs")
        if X.ndim == 1 and self.inputs() == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[1] != self.inputs() or len(X) == 0:
            raise ValueError(f"seed_inputs must have shape (T, {self.inputs()}) with T >= 1, "
                             f"got {X.shape}")
        steps = _check.count(steps, "steps", minimum=1)
        if feedback is None:
            if self.inputs() != self.outputs():
                raise ValueError(f"generate needs a feedback function: the network has "
                                 f"{self.outputs()} outputs but {self.inputs()} inputs")
        else:
            _check.function(feedback, "feedback", "feedback(output) -> next input")
        out = np.empty((steps, self.outputs()))
        out[0] = self.run(X)[-1]
        for k in range(1, steps):
            y = out[k - 1].copy()
            x = y if feedback is None else feedback(y)
            out[k] = self.activate(_check.vector(x, self.inputs(), "feedback's result"))
        return out

    def predict(self, X) -> np.ndarray:
        """The outputs for n independent inputs, each one step from the network's
        current state, which is left as it was (for a feed-forward network:
        plain batch prediction). ``X``: (n, inputs()); returns (n, outputs()).

        >>> import numpy as np, synapse
        >>> from architect import Perceptron
        >>> synapse.seed(0)
        >>> net = Perceptron(2, 3, 1)
        >>> rows = [[0, 0], [0, 1], [1, 0], [1, 1]]
        >>> bool(np.allclose(net.predict(rows)[:, 0], [net.activate(r)[0] for r in rows]))
        True
        """
        X = _check.matrix(X, self.inputs(), "X")
        return self._path().predict(np.ascontiguousarray(X))

    def _train_passes(self, X, Y, orders, rates, cost=None, error_cost=None,
                      target_error=-np.inf):
        """Several online passes over (X, Y) in one call, when the engine can
        run them: pass k visits the rows orders[k] at rates[k], learning with
        ``cost`` (None: eq. 10) and reporting the mean ``error_cost`` of its
        activations; stops after the first pass at or below target_error.
        Returns (passes run, their errors), or None when the engine cannot (the
        caller then loops over ``run``). Inputs must be validated by the caller."""
        return self._path().train(X, Y, orders, rates, cost, error_cost, target_error)

    def _fit_passes(self, X, Y, orders, rates, cost, error_cost, target_error, batch, opt,
                    clip):
        """As ``_train_passes``, with gradients averaged over ``batch`` rows, clipped
        to norm ``clip`` (0: not clipped) and stepped by the optimizer ``opt`` (a
        synapse.optim object) at rates[k]; None when the engine cannot."""
        return self._path().fit(X, Y, orders, rates, cost, error_cost, target_error, batch,
                                opt, clip)

    def _can_train_passes(self, cost=None, error_cost=None) -> bool:
        """Whether ``_train_passes`` can run these costs on this network's engine."""
        return (self._path().name == "jit" and cost in LEARN_CODES and error_cost is not None
                and error_cost in COST_CODES)

    def clear(self) -> None:
        """Forget context: states, activations, traces and responsibilities to 0."""
        self._path().clear()

    def reset(self) -> None:
        """clear(), then fresh random weights and biases (those that learn; see
        :meth:`Neuron.reset`)."""
        for n, _ in self.neurons():
            n.reset()

    def initialize(self, scheme: str = "uniform", seed=None) -> None:
        """Draw every learnable weight and bias afresh, by ``scheme``.

        Only :meth:`parameters` are drawn: the weights of connections that
        learn and the biases that learn. Fixed weights and biases, and
        self-connections, keep their values; states and traces stay as they
        are (``clear()`` forgets them).

        For a connection from unit i into unit j, let fan_in(j) be the number of
        learning connections into j and fan_out(i) the number of learning
        connections out of i. In a layered network these are the sizes of the
        layers before and after, as in the papers; here every unit has its own,
        so any topology has them (an LSTM's inputs, which feed the cells, three
        gates and the outputs, count every one of those in fan_out).

        * ``"uniform"``: weights and biases uniform in [-0.1, 0.1), as synaptic.js
          (and every constructor by default) draws them.
        * ``"glorot"``: weights uniform in [-a, a), a = sqrt(6 / (fan_in(j) +
          fan_out(i))) (Glorot & Bengio 2010, "normalized initialization");
          biases 0, as in the paper.
        * ``"he"``: weights normal with mean 0 and standard deviation
          sqrt(2 / fan_in(j)) (He et al. 2015); biases 0.

        Parameters
        ----------
        scheme : {"uniform", "glorot", "he"}
        seed : int, numpy.random.Generator or None
            None draws from synapse's generator (``synapse.seed``); an integer
            (or a Generator) draws from its own, leaving synapse's untouched.

        Raises
        ------
        TypeError, ValueError
            For another scheme or a bad seed (nothing changes then).

        Examples
        --------
        >>> import numpy as np
        >>> from architect import Perceptron
        >>> net = Perceptron(100, 50, 1)
        >>> net.initialize("glorot", seed=0)
        >>> w = net.parameters()[:5000]               # the 100 x 50 layer
        >>> bool(abs(w.std() - np.sqrt(2 / 151)) < 0.005)   # a^2 / 3 = 2 / (100 + 51)
        True
        >>> bool(np.all(net.parameters()[5050:] == 0))      # the biases
        True
        """
        init.initialize(self._compiled(), scheme, seed)

    # ---- how it shows ----
    def __repr__(self) -> str:
        """``<LSTM: 2 -> [3, 3, 3, 3] -> 1, 27 connections (9 gated), 3 self-connections
        (3 gated), 43 parameters, engine jit>``: the class, layer sizes, connections,
        gates, parameters and the engine that steps it (building its arrays if it
        never stepped, as its first step would)."""
        return display.one_line(self)

    def summary(self, show: bool = True) -> str:
        """A table of the layers: units, squash, connections in (by source layer),
        self-connections, the connections each layer gates, and parameters
        (learning weights into the layer plus learning biases); then the totals.
        Printed unless ``show`` is False; returned either way.

        >>> import synapse
        >>> from architect import Perceptron
        >>> synapse.seed(0)
        >>> text = Perceptron(2, 3, 1).summary()  # doctest: +ELLIPSIS
        Perceptron: 2 inputs, 1 output, 6 neurons, engine ...
        layer      units  squash    connections in    self  gates  parameters
        input          2  -         -                    0  -               0
        hidden[0]      3  LOGISTIC  6 from input         0  -               9
        output         1  LOGISTIC  3 from hidden[0]     0  -               4
        total          6            9 (0 gated)          0  0              13
        """
        show = _check.flag(show, "show")
        text = display.table(self)
        if show:
            print(text)
        return text

    def _repr_html_(self) -> str:
        """Jupyter's view of a network: a short table of its layers."""
        return display.html_table(self)

    # ---- copies and views ----
    def clone(self: _N) -> _N:
        """An independent copy with the same structure and every number (traces
        too), of the same class (a Hopfield network's clone is a Hopfield
        network, with any change made to it)."""
        i, h, o = serialize.copy_layers(self)
        copy = _instance(type(self), i, h, o, self._attributes())
        copy._optimize = self._optimize
        copy._engine_kind = self._engine_kind  # the same engine, the same sums
        copy._squash_names = dict(self._squash_names)
        copy._gains_pending = self._gains_pending
        # identical structure gives an identical layout: one copy of each arena
        # carries every number (weights, biases, states, traces)
        store.copy_numbers(self._compiled(), copy._compiled())
        return copy

    def _attributes(self) -> dict:
        """The architecture's own plain attributes (``_saved_attributes``)."""
        return {k: self.__dict__[k] for k in getattr(type(self), "_saved_attributes", ())
                if k in self.__dict__}

    def _meta(self) -> dict:
        """The ``"synapse"`` entry of the JSON: the format, the class when it is a
        known architecture, its plain attributes, whether gains are pending."""
        meta: dict = {"format": serialize.FORMAT}
        name = type(self).__name__
        if architectures().get(name) is type(self):
            meta["class"] = name
        attributes = self._attributes()
        if attributes:
            meta["attributes"] = attributes
        if self._gains_pending:
            meta["pending_gains"] = True
        return meta

    def to_json(self, state: bool = False) -> dict:
        """synaptic.js's toJSON() schema (see ``Network.from_json``), readable by
        synaptic.js, plus keys synaptic.js ignores: ``"synapse"`` (the format and
        the architecture's class), labels, held-fixed biases and weights, and
        with ``state=True`` what learning reads next (traces, extended traces,
        gating terms, gains as read, responsibilities), so that a network
        loaded from it learns on exactly as this one would.

        >>> import synapse
        >>> from architect import LSTM
        >>> synapse.seed(0)
        >>> net = LSTM(1, 2, 1)
        >>> _ = net.activate([0.5])
        >>> data = net.to_json(state=True)
        >>> data["synapse"]["class"], "trace" in data["connections"][0]
        ('LSTM', True)
        >>> twin = synapse.Network.from_json(data)
        >>> type(twin).__name__, bool((twin.activate([1]) == net.activate([1])).all())
        ('LSTM', True)
        """
        learning = None
        if _check.flag(state, "state"):
            layout = self._compiled()
            learning = (layout.structure, store.learning_state(layout))
        return serialize.to_json(self, learning, meta=self._meta())

    @classmethod
    def _assemble(cls, loaded: serialize.Loaded, klass: type | None = None) -> Network:
        """A network from a file that was read: of the recorded class (or
        ``klass``), with the saved learning state written into its arrays.

        A file from synaptic.js or neataptic carries no gains: there every gain
        reads 1 until its gater activates, so until the first step the gated
        connections whose gater comes at or after them read 1 here too
        (docs/differences.md)."""
        klass = klass or _class_of(cls, loaded.cls)
        i, h, o = loaded.layers
        net: Network = _instance(klass, i, h, o, loaded.attributes)
        net._squash_names = loaded.squash_names
        layout = net._compiled()
        gated = layout.structure.gater >= 0
        if loaded.pending_gains:
            layout.links.g[gated] = 1.0  # what synaptic.js's gains read now
        else:
            store.gains_from_gaters(layout)
        store.set_learning_state(
            layout, units=[(n._u, *v) for n, *v in loaded.units],
            links=[(c._c, g, e) for c, g, e in loaded.links],
            relations=[(j._u, k._u, t, xb) for j, k, t, xb in loaded.relations],
            extended=[(c._c, k._u, x) for c, k, x in loaded.extended])
        net._gains_pending = loaded.pending_gains
        return net

    @classmethod
    def from_json(cls, data, squashes=None) -> Network:
        """A network from synaptic.js's JSON (a dict or a string), of any
        synaptic.js version (indices written as "12" included), or from
        ``to_json``.

        ``squashes`` maps extra squash names to functions, for networks saved
        with user-defined squashes (None as a key: synaptic.js's ``null``). The
        result is the architecture's class when the file records one (a loaded
        LSTM is an LSTM), else ``cls``. Raises ValueError or TypeError for
        malformed input, naming the place; nothing in the file is ever executed
        (a class name is looked up among synapse's own architectures)."""
        return cls._assemble(serialize.read(data, squashes))

    def save(self, path, state: bool = True) -> None:
        """Write ``to_json(state)`` to ``path``, atomically.

        With ``state=True`` (the default) the file carries what learning reads
        next, so ``Network.load`` resumes learning exactly where this network
        is; synaptic.js reads the file either way. The file is replaced as
        trusted editors replace files: through a temporary file beside it,
        synced, then renamed over it (a crash leaves the old file or the new
        one); a symbolic link is followed; an existing file keeps its
        permissions, a new one gets the umask's. A non-finite number is a
        ValueError before the file is touched; errors name ``path``.
        """
        serialize.save(path, self.to_json(state=state))

    @classmethod
    def load(cls, path, squashes=None) -> Network:
        """Read a network written by ``save`` (or by synaptic.js's toJSON); see
        ``from_json``."""
        return cls.from_json(serialize.read_text(path), squashes)

    def to_neataptic(self) -> dict:
        """neataptic's ``toJSON()`` schema: ``{"nodes", "connections", "input",
        "output", "dropout"}``, which neataptic's ``Network.fromJSON`` reads.

        Units become nodes in activation order ("input", "hidden", "output"; a
        hidden unit whose bias and input weights are all held fixed becomes
        "constant"). neataptic files hold no state: neataptic starts the network
        cleared, with every gain 1 until its gater activates, and so does
        ``from_neataptic``. Raises ValueError for a squash neataptic lacks
        (HLIM: neataptic's STEP has derivative 0); warns (UserWarning) when a
        unit holds only some of its numbers fixed, as the default LSTM's cells
        hold their biases: neataptic's JSON cannot say so, and they will learn
        there."""
        return serialize.to_neataptic(self)

    @classmethod
    def from_neataptic(cls, data, squashes=None) -> Network:
        """A network from neataptic's JSON (a dict or a string), giving
        neataptic's outputs: nodes activate in their order, "constant" nodes
        keep their bias and input weights fixed, and every gain reads 1 until
        its gater first activates. Squash names are looked up in
        ``synapse.squash.BY_NAME`` (and ``squashes``); a name synapse lacks is a
        ValueError naming it and the node.

        >>> from synapse import Network
        >>> data = {"nodes": [{"bias": 0, "type": "input", "squash": "LOGISTIC", "mask": 1},
        ...                   {"bias": 0.5, "type": "output", "squash": "TANH", "mask": 1}],
        ...         "connections": [{"weight": 2.0, "from": 0, "to": 1, "gater": None}],
        ...         "input": 1, "output": 1, "dropout": 0}
        >>> round(float(Network.from_neataptic(data).activate([1])[0]), 6)   # tanh(2 + 0.5)
        0.986614
        """
        return cls._assemble(serialize.read_neataptic(data, squashes))

    def __reduce__(self):
        """pickle and copy.deepcopy: an independent network, of the same class,
        with every number (traces, gradient), squash function, label and the
        engine choice; it activates and learns exactly as this one."""
        functions: dict = {}
        tokens: dict = {}

        def name(f):
            key = id(f)
            if key not in tokens:
                tokens[key] = f"f{len(tokens)}"
                functions[tokens[key]] = f
            return tokens[key]

        layout = self._compiled()
        data = serialize.to_json(self, (layout.structure, store.learning_state(layout)),
                                 names=name, meta=self._meta())
        payload = {"class": type(self), "json": data, "squashes": functions,
                   "grad": layout.grad.copy(), "optimize": self._optimize,
                   "engine": self._engine_kind,
                   "squash_names": dict(self._squash_names),
                   "layer_labels": [x.label for x in (self.layers.input, *self.layers.hidden,
                                                      self.layers.output)]}
        return (_rebuild, (payload,))

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


# ---------------------------------------------------------------- copies, files, classes
def architectures() -> dict[str, type]:
    """The classes a file may name: Network and every subclass defined in
    synapse or architect (imported here, so a file names them in any program).
    Nothing else is ever instantiated from a file."""
    try:
        importlib.import_module("architect")
    except ImportError:  # pragma: no cover - architect ships with synapse
        pass
    table: dict[str, type] = {"Network": Network}
    stack = list(Network.__subclasses__())
    while stack:
        k = stack.pop()
        stack.extend(k.__subclasses__())
        if k.__module__.split(".")[0] in ("synapse", "architect"):
            table.setdefault(k.__name__, k)
    return table


def _class_of(cls: type, name: str | None) -> type:
    """The class to assemble a file as: the recorded architecture, else ``cls``."""
    if name is None:
        return cls
    table = architectures()
    klass = table.get(name)
    if klass is None:
        raise ValueError(f"synapse.class {name!r} is not an architecture synapse knows "
                         f"(known: {sorted(table)})")
    if not issubclass(klass, cls):
        raise ValueError(f"the file holds a {name} network, not a {cls.__name__}")
    return klass


def _instance(klass: type[_N], i: Layer, h, o: Layer, attributes: dict) -> _N:
    """A ``klass`` network over these layers, without running its constructor:
    the architecture's plain attributes are set and its own links to the
    layers are found again (``_relink``), so that changes made to the network
    (a squash, an added neuron) are kept."""
    net = klass.__new__(klass)
    Network.__init__(net, input=i, hidden=h, output=o)
    for k in getattr(klass, "_saved_attributes", ()):
        if k in attributes:
            setattr(net, k, attributes[k])
    relink = getattr(net, "_relink", None)
    if relink is not None:
        relink()
    return net


def _rebuild(payload: dict) -> Network:
    """The other half of ``Network.__reduce__``."""
    loaded = serialize.read(payload["json"], payload["squashes"])
    net = Network._assemble(loaded, payload["class"])
    net._squash_names = payload["squash_names"]
    layout = net._compiled()
    if layout.grad.shape != payload["grad"].shape:
        raise ValueError("the pickled network's gradient does not fit its layout")
    layout.grad[...] = payload["grad"]
    for layer, label in zip((net.layers.input, *net.layers.hidden, net.layers.output),
                            payload["layer_labels"]):
        layer.label = label
    net._optimize = payload["optimize"]
    net._engine_kind = payload["engine"]
    return net
