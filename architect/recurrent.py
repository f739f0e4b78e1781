"""Simple recurrent networks: Elman's and Jordan's context units, and NARX's
tapped delay lines, built from neurons whose copying connections never learn."""
from __future__ import annotations

from synapse import ConnectionType, Layer, Network, _check

from ._parts import copies, fixed, hidden_sizes, options


def _chain(input_layer: Layer, hidden: list[Layer], output_layer: Layer) -> None:
    """input -> hidden[0] -> ... -> hidden[-1] -> output, ALL_TO_ALL."""
    for a, b in zip([input_layer, *hidden], [*hidden, output_layer]):
        a.project(b)


class Elman(Network):
    """``Elman(n_in, hidden, n_out, hidden_squash=None, output_squash=None, init=None)``:
    a simple recurrent network with context units (Elman 1990).

    With one hidden layer of ``hidden`` units:

    .. code-block:: text

        c(t) = h(t-1)                          context (a copy; c(0) = 0 after clear())
        h(t) = f(W x(t) + U c(t) + b)          hidden
        y(t) = g(V h(t) + b_y)                 output

    which is the vanilla recurrent network h(t) = f(W x(t) + U h(t-1) + b);
    ``hidden_squash=squash.TANH`` and ``output_squash=squash.SOFTMAX`` make
    the textbook one (f, g default LOGISTIC, as Elman's). A list of sizes
    stacks hidden layers, each with a context of its own: layer k reads
    layer k - 1's h(t) and its own context c_k(t) = h_k(t-1).

    How neurons compute it: the hidden layers are ``[context_0, hidden_0,
    context_1, hidden_1, ...]`` in activation order. Each context has IDENTITY
    units with bias 0 held fixed; hidden_k projects to context_k ONE_TO_ONE
    with weight 1 that never learns (``Connection.learns`` False). The context
    comes first, so it reads hidden_k one step late: it holds h(t-1) when
    hidden_k reads it (ALL_TO_ALL, learning). Training changes W, U, V and the
    biases; the copies stay copies.

    LSTM-g (the Trainer's default) treats c(t) as an input: the gradient
    through U stops at one step, as in Elman's own training.
    ``Trainer.train_sequences(..., learning="bptt")`` follows it back in time.

    Parameters
    ----------
    n_in, n_out : int
    hidden : int or list of int
    hidden_squash, output_squash : callable, optional
        Squashes of the hidden and the output layers (default LOGISTIC).
    init : {"uniform", "glorot", "he"}, optional
        Draw the learnable weights and biases by this scheme after building.

    Attributes
    ----------
    hidden_layers : list of Layer
        The hidden layers h_k, in order.
    contexts : list of Layer
        The context of each hidden layer, in the same order.

    Examples
    --------
    >>> import synapse
    >>> from synapse import squash
    >>> from architect import Elman
    >>> synapse.seed(0)
    >>> net = Elman(3, 4, 3, hidden_squash=squash.TANH, output_squash=squash.SOFTMAX)
    >>> out = net.run([[1, 0, 0], [0, 1, 0]])
    >>> out.shape, bool(abs(out.sum(axis=1) - 1).max() < 1e-12)
    ((2, 3), True)
    >>> [c.learns for c in net.contexts[0].list[0].connections.inputs]
    [False]
    """

    def __init__(self, n_in: int, hidden, n_out: int, hidden_squash=None, output_squash=None,
                 init: str | None = None):
        n_in = _check.count(n_in, "Elman inputs", minimum=1)
        n_out = _check.count(n_out, "Elman outputs", minimum=1)
        hs = hidden_sizes(hidden, "Elman")
        options("Elman", hidden_squash, output_squash, init)
        input_layer, output_layer = Layer(n_in), Layer(n_out).set(squash=output_squash)
        layers: list[Layer] = []
        hidden_layers = []
        for size in hs:
            context, h = copies(size), Layer(size).set(squash=hidden_squash)
            fixed(h.project(context, ConnectionType.ONE_TO_ONE, weights=1.0))
            context.project(h)
            layers += [context, h]
            hidden_layers.append(h)
        _chain(input_layer, hidden_layers, output_layer)
        super().__init__(input=input_layer, hidden=layers, output=output_layer)
        if init is not None:
            self.initialize(init)

    @property
    def hidden_layers(self) -> list[Layer]:
        return self.layers.hidden[1::2]

    @property
    def contexts(self) -> list[Layer]:
        return self.layers.hidden[0::2]


class Jordan(Network):
    """``Jordan(n_in, hidden, n_out, decay=0.0, hidden_squash=None, output_squash=None,
    init=None)``: a recurrent network whose context holds the last output (Jordan 1986).

    .. code-block:: text

        c(t) = decay * c(t-1) + y(t-1)         context (c(0) = 0 after clear())
        h(t) = f(W x(t) + U c(t) + b)          hidden (the first of them, for a list)
        y(t) = g(V h(t) + b_y)                 output

    ``decay`` 0 (default) makes the context the last output, as most texts
    give the Jordan network; Jordan's own state units also kept a decaying sum
    of the outputs, ``decay`` in [0, 1). A list of hidden sizes chains hidden
    layers; the context feeds the first.

    How neurons compute it: the hidden layers are ``[context, hidden_0,
    hidden_1, ...]``. The context has ``n_out`` IDENTITY units, bias 0 held
    fixed, each read from its output through a weight 1 that never learns
    (``Connection.learns`` False); the output comes later in the activation
    order, so the context reads y(t-1). Its self-connection (weight
    ``decay``, which a self-connection keeps anyway) makes the decaying sum.

    LSTM-g (the default) treats c(t) as an input; ``learning="bptt"`` in
    ``Trainer.train_sequences`` follows the gradient back through y(t-1).

    Attributes
    ----------
    context : Layer
        The context units.
    hidden_layers : list of Layer
        The hidden layers, in order.

    Examples
    --------
    >>> import synapse
    >>> from architect import Jordan
    >>> synapse.seed(0)
    >>> net = Jordan(2, 4, 1)
    >>> y = net.run([[1, 0], [0, 1]])
    >>> float(net.context.list[0].activation) == float(y[0, 0])   # c(2) = y(1)
    True
    """

    def __init__(self, n_in: int, hidden, n_out: int, decay: float = 0.0, hidden_squash=None,
                 output_squash=None, init: str | None = None):
        n_in = _check.count(n_in, "Jordan inputs", minimum=1)
        n_out = _check.count(n_out, "Jordan outputs", minimum=1)
        hs = hidden_sizes(hidden, "Jordan")
        decay = _check.number(decay, "Jordan decay")
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"Jordan decay must be in [0, 1), got {decay}")
        options("Jordan", hidden_squash, output_squash, init)
        input_layer, output_layer = Layer(n_in), Layer(n_out).set(squash=output_squash)
        context = copies(n_out)
        hidden_layers = [Layer(size).set(squash=hidden_squash) for size in hs]
        fixed(output_layer.project(context, ConnectionType.ONE_TO_ONE, weights=1.0))
        if decay:
            context.project(context, ConnectionType.ONE_TO_ONE, weights=decay)
        context.project(hidden_layers[0])
        _chain(input_layer, hidden_layers, output_layer)
        super().__init__(input=input_layer, hidden=[context, *hidden_layers],
                         output=output_layer)
        if init is not None:
            self.initialize(init)

    @property
    def context(self) -> Layer:
        return self.layers.hidden[0]

    @property
    def hidden_layers(self) -> list[Layer]:
        return self.layers.hidden[1:]


def _delay_line(source: Layer, steps: int) -> Layer:
    """A tapped delay line of ``steps`` copies of ``source``'s units in one layer.

    Tap k (1..steps) of source unit i is unit (steps - k) * n + i of the layer:
    tap 1 reads the source, tap k reads tap k - 1, all with weight 1 that
    never learns. Every tap reads a unit later in the activation order except
    tap 1 of a source that comes first (the input layer), so each tap moves one
    step per step."""
    n = source.size
    line = copies(n * steps)
    units = line.list
    for k in range(1, steps + 1):
        for i in range(n):
            src = source.list[i] if k == 1 else units[(steps - k + 1) * n + i]
            src.project(units[(steps - k) * n + i], 1.0).learns = False
    return line


class NARX(Network):
    """``NARX(n_in, hidden, n_out, input_memory, output_memory, hidden_squash=None,
    output_squash=None, init=None)``: a nonlinear autoregressive network with
    exogenous inputs (Narendra & Parthasarathy 1990; Lin et al. 1996).

    .. code-block:: text

        y(t) = F(x(t), x(t-1), ..., x(t-d_x), y(t-1), ..., y(t-d_y))

    with d_x = ``input_memory`` and d_y = ``output_memory`` (either may be 0),
    F a perceptron: hidden layers of sizes ``hidden`` (an int or a list), the
    first reading x(t) and every delayed value, the last read by the outputs.
    Delayed values before the first step (after ``clear()``) are 0.

    How neurons compute it: two tapped delay lines of IDENTITY units (bias 0
    held fixed) copy through weights 1 that never learn (``Connection.learns``
    False). The hidden layers are ``[output_memory, *hidden, input_memory]``
    in activation order (a memory of 0 steps has no layer). The output
    memory's tap k holds y(t-k) when the first hidden layer reads it; the
    input memory comes after the hidden layers, so they read it one step late:
    tap k holds x(t-k+1) at the end of step t and is read as x(t-k). Within a
    line, tap k reads tap k - 1, which comes later in the layer (taps are laid
    out last first), so each moves one step per step.

    This follows neataptic's ``architect.NARX`` (its memory layers). Trained
    on a series with its true past outputs fed in (``input`` = the series,
    one-step targets), the output memory still holds the network's own
    outputs: it is a closed-loop ("parallel") NARX. LSTM-g treats the delayed
    values as inputs; ``learning="bptt"`` in ``Trainer.train_sequences``
    follows the gradient back through y(t-k).

    Attributes
    ----------
    hidden_layers : list of Layer
    input_memory : Layer or None
        ``input_memory * n_in`` taps, tap k of input i at (input_memory - k) * n_in + i.
    output_memory : Layer or None
        ``output_memory * n_out`` taps, laid out the same way.

    Examples
    --------
    >>> import synapse
    >>> from architect import NARX
    >>> synapse.seed(0)
    >>> net = NARX(1, [4, 3], 1, input_memory=3, output_memory=2)
    >>> [layer.size for layer in net.layers.hidden]
    [2, 4, 3, 3]
    >>> _ = net.run([[1.0], [2.0], [3.0]])
    >>> [n.activation for n in net.input_memory.list]   # taps 3, 2, 1 at t = 3: x(1), x(2), x(3)
    [1.0, 2.0, 3.0]
    """

    _saved_attributes = ("input_delays", "output_delays")

    def __init__(self, n_in: int, hidden, n_out: int, input_memory: int, output_memory: int,
                 hidden_squash=None, output_squash=None, init: str | None = None):
        n_in = _check.count(n_in, "NARX inputs", minimum=1)
        n_out = _check.count(n_out, "NARX outputs", minimum=1)
        hs = hidden_sizes(hidden, "NARX")
        d_in = _check.count(input_memory, "NARX input_memory")
        d_out = _check.count(output_memory, "NARX output_memory")
        options("NARX", hidden_squash, output_squash, init)
        input_layer, output_layer = Layer(n_in), Layer(n_out).set(squash=output_squash)
        hidden_layers = [Layer(size).set(squash=hidden_squash) for size in hs]
        layers = list(hidden_layers)
        if d_out:
            memory = _delay_line(output_layer, d_out)
            memory.project(hidden_layers[0])
            layers.insert(0, memory)
        if d_in:
            memory = _delay_line(input_layer, d_in)
            memory.project(hidden_layers[0])
            layers.append(memory)
        _chain(input_layer, hidden_layers, output_layer)
        super().__init__(input=input_layer, hidden=layers, output=output_layer)
        self.input_delays, self.output_delays = d_in, d_out
        if init is not None:
            self.initialize(init)

    @property
    def hidden_layers(self) -> list[Layer]:
        h = self.layers.hidden
        return h[(1 if self.output_delays else 0):len(h) - (1 if self.input_delays else 0)]

    @property
    def input_memory(self) -> Layer | None:
        return self.layers.hidden[-1] if self.input_delays else None

    @property
    def output_memory(self) -> Layer | None:
        return self.layers.hidden[0] if self.output_delays else None
