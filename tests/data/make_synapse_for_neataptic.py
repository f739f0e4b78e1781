"""Writes neataptic_from_synapse.json: synapse networks exported with
``to_neataptic()``, and the inputs to run them on. Then
``make_neataptic_fixtures.js`` records neataptic's outputs for them.

    python tests/data/make_synapse_for_neataptic.py

``tests/test_neataptic.py`` builds the same networks with :func:`networks`
and checks that ``to_neataptic()`` still gives these files.
"""
from __future__ import annotations

import json
import os

import numpy as np

import synapse
from synapse import GateType, Layer, Network, squash

HERE = os.path.dirname(os.path.abspath(__file__))


def _gated() -> Network:
    """Two hidden layers, gated self-connections, a gater after the unit it
    gates, a recurrent connection, a unit with a fixed bias and fixed inputs."""
    i, a, b, o = Layer(2), Layer(3), Layer(3), Layer(2)
    i.project(a)
    a.project(b)
    b.project(o)
    loops = b.project(b)
    a.gate(loops, GateType.ONE_TO_ONE)
    o.list[0].gate(i.list[0].connected(a.list[0]))  # gater after its target
    b.list[2].project(a.list[1])                    # recurrent, to an earlier unit
    a.set(squash=squash.TANH)
    b.list[0].squash = squash.IDENTITY
    b.list[1].squash = squash.RELU
    fixed = b.list[2]
    fixed.learn_bias = False
    for c in fixed.connections.inputs:
        c.learns = False
    return Network(input=i, hidden=[a, b], output=o)


def networks() -> dict[str, Network]:
    """The networks, with their weights drawn from seeded generators."""
    from architect import LSTM, Liquid, Perceptron

    out = {}
    synapse.seed(11)
    out["perceptron"] = Perceptron(3, 4, 2)
    synapse.seed(12)
    out["lstm"] = LSTM(2, 3, 1, cell_bias="learnt")  # neataptic cannot hold a fixed bias
    synapse.seed(13)
    out["liquid"] = Liquid(2, 10, 2, connections=25, gates=8)
    synapse.seed(14)
    out["gated"] = _gated()
    g = np.random.default_rng(5)
    for net in out.values():  # weights large enough to matter
        for n, layer in net.neurons():
            if layer != "input":
                n.bias = float(g.normal())
                for c in n.connections.inputs:
                    c.weight = float(g.normal())
    return out


def inputs(net: Network, seed: int) -> list:
    return np.random.default_rng(seed).uniform(-1, 1, (10, net.inputs())).tolist()


if __name__ == "__main__":
    data = {name: {"network": net.to_neataptic(), "inputs": inputs(net, k)}
            for k, (name, net) in enumerate(networks().items())}
    with open(os.path.join(HERE, "neataptic_from_synapse.json"), "w", encoding="utf-8") as fh:
        json.dump(data, fh)
