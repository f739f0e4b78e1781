"""Liquid state machine: a pool of randomly wired, randomly gated neurons."""
from __future__ import annotations

from synapse import Layer, Network, _check, rng
from synapse.init import INIT_SCHEMES


class Liquid(Network):
    """``Liquid(n_in, pool, n_out, connections, gates)``, wired as synaptic.js wires it.

    The input layer projects ALL_TO_ALL to a pool of ``pool`` neurons, which
    projects ALL_TO_ALL to the output layer. Inside the pool, ``connections``
    times a random neuron projects to a random neuron (the same one twice makes
    its self-connection, weight 1; a pair drawn again reuses its connection).
    Then ``gates`` times a random pool neuron gates a random connection among
    those made. A connection has one gater here (synaptic.js would silently
    replace the first), so each gate picks among the connections not gated yet;
    asking for more gates than there are distinct connections raises ValueError.
    Every draw comes from ``synapse.seed``'s generator. ``init`` ("uniform",
    "glorot" or "he") draws the weights and biases by that scheme after
    building (see :meth:`Network.initialize`; the pool's self-connections keep
    their weight 1); None (default) keeps the constructor's own draws.

    Connections from a later pool neuron to an earlier one are recurrent (read
    one step late), and LSTM-g's gradient through them is truncated.

    >>> import synapse
    >>> from architect import Liquid
    >>> synapse.seed(0)
    >>> net = Liquid(2, 20, 1, connections=30, gates=10)
    >>> pool = net.layers.hidden[0].list
    >>> sum(c.gater is not None for n in pool for c in n.connections.inputs) \\
    ...     + sum(n.selfconnection.gater is not None for n in pool)
    10
    >>> net.activate([0.5, 1]).shape
    (1,)
    """

    def __init__(self, n_in: int, pool: int, n_out: int, connections: int, gates: int,
                 init: str | None = None):
        n_in, pool, n_out = (_check.count(x, f"Liquid {what}", minimum=1) for what, x in
                             (("inputs", n_in), ("pool size", pool), ("outputs", n_out)))
        connections = _check.count(connections, "Liquid connections")
        gates = _check.count(gates, "Liquid gates")
        if init is not None:
            _check.choice(init, "Liquid init", INIT_SCHEMES)
        if gates > connections:
            raise ValueError(f"Liquid cannot make {gates} gates on {connections} connections")
        g = rng.generator()
        # draw the wiring first, so that nothing is built if it cannot be gated,
        # and put the generator back then, so that nothing is drawn either
        drawn_from = g.bit_generator.state
        pairs = [(int(g.integers(pool)), int(g.integers(pool))) for _ in range(connections)]
        distinct = list(dict.fromkeys(pairs))
        if gates > len(distinct):
            g.bit_generator.state = drawn_from
            raise ValueError(f"Liquid drew only {len(distinct)} distinct connections of "
                             f"{connections}; cannot gate {gates} of them")

        input_layer, hidden, output_layer = Layer(n_in), Layer(pool), Layer(n_out)
        neurons = hidden.list
        made = {}
        for a, b in pairs:
            made[(a, b)] = neurons[a].project(neurons[b])
        ungated = [made[p] for p in distinct]
        for _ in range(gates):
            gater = neurons[int(g.integers(pool))]
            gater.gate(ungated.pop(int(g.integers(len(ungated)))))
        input_layer.project(hidden)
        hidden.project(output_layer)
        super().__init__(input=input_layer, hidden=[hidden], output=output_layer)
        if init is not None:
            self.initialize(init)
