"""The compiled engines equal the neuron objects: one definition, every topology.

Each check runs twins of one network: the object path (set_optimize(False)),
the numpy engine and, when numba is installed, the JIT engine, through the same
activate / propagate / clear sequence, and compares outputs, weights, biases
and states.
"""
from __future__ import annotations

import numpy as np
import pytest
from conftest import drive
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import synapse
from architect import LSTM, Perceptron
from synapse import ConnectionType, Layer, Network, Neuron, cost, squash
from synapse.engine import jit

HAVE_NUMBA = jit.available()  # numba installed and SYNAPSE_NO_JIT unset
ENGINES = ["numpy"] + (["jit"] if HAVE_NUMBA else [])
SQUASHES = [squash.LOGISTIC, squash.TANH, squash.IDENTITY, squash.RELU, squash.HLIM]


def twins(make, seed=0):
    """The object path and each compiled engine, on identical networks."""
    nets = []
    for engine in [None] + ENGINES:
        synapse.seed(seed)
        net = make()
        if engine is None:
            net.set_optimize(False)
        else:
            net.set_optimize(True, engine=engine)
        nets.append(net)
    return nets


def numbers(net):
    """Every number a user can see: weights, biases, states, activations."""
    j = net.to_json()
    return np.array([c["weight"] for c in j["connections"]] +
                    [n[k] for n in j["neurons"] for k in ("bias", "state", "old", "activation")])


def gap(a, b) -> float:
    """Largest relative disagreement; where a diverged (inf, nan) b must have too."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ok = np.isfinite(a)
    if not np.array_equal(ok, np.isfinite(b)):
        return np.inf
    if not ok.any():
        return 0.0
    return float(np.max(np.abs(a[ok] - b[ok]) / (1 + np.abs(a[ok]))))


def disagreement(nets, steps, seed=0, rate=0.05, clear_every=0, cost_fn=None):
    """Drive every twin alike (conftest's drive, inputs in [0, 1)); return the
    largest relative disagreement between the first and the others, over the
    outputs of every step and the numbers they end with."""
    with np.errstate(all="ignore"):
        outs = [drive(n, steps, seed=seed, rate=rate, clear_every=clear_every, cost=cost_fn,
                      inputs=(0.0, 1.0)) for n in nets]
    worst = max([gap(outs[0], o) for o in outs[1:]], default=0.0)
    base = numbers(nets[0])
    return max([worst] + [gap(base, numbers(n)) for n in nets[1:]])


# ---- random second-order topologies ----

@st.composite
def topologies(draw):
    """A recipe for a random network: layers, neuron-level connections in any
    direction (recurrent, self, inside a layer), gates and squashes."""
    sizes = [draw(st.integers(1, 3))] + draw(st.lists(st.integers(1, 4), max_size=3)) + [
        draw(st.integers(1, 3))]
    total = sum(sizes)
    n_conn = draw(st.integers(1, 25))
    conns = [(draw(st.integers(0, total - 1)), draw(st.integers(sizes[0], total - 1)),
              draw(st.floats(-1.5, 1.5))) for _ in range(n_conn)]
    gates = [(draw(st.integers(0, total - 1)), draw(st.integers(0, n_conn - 1)))
             for _ in range(draw(st.integers(0, 8)))]
    squashes = [draw(st.integers(0, len(SQUASHES) - 1)) for _ in range(total)]
    within = draw(st.sampled_from([None, ConnectionType.ALL_TO_ELSE, ConnectionType.ALL_TO_ALL]))
    return sizes, conns, gates, squashes, within


def build(recipe):
    sizes, conns, gates, squashes, within = recipe
    layers = [Layer(s) for s in sizes]
    units = [n for layer in layers for n in layer.list]
    for n, k in zip(units, squashes):
        n.squash = SQUASHES[k]
    if within is not None and len(layers) > 2 and layers[1].size > 1:
        layers[1].project(layers[1], within, weights=0.3)  # a layer reading itself within the step
    made = []
    for a, b, w in conns:
        c = units[a].project(units[b], w)
        if c.from_ is c.to:
            c.weight = min(abs(w), 1.0)  # keep self-loops from diverging
        made.append(c)
    for g, i in gates:
        if made[i].gater is None:
            units[g].gate(made[i])
    return Network(input=layers[0], hidden=layers[1:-1], output=layers[-1])


def tame(nets, **options):
    """disagreement(), for examples that stay in a sane range: a net that diverges
    (states beyond 1e6, an infinite cost) compares float rounding of huge
    numbers, not definitions, and is discarded."""
    try:
        with np.errstate(all="ignore"):
            result = disagreement(nets, **options)
    except ValueError as e:  # a cost's derivative went infinite
        assume("finite" not in str(e))
        raise
    assume(all(np.max(np.abs(numbers(n))) < 1e6 for n in nets))
    return result


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.filter_too_much])
@given(recipe=topologies(), seed=st.integers(0, 1000))
def test_random_topologies_every_engine_equals_the_objects(recipe, seed):
    nets = twins(lambda: build(recipe), seed)
    assert tame(nets, steps=40, seed=seed, clear_every=15) < 1e-9


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.filter_too_much])
@given(recipe=topologies(), seed=st.integers(0, 1000))
def test_random_topologies_with_exact_cost_gradients(recipe, seed):
    nets = twins(lambda: build(recipe), seed)
    assert tame(nets, steps=20, seed=seed, cost_fn=cost.MSE) < 1e-9


# ---- named architectures, long runs ----

NAMED = {
    "perceptron": lambda: Perceptron(3, 6, 4, 2),
    "lstm": lambda: LSTM(3, 4, 2),
    "lstm one-to-one peepholes": lambda: LSTM(3, 4, 2, peepholes=ConnectionType.ONE_TO_ONE),
    "lstm no peepholes": lambda: LSTM(3, 4, 2, peepholes=None),
    "lstm every option, two blocks": lambda: LSTM(3, 4, 3, 2, hidden_to_hidden=True,
                                                  output_to_hidden=True, output_to_gates=True,
                                                  input_to_output=False),
}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_architectures_1000_steps(name):
    nets = twins(NAMED[name], seed=3)
    assert disagreement(nets, steps=1000, seed=3, clear_every=97) < 1e-9


def test_liquid_and_hand_built_second_order_net():
    from architect import Liquid

    nets = twins(lambda: Liquid(3, 12, 2, 30, 10), seed=5)
    assert disagreement(nets, steps=1000, seed=5, clear_every=200, rate=0.02) < 1e-9

    def second_order():
        a, b, c = Layer(2), Layer(3), Layer(2)
        ab = a.project(b)
        bc = b.project(c)
        b.project(b, ConnectionType.ONE_TO_ONE)  # self-connections
        g = Layer(3)
        a.project(g)
        g.gate(ab, "INPUT")
        b.gate(bc, "OUTPUT")  # each cell gates its own outputs
        return Network(input=a, hidden=[g, b], output=c)

    nets = twins(second_order, seed=6)
    assert disagreement(nets, steps=1000, seed=6, clear_every=100) < 1e-9


# ---- one home per number ----

@pytest.mark.parametrize("engine", ENGINES)
def test_objects_never_stale_after_compiled_training(engine):
    synapse.seed(9)
    ref = LSTM(2, 3, 1)
    fast = ref.clone()
    ref.set_optimize(False)
    fast.set_optimize(True, engine=engine)
    disagreement([ref, fast], steps=50, seed=9)
    for (a, _), (b, _) in zip(ref.neurons(), fast.neurons()):
        assert b.bias == pytest.approx(a.bias, rel=1e-12, abs=1e-12)
        assert b.activation == pytest.approx(a.activation, rel=1e-12, abs=1e-12)
        assert b.state == pytest.approx(a.state, rel=1e-12, abs=1e-12)
        for ca, cb in zip(a.connections.inputs, b.connections.inputs):
            assert cb.weight == pytest.approx(ca.weight, rel=1e-12, abs=1e-12)
            assert cb.gain == pytest.approx(ca.gain, rel=1e-12, abs=1e-12)
    assert np.allclose(numbers(fast), numbers(ref), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_value_set_by_hand_takes_effect_at_the_next_activate(engine):
    synapse.seed(4)
    ref = Perceptron(2, 3, 1)
    fast = ref.clone()
    ref.set_optimize(False)
    fast.set_optimize(True, engine=engine)
    disagreement([ref, fast], steps=5, seed=4)
    for net in (ref, fast):
        hidden = net.layers.hidden[0].list[1]
        hidden.connections.inputs[0].weight = 2.5
        hidden.bias = -0.75
        net.layers.output.list[0].selfconnection.weight = 0.5  # now a self-connected output
    x = [0.3, 0.9]
    assert np.allclose(fast.activate(x), ref.activate(x), rtol=0, atol=1e-14)
    w = fast.layers.hidden[0].list[1].connections.inputs[0].weight
    assert w == 2.5
    assert disagreement([ref, fast], steps=50, seed=5) < 1e-12


@pytest.mark.parametrize("engine", ENGINES)
def test_structure_changes_after_compiling_recompile_and_keep_every_number(engine):
    def grow(net):
        hidden = net.layers.hidden[0]
        new = hidden.add(Neuron(bias=0.1))
        net.layers.input.list[0].project(new, 0.4)
        new.project(net.layers.output.list[0], -0.6)
        new.gate(net.layers.input.list[1].connections.projected[0])
        net.layers.output.list[0].project(net.layers.output.list[0], 0.5)

    nets = twins(lambda: Perceptron(2, 3, 1), seed=8)
    disagreement(nets, steps=30, seed=8)
    before = [numbers(n) for n in nets]
    for n in nets:
        grow(n)
    # the numbers already there kept their values through the recompile
    after = [numbers(n) for n in nets]
    for b, a in zip(before, after):
        assert np.all(np.isin(np.round(b, 12), np.round(a, 12)))
    assert disagreement(nets, steps=200, seed=9) < 1e-9


def test_switching_paths_mid_sequence_keeps_traces():
    """The object path and the engines share the traces: switching in the middle
    of a sequence continues it exactly."""
    synapse.seed(2)
    a = LSTM(2, 3, 1)
    b = a.clone()
    a.set_optimize(False)
    rng = np.random.default_rng(0)
    for i in range(60):
        x, t = rng.random(2), rng.random(1)
        for n in (a, b):
            n.activate(x)
            n.propagate(0.1, t)
        if i % 10 == 0:
            b.set_optimize(i % 20 != 0, engine=ENGINES[(i // 20) % len(ENGINES)])
    assert np.allclose(numbers(a), numbers(b), rtol=1e-12, atol=1e-12)


# ---- standalone ----

@pytest.mark.parametrize("name", sorted(NAMED))
def test_standalone_equals_activate(name):
    synapse.seed(1)
    net = NAMED[name]()
    drive(net, 20, seed=1)  # trained a little, state carried
    f = net.standalone()
    rng = np.random.default_rng(2)
    for _ in range(100):
        x = rng.random(net.inputs())
        assert np.allclose(f(x), net.activate(x), rtol=0, atol=1e-12)


def test_standalone_needs_nothing_of_the_library_and_holds_no_file_text():
    synapse.seed(1)
    net = LSTM(2, 2, 1)
    evil = "__import__('os').system('echo pwned')"
    for n, _ in net.neurons():
        n.label = evil
    f = net.standalone()
    assert "synapse" not in f.source and evil not in f.source and "label" not in f.source
    namespace: dict = {}
    exec(compile(f.source, "<standalone>", "exec"), namespace)  # as a user would from a file
    g = namespace["make"](f.arrays)
    for x in ([0.0, 1.0], [1.0, 0.5], [0.2, 0.2]):
        assert np.allclose(g(x), net.activate(x), atol=1e-12)


# ---- the training kernel ----

@pytest.mark.skipif(not HAVE_NUMBA, reason="numba not installed")
def test_training_kernel_equals_passes_of_the_object_path():
    X = np.array([[0, 0], [1, 0], [0, 1], [1, 1.0]])
    Y = np.array([[0], [1], [1], [0.0]])
    synapse.seed(11)
    fast = Perceptron(2, 3, 1)
    slow = fast.clone()
    fast.set_optimize(True, engine="jit")
    slow.set_optimize(False)
    rng = np.random.default_rng(0)
    orders = np.array([rng.permutation(4) for _ in range(200)])
    rates = np.linspace(0.3, 0.1, 200)
    n, errors = fast._train_passes(X, Y, orders, rates, None, cost.MSE)
    assert n == 200
    expect = []
    for k in range(200):
        out = slow.run(X[orders[k]], Y[orders[k]], rate=rates[k])
        expect.append(np.mean([cost.MSE(y, o) for y, o in zip(Y[orders[k]], out)]))
    assert np.allclose(errors, expect, rtol=1e-12, atol=1e-15)
    assert np.allclose(numbers(fast), numbers(slow), rtol=1e-12, atol=1e-12)


@pytest.mark.skipif(not HAVE_NUMBA, reason="numba not installed")
def test_training_kernel_stops_at_the_error_criterion():
    X = np.array([[0, 0], [1, 0], [0, 1], [1, 1.0]])
    Y = np.array([[0], [1], [1], [1.0]])  # OR: learnable
    synapse.seed(3)
    net = Perceptron(2, 1)
    net.set_optimize(True, engine="jit")
    orders = np.tile(np.arange(4), (5000, 1))
    n, errors = net._train_passes(X, Y, orders, np.full(5000, 0.5), None, cost.MSE, 0.01)
    assert n < 5000
    assert errors[-1] <= 0.01 < errors[-2]


def test_bad_engine_names_and_inputs_change_nothing():
    synapse.seed(0)
    net = Perceptron(2, 2, 1)
    with pytest.raises(ValueError, match="engine"):
        net.set_optimize(True, engine="gpu")
    before = numbers(net)
    for engine in ENGINES:
        net.set_optimize(True, engine=engine)
        with pytest.raises(ValueError, match="finite"):
            net.activate([0.0, float("nan")])
        with pytest.raises(ValueError, match="finite"):
            net.activate([0.0, 1.0])
            net.propagate(0.1, [float("inf")])
    net.set_optimize(True)
    net.activate([0.0, 1.0])
    assert np.allclose(numbers(net)[:len(before)], numbers(net)[:len(before)])


def squared_log_cost(target, output, derivate=False):
    """A user's own cost: sum of (log(1 + y) - log(1 + t))^2."""
    t, y = np.asarray(target, dtype=float), np.asarray(output, dtype=float)
    d = np.log1p(y) - np.log1p(t)
    return 2 * d / (1 + y) if derivate else float(np.sum(d * d))


def test_a_users_cost_learns_alike_on_every_path():
    nets = twins(lambda: LSTM(2, 3, 2), seed=12)
    assert disagreement(nets, steps=200, seed=12, cost_fn=squared_log_cost) < 1e-9
    base = numbers(nets[0])
    synapse.seed(12)
    plain = LSTM(2, 3, 2)
    # eq. 10 instead: a different path
    drive(plain, 200, seed=12, rate=0.05, inputs=(0.0, 1.0))
    assert np.max(np.abs(numbers(plain) - base)) > 1e-3


@pytest.mark.parametrize("engine", [None] + ENGINES)
def test_inputs_at_the_float_limit_keep_every_number_finite(engine):
    """States that overflow are bounded (inf to the largest float, inf - inf to
    0): activations stay finite for any finite input. (Where the sum overflows,
    its order decides between inf and nan, so engines may differ there.)"""
    synapse.seed(0)
    net = LSTM(3, 4, 2)
    for n, _ in net.neurons():
        for c in n.connections.inputs:
            c.weight = 5.0 if c.ID % 2 else -3.0
    net.set_optimize(engine is not None, engine=engine)
    f = None
    with np.errstate(all="ignore"):
        for i in range(20):
            x = [1e308, -1e308 if i % 2 else 1e308, 1e308]
            assert np.all(np.isfinite(net.activate(x)))
        f = net.standalone()
        assert np.all(np.isfinite(f([1e308, 1e308, -1e308])))
    assert np.all(np.isfinite(numbers(net)))


def test_cross_entropy_learns_nothing_from_outputs_outside_0_1_on_every_path():
    """The cost clips outputs to [0, 1], so it is flat outside: no gradient."""
    assert cost.CROSS_ENTROPY([0.3], [-0.5], derivate=True).tolist() == [0.0]

    def tanh_out():
        i, o = Layer(2), Layer(1).set(squash=squash.TANH)
        i.project(o, weights=[[-2.0, -1.0]])
        return Network(input=i, output=o)

    for net in twins(tanh_out):
        before = numbers(net)
        net.activate([1.0, 1.0])  # tanh(-3 + bias) < 0
        net.propagate(0.5, [0.3], cost=cost.CROSS_ENTROPY)
        assert np.array_equal(numbers(net)[:2], before[:2])  # the weights did not move


# ---- biases held fixed ----

def test_a_fixed_bias_stays_put_and_every_path_agrees():
    def make():
        net = LSTM(3, 4, 2)
        for n in net.layers.hidden[2].list:  # the memory cells
            n.learn_bias = False
        return net

    nets = twins(make, seed=13)
    before = [n.bias for n in nets[0].layers.hidden[2].list]
    assert disagreement(nets, steps=300, seed=13) < 1e-9
    for net in nets:
        assert [n.bias for n in net.layers.hidden[2].list] == before
        assert net.layers.hidden[0].list[0].bias != 1.0  # the gates' biases did learn


def test_lstm_without_cell_bias_and_its_json():
    synapse.seed(0)
    net = LSTM(2, 3, 1, learn_cell_bias=False)
    cells = net.layers.hidden[2].list
    assert [n.bias for n in cells] == [0.0] * 3
    assert [n.learn_bias for n in cells] == [False] * 3
    drive(net, 50, seed=1)
    assert [n.bias for n in cells] == [0.0] * 3
    data = net.to_json()
    assert [spec.get("learn_bias", True) for spec in data["neurons"]].count(False) == 3
    back = Network.from_json(data)
    assert [n.learn_bias for n in back.layers.hidden[2].list] == [False] * 3
    assert [n.learn_bias for n in net.clone().layers.hidden[2].list] == [False] * 3
    # synaptic.js's wiring writes synaptic's keys only; the default LSTM holds its cells' biases
    assert "learn_bias" not in str(LSTM(2, 3, 1, cell_bias="learnt").to_json())
    assert str(LSTM(2, 3, 1).to_json()).count("'learn_bias': False") == 3
    with pytest.raises(TypeError, match="learn_bias"):
        Network.from_json({**data, "neurons": [{**data["neurons"][0], "learn_bias": "no"}]
                           + data["neurons"][1:]})
    with pytest.raises(TypeError, match="learn_cell_bias"):
        LSTM(2, 3, 1, learn_cell_bias="no")


def test_a_large_network_learns_the_same_with_the_fused_pass():
    """Large dense blocks learn in one numba pass (engine.kernels.add_scaled_rows)
    when numba can run: the numbers equal numpy's own passes."""
    if not HAVE_NUMBA:
        pytest.skip("the fused pass needs numba")
    from synapse.engine import NumpyEngine, kernels_or_none

    synapse.seed(2)
    a = Perceptron(300, 80, 5)
    b = a.clone()
    a.set_optimize(True, engine="numpy")
    b.set_optimize(True, engine="numpy")
    b._engine = NumpyEngine(b._compiled())  # numpy's passes only
    assert a._path().fused is not None and kernels_or_none() is not None
    rng = np.random.default_rng(0)
    for _ in range(5):
        x, t = rng.random(300), rng.random(5)
        np.testing.assert_allclose(a.activate(x), b.activate(x), rtol=1e-13)
        a.propagate(0.2, t)
        b.propagate(0.2, t)
    np.testing.assert_allclose(a.parameters(), b.parameters(), rtol=1e-12, atol=1e-15)


def test_the_fused_logistic_gives_numpys_numbers_to_the_last_bit_of_exp():
    """A large network's LOGISTIC layers squash in one numba pass
    (kernels.logistic_into) with squash_into's formula. numba's exp and numpy's
    vectorized exp may round differently in the last bit (about 2% of
    arguments), as between the JIT and numpy engines: a few ulp apart at most,
    and the same 0s and 1s at the extremes."""
    if not HAVE_NUMBA:
        pytest.skip("the fused pass needs numba")
    from synapse.engine import kernels_or_none
    from synapse.engine.numpy_engine import squash_into

    s = np.concatenate([np.linspace(-800, 800, 4001), np.random.default_rng(3).normal(0, 5, 9999),
                        [0.0, -0.0, 1e-300, -1e-300, 36.7, -36.7, 709.8, -745.2, -746.0]])
    y1, d1, y2, d2 = (np.full(len(s), np.nan) for _ in range(4))
    squash_into(squash.LOGISTIC, s, y1, d1)
    kernels_or_none().logistic_into(s, y2, d2)
    assert np.isfinite(y2).all() and np.isfinite(d2).all()
    assert np.all(np.abs(y1 - y2) <= 4 * np.spacing(np.maximum(y1, y2)))  # exp's ulp, divided
    # d = (1 - y) y moves with y: by at most |dy|, plus its own rounding
    assert np.all(np.abs(d1 - d2) <= np.abs(y1 - y2) + np.spacing(np.maximum(d1, d2)))
    for a, b in ((y1, y2), (d1, d2)):
        assert np.array_equal(a == 0, b == 0) and np.array_equal(a == 1, b == 1)
    assert (y1 == y2).mean() > 0.95


def test_lstm_cell_bias_choices_and_the_old_switch():
    for options, learns in (({}, False), ({"cell_bias": "fixed"}, False),
                            ({"learn_cell_bias": False}, False),
                            ({"cell_bias": "learnt"}, True), ({"learn_cell_bias": True}, True),
                            ({"cell_bias": "learnt", "learn_cell_bias": True}, True)):
        cells = LSTM(2, 3, 1, **options).layers.hidden[2].list
        assert [n.learn_bias for n in cells] == [learns] * 3
        if not learns:
            assert [n.bias for n in cells] == [0.0] * 3
    with pytest.raises(ValueError, match="cell_bias must be 'learnt'.*'fixed'.*'gated'.*got str"):
        LSTM(2, 3, 1, cell_bias="input")
    with pytest.raises(ValueError, match="learn_cell_bias=True contradicts cell_bias='fixed'"):
        LSTM(2, 3, 1, cell_bias="fixed", learn_cell_bias=True)


def test_lstm_gated_cell_bias_is_the_papers_wiring():
    """cell_bias="gated": a constant unit (IDENTITY, bias 1 held) first, projecting
    into each cell with a learnt weight that the cell's own input gate gates;
    the cells' own biases are 0, held. Every path agrees, and the wiring
    survives JSON, clones and init."""
    synapse.seed(2)
    net = LSTM(3, 2, 2, 2, cell_bias="gated")
    constant = net.layers.hidden[0].list
    assert len(constant) == 1 and constant[0].squash is squash.IDENTITY
    assert constant[0].bias == 1.0 and not constant[0].learn_bias
    for block in range(2):
        gate, cells = (net.layers.hidden[1 + 4 * block + k].list for k in (0, 2))
        for g, cell in zip(gate, cells):
            assert cell.bias == 0.0 and not cell.learn_bias
            into = [c for c in cell.connections.inputs if c.from_ is constant[0]]
            assert len(into) == 1 and into[0].gater is g and into[0].learns
    drive(net, 30, seed=4)
    assert constant[0].bias == 1.0 and constant[0].activation == 1.0
    assert all(n.bias == 0.0 for n in net.layers.hidden[3].list)
    twin = Network.from_json(net.to_json(state=True))
    assert type(twin) is LSTM and twin.layers.hidden[0].list[0].bias == 1.0
    np.testing.assert_array_equal(drive(twin, 5, seed=9), drive(net.clone(), 5, seed=9))
    synapse.seed(3)
    fresh = LSTM(3, 2, 2, cell_bias="gated", init="glorot")
    assert fresh.layers.hidden[0].list[0].bias == 1.0
    nets = twins(lambda: LSTM(3, 4, 2, cell_bias="gated"), seed=13)
    assert disagreement(nets, steps=300, seed=13) < 1e-9


def test_the_faster_engine_is_picked_by_the_cost_model():
    """engine=None takes the JIT for small networks and for those numpy would
    step unit by unit (a Liquid), numpy for large layered ones (the model's
    constants are measured: engine/__init__.py)."""
    if not HAVE_NUMBA:
        pytest.skip("the choice needs numba")
    from architect import Liquid

    synapse.seed(1)
    picks = {name: make()._path().name for name, make in (
        ("small", lambda: LSTM(10, 20, 10)), ("lstm", lambda: LSTM(20, 40, 20)),
        ("big lstm", lambda: LSTM(50, 80, 50)), ("mlp", lambda: Perceptron(784, 100, 10)),
        ("liquid", lambda: Liquid(20, 200, 5, connections=2000, gates=200)))}
    assert picks == {"small": "jit", "lstm": "jit", "big lstm": "numpy", "mlp": "numpy",
                     "liquid": "jit"}
