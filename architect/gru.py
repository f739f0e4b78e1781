"""Gated recurrent units (Cho et al. 2014), built from neurons and gates."""
from __future__ import annotations

from synapse import ConnectionType, GateType, Layer, Network, squash

from ._parts import copies, fixed, options
from ._sizes import sizes

#: The layers of one block, in activation order.
_BLOCK = ("update", "inverse_update", "reset", "candidate", "state")


class GRU(Network):
    r"""``GRU(n_in, *blocks, n_out, output_squash=None, init=None)``: gated recurrent
    units, one block of ``size`` units per size in ``blocks``.

    Each block computes, for its input x(t) (the input layer for the first
    block, the previous block's state h(t) for the others):

    .. code-block:: text

        z(t) = logistic(W_z x(t) + U_z h(t-1) + b_z)          update gate
        r(t) = logistic(W_r x(t) + U_r h(t-1) + b_r)          reset gate
        n(t) = tanh(W_n x(t) + U_n (r(t) * h(t-1)) + b_n)     candidate
        h(t) = z(t) * h(t-1) + (1 - z(t)) * n(t)              state

    and the output layer reads the last block's state: y(t) = f(W_y h(t) + b_y)
    with f = ``output_squash`` (default LOGISTIC). After ``clear()``, h = 0.

    How neurons compute it (docs/equations.md, eqs. 14-16). A block is five
    layers of ``size`` units, in this activation order: ``update`` (z),
    ``inverse_update`` (1 - z), ``reset`` (r), ``candidate`` (n), ``state`` (h).

    * x projects to z, r and n; h projects back to z, r and n. The state
      units come after the others, so these connections are recurrent: they
      deliver h(t-1).
    * r gates the connections h -> n by OUTPUT: r_i multiplies everything h_i
      sends to the candidates, which is r(t) * h(t-1) before U_n, as in the
      paper.
    * h is a unit with IDENTITY squash and bias 0 held fixed, whose
      self-connection (weight 1) is gated by z: eq. 15 gives
      s_h(t) = z(t) s_h(t-1) + (gain) n(t).
    * The gain of n -> h must be 1 - z(t), and a gain is a unit's activation,
      so 1 - z has units of its own: ``inverse_update`` (INVERSE squash, 1 - s)
      reads z through a fixed weight 1 and gates n -> h (weight 1, fixed).

    The fixed connections (z -> 1 - z and n -> h, weight 1, ``learns`` False)
    and fixed biases (1 - z, h) keep the block a GRU however it is trained.

    Where it differs from the textbook GRU, and why:

    * The reset gate acts on h(t-1) before U_n, as in Cho et al. (2014),
      eq. 6; PyTorch's ``nn.GRU`` applies it after (r * (U_n h + b_hn)), which
      would be INPUT gating here. Each unit has one bias, so there is no
      separate b_hn either.
    * Biases: the paper writes none; here z, r and n learn one each.
    * Initial weights are synaptic.js's U[-0.1, 0.1) (``init`` picks another
      scheme; the fixed weights stay 1), not PyTorch's U(-1/sqrt(size), ...).
    * Learning: with LSTM-g (the Trainer's default), the gradient is exact
      through h's gated self-connection but truncated to one step on the
      recurrent connections h(t-1) -> z, r, n, which join different units;
      ``Trainer.train_sequences(..., learning="bptt")`` takes the exact
      gradient through time.

    Parameters
    ----------
    *layer_sizes : int
        At least three: the inputs, one size per block, the outputs.
    output_squash : callable, optional
        The output layer's squash (default LOGISTIC).
    init : {"uniform", "glorot", "he"}, optional
        Draw the learnable weights and biases by this scheme after building
        (see :meth:`Network.initialize`).

    Attributes
    ----------
    update_gates, inverse_update_gates, reset_gates, candidates, states : list of Layer
        Each block's layers, one list entry per block, in order.

    Raises
    ------
    TypeError, ValueError
        For bad sizes or options (before anything is built or drawn).

    Examples
    --------
    >>> import synapse
    >>> from architect import GRU
    >>> synapse.seed(0)
    >>> net = GRU(2, 3, 1)
    >>> [layer.size for layer in net.layers.hidden]
    [3, 3, 3, 3, 3]
    >>> net.run([[1, 0], [0, 1], [0, 0]]).shape
    (3, 1)
    >>> type(net.clone()).__name__
    'GRU'
    """

    def __init__(self, *layer_sizes: int, output_squash=None, init: str | None = None):
        n = sizes(layer_sizes, "GRU", 3)
        options("GRU", output_squash=output_squash, init=init)
        input_layer, output_layer = Layer(n[0]), Layer(n[-1]).set(squash=output_squash)
        hidden: list[Layer] = []
        previous = input_layer
        for size in n[1:-1]:
            update = Layer(size)
            inverse = Layer(size).set(squash=squash.INVERSE, bias=0.0, learn_bias=False)
            reset = Layer(size)
            candidate = Layer(size).set(squash=squash.TANH)
            state = copies(size)
            hidden += [update, inverse, reset, candidate, state]
            for gate in (update, reset, candidate):
                previous.project(gate)
            state.project(update)
            state.project(reset)
            recurrent = state.project(candidate)
            reset.gate(recurrent, GateType.OUTPUT)  # r(t) * h(t-1), before U_n
            fixed(update.project(inverse, ConnectionType.ONE_TO_ONE, weights=1.0))
            new = fixed(candidate.project(state, ConnectionType.ONE_TO_ONE, weights=1.0))
            inverse.gate(new, GateType.ONE_TO_ONE)    # (1 - z(t)) * n(t)
            keep = state.project(state, ConnectionType.ONE_TO_ONE, weights=1.0)
            update.gate(keep, GateType.ONE_TO_ONE)    # z(t) * h(t-1)
            previous = state
        previous.project(output_layer)
        super().__init__(input=input_layer, hidden=hidden, output=output_layer)
        if init is not None:
            self.initialize(init)

    def _block_layers(self, which: str) -> list[Layer]:
        return self.layers.hidden[_BLOCK.index(which)::len(_BLOCK)]

    @property
    def update_gates(self) -> list[Layer]:
        """Each block's update gate z."""
        return self._block_layers("update")

    @property
    def inverse_update_gates(self) -> list[Layer]:
        """Each block's 1 - z units."""
        return self._block_layers("inverse_update")

    @property
    def reset_gates(self) -> list[Layer]:
        """Each block's reset gate r."""
        return self._block_layers("reset")

    @property
    def candidates(self) -> list[Layer]:
        """Each block's candidate n."""
        return self._block_layers("candidate")

    @property
    def states(self) -> list[Layer]:
        """Each block's state h (what the next block and the outputs read)."""
        return self._block_layers("state")
