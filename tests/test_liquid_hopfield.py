"""architect.Liquid and architect.Hopfield."""
from __future__ import annotations

import json

import numpy as np
import pytest

import synapse
from architect import Hopfield, Liquid
from synapse import Network, Trainer, squash


def pool_connections(net):
    pool = net.layers.hidden[0].list
    inside = set(pool)
    conns = [c for n in pool for c in n.connections.inputs if c.from_ in inside]
    conns += [n.selfconnection for n in pool if n.selfconnected()]
    return conns


# ---------------------------------------------------------------- Liquid
def test_liquid_structure():
    synapse.seed(0)
    net = Liquid(3, 20, 2, connections=40, gates=15)
    assert isinstance(net, Network)
    assert (net.inputs(), net.outputs(), len(net.layers.hidden)) == (3, 2, 1)
    pool = net.layers.hidden[0]
    assert pool.size == 20
    assert net.layers.input.connected(pool).name == "ALL_TO_ALL"
    assert pool.connected(net.layers.output).name == "ALL_TO_ALL"
    inside = pool_connections(net)
    assert 30 <= len(inside) <= 40  # 40 draws, a few pairs drawn twice
    gated = [c for c in inside if c.gater is not None]
    assert len(gated) == 15
    assert all(c.gater in pool.list for c in gated)
    # the layer connections are not gated; only pool connections are
    assert sum(c.gater is not None for n, _ in net.neurons() for c in n.connections.inputs) \
        + sum(n.selfconnection.gater is not None for n in pool.list) == 15


def test_liquid_is_seeded():
    nets = []
    for _ in range(2):
        synapse.seed(11)
        nets.append(json.dumps(Liquid(2, 10, 1, 25, 10).to_json(), sort_keys=True))
    assert nets[0] == nets[1]
    synapse.seed(12)
    assert json.dumps(Liquid(2, 10, 1, 25, 10).to_json(), sort_keys=True) != nets[0]


def test_liquid_engine_equals_the_neuron_objects():
    """The gated, recurrent pool computes the same on the compiled path and the objects."""
    synapse.seed(3)
    a = Liquid(2, 12, 1, connections=30, gates=12)
    b = a.clone()
    b.set_optimize(False)
    g = np.random.default_rng(0)
    for _ in range(60):
        x, t = g.random(2), g.random(1)
        assert a.activate(x) == pytest.approx(b.activate(x), abs=1e-12)
        a.propagate(0.2, t)
        b.propagate(0.2, t)
    wa = [c.weight for n, _ in a.neurons() for c in n.connections.inputs]
    wb = [c.weight for n, _ in b.neurons() for c in n.connections.inputs]
    assert wa == pytest.approx(wb, abs=1e-12)


def test_liquid_learns():
    synapse.seed(4)
    net = Liquid(2, 15, 1, connections=20, gates=5)
    data = [{"input": [0, 0], "output": [0]}, {"input": [0, 1], "output": [1]},
            {"input": [1, 0], "output": [1]}, {"input": [1, 1], "output": [1]}]
    t = Trainer(net)
    before = t.test(data)["error"]
    result = t.train(data, iterations=2000, error=0.01, rate=0.3)
    assert result["error"] <= 0.01
    assert before > 0.1


@pytest.mark.parametrize("args, error", [
    ((0, 5, 1, 3, 1), ValueError), ((2, 5, 1, -1, 0), ValueError), ((2, 5, 1, 3, 4), ValueError),
    ((2, 5, 1, 3.5, 1), ValueError), ((2, True, 1, 3, 1), TypeError),  # a bool is no count
    ((2, "5", 1, 3, 1), TypeError), ((2, 5, 1, 3, None), TypeError)])
def test_liquid_rejects_bad_sizes(args, error):
    with pytest.raises(error, match="Liquid"):
        Liquid(*args)


def test_liquid_gates_cannot_exceed_the_distinct_connections():
    # a pool of one neuron: every draw is its self-connection, one distinct connection
    synapse.seed(5)
    draw = synapse.rng.generator().bit_generator.state
    with pytest.raises(ValueError, match="distinct"):
        Liquid(1, 1, 1, connections=3, gates=2)
    with pytest.raises(ValueError, match="distinct"):
        Liquid(1, 2, 1, connections=6, gates=5)  # 2 x 2 pairs: at most 4 distinct
    # nothing changed, not even the random draws: a seeded run goes on as if never called
    assert synapse.rng.generator().bit_generator.state == draw
    net = Liquid(1, 1, 1, connections=3, gates=1)
    assert net.layers.hidden[0].list[0].selfconnection.gater is not None


# ---------------------------------------------------------------- Hopfield
def flipped(pattern, k, g):
    q = np.array(pattern).copy()
    q[g.choice(len(q), k, replace=False)] ^= 1
    return q


def test_hopfield_recalls_six_patterns_of_64_from_10_percent_noise():
    synapse.seed(0)
    g = synapse.rng.generator()
    net = Hopfield(64)
    patterns = g.integers(0, 2, size=(6, 64))
    net.learn(patterns)
    for p in patterns:
        assert net.feed(flipped(p, 6, g)) == p.tolist()
        assert net.stable and 1 <= net.sweeps <= 100


def test_hopfield_recall_over_many_seeds():
    recalled = total = 0
    for s in range(10):
        synapse.seed(s)
        g = synapse.rng.generator()
        net = Hopfield(64)
        patterns = g.integers(0, 2, size=(6, 64))
        net.learn(patterns)
        for p in patterns:
            recalled += net.feed(flipped(p, 6, g)) == p.tolist()
            total += 1
    assert recalled / total >= 0.93


def test_hopfield_structure_and_weights():
    synapse.seed(1)
    net = Hopfield(16)
    assert isinstance(net, Network) and net.inputs() == net.outputs() == 16
    pool = net.layers.output
    assert not any(n.selfconnected() for n in pool.list)
    assert all(n.squash is squash.HLIM for n in pool.list)
    patterns = synapse.rng.generator().integers(0, 2, size=(3, 16))
    net.learn(patterns)
    S = 2.0 * patterns - 1
    index = {n: i for i, n in enumerate(pool.list)}
    W = np.zeros((16, 16))
    for n in pool.list:
        for c in n.connections.inputs:
            if c.from_ in index:
                W[index[n], index[c.from_]] = c.weight
    expect = 2 * (S.T @ S) / 16
    np.fill_diagonal(expect, 0)
    assert np.allclose(W, expect) and np.allclose(W, W.T)
    assert np.allclose([n.bias for n in pool.list], -(S.T @ S - 3 * np.eye(16)).sum(axis=1) / 16)


def test_hopfield_energy_falls_to_a_stored_minimum():
    synapse.seed(2)
    g = synapse.rng.generator()
    net = Hopfield(32)
    patterns = g.integers(0, 2, size=(2, 32))
    net.learn(patterns)
    for p in patterns:
        e = net.energy(p)
        for i in range(32):  # every single flip of a stored pattern raises the energy
            q = p.copy()
            q[i] ^= 1
            assert net.energy(q) > e
        probe = flipped(p, 4, g)
        assert net.energy(net.feed(probe)) <= net.energy(probe)
    # the energy is -1/2 x.W.x - b.x, written out for one state
    x = patterns[0].astype(float)
    S = 2.0 * patterns - 1
    w = S.T @ S / 32
    np.fill_diagonal(w, 0)
    assert net.energy(patterns[0]) == pytest.approx(-0.5 * x @ (2 * w) @ x + w.sum(axis=1) @ x)


def test_hopfield_feed_is_bounded_and_returns_bits():
    synapse.seed(3)
    net = Hopfield(20)
    net.learn(synapse.rng.generator().integers(0, 2, size=(8, 20)))  # overloaded
    out = net.feed([1, 0] * 10, max_sweeps=1)
    assert net.sweeps == 1
    assert set(out) <= {0, 1} and len(out) == 20 and all(type(v) is int for v in out)
    assert Hopfield(5).feed([1, 0, 1, 1, 0]) == [0] * 5  # nothing stored: every field is 0, a tie


@pytest.mark.parametrize("bad, error", [
    ([[1, 0, 1]], ValueError), ([[1, 0, 2, 0]], ValueError), ([], ValueError),
    ([1, 0, 1, 0], ValueError), ([["a", "b", "c", "d"]], TypeError),
    ([["1", "0", "1", "0"]], TypeError), ([[b"1", b"0", b"1", b"0"]], TypeError),
    ([[1, None, 1, 0]], TypeError)])
def test_hopfield_learn_rejects_bad_patterns(bad, error):
    net = Hopfield(4)
    net.learn([[1, 1, 0, 0]])
    before = json.dumps(net.to_json(), sort_keys=True)
    with pytest.raises(error):
        net.learn(bad)
    assert json.dumps(net.to_json(), sort_keys=True) == before


def test_hopfield_feed_and_energy_reject_bad_patterns():
    net = Hopfield(4)
    for bad in ([1, 0, 1], [1, 0, 0.5, 1], [[1, 0, 1, 0]]):
        with pytest.raises(ValueError):
            net.feed(bad)
        with pytest.raises(ValueError):
            net.energy(bad)
    for bad in (["1", "0", "1", "0"], "1010"):
        with pytest.raises(TypeError):
            net.feed(bad)
        with pytest.raises(TypeError):
            net.energy(bad)
    with pytest.raises(ValueError):
        net.feed([1, 0, 1, 0], max_sweeps=0)
    with pytest.raises(ValueError):
        Hopfield(0)


def test_a_hopfield_clone_is_a_hopfield_network_with_the_same_memory():
    synapse.seed(4)
    net = Hopfield(16)
    patterns = [[int(b) for b in f"{k:016b}"] for k in (0xF0F0, 0x3C3C)]
    net.learn(patterns)
    twin = net.clone()
    assert isinstance(twin, Hopfield)
    probe = list(patterns[0])
    probe[0] ^= 1
    assert twin.feed(probe) == net.feed(probe) == patterns[0]
    assert twin.energy(patterns[1]) == net.energy(patterns[1])
    twin.learn([patterns[1]])  # independent afterwards
    assert twin.energy(patterns[0]) != net.energy(patterns[0])


def test_seed_rejects_a_negative_seed_by_name():
    with pytest.raises(ValueError, match="non-negative integer, got -1"):
        synapse.seed(-1)
