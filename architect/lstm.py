"""Long short-term memory networks, wired as synaptic.js wires them."""
from __future__ import annotations

from synapse import ConnectionType, GateType, Layer, Network, _check, squash
from synapse.init import INIT_SCHEMES

from ._sizes import sizes


class LSTM(Network):
    """``LSTM(n_in, *memory_blocks, n_out, peepholes=ALL_TO_ALL, hidden_to_hidden=False,
    output_to_hidden=False, output_to_gates=False, input_to_output=True,
    cell_bias="fixed", init=None)``.

    Each memory block layer adds four hidden layers in this order: input gate,
    forget gate, memory cells, output gate (gate biases 1). The input layer
    (and the previous block's cells) project to the cells and all three gates;
    the cells project to the output layer and to themselves; the input gate
    gates the cells' inputs, the forget gate their self-connections and the
    output gate their outputs. ``peepholes`` connects the cells to the gates
    (ALL_TO_ALL, ONE_TO_ONE, or None for none).

    ``cell_bias`` says how a memory cell's bias enters it:

    * ``"fixed"`` (default): a bias of 0, held fixed (``learn_cell_bias=False``).
    * ``"learnt"``: synaptic.js's wiring (``learn_cell_bias=True``): a learnt
      bias that enters the cell's memory ungated. Its exact eligibility trace
      grows like 1 / (1 - forget gain), and on long sequences its steps drive
      the cells into saturation: LSTM(10, 8, 4) never learns the LSTM-g
      paper's Distracted Sequence Recall (success 0 on seeds 1-3).
    * ``"gated"``: the paper's wiring, where a bias is an input like any
      other: a constant unit (a first hidden layer of one IDENTITY unit with a
      bias of 1, held) projects to every cell with a learnt weight, gated by
      the cell's input gate as its other inputs are.

    Measured over seeds 1-6 (``benchmarks/tasks.py``, the README), "fixed"
    meets the paper's DSR criterion on every seed and sooner; "gated" on 4 of
    6. ``learn_cell_bias`` is the older switch (True: "learnt", False:
    "fixed"); giving both, they must agree.

    ``init`` ("uniform", "glorot" or "he") draws the weights and biases by that
    scheme after building (see :meth:`Network.initialize`), then sets the
    gates' biases to 1 again, as the LSTM's design has them; None (default)
    keeps the constructor's own draws, exactly as they always were for a seed.

    >>> import synapse
    >>> from architect import LSTM
    >>> synapse.seed(0)
    >>> net = LSTM(2, 3, 1)
    >>> [layer.size for layer in net.layers.hidden]
    [3, 3, 3, 3]
    >>> [n.bias for n in net.layers.hidden[2].list], net.layers.hidden[2].list[0].learn_bias
    ([0.0, 0.0, 0.0], False)
    >>> [layer.size for layer in LSTM(2, 3, 1, cell_bias="gated").layers.hidden]
    [1, 3, 3, 3, 3]
    """

    def __init__(self, *layer_sizes: int, peepholes=ConnectionType.ALL_TO_ALL,
                 hidden_to_hidden: bool = False, output_to_hidden: bool = False,
                 output_to_gates: bool = False, input_to_output: bool = True,
                 learn_cell_bias: bool | None = None, cell_bias: str | None = None,
                 init: str | None = None):
        n = sizes(layer_sizes, "LSTM", 3)
        if init is not None:
            _check.choice(init, "LSTM init", INIT_SCHEMES)
        for name, flag in (("hidden_to_hidden", hidden_to_hidden),
                           ("output_to_hidden", output_to_hidden),
                           ("output_to_gates", output_to_gates),
                           ("input_to_output", input_to_output)):
            _check.flag(flag, f"LSTM option {name}")
        cell_bias = _cell_bias(cell_bias, learn_cell_bias)
        peepholes = _check.enum_member(peepholes, ConnectionType, "LSTM peepholes", none=True)
        inputs, blocks, outputs = n[0], n[1:-1], n[-1]
        input_layer, output_layer = Layer(inputs), Layer(outputs)
        hidden = []
        gates = []
        previous = None
        constant = None
        if cell_bias == "gated":  # the paper's bias unit: first, so cells read it as 1
            constant = Layer(1).set(squash=squash.IDENTITY, bias=1.0, learn_bias=False)
            hidden.append(constant)
        for size in blocks:
            input_gate = Layer(size).set(bias=1)
            forget_gate = Layer(size).set(bias=1)
            cell = Layer(size)
            if cell_bias != "learnt":
                cell.set(bias=0.0, learn_bias=False)
            output_gate = Layer(size).set(bias=1)
            hidden += [input_gate, forget_gate, cell, output_gate]
            gates += [input_gate, forget_gate, output_gate]
            into_cells = input_layer.project(cell)
            input_layer.project(input_gate)
            input_layer.project(forget_gate)
            input_layer.project(output_gate)
            if previous is not None:
                from_previous = previous.project(cell)
                previous.project(input_gate)
                previous.project(forget_gate)
                previous.project(output_gate)
            out_of_cells = cell.project(output_layer)
            self_loops = cell.project(cell)
            if hidden_to_hidden:
                cell.project(cell, ConnectionType.ALL_TO_ELSE)
            if output_to_hidden:
                output_layer.project(cell)
            if output_to_gates:
                output_layer.project(input_gate)
                output_layer.project(output_gate)
                output_layer.project(forget_gate)
            if peepholes is not None:
                cell.project(input_gate, peepholes)
                cell.project(forget_gate, peepholes)
                cell.project(output_gate, peepholes)
            input_gate.gate(into_cells, GateType.INPUT)
            forget_gate.gate(self_loops, GateType.ONE_TO_ONE)
            output_gate.gate(out_of_cells, GateType.OUTPUT)
            if previous is not None:
                input_gate.gate(from_previous, GateType.INPUT)
            if constant is not None:
                input_gate.gate(constant.project(cell), GateType.INPUT)
            previous = cell
        if input_to_output:
            input_layer.project(output_layer)
        super().__init__(input=input_layer, hidden=hidden, output=output_layer)
        if init is not None:
            self.initialize(init)
            for gate in gates:
                gate.set(bias=1)


#: LSTM's ``cell_bias`` choices: how a memory cell's bias enters its state.
CELL_BIASES = {
    "learnt": "synaptic.js's: a learnt bias, ungated",
    "fixed": "a bias of 0, held fixed",
    "gated": "the paper's: a learnt weight from a constant unit, gated by the input gate",
}


def _cell_bias(cell_bias, learn_cell_bias) -> str:
    """The ``cell_bias`` choice, from it or from the older flag ``learn_cell_bias``
    (True: "learnt", False: "fixed"); both given must agree."""
    if learn_cell_bias is not None:
        _check.flag(learn_cell_bias, "LSTM option learn_cell_bias")
    if cell_bias is None:
        if learn_cell_bias is None:
            return DEFAULT_CELL_BIAS
        return "learnt" if learn_cell_bias else "fixed"
    cell_bias = _check.choice(cell_bias, "LSTM cell_bias", CELL_BIASES)
    if learn_cell_bias is not None and learn_cell_bias != (cell_bias == "learnt"):
        raise ValueError(f"LSTM learn_cell_bias={learn_cell_bias} contradicts "
                         f"cell_bias={cell_bias!r}: give one of them")
    return cell_bias


DEFAULT_CELL_BIAS = "fixed"
