"""Neurons and layers used directly, synaptic-style; clear, reset, seed; and
the engines (set_optimize) agreeing with each other."""
from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import ENGINES, drive, use_engine

import synapse
from architect import LSTM, Perceptron
from synapse import ConnectionType, GateType, Layer, LayerConnection, Network, Neuron, squash


def logistic(x):
    return 1 / (1 + math.exp(-x))


# ---------------------------------------------------------------- neurons
def test_manual_neuron_step():
    a, b = Neuron(), Neuron(bias=0.1)
    c = a.project(b, weight=0.5)
    assert (c.from_, c.to, c.weight, c.gater, c.gain) == (a, b, 0.5, None, 1.0)
    assert a.activate(1.0) == 1.0
    y = b.activate()
    assert y == pytest.approx(logistic(0.6), abs=1e-15)
    assert b.state == pytest.approx(0.6, abs=1e-15) and b.old == 0.0
    assert b.activation == y and b.derivative == pytest.approx(y * (1 - y), abs=1e-15)
    b.propagate(0.3, target=0.0)  # output: delta = t - y (eq. 10); traces are 1
    assert c.weight == pytest.approx(0.5 + 0.3 * (0.0 - y) * 1.0, abs=1e-15)
    assert b.bias == pytest.approx(0.1 + 0.3 * (0.0 - y), abs=1e-15)
    b.activate()
    assert b.old == pytest.approx(0.6, abs=1e-15)


def test_manual_chain_propagates_through_a_hidden_neuron():
    """Neuron.propagate is synaptic's: each neuron learns when it propagates,
    so h sees o's already-changed weight (Layer/Network.propagate do not)."""
    a, h, o = Neuron(), Neuron(squash.TANH, bias=0.2), Neuron(bias=-0.1)
    ah, ho = a.project(h, 0.8), h.project(o, -1.5)
    a.activate(0.5)
    yh = h.activate()
    yo = o.activate()
    assert yh == pytest.approx(math.tanh(0.2 + 0.4), abs=1e-15)
    assert yo == pytest.approx(logistic(-0.1 - 1.5 * yh), abs=1e-15)
    o.propagate(0.1, target=1.0)
    delta_o = 1.0 - yo
    new_ho = -1.5 + 0.1 * delta_o * yh
    assert ho.weight == pytest.approx(new_ho, abs=1e-15)
    h.propagate(0.1)
    delta_h = (1 - yh * yh) * delta_o * new_ho
    assert h.delta == pytest.approx(delta_h, abs=1e-15)
    assert ah.weight == pytest.approx(0.8 + 0.1 * delta_h * 0.5, abs=1e-15)
    assert h.bias == pytest.approx(0.2 + 0.1 * delta_h, abs=1e-15)


def test_self_connection_carries_state_and_its_traces():
    i, n = Neuron(), Neuron(squash.IDENTITY, bias=0.25)
    c = i.project(n, 0.5)
    sc = n.project(n)
    assert sc is n.selfconnection and sc.weight == 1.0 and n.selfconnected()
    assert n.connected(n) is sc and i.connected(n) is c and n.connected(i) is c
    xs = [1.0, -2.0, 0.5]
    s = 0.0
    for x in xs:
        i.activate(x)
        s = s + 0.25 + 0.5 * x  # s(t) = w_jj s(t-1) + b + w x
        assert n.activate() == pytest.approx(s, abs=1e-15)
    n.propagate(0.1, target=2.0)
    err = 2.0 - s
    # e_ji(t) = e_ji(t-1) + x(t): the bias trace is 3, the weight's the sum of inputs
    assert c.weight == pytest.approx(0.5 + 0.1 * err * sum(xs), abs=1e-15)
    assert n.bias == pytest.approx(0.25 + 0.1 * err * 3, abs=1e-15)
    assert sc.weight == 1.0  # self-connections are not trained


def test_self_connection_with_a_weight_decays_state_and_traces():
    i, n = Neuron(), Neuron(squash.IDENTITY, bias=0.0)
    c = i.project(n, 1.0)
    n.project(n, 0.5)
    for x in (1.0, 1.0):
        i.activate(x)
        n.activate()
    assert n.state == pytest.approx(1.5, abs=1e-15)
    n.propagate(1.0, target=0.0)
    assert c.weight == pytest.approx(1.0 - 1.5 * 1.5, abs=1e-15)  # trace 0.5 * 1 + 1
    assert n.selfconnection.weight == 0.5


def test_neuron_gate_multiplies_the_signal_by_the_gaters_activation():
    i, g, o = Layer(1), Layer(1), Layer(1)
    (a,), (gn,), (b,) = i.list, g.list, o.list
    c = a.project(b, 2.0)
    a.project(gn, 1.0)
    gn.bias = 0.0
    b.bias = 0.0
    b.squash = squash.IDENTITY
    gn.gate(c)
    assert c.gater is gn and gn.connections.gated == [c]
    net = Network(input=i, hidden=[g], output=o)
    y = net.activate([0.7])[0]
    assert c.gain == gn.activation == pytest.approx(logistic(0.7), abs=1e-15)
    assert y == pytest.approx(2.0 * 0.7 * logistic(0.7), abs=1e-15)


def test_order_decides_what_is_read_from_the_previous_step():
    """A connection to an earlier unit, and a gater after its target, read the
    value of the previous step (docs/equations.md, "Units, order and time")."""
    i, h, o = Layer(1), Layer(2), Layer(1)
    (x,), (h1, h2), (out,) = i.list, h.list, o.list
    for n in (h1, h2, out):
        n.squash, n.bias = squash.IDENTITY, 0.0
    x.project(h1, 1.0)
    h1.project(h2, 2.0)
    back = h2.project(h1, 0.5)        # h2 comes after h1: read with one step's delay
    into_out = h2.project(out, 1.0)
    out.project(out, 0.0)             # a zero-weight self-connection: not self-connected
    assert not out.selfconnected()
    gated = x.project(out, 1.0)
    out.gate(gated)                   # the gater is the target itself: previous output
    net = Network(input=i, hidden=[h], output=o)
    prev_h2 = prev_out = 0.0
    for step, v in enumerate([1.0, -1.0, 0.5, 2.0]):
        y = net.activate([v])[0]
        e_h1 = v + 0.5 * prev_h2
        e_h2 = 2.0 * e_h1
        e_out = e_h2 + prev_out * v
        assert (h1.activation, h2.activation, y) == pytest.approx((e_h1, e_h2, e_out),
                                                                  abs=1e-14), step
        prev_h2, prev_out = e_h2, e_out
    assert back.gater is None and into_out.gain == 1.0 and gated.gain == out.activation


# ---------------------------------------------------------------- layers
def test_layer_project_types_and_connected():
    a, b, c = Layer(3), Layer(3), Layer(2)
    all_ = a.project(c)
    one = a.project(b, ConnectionType.ONE_TO_ONE)
    assert isinstance(all_, LayerConnection)
    assert all_.type is ConnectionType.ALL_TO_ALL and all_.size == 6
    assert [(x.from_, x.to) for x in all_.list] == [(p, q) for p in a.list for q in c.list]
    assert one.type is ConnectionType.ONE_TO_ONE and one.size == 3
    assert [(x.from_, x.to) for x in one.list] == list(zip(a.list, b.list))
    assert a.connected(c) is ConnectionType.ALL_TO_ALL
    assert a.connected(b) is ConnectionType.ONE_TO_ONE
    assert c.connected(a) is None and b.connected(c) is None
    assert a.connectedto == [all_, one]


def test_layer_projects_to_itself_one_to_one_by_default():
    layer = Layer(3)
    assert not layer.selfconnected()
    lc = layer.project(layer)
    assert lc.type is ConnectionType.ONE_TO_ONE and lc.selfconnection
    assert layer.selfconnected()
    assert [c for c in lc.list] == [n.selfconnection for n in layer.list]
    assert all(n.selfconnection.weight == 1.0 for n in layer.list)
    assert layer.connected(layer) is None  # self-connections do not count (as synaptic)


def test_all_to_else():
    layer = Layer(4)
    lc = layer.project(layer, ConnectionType.ALL_TO_ELSE)
    assert lc.size == 12
    assert all(c.from_ is not c.to for c in lc.list)
    assert {(c.from_, c.to) for c in lc.list} == {
        (p, q) for p in layer.list for q in layer.list if p is not q}
    assert not layer.selfconnected() and not any(n.selfconnected() for n in layer.list)
    other = Layer(2)
    assert layer.project(other, "ALL TO ELSE").size == 8  # between layers: all pairs


def test_layer_project_weights():
    a, b = Layer(3), Layer(2)
    w = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # (to.size, from.size)
    a.project(b, weights=w)
    for r, q in np.ndindex(w.shape):
        assert a.list[q].connected(b.list[r]).weight == w[r, q]
    c = Layer(3)
    lc = a.project(c, ConnectionType.ONE_TO_ONE, weights=[0.1, 0.2, 0.3])
    assert [x.weight for x in lc.list] == [0.1, 0.2, 0.3]
    d = Layer(2)
    assert all(x.weight == -0.5 for x in b.project(d, weights=-0.5).list)


@pytest.mark.parametrize("gtype", list(GateType))
def test_layer_gate_types(gtype):
    src, dst = Layer(2), Layer(2)
    lc = src.project(dst)
    gater = Layer(4 if gtype is GateType.ONE_TO_ONE else 2)
    gater.gate(lc, gtype)
    assert lc.gatedfrom == [(gater, gtype)]
    for c in lc.list:
        if gtype is GateType.INPUT:
            assert c.gater is gater.list[dst.list.index(c.to)]
        elif gtype is GateType.OUTPUT:
            assert c.gater is gater.list[src.list.index(c.from_)]
        else:
            assert c.gater is gater.list[lc.list.index(c)]


def test_output_gating_includes_self_connections():
    cells, out, g = Layer(2), Layer(1), Layer(2)
    loops = cells.project(cells)
    g.gate(loops, GateType.OUTPUT)
    assert [n.selfconnection.gater for n in cells.list] == g.list
    lc = cells.project(out)
    g2 = Layer(2)
    g2.gate(lc, GateType.OUTPUT)
    assert [c.gater for c in lc.list] == g2.list


def test_layer_set_and_neurons():
    layer = Layer(3)
    assert layer.set(label="cell", squash=squash.TANH, bias=0.5) is layer
    assert all(n.squash is squash.TANH and n.bias == 0.5 for n in layer.list)
    assert [n.label for n in layer.list] == [f"cell_{n.ID}" for n in layer.list]
    assert layer.neurons() == layer.list and layer.neurons() is not layer.list
    n = layer.add()
    assert layer.size == 4 and layer.list[-1] is n and len(layer) == 4
    m = Neuron()
    assert layer.add(m) is m


def test_layer_activate_and_propagate_equal_the_network():
    """Layer by layer, synaptic-style: the same outputs; the output layer learns
    as the network's does (its deltas come before any change)."""
    synapse.seed(10)
    net = Perceptron(2, 3, 2)
    twin = net.clone()
    i, (h,), o = net.layers.input, net.layers.hidden, net.layers.output
    for x, t in (([0.1, 0.9], [1, 0]), ([0.7, -0.3], [0, 1]), ([0.0, 0.5], [1, 1])):
        i.activate(x)
        h.activate()
        y = o.activate()
        # equal up to the order of floating-point sums (an engine sums by matrix)
        np.testing.assert_allclose(y, twin.activate(x), rtol=0, atol=1e-14)
        o.propagate(0.4, t)
        twin.propagate(0.4, t)
        for a, b in zip(o.list, twin.layers.output.list):
            assert a.bias == pytest.approx(b.bias, abs=1e-14)
            np.testing.assert_allclose([c.weight for c in a.connections.inputs],
                                       [c.weight for c in b.connections.inputs], rtol=0, atol=1e-14)
        old_bias = [a.bias for a in h.list]
        h.propagate(0.4)
        for a, b, b0 in zip(h.list, twin.layers.hidden[0].list, old_bias):
            # h sees the output weights after their change (synaptic's order)
            delta = a.derivative * sum(k.delta * a.connected(k).weight for k in o.list)
            assert a.bias == pytest.approx(b0 + 0.4 * delta, abs=1e-15)
            a.bias = b.bias
            for p, q in zip(a.connections.inputs, b.connections.inputs):
                p.weight = q.weight
    mine, theirs = net.to_json(), twin.to_json()
    assert [c["weight"] for c in mine["connections"]] == pytest.approx(
        [c["weight"] for c in theirs["connections"]], abs=1e-14)
    for key in ("bias", "state", "activation"):
        assert [n[key] for n in mine["neurons"]] == pytest.approx(
            [n[key] for n in theirs["neurons"]], abs=1e-14)


def test_layer_propagate_is_one_gradient_step():
    """Layer.propagate takes all changes from the pre-propagate weights."""
    a, o = Layer(1), Layer(2)
    o.project(o, ConnectionType.ALL_TO_ELSE)  # o[0] -> o[1] is forward, o[1] -> o[0] delayed
    a.project(o, weights=[[1.0], [1.0]])
    o.set(squash=squash.IDENTITY, bias=0.0)
    fwd = o.list[0].connected(o.list[1])
    fwd.weight = 2.0
    a.activate([1.0])
    y0, y1 = o.activate()
    assert (y0, y1) == (1.0, 3.0)
    o.propagate(1.0, [0.0, 0.0])
    d1 = 0.0 - y1
    d0 = (0.0 - y0) + d1 * 2.0  # uses the old forward weight 2.0, not 2 + d1 * y0
    assert fwd.weight == pytest.approx(2.0 + d1 * y0, abs=1e-15)
    assert o.list[0].bias == pytest.approx(d0, abs=1e-15)


# ---------------------------------------------------------------- networks
def test_network_accessors():
    synapse.seed(0)
    net = LSTM(2, 3, 1)
    pairs = net.neurons()
    assert net.inputs() == 2 and net.outputs() == 1 and len(pairs) == 2 + 4 * 3 + 1
    assert [layer for _, layer in pairs] == ["input"] * 2 + [0] * 3 + [1] * 3 + [2] * 3 \
        + [3] * 3 + ["output"]
    i, o = Layer(2), Layer(1)
    other = Network()
    assert other.set(input=i, output=o) is other
    assert other.layers.input is i and other.layers.output is o and other.layers.hidden == []


def test_network_project_and_gate_join_networks():
    synapse.seed(1)
    first, second = Perceptron(2, 2), Perceptron(2, 1)
    lc = first.project(second)
    assert lc.from_ is first.layers.output and lc.to is second.layers.input
    assert first.layers.output.connected(second.layers.input) is ConnectionType.ALL_TO_ALL
    inner = second.layers.input.connectedto[0]  # second's input (2) -> output (1)
    third = Perceptron(1, 2)
    third.gate(inner, GateType.OUTPUT)  # gates with its output layer
    assert [c.gater for c in inner.list] == third.layers.output.list


# ---------------------------------------------------------------- clear, reset, seed
def trained(seed=4, engine=None):
    synapse.seed(seed)
    net = LSTM(2, 3, 1)
    if engine is not None:
        use_engine(net, engine)
    drive(net, 20, seed=seed)
    return net


def weights(net):
    return [(c["from"], c["to"], c["weight"], c["gater"]) for c in net.to_json()["connections"]], \
        [cfg["bias"] for cfg in net.to_json()["neurons"][net.inputs():]]


@pytest.mark.parametrize("engine", ENGINES)
def test_clear_forgets_context_but_keeps_weights(engine):
    net = trained(engine=engine)
    before = weights(net)
    assert any(n.state != 0 for n, _ in net.neurons())
    net.clear()
    assert weights(net) == before
    for n, _ in net.neurons():
        assert (n.state, n.old, n.activation, n.derivative) == (0.0, 0.0, 0.0, 0.0)
    gated = [c for n, _ in net.neurons() for c in n.connections.inputs if c.gater is not None]
    assert gated and all(c.gain == 0.0 for c in gated)  # gains follow the (zero) gaters
    # traces are gone: it learns exactly like a fresh copy with the same weights
    fresh = use_engine(Network.from_json(net.to_json()), engine)
    np.testing.assert_allclose(drive(net), drive(fresh), rtol=0, atol=1e-12)


def test_clear_matters():
    """Without clear, the traces and states of the training would change the run."""
    net = trained()
    fresh = Network.from_json(net.to_json())
    for n, _ in fresh.neurons():
        n.clear()
    assert np.max(np.abs(drive(net) - drive(fresh))) > 1e-6


def test_layer_and_neuron_clear():
    net = trained()
    cells = net.layers.hidden[2]
    cells.clear()
    assert all(n.state == n.activation == n.old == 0.0 for n in cells.list)
    assert any(n.state != 0.0 for n in net.layers.hidden[0].list)
    n = net.layers.output.list[0]
    w = [c.weight for c in n.connections.inputs]
    n.clear()
    assert n.state == n.activation == 0.0 and [c.weight for c in n.connections.inputs] == w


@pytest.mark.parametrize("engine", ENGINES)
def test_reset_draws_new_weights_and_clears(engine):
    net = trained(engine=engine)
    conns, biases = weights(net)
    selfw = [n.selfconnection.weight for n, _ in net.neurons()]
    net.reset()
    conns2, biases2 = weights(net)
    assert [c[:2] + c[3:] for c in conns2] == [c[:2] + c[3:] for c in conns]  # same structure
    assert all(a[2] != b[2] for a, b in zip(conns, conns2) if a[0] != a[1])
    assert all(-0.1 <= c[2] < 0.1 for c in conns2 if c[0] != c[1])
    assert all(-0.1 <= b < 0.1 for b in biases2) and biases2 != biases
    assert [n.selfconnection.weight for n, _ in net.neurons()] == selfw
    assert all(n.state == n.activation == 0.0 for n, _ in net.neurons())
    # the engine runs on the new weights (nothing stale): like a fresh copy
    fresh = use_engine(Network.from_json(net.to_json()), "objects")
    np.testing.assert_allclose(drive(net, 10), drive(fresh, 10), rtol=0, atol=1e-12)


def test_reset_keeps_what_is_held_fixed():
    """reset draws only what learns: the default LSTM's cell biases stay 0, the
    gated wiring's constant unit keeps its bias of 1, a connection that does
    not learn keeps its weight (as initialize does)."""
    synapse.seed(5)
    net = LSTM(2, 3, 1)
    drive(net, 5)
    cells = net.layers.hidden[2].list
    gates = net.layers.hidden[0].list
    held = gates[0].connections.inputs[0]
    held.learns = False
    before, others = held.weight, [n.bias for n in gates]
    net.reset()
    assert [n.bias for n in cells] == [0.0] * 3
    assert held.weight == before
    assert all(a != b for a, b in zip(others, (n.bias for n in gates)))
    gated = LSTM(2, 3, 1, cell_bias="gated")
    gated.reset()
    assert gated.layers.hidden[0].list[0].bias == 1.0
    assert all(n.bias == 0.0 for n in gated.layers.hidden[3].list)


def test_seed_makes_everything_reproducible():
    def build():
        net = LSTM(3, 4, 2)
        Perceptron(2, 5, 1)  # more draws in between
        net.layers.hidden[2].reset()
        return net.to_json(), Neuron().bias

    synapse.seed(42)
    a = build()
    synapse.seed(42)
    b = build()
    synapse.seed(43)
    c = build()
    assert a == b
    assert a[0]["connections"] != c[0]["connections"]
    synapse.seed(None)  # back to unseeded


def test_fresh_weights_are_uniform_in_the_synaptic_range():
    synapse.seed(7)
    ws = np.array([c.weight for c in Layer(30).project(Layer(30)).list])
    assert ws.min() >= -0.1 and ws.max() < 0.1 and ws.std() > 0.04
    assert all(-0.1 <= Neuron().bias < 0.1 for _ in range(100))


# ---------------------------------------------------------------- engines
def gated_liquid_like(seed):
    """A hand-built second-order net: recurrent links, gates before and after
    their targets, self-connections, mixed squashes."""
    synapse.seed(seed)
    i, h1, h2, o = Layer(3), Layer(4), Layer(4), Layer(2)
    i.project(h1)
    h1.project(h2)
    h2.project(o)
    h2.project(h1)                         # recurrent
    loops = h2.project(h2)
    h1.gate(loops, GateType.ONE_TO_ONE)
    o.gate(i.project(o), GateType.INPUT)  # gaters after (they are) their targets
    h1.set(squash=squash.TANH)
    rng = np.random.default_rng(seed)
    net = Network(input=i, hidden=[h1, h2], output=o)
    for n, layer in net.neurons():
        if layer != "input":
            n.bias = rng.normal()
            for c in n.connections.inputs:
                c.weight = rng.normal(0, 0.7)
    return net


@pytest.mark.parametrize("make", [
    lambda: (synapse.seed(11), LSTM(3, 4, 2))[1],
    lambda: (synapse.seed(12), LSTM(2, 3, 3, 1, output_to_hidden=True, hidden_to_hidden=True,
                                    output_to_gates=True))[1],
    lambda: gated_liquid_like(13),
], ids=["lstm", "lstm_all_options", "gated_recurrent"])
def test_engines_agree_over_hundreds_of_training_steps(make):
    runs = {}
    for engine in ENGINES:
        net = use_engine(make(), engine)
        runs[engine] = (drive(net, 300, seed=5), net.to_json())
    a, ja = runs["objects"]
    wa = np.array([c["weight"] for c in ja["connections"]])
    assert np.ptp(a) > 1e-3  # the outputs moved: training happened
    for engine, (b, jb) in runs.items():
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-9, err_msg=engine)
        wb = np.array([c["weight"] for c in jb["connections"]])
        np.testing.assert_allclose(wb, wa, rtol=0, atol=1e-9, err_msg=engine)
        for x, y in zip(ja["neurons"], jb["neurons"]):
            assert x["state"] == pytest.approx(y["state"], abs=1e-9)
            assert x["bias"] == pytest.approx(y["bias"], abs=1e-9)


def test_switching_engines_mid_run_continues_the_same_numbers():
    """Both engines read and write one home for every number (and traces)."""
    synapse.seed(14)
    ref = LSTM(2, 3, 1)
    mixed = ref.clone()
    ref.set_optimize(False)
    out_ref = drive(ref, 200, seed=8)
    outs = []
    rng = np.random.default_rng(8)
    for k in range(200):
        use_engine(mixed, ENGINES[k // 10 % len(ENGINES)])
        outs.append(mixed.activate(rng.uniform(-1, 1, 2)))
        mixed.propagate(0.3, rng.uniform(0, 1, 1))
    np.testing.assert_allclose(np.array(outs), out_ref, rtol=0, atol=1e-9)


def test_objects_read_what_the_optimized_engine_wrote():
    synapse.seed(15)
    net = LSTM(2, 2, 1)
    net.set_optimize(True)
    drive(net, 30)
    data = net.to_json()
    for cfg, (n, _) in zip(data["neurons"], net.neurons()):
        assert cfg["bias"] == n.bias and cfg["state"] == n.state
    twin = net.clone()
    c = net.layers.output.list[0].connections.inputs[0]
    c.weight = 0.75  # a write through an object is what the engine uses
    assert 0.75 in [x["weight"] for x in net.to_json()["connections"]]
    assert net.activate([0.2, 0.4])[0] != twin.activate([0.2, 0.4])[0]
