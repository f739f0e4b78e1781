"""Networks: an input layer, hidden layers and an output layer, activated and
trained as one, in one activation order."""
from __future__ import annotations

import html
import math
import threading
from types import SimpleNamespace

import numpy as np

from . import _check, rng, serialize, store, structure
from .engine import Engine, check_kind, make_engine
from .engine.jit import COST_CODES, LEARN_CODES
from .engine.standalone import standalone
from .layer import Layer, LayerConnection
from .neuron import Neuron
from .squash import name_of

__all__ = ["Network", "INIT_SCHEMES"]

#: The schemes of :meth:`Network.initialize`, and a few words on each.
INIT_SCHEMES = {"uniform": "synaptic.js's U[-0.1, 0.1)", "glorot": "Glorot & Bengio's uniform",
                "he": "He et al.'s normal"}


def _init_generator(seed) -> np.random.Generator:
    """The generator ``initialize`` draws from: synapse's, or a new one from ``seed``."""
    if seed is None:
        return rng.generator()
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(_check.integer(seed, "seed", minimum=0))


def _many(n: int, thing: str) -> str:
    """``3 connections``, ``1 connection``."""
    return f"{n} {thing}{'s' * (n != 1)}"


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
        X = _check.finite(_check.array(inputs, "inputs"), "inputs")
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
        rates = np.broadcast_to(np.asarray(rate, dtype=float), (T,))
        if not np.all(np.isfinite(rates)):
            raise ValueError("rate must be finite")
        path = self._path()
        if X.ndim == 3:
            return path.run_batch(np.ascontiguousarray(X), Y, np.ascontiguousarray(rates), cost)
        return path.run(np.ascontiguousarray(X), Y, np.ascontiguousarray(rates), cost)

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
        X = _check.finite(_check.array(X, "X"), "X")
        if X.ndim == 1 and self.inputs() == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[1] != self.inputs():
            raise ValueError(f"X must have shape (n, {self.inputs()}), got {X.shape}")
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
        """clear(), then fresh random weights and biases."""
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
        scheme = _check.choice(scheme, "initialize scheme", INIT_SCHEMES)
        g = _init_generator(seed)
        layout = self._compiled()
        st = layout.structure
        learning = np.flatnonzero(st.learns)
        weights = layout.w_at[learning]
        biases = layout.bias_at[np.flatnonzero(st.learn_bias)]
        V = layout.V
        if scheme == "uniform":
            V[weights] = g.random(len(weights)) * 0.2 - 0.1
            V[biases] = g.random(len(biases)) * 0.2 - 0.1
            return
        src, dst = st.src[learning], st.dst[learning]
        fan_in = np.bincount(dst, minlength=st.n_units)[dst]
        if scheme == "glorot":
            fan_out = np.bincount(src, minlength=st.n_units)[src]
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            V[weights] = g.uniform(-limit, limit)
        else:
            V[weights] = g.standard_normal(len(weights)) * np.sqrt(2.0 / fan_in)
        V[biases] = 0.0

    # ---- how it shows ----
    def _overview(self) -> tuple[dict, list[dict]]:
        """The network in numbers, for ``repr``, :meth:`summary` and Jupyter: totals,
        and one row per layer. Reads the structure; changes no number."""
        st = self._layout.structure if self._layout is not None else structure.describe(self)
        names = ["input", *(f"hidden[{i}]" for i in range(len(self.layers.hidden))), "output"]
        group = st.layer_of()
        src, dst = group[st.src], group[st.dst]
        gated = st.gater >= 0
        by = group[st.gater[gated]]
        self_gated = np.flatnonzero(st.self_gater >= 0)
        rows = []
        for g, name in enumerate(names):
            lo, hi = int(st.start[g]), int(st.start[g + 1])
            squashes = sorted({name_of(st.squash[u]) for u in range(lo, hi)})
            into = [f"{int(np.sum((dst == g) & (src == h)))} from {names[h]}"
                    for h in range(len(names)) if np.any((dst == g) & (src == h))]
            pairs: dict[tuple[int, int], int] = {}
            for a, b in zip(src[gated][by == g], dst[gated][by == g]):
                pairs[(int(a), int(b))] = pairs.get((int(a), int(b)), 0) + 1
            gates = [f"{k} {names[a]}->{names[b]}" for (a, b), k in sorted(pairs.items())]
            selves = group[self_gated][group[st.self_gater[self_gated]] == g]
            gates += [f"{int(np.sum(selves == h))} self {names[h]}" for h in np.unique(selves)]
            rows.append({
                "layer": name, "units": hi - lo,
                "squash": "-" if g == 0 or hi == lo else "/".join(squashes),
                "inputs": ", ".join(into) or "-",
                "self": int(st.memory[lo:hi].sum()),
                "gates": ", ".join(gates) or "-",
                "parameters": int(np.sum(st.learns & (dst == g)) + st.learn_bias[lo:hi].sum())})
        try:
            engine = self._path().name
        except Exception:  # noqa: BLE001 (a network that cannot step still shows)
            engine = "none"
        totals = {"class": type(self).__name__, "inputs": self.inputs(),
                  "hidden": [layer.size for layer in self.layers.hidden],
                  "outputs": self.outputs(), "neurons": st.n_units,
                  "connections": len(st.connections), "gated": int(gated.sum()),
                  "self": int(st.memory.sum()), "self_gated": len(self_gated),
                  "parameters": int(st.learns.sum() + st.learn_bias.sum()), "engine": engine}
        return totals, rows

    def __repr__(self) -> str:
        """``<LSTM: 2 -> [3, 3, 3, 3] -> 1, 27 connections (9 gated), 3 self-connections
        (3 gated), 43 parameters, engine jit>``: the class, layer sizes, connections,
        gates, parameters and the engine that steps it (building its arrays if it
        never stepped, as its first step would)."""
        try:
            t, _ = self._overview()
        except ValueError as e:  # an inconsistent network (e.g. fed from outside)
            return f"<{type(self).__name__}: {e}>"
        return (f"<{t['class']}: {t['inputs']} -> {t['hidden']} -> {t['outputs']}, "
                f"{_many(t['connections'], 'connection')} ({t['gated']} gated), "
                f"{_many(t['self'], 'self-connection')} ({t['self_gated']} gated), "
                f"{_many(t['parameters'], 'parameter')}, engine {t['engine']}>")

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
        t, rows = self._overview()
        head = ("layer", "units", "squash", "connections in", "self", "gates", "parameters")
        keys = ("layer", "units", "squash", "inputs", "self", "gates", "parameters")
        table = [list(head)] + [[str(r[k]) for k in keys] for r in rows]
        table.append(["total", str(t["neurons"]), "", f"{t['connections']} ({t['gated']} gated)",
                      str(t["self"]), str(t["gated"] + t["self_gated"]), str(t["parameters"])])
        width = [max(len(row[i]) for row in table) for i in range(len(head))]
        right = {1, 4, 6}  # numbers
        lines = [f"{t['class']}: {_many(t['inputs'], 'input')}, {_many(t['outputs'], 'output')}, "
                 f"{_many(t['neurons'], 'neuron')}, engine {t['engine']}"]
        for row in table:
            cells = [c.rjust(w) if i in right else c.ljust(w)
                     for i, (c, w) in enumerate(zip(row, width))]
            lines.append("  ".join(cells).rstrip())
        text = "\n".join(lines)
        if show:
            print(text)
        return text

    def _repr_html_(self) -> str:
        """Jupyter's view of a network: a short table of its layers."""
        try:
            t, rows = self._overview()
        except ValueError as e:
            return f"<p>{html.escape(type(self).__name__)}: {html.escape(str(e))}</p>"
        head = ("layer", "units", "squash", "connections in", "self", "gates", "parameters")
        keys = ("layer", "units", "squash", "inputs", "self", "gates", "parameters")
        cells = "".join(f"<th>{h}</th>" for h in head)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(r[k]))}</td>" for k in keys)
                       + "</tr>" for r in rows)
        return (f"<div><b>{html.escape(t['class'])}</b>: "
                f"{_many(t['connections'], 'connection')} ({t['gated']} gated), "
                f"{_many(t['self'], 'self-connection')}, {_many(t['parameters'], 'parameter')}, "
                f"engine {html.escape(t['engine'])}"
                f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table></div>")

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
