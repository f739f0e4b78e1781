"""One propagate is one exact gradient step (docs/equations.md, eq. 24).

For every parameter p (each non-input neuron's bias, each connection in its
``connections.inputs``), the change a propagate makes, divided by -rate, must
equal d(cost)/dp measured by finite differences, to a relative error below 1e-5:

* random feed-forward networks (hypothesis): layer projections ALL_TO_ALL,
  ONE_TO_ONE, ALL_TO_ELSE from earlier to later layers, extra neuron-level
  projections, mixed squashes, gates by layers (INPUT/OUTPUT/ONE_TO_ONE) and by
  single units, every gater activating before the gated connection's target;
* LSTMs with one memory-block layer and no peepholes over sequences of several
  steps from clear() (the traces carry the cells' memory exactly);
* any LSTM on its first step from clear().
"""
from __future__ import annotations

import numpy as np
import pytest
from conftest import (
    ENGINES,
    assert_gradients_close,
    examples,
    finite_difference,
    learning_step_gradient,
    params,
    randomize,
    use_engine,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from architect import LSTM
from synapse import ConnectionType, GateType, Layer, Network, Neuron, cost, squash

SQUASHES = {"LOGISTIC": squash.LOGISTIC, "TANH": squash.TANH, "IDENTITY": squash.IDENTITY}
KINDS = {"all": ConnectionType.ALL_TO_ALL, "one": ConnectionType.ONE_TO_ONE,
         "else": ConnectionType.ALL_TO_ELSE}
SETTINGS = settings(max_examples=examples(50), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def half_sse(target, output):
    return 0.5 * float(np.sum((np.asarray(target) - np.asarray(output)) ** 2))


def logistic_cross_entropy(net):
    """Cross-entropy of logistic outputs from their states, without rounding
    1 - y: sum of t softplus(-s) + (1 - t) softplus(s). Its gradient with
    respect to s is exactly y - t, so the default delta t - y descends it."""
    def loss(target, output):
        s = np.array([n.state for n in net.layers.output.list])
        t = np.asarray(target)
        return float(np.sum(t * np.logaddexp(0, -s) + (1 - t) * np.logaddexp(0, s)))
    return loss


def not_saturated(output):
    """cost.CROSS_ENTROPY adds eps = 1e-15 inside its logarithms, so its
    gradient equals the exact one (that of logistic_cross_entropy) to a relative
    eps / min(y, 1 - y): negligible unless an output is within 1e-6 of 0 or 1."""
    y = np.asarray(output)
    return bool(np.all((y > 1e-6) & (y < 1 - 1e-6)))


# ------------------------------------------------------------ feed-forward nets
@st.composite
def feedforward_specs(draw):
    """A plain-data description of a random feed-forward, gated network."""
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=5))
    total = sum(sizes)
    names = draw(st.lists(st.sampled_from(sorted(SQUASHES)), min_size=total, max_size=total))
    pairs = [(a, b) for a in range(len(sizes)) for b in range(a + 1, len(sizes))]
    kinds = draw(st.lists(st.sampled_from(["none", "all", "one", "else"]),
                          min_size=len(pairs), max_size=len(pairs)))
    pick = st.integers(0, 10**6)
    links = draw(st.lists(st.tuples(pick, pick), max_size=6))
    layer_gates = draw(st.lists(st.tuples(pick, pick, st.sampled_from(list(GateType))),
                                max_size=3))
    unit_gates = draw(st.lists(st.tuples(pick, pick), max_size=6))
    seed = draw(st.integers(0, 2**32 - 1))
    compile_at = draw(st.sampled_from([None, 0, 1, 2]))
    engine = draw(st.sampled_from(ENGINES))
    return {"sizes": sizes, "names": names, "pairs": pairs, "kinds": kinds, "links": links,
            "layer_gates": layer_gates, "unit_gates": unit_gates, "seed": seed,
            "compile_at": compile_at, "engine": engine}


def build_feedforward(spec, output_squash=None):
    """The network of ``spec``: every connection and every gate goes from a unit
    earlier in activation order to a later one. Returns (network, rng)."""
    sizes = spec["sizes"]
    layers = [Layer(s) for s in sizes]
    order = [n for layer in layers for n in layer.list]
    for n, name in zip(order, spec["names"]):
        n.squash = SQUASHES[name]
    if output_squash is not None:
        layers[-1].set(squash=output_squash)
    # the network exists from the start; at compile_at it is activated (laid out
    # in arrays) and the rest of the structure is added to a compiled network
    net = Network(input=layers[0], hidden=layers[1:-1], output=layers[-1])
    use_engine(net, spec["engine"])

    def stage(k):
        if spec.get("compile_at") == k:
            net.activate(np.full(sizes[0], 0.5))

    made = []
    for (a, b), kind in zip(spec["pairs"], spec["kinds"]):
        if kind == "none":
            if b != a + 1:
                continue
            kind = "all"  # consecutive layers are always connected
        t = KINDS[kind]
        if t is ConnectionType.ONE_TO_ONE and sizes[a] != sizes[b]:
            t = ConnectionType.ALL_TO_ALL
        made.append((a, b, layers[a].project(layers[b], t)))
    stage(0)
    n_in = sizes[0]
    for i, j in spec["links"]:
        i, j = sorted((i % len(order), j % len(order)))
        if i != j and j >= n_in:
            order[i].project(order[j])
    stage(1)
    for which, g, gtype in spec["layer_gates"]:
        a, b, lc = made[which % len(made)]
        need = {GateType.INPUT: sizes[b], GateType.OUTPUT: sizes[a],
                GateType.ONE_TO_ONE: lc.size}[gtype]
        gaters = [k for k in range(b) if sizes[k] == need]
        if not gaters or any(c.gater is not None for c in lc.list):
            continue
        layers[gaters[g % len(gaters)]].gate(lc, gtype)
    stage(2)
    pos = {n: i for i, n in enumerate(order)}
    for which, g in spec["unit_gates"]:
        conns = [c for n in order for c in n.connections.inputs]
        c = conns[which % len(conns)]
        if c.gater is None:
            before = order[:pos[c.to]]
            before[g % len(before)].gate(c)
    rng = np.random.default_rng(spec["seed"])
    randomize(net, rng)
    return net, rng


def check_feedforward(net, rng, loss, cost_fn, target, unsaturated=False):
    x = rng.uniform(-1, 1, net.inputs())
    # earlier steps first (with a learning rate too small to move the weights
    # much): stale traces and responsibilities must not leak into this step
    for _ in range(2):
        net.activate(rng.uniform(-1, 1, net.inputs()))
        net.propagate(1e-9, target, cost=cost_fn)
    ps = params(net)
    if unsaturated:
        assume(not_saturated(net.activate(x)))

    def f():
        return loss(target, net.activate(x))

    numeric = finite_difference(f, ps)
    analytic = learning_step_gradient(net, ps, lambda: net.activate(x), 0.5, target, cost_fn)
    assert_gradients_close(analytic, numeric, ps, loss=f())


@SETTINGS
@given(feedforward_specs())
def test_feedforward_mse(spec):
    net, rng = build_feedforward(spec)
    target = rng.uniform(-1, 1, net.outputs())
    check_feedforward(net, rng, cost.MSE, cost.MSE, target)


@SETTINGS
@given(feedforward_specs())
def test_feedforward_cross_entropy(spec):
    net, rng = build_feedforward(spec, output_squash=squash.LOGISTIC)
    target = rng.uniform(0, 1, net.outputs())
    check_feedforward(net, rng, logistic_cross_entropy(net), cost.CROSS_ENTROPY, target,
                      unsaturated=True)


@SETTINGS
@given(feedforward_specs())
def test_feedforward_default_delta_is_cross_entropy_gradient_for_logistic_outputs(spec):
    net, rng = build_feedforward(spec, output_squash=squash.LOGISTIC)
    target = rng.uniform(0, 1, net.outputs())
    check_feedforward(net, rng, logistic_cross_entropy(net), None, target)


@settings(max_examples=examples(15), deadline=None)
@given(feedforward_specs())
def test_feedforward_default_delta_is_half_squared_error_gradient_for_identity_outputs(spec):
    net, rng = build_feedforward(spec, output_squash=squash.IDENTITY)
    target = rng.uniform(-1, 1, net.outputs())
    check_feedforward(net, rng, half_sse, None, target)


@pytest.mark.parametrize("engine", ENGINES)
def test_relu_hidden_units_away_from_the_kink(engine):
    """RELU's derivative is exact wherever the state is not at 0."""
    rng = np.random.default_rng(3)
    i, h, o = Layer(3), Layer(5), Layer(2)
    i.project(h)
    h.project(o)
    i.project(o)
    h.set(squash=squash.RELU)
    o.set(squash=squash.TANH)
    net = use_engine(Network(input=i, hidden=[h], output=o), engine)
    randomize(net, rng)
    x = rng.uniform(-1, 1, 3)
    net.activate(x)
    states = np.array([n.state for n in h.list])
    assert np.all(np.abs(states) > 0.05) and np.any(states > 0) and np.any(states < 0)
    target = np.array([0.3, -0.2])
    ps = params(net)
    numeric = finite_difference(lambda: cost.MSE(target, net.activate(x)), ps, h=1e-4)
    analytic = learning_step_gradient(net, ps, lambda: net.activate(x), 0.5, target, cost.MSE)
    assert_gradients_close(analytic, numeric, ps)


@pytest.mark.parametrize("engine", ENGINES)
def test_gater_that_is_also_the_source_and_gates_two_connections_into_one_unit(engine):
    """T_kj sums every connection j gates into k, and j's own projection adds delta^P."""
    rng = np.random.default_rng(7)
    a, b, j, k = Neuron(squash.IDENTITY), Neuron(), Neuron(squash.TANH), Neuron()
    i_layer = Layer()
    i_layer.add(a)
    i_layer.add(b)
    hid, out = Layer(), Layer()
    hid.add(j)
    out.add(k)
    a.project(j)
    b.project(j)
    c1, c2, c3 = a.project(k), j.project(k), b.project(k)
    j.gate(c1)
    j.gate(c2)  # j gates its own projection
    net = use_engine(Network(input=i_layer, hidden=[hid], output=out), engine)
    randomize(net, rng)
    x, target = [0.7, -0.4], [0.2]
    ps = params(net)
    numeric = finite_difference(lambda: cost.MSE(target, net.activate(x)), ps)
    analytic = learning_step_gradient(net, ps, lambda: net.activate(x), 0.5, target, cost.MSE)
    assert_gradients_close(analytic, numeric, ps)
    assert c3.gater is None and c1.gater is j and c2.gater is j


# ------------------------------------------------------------ recurrent: LSTM
def sequence_check(net, xs, target, cost_fn, loss, rate=0.5, nontrivial=True):
    ps = params(net)

    def run():
        net.clear()
        y = None
        for x in xs:
            y = net.activate(x)
        return y

    numeric = finite_difference(lambda: loss(target, run()), ps)
    analytic = learning_step_gradient(net, ps, run, rate, target, cost_fn)
    assert_gradients_close(analytic, numeric, ps, loss=loss(target, run()))
    if nontrivial:
        assert np.any(np.abs(numeric) > 1e-9)
    return ps, analytic, numeric


lstm_cases = st.fixed_dictionaries({
    "n_in": st.integers(1, 3), "cells": st.integers(1, 3), "n_out": st.integers(1, 2),
    "steps": st.integers(1, 6), "input_to_output": st.booleans(),
    "seed": st.integers(0, 2**32 - 1), "engine": st.sampled_from(ENGINES),
    "cell_bias": st.sampled_from(["fixed", "learnt", "gated"])})


def make_lstm(case):
    net = LSTM(case["n_in"], case["cells"], case["n_out"], peepholes=None,
               input_to_output=case["input_to_output"],
               cell_bias=case.get("cell_bias", "fixed"))
    use_engine(net, case.get("engine", "objects"))
    rng = np.random.default_rng(case["seed"])
    randomize(net, rng)
    xs = rng.uniform(-1, 1, (case["steps"], case["n_in"]))
    return net, rng, xs


@settings(max_examples=examples(20), deadline=None)
@given(lstm_cases)
def test_lstm_sequence_mse(case):
    net, rng, xs = make_lstm(case)
    target = rng.uniform(0, 1, case["n_out"])
    sequence_check(net, xs, target, cost.MSE, cost.MSE)


@settings(max_examples=examples(15), deadline=None)
@given(lstm_cases)
def test_lstm_sequence_cross_entropy(case):
    net, rng, xs = make_lstm(case)
    target = rng.uniform(0, 1, case["n_out"])
    assume(not_saturated(net.activate(xs[0])))  # sequence_check clears first
    sequence_check(net, xs, target, cost.CROSS_ENTROPY, logistic_cross_entropy(net))


@settings(max_examples=examples(15), deadline=None)
@given(lstm_cases)
def test_lstm_sequence_default_delta_is_cross_entropy_gradient(case):
    net, rng, xs = make_lstm(case)
    target = rng.uniform(0, 1, case["n_out"])
    sequence_check(net, xs, target, None, logistic_cross_entropy(net))


@pytest.mark.parametrize("engine", ENGINES)
def test_lstm_memory_matters_in_the_check(engine):
    """A long sequence where the gate and cell parameters have large gradients
    through the cells' memory: the check is not passing on the last step alone."""
    net, _rng, xs = make_lstm({"n_in": 2, "cells": 2, "n_out": 1, "steps": 6,
                               "input_to_output": False, "seed": 11, "engine": engine})
    target = np.array([0.9])
    ps, _analytic, numeric = sequence_check(net, xs, target, cost.MSE, cost.MSE)
    # the same check on the last step alone gives different gradients for the
    # input-gate weights: the earlier steps really contribute
    ig = net.layers.hidden[0].list
    ig_params = [k for k, p in enumerate(ps) if p.obj in ig or
                 (p.kind == "w" and p.obj.to in ig)]
    assert ig_params
    net.clear()
    ps1 = params(net)
    numeric1 = finite_difference(
        lambda: (net.clear(), cost.MSE(target, net.activate(xs[-1])))[1], ps1)
    assert np.max(np.abs(numeric1[ig_params] - numeric[ig_params])) > 1e-4


@pytest.mark.parametrize("engine", ENGINES)
def test_self_connected_unit_over_a_sequence(engine):
    """An ungated self-connected unit carries its state: s(t) = s(t-1) + b + w x."""
    rng = np.random.default_rng(5)
    i, h, o = Layer(2), Layer(2), Layer(1)
    i.project(h)
    h.project(h)  # ONE_TO_ONE self-connections, weight 1
    h.project(o)
    h.set(squash=squash.TANH)
    net = use_engine(Network(input=i, hidden=[h], output=o), engine)
    randomize(net, rng, scale=0.5)
    xs = rng.uniform(-1, 1, (5, 2))
    ps = params(net)
    assert all(p.obj is not p.obj.to for p in ps if p.kind == "w")  # no self weights
    sequence_check(net, xs, np.array([0.25]), cost.MSE, cost.MSE)
    assert all(n.selfconnection.weight == 1.0 for n in h.list)


@pytest.mark.parametrize("engine", ENGINES)
def test_gated_self_connection_with_gain_not_one(engine):
    """A forget-style gate on a self-connection: T = w_kk s_k(t-1) and the trace
    decays by the gain that entered s_k(t)."""
    rng = np.random.default_rng(9)
    i, f, cell, o = Layer(2), Layer(2), Layer(2), Layer(2)
    i.project(f)
    i.project(cell)
    loops = cell.project(cell)
    cell.project(o)
    f.gate(loops, GateType.ONE_TO_ONE)
    cell.set(squash=squash.IDENTITY)
    net = use_engine(Network(input=i, hidden=[f, cell], output=o), engine)
    randomize(net, rng)
    xs = rng.uniform(-1, 1, (4, 2))
    sequence_check(net, xs, np.array([0.1, 0.8]), cost.MSE, cost.MSE)


@pytest.mark.parametrize("options", [
    {"layers": (2, 2, 2, 1), "peepholes": None},
    {"layers": (2, 3, 2, 2), "peepholes": ConnectionType.ALL_TO_ALL},
    {"layers": (3, 2, 1), "peepholes": ConnectionType.ONE_TO_ONE},
    {"layers": (2, 2, 2), "peepholes": ConnectionType.ALL_TO_ALL, "hidden_to_hidden": True,
         "output_to_hidden": True, "output_to_gates": True},
    {"layers": (2, 2, 1), "peepholes": None, "input_to_output": False},
    {"layers": (2, 3, 2), "peepholes": ConnectionType.ALL_TO_ALL, "cell_bias": "learnt"},
    {"layers": (2, 3, 2, 2), "peepholes": ConnectionType.ALL_TO_ALL, "cell_bias": "gated"},
])
@pytest.mark.parametrize("engine", ENGINES)
def test_any_lstm_is_exact_on_its_first_step_from_clear(options, engine):
    """Stacked blocks and peepholes truncate across time, but on the first step
    after clear() every delayed read is 0, so the step is exact."""
    options = dict(options)
    layers = options.pop("layers")
    net = use_engine(LSTM(*layers, **options), engine)
    rng = np.random.default_rng(len(layers) * 100 + len(options))
    randomize(net, rng)
    xs = rng.uniform(-1, 1, (1, layers[0]))
    sequence_check(net, xs, rng.uniform(0, 1, layers[-1]), cost.MSE, cost.MSE)


# ------------------------------------------------------------ random memory nets
@st.composite
def memory_specs(draw):
    """inputs -> C (self-connected cells) -> E (memoryless) -> outputs, and A
    (memoryless, fed by the inputs) whose units gate the cells.

    Exactness over time needs: the only recurrence is the cells'
    self-connections; only the inputs (no parameters) project into cells; a
    cell's gains come from memoryless units before it (the extended traces carry
    their effect across time exactly); cells feed only
    later memoryless units. LSTM-g truncates (by design) when a trained unit
    projects into a cell, or gates a cell that itself gates another cell: their
    effect on the cells' past states is not traced; so does a trained unit
    gating (or projecting into) a cell's gater. So here the cells' gains come
    from the inputs and A only, and A's gains from the inputs only (a cell
    gating a cell is tested below, with nothing trained upstream of the gating
    cell)."""
    sizes = [draw(st.integers(1, 3)) for _ in range(5)]
    total = sum(sizes)
    names = draw(st.lists(st.sampled_from(sorted(SQUASHES)), min_size=total, max_size=total))
    pick = st.integers(0, 10**6)
    return {"sizes": sizes, "names": names,
            "self_weights": draw(st.lists(st.sampled_from([1.0, 0.9, 0.5, -0.7]),
                                          min_size=sizes[2], max_size=sizes[2])),
            "skip": draw(st.lists(st.booleans(), min_size=3, max_size=3)),
            "gates": draw(st.lists(st.tuples(pick, pick), max_size=8)),
            "steps": draw(st.integers(1, 5)), "seed": draw(st.integers(0, 2**32 - 1)),
            "engine": draw(st.sampled_from(ENGINES))}


def build_memory(spec):
    sizes = spec["sizes"]
    i, a, c, e, o = layers = [Layer(s) for s in sizes]
    order = [n for layer in layers for n in layer.list]
    for n, name in zip(order, spec["names"]):
        n.squash = SQUASHES[name]
    o.set(squash=squash.LOGISTIC)
    i.project(a)
    i.project(c)
    a.project(e)
    c.project(e)
    e.project(o)
    for n, w in zip(c.list, spec["self_weights"]):
        n.project(n, w)
    skip_co, skip_ao, skip_io = spec["skip"]
    if skip_co:
        c.project(o)
    if skip_ao:
        a.project(o)
    if skip_io:
        i.project(o)
    pos = {n: k for k, n in enumerate(order)}
    conns = [x for n in order for x in n.connections.inputs] + [n.selfconnection for n in c.list]
    for which, g in spec["gates"]:
        x = conns[which % len(conns)]
        if x.to in a.list:      # a cell's gater: its gains come from untrained units
            candidates = i.list
        elif x.to in c.list:
            candidates = i.list + a.list
        else:
            candidates = order[:pos[x.to]]
        if x.gater is None and candidates:
            candidates[g % len(candidates)].gate(x)
    net = Network(input=i, hidden=[a, c, e], output=o)
    use_engine(net, spec["engine"])
    rng = np.random.default_rng(spec["seed"])
    randomize(net, rng)
    return net, rng


@settings(max_examples=examples(40), deadline=None)
@given(memory_specs())
def test_memory_networks_over_sequences(spec):
    net, rng = build_memory(spec)
    xs = rng.uniform(-1, 1, (spec["steps"], net.inputs()))
    target = rng.uniform(0, 1, net.outputs())
    sequence_check(net, xs, target, cost.MSE, cost.MSE, nontrivial=False)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_cell_gating_another_cell_over_a_sequence(engine):
    """Cell 0 gates cell 1's input and its self-connection; nothing trained feeds
    or gates cell 0 except its own weights, so the extended traces are exact."""
    rng = np.random.default_rng(1)
    i, c, o = Layer(2), Layer(2), Layer(1)
    i.project(c)
    c.project(o)
    i.project(o)
    for n in c.list:
        n.project(n)
    c.list[0].gate(i.list[0].connected(c.list[1]))
    c.list[0].gate(c.list[1].selfconnection)
    c.set(squash=squash.TANH)
    net = use_engine(Network(input=i, hidden=[c], output=o), engine)
    randomize(net, rng)
    sequence_check(net, rng.uniform(-1, 1, (5, 2)), np.array([0.3]), cost.MSE, cost.MSE)
