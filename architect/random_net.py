"""A random network: random forward wiring, recurrent connections,
self-connections and gates, as neataptic's ``architect.Random`` makes them."""
from __future__ import annotations

import numpy as np

from synapse import Layer, Network, _check, rng

from ._parts import options


def _forward_pairs(n_in: int, hidden: int, n_out: int) -> np.ndarray:
    """Every (a, b) with a earlier than b, a not an output and b not an input
    (units numbered inputs, hidden, outputs), as rows of an int array."""
    N = n_in + hidden + n_out
    a, b = np.triu_indices(N, k=1)
    keep = (a < n_in + hidden) & (b >= n_in)
    return np.stack([a[keep], b[keep]], axis=1)


class Random(Network):
    """``Random(n_in, hidden, n_out, connections=None, gates=0, self_connections=0,
    back_connections=0, hidden_squash=None, output_squash=None, init=None)``: a
    network of ``hidden`` randomly wired, randomly gated units.

    Units are numbered in activation order: the inputs, the ``hidden`` units of
    one hidden layer (the pool), the outputs. A *forward* connection goes from
    an earlier unit to a later one; a *back* connection from a later hidden or
    output unit to an earlier one (it delivers its value one step late).

    1. Every hidden unit is put on a path from an input to an output: each
       reads a random earlier unit (an input or an earlier hidden unit); each
       that projects nowhere yet projects to a random later unit (a later
       hidden unit or an output); each output that reads nothing yet reads a
       random input or hidden unit.
    2. Random further forward connections (distinct pairs) make
       ``connections`` forward connections in all (default
       ``2 * hidden + n_out``, which is always enough for step 1).
    3. ``back_connections`` distinct random back connections.
    4. ``self_connections`` distinct random hidden or output units get a
       self-connection of weight 1 (fixed, as every self-connection).
    5. ``gates`` distinct random connections (of any kind above) are gated,
       each by a random hidden unit.

    Each unit computes eq. 15-16 of docs/equations.md with its squash
    (``hidden_squash``, ``output_squash``: default LOGISTIC). Weights and
    biases are drawn as everywhere in synapse (``init`` re-draws the learnable
    ones by another scheme); every draw comes from ``synapse.seed``'s generator.
    The wiring follows neataptic's ``architect.Random`` (a network grown by
    node, connection, back-connection, self-connection and gate mutations),
    with the pool kept in one layer. Unlike :class:`architect.Liquid`, whose
    pool is reached only through whole-layer projections, every input and
    output here connects only where drawn.

    LSTM-g truncates the gradient of back connections and of gated
    connections whose gater comes later; ``learning="bptt"`` in
    ``Trainer.train_sequences`` is exact on any of them.

    Raises
    ------
    ValueError
        For more connections, back connections, self-connections or gates
        than the network has room for (before anything is built or drawn), or
        for ``connections`` fewer than this draw's step 1 needs (then nothing
        is drawn either: the generator is put back).

    Attributes
    ----------
    pool : Layer
        The hidden units.

    Examples
    --------
    >>> import synapse
    >>> from architect import Random
    >>> synapse.seed(0)
    >>> net = Random(2, 6, 1, connections=14, gates=3, self_connections=2)
    >>> pool = net.pool.list
    >>> forward = [c for n, _ in net.neurons() for c in n.connections.inputs]
    >>> len(forward), sum(n.selfconnected() for n, _ in net.neurons())
    (14, 2)
    >>> sum(c.gater is not None for c in forward) + sum(
    ...     n.selfconnection.gater is not None for n in pool + net.layers.output.list)
    3
    """

    def __init__(self, n_in: int, hidden: int, n_out: int, connections: int | None = None,
                 gates: int = 0, self_connections: int = 0, back_connections: int = 0,
                 hidden_squash=None, output_squash=None, init: str | None = None):
        n_in = _check.count(n_in, "Random inputs", minimum=1)
        H = _check.count(hidden, "Random hidden", minimum=1)
        n_out = _check.count(n_out, "Random outputs", minimum=1)
        options("Random", hidden_squash, output_squash, init)
        pairs = _forward_pairs(n_in, H, n_out)
        M = H + n_out  # units that can receive
        room = {"connections": len(pairs), "back_connections": M * (M - 1) // 2,
                "self_connections": M}
        wanted = {
            "connections": (min(2 * H + n_out, len(pairs)) if connections is None
                            else _check.count(connections, "Random connections", minimum=1)),
            "back_connections": _check.count(back_connections, "Random back_connections"),
            "self_connections": _check.count(self_connections, "Random self_connections")}
        for what, n in wanted.items():
            if n > room[what]:
                raise ValueError(f"Random({n_in}, {H}, {n_out}) has room for {room[what]} "
                                 f"{what.replace('_', ' ')}, asked for {n}")
        gates = _check.count(gates, "Random gates")
        made = sum(wanted.values())
        if gates > made:
            raise ValueError(f"Random cannot make {gates} gates on {made} connections")

        g = rng.generator()
        drawn_from = g.bit_generator.state
        forward = self._skeleton(g, n_in, H, n_out)
        if len(forward) > wanted["connections"]:
            g.bit_generator.state = drawn_from
            raise ValueError(f"Random needs {len(forward)} forward connections (this draw) to "
                             f"put every hidden unit on a path from an input to an output; "
                             f"asked for {wanted['connections']} (2 * hidden + n_out = "
                             f"{2 * H + n_out} is always enough)")
        taken = set(forward)
        rest = [p for p in map(tuple, pairs.tolist()) if p not in taken]
        extra = g.choice(len(rest), wanted["connections"] - len(forward), replace=False)
        forward += [rest[int(i)] for i in extra]
        a, b = np.triu_indices(M, k=1)  # back: from the later (b) to the earlier (a)
        back = [(n_in + int(b[i]), n_in + int(a[i]))
                for i in g.choice(len(a), wanted["back_connections"], replace=False)]
        selves = [n_in + int(u) for u in g.choice(M, wanted["self_connections"], replace=False)]
        links = forward + back + [(u, u) for u in selves]
        gated = [(int(g.integers(H)), links[int(i)])
                 for i in g.choice(len(links), gates, replace=False)]

        input_layer = Layer(n_in)
        pool = Layer(H).set(squash=hidden_squash)
        output_layer = Layer(n_out).set(squash=output_squash)
        units = input_layer.list + pool.list + output_layer.list
        made_links = {(i, j): units[i].project(units[j]) for i, j in links}
        for h, link in gated:
            pool.list[h].gate(made_links[link])
        super().__init__(input=input_layer, hidden=[pool], output=output_layer)
        if init is not None:
            self.initialize(init)

    @staticmethod
    def _skeleton(g: np.random.Generator, n_in: int, H: int, n_out: int) -> list:
        """Step 1: the forward connections that put every hidden unit on a path
        from an input to an output, in the order drawn."""
        N = n_in + H + n_out
        links: list[tuple[int, int]] = [(int(g.integers(j)), j) for j in range(n_in, n_in + H)]
        sources = {a for a, _ in links}
        for j in range(n_in, n_in + H):
            if j not in sources:
                links.append((j, j + 1 + int(g.integers(N - j - 1))))
        targets = {b for _, b in links}
        links += [(int(g.integers(n_in + H)), o) for o in range(n_in + H, N) if o not in targets]
        return links

    @property
    def pool(self) -> Layer:
        return self.layers.hidden[0]
