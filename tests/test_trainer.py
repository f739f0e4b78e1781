"""Trainer: train, test, options, errors, and the numbers synaptic.js's suite expects."""
from __future__ import annotations

import json

import numpy as np
import pytest

import synapse
from architect import Perceptron
from synapse import Layer, Network, Trainer, cost
from synapse.cost import set_error
from synapse.engine import jit


def single_layer(n_in: int) -> Network:
    a, b = Layer(n_in), Layer(1)
    a.project(b)
    return Network(input=a, output=b)


def rows(table):
    return [{"input": list(x), "output": [y]} for x, y in table]


GATES = {
    "AND": (2, [((0, 0), 0), ((0, 1), 0), ((1, 0), 0), ((1, 1), 1)]),
    "OR": (2, [((0, 0), 0), ((0, 1), 1), ((1, 0), 1), ((1, 1), 1)]),
    "NOT": (1, [((0,), 1), ((1,), 0)]),
}


def snapshot(net):
    return json.dumps(net.to_json(), sort_keys=True)


# ---------------------------------------------------------------- synaptic.js's suite
@pytest.mark.parametrize("gate", sorted(GATES))
def test_logic_gates_on_a_single_layer_in_1000_iterations(gate):
    synapse.seed(7)
    n_in, table = GATES[gate]
    net = single_layer(n_in)
    result = Trainer(net).train(rows(table), iterations=1000, error=0.001)
    assert result["iterations"] <= 1000
    assert result["error"] < 0.01
    for x, y in table:
        assert round(float(net.activate(x)[0])) == y


def test_xor_on_perceptron_2_3_1_for_most_seeds():
    successes = 0
    for s in range(5):
        synapse.seed(s)
        net = Perceptron(2, 3, 1)
        result = Trainer(net).xor()
        outputs = [round(float(net.activate(x)[0])) for x in ([0, 0], [1, 0], [0, 1], [1, 1])]
        successes += result["error"] <= 0.005 and outputs == [0, 1, 1, 0]
    assert successes >= 4


def sine_set(n=800):
    x = synapse.rng.generator().random(n) * 2 * np.pi
    return [{"input": [v], "output": [(np.sin(v) + 1) / 2]} for v in x]


def test_sine_on_perceptron_1_12_1():
    synapse.seed(1)
    net = Perceptron(1, 12, 1)
    result = Trainer(net).train(sine_set(), iterations=2000, error=0.001, cost=cost.MSE)
    assert result["iterations"] < 2000
    assert result["error"] <= 0.001
    for x in (0.0, np.pi / 2, 2.0):
        assert abs(net.activate([x])[0] - (np.sin(x) + 1) / 2) < 0.05


def test_sine_with_cross_validation():
    synapse.seed(2)
    data = sine_set()
    net = Perceptron(1, 12, 1)
    t = Trainer(net)
    result = t.train(data, iterations=2000, error=0.001, cost=cost.MSE,
                     cross_validate={"test_size": 0.3, "test_error": 0.001})
    assert result["iterations"] < 2000
    assert result["error"] <= 0.001
    # the reported error is the test part's: the last 30% of the set
    assert t.test(data[560:], cost=cost.MSE)["error"] == pytest.approx(result["error"])


# ---------------------------------------------------------------- the worked example
def mazur_network():
    """The 2-2-2 network of Matt Mazur's "A Step by Step Backpropagation Example"."""
    i, h, o = Layer(2), Layer(2).set(bias=0.35), Layer(2).set(bias=0.60)
    input_to_hidden = i.project(h, weights=[[0.15, 0.20], [0.25, 0.30]])
    hidden_to_out = h.project(o, weights=[[0.40, 0.45], [0.50, 0.55]])
    return Network(input=i, hidden=[h], output=o), input_to_hidden, hidden_to_out


def test_published_backpropagation_numbers():
    net, ih, ho = mazur_network()
    assert net.activate([0.05, 0.10]) == pytest.approx([0.75136507, 0.772928465], abs=1e-9)
    result = Trainer(net).train([{"input": [0.05, 0.10], "output": [0.01, 0.99]}], rate=0.5,
                                iterations=1, cost=cost.MSE, gradient="cost")
    assert result["iterations"] == 1
    assert result["error"] == pytest.approx(0.298371109, abs=1e-9)  # E_total before the step
    w1 = ih.list[0].weight   # i1 -> h1
    w5 = ho.list[0].weight   # h1 -> o1
    assert w5 == pytest.approx(0.35891648, abs=1e-8)
    assert w1 == pytest.approx(0.149780716, abs=1e-9)
    assert [c.weight for c in ho.list] == pytest.approx(
        [0.35891648, 0.511301270, 0.408666186, 0.561370121], abs=1e-8)
    assert [c.weight for c in ih.list] == pytest.approx(
        [0.149780716, 0.24975114, 0.19956143, 0.29950229], abs=1e-8)


def test_default_step_is_eq_10_not_the_cost_gradient():
    net_a, _, ho_a = mazur_network()
    net_b, _, ho_b = mazur_network()
    data = [{"input": [0.05, 0.10], "output": [0.01, 0.99]}]
    Trainer(net_a).train(data, rate=0.5, iterations=1, cost=cost.MSE)
    net_b.activate([0.05, 0.10])
    net_b.propagate(0.5, [0.01, 0.99])  # delta = t - y
    assert [c.weight for c in ho_a.list] == [c.weight for c in ho_b.list]
    assert ho_a.list[0].weight != pytest.approx(0.35891648, abs=1e-6)


# ---------------------------------------------------------------- error of a pass
@pytest.mark.parametrize("c", [cost.MSE, cost.CROSS_ENTROPY, cost.BINARY])
def test_vectorized_set_error_equals_the_cost_row_by_row(c):
    g = np.random.default_rng(0)
    T = (g.random((50, 3)) > 0.5).astype(float)
    Y = g.random((50, 3))
    Y[0] = [0.0, 1.0, 0.5]  # the clipping edges and a tie of BINARY
    T[0] = [1.0, 0.0, 0.5]
    rowwise = np.mean([c(t, y) for t, y in zip(T, Y)])
    assert set_error(c, T, Y) == pytest.approx(rowwise, rel=1e-12, abs=1e-12)
    assert set_error(lambda t, y: c(t, y), T, Y) == pytest.approx(rowwise, rel=1e-12)


def test_train_error_is_the_mean_cost_of_the_pass_before_each_step():
    synapse.seed(3)
    net = Perceptron(2, 3, 1)
    clone = net.clone()
    data = rows(GATES["AND"][1])
    result = Trainer(net).train(data, iterations=1, rate=0.3, cost=cost.CROSS_ENTROPY)
    errors = []
    for row in data:
        errors.append(cost.CROSS_ENTROPY(row["output"], clone.activate(row["input"])))
        clone.propagate(0.3, row["output"])
    assert result["error"] == pytest.approx(np.mean(errors), rel=1e-12)
    assert snapshot(net) == snapshot(clone)


def test_test_reports_mean_cost_and_does_not_learn():
    synapse.seed(4)
    net = Perceptron(2, 2, 1)
    before = [c.weight for n, _ in net.neurons() for c in n.connections.inputs]
    data = rows(GATES["OR"][1])
    result = Trainer(net, cost=cost.CROSS_ENTROPY).test(data)
    expect = np.mean([cost.CROSS_ENTROPY(r["output"], net.activate(r["input"])) for r in data])
    assert result["error"] == pytest.approx(expect)
    assert result["time"] >= 0
    assert [c.weight for n, _ in net.neurons() for c in n.connections.inputs] == before


# ---------------------------------------------------------------- options
def test_set_as_dicts_or_arrays_trains_the_same():
    table = GATES["OR"][1]
    X = np.array([x for x, _ in table], dtype=float)
    Y = np.array([[y] for _, y in table], dtype=float)
    results = []
    for data in (rows(table), (X, Y), [X.tolist(), Y.tolist()]):
        synapse.seed(5)
        net = single_layer(2)
        r = Trainer(net).train(data, iterations=50, shuffle=True)
        results.append((r["error"], r["iterations"], snapshot(net)))
    assert results[0] == results[1] == results[2]


def test_shuffle_is_seeded_and_leaves_the_set_alone():
    data = rows(GATES["AND"][1])
    copy = json.dumps(data)
    out = []
    for _ in range(2):
        synapse.seed(6)
        net = single_layer(2)
        out.append(Trainer(net).train(data, iterations=30, shuffle=True)["error"])
    assert out[0] == out[1]
    assert json.dumps(data) == copy
    synapse.seed(6)
    net = single_layer(2)
    assert Trainer(net).train(data, iterations=30)["error"] != out[0]


def test_rate_list_splits_the_iterations_evenly():
    seen = []
    synapse.seed(0)
    net = single_layer(2)
    Trainer(net).train(rows(GATES["AND"][1]), rate=[0.3, 0.2, 0.1], iterations=9, error=0,
                       schedule={"every": 1, "do": lambda info: seen.append(info["rate"])})
    assert seen == [0.3] * 3 + [0.2] * 3 + [0.1] * 3


def test_rate_callable_gets_iteration_and_last_error():
    calls = []

    def rate(iteration, last_error):
        calls.append((iteration, last_error))
        return 0.1 / iteration

    errors = []
    synapse.seed(0)
    net = single_layer(2)
    Trainer(net).train(rows(GATES["AND"][1]), rate=rate, iterations=4, error=0,
                       schedule={"every": 1, "do": lambda info: errors.append(info["error"])})
    assert calls == [(1, None), (2, errors[0]), (3, errors[1]), (4, errors[2])]


def test_schedule_returning_true_aborts_and_log_prints(capsys):
    synapse.seed(0)
    net = single_layer(2)
    infos = []

    def do(info):
        infos.append(dict(info))
        return info["iterations"] == 6

    result = Trainer(net).train(rows(GATES["AND"][1]), iterations=100, error=0, log=2,
                                schedule={"every": 3, "do": do})
    assert result["iterations"] == 6
    assert [i["iterations"] for i in infos] == [3, 6]
    assert set(infos[0]) == {"error", "iterations", "rate", "time"}
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [["iterations", "2"], ["iterations", "4"],
                                                    ["iterations", "6"]]
    assert lines[0].split()[2] == "error" and lines[0].split()[4:] == ["rate", "0.2"]


def test_stops_at_the_error_and_reports_time():
    synapse.seed(1)
    net = single_layer(2)
    result = Trainer(net, error=0.05).train(rows(GATES["OR"][1]), iterations=5000)
    assert set(result) == {"error", "iterations", "time", "history", "compile"}
    assert result["error"] <= 0.05 < Trainer(single_layer(2)).test(rows(GATES["OR"][1]))["error"]
    assert 1 < result["iterations"] < 5000
    assert result["time"] > 0 and result["compile"] >= 0
    # the error of every pass, the last one the result's, every earlier one above the goal
    history = result["history"]
    assert len(history) == result["iterations"] and history[-1] == result["error"]
    assert min(history[:-1]) > 0.05


def test_trainer_defaults_are_per_call_overrides():
    net = single_layer(2)
    t = Trainer(net, rate=0.3, iterations=7, error=0.0)
    r = t.train(rows(GATES["AND"][1]))
    assert r["iterations"] == 7
    r = t.train(rows(GATES["AND"][1]), iterations=3)
    assert r["iterations"] == 3 and t.iterations == 7 and t.rate == 0.3


def test_gradient_cost_with_cross_entropy_on_logistic_outputs_equals_eq_10():
    """For logistic outputs -dCE/ds = t - y: both learning steps agree."""
    synapse.seed(8)
    a = Perceptron(2, 3, 1)
    b = a.clone()
    data = rows(GATES["AND"][1])
    Trainer(a).train(data, iterations=3, cost=cost.CROSS_ENTROPY, gradient="cost")
    Trainer(b).train(data, iterations=3, cost=cost.CROSS_ENTROPY)
    wa = [c.weight for n, _ in a.neurons() for c in n.connections.inputs]
    wb = [c.weight for n, _ in b.neurons() for c in n.connections.inputs]
    assert wa == pytest.approx(wb, rel=1e-9, abs=1e-12)


# ---------------------------------------------------------------- bad input
BAD_TRAIN = [
    (dict(training_set=[]), ValueError, "empty"),
    (dict(training_set=[{"input": [0, 1, 2], "output": [1]}]), ValueError, "2 numbers"),
    (dict(training_set=[{"input": [0, 1]}]), ValueError, "'input' and 'output'"),  # a dict
    (dict(training_set=[{"input": [0, "a"], "output": [1]}]), TypeError, "numbers"),
    (dict(training_set=[{"input": [0, float("nan")], "output": [1]}]), ValueError, "finite"),
    (dict(training_set=(np.zeros((3, 2)), np.zeros((4, 1)))), ValueError, "3 inputs but 4"),
    (dict(training_set=(np.zeros((3, 3)), np.zeros((3, 1)))), ValueError, "shape (n, 2)"),
    (dict(training_set=(np.zeros(3), np.zeros(3))), ValueError, "shape (n, 2)"),
    (dict(training_set=([[0, "1"]], [[1]])), TypeError, "array of numbers"),
    (dict(training_set=([[True, False]], [[1]])), TypeError, "array of numbers"),
    (dict(training_set=([[0, 1], [1]], [[1], [0]])), TypeError, "array of numbers"),
    (dict(training_set="data"), TypeError, "list of"),
    (dict(rate="fast"), TypeError, "rate must be"),
    (dict(rate=-0.1), ValueError, "at least 0"),
    (dict(rate=[]), ValueError, "empty"),
    (dict(rate=[0.1, "x"]), TypeError, "rate"),
    (dict(rate=float("inf")), ValueError, "finite"),
    (dict(rate=lambda i, e: "x"), TypeError, "must return a number"),
    (dict(iterations=0), ValueError, "positive integer"),
    (dict(iterations=2.5), ValueError, "positive integer"),  # a number, not whole
    (dict(error=-1), ValueError, "at least 0"),
    (dict(shuffle="yes"), TypeError, "True or False"),
    (dict(log=-1), ValueError, "log"),
    (dict(cost="MSE"), TypeError, "callable"),
    (dict(gradient="exact"), ValueError, "'delta'"),
    (dict(cost=cost.BINARY, gradient="cost"), ValueError, "no gradient"),
    (dict(schedule={"every": 2}), ValueError, "needs the keys"),
    (dict(schedule={"every": 2, "do": print, "each": 1}), ValueError, "unknown keys"),
    (dict(schedule={"every": 0, "do": print}), ValueError, "positive"),
    (dict(schedule={"every": 1, "do": 3}), TypeError, "callable"),
    (dict(cross_validate={"testSize": 0.3}), ValueError, "unknown keys"),
    (dict(cross_validate={"test_size": 1.5}), ValueError, "between 0 and 1"),
    (dict(cross_validate={"test_size": 0.01}), ValueError, "leaves no rows"),
    (dict(cross_validate=0.3), TypeError, "dict"),
]


@pytest.mark.parametrize("options, error, message", BAD_TRAIN)
def test_bad_train_input_raises_and_changes_nothing(options, error, message):
    synapse.seed(0)
    net = Perceptron(2, 2, 1)
    net.activate([1, 0])
    before = snapshot(net)
    options = dict(options)
    data = options.pop("training_set", rows(GATES["AND"][1]))
    with pytest.raises(error, match=None) as info:
        Trainer(net).train(data, iterations=options.pop("iterations", 5), **options)
    assert message in str(info.value)
    assert snapshot(net) == before


def test_unknown_train_option_is_a_type_error():
    net = single_layer(2)
    with pytest.raises(TypeError):
        Trainer(net).train(rows(GATES["AND"][1]), crossValidate={"test_size": 0.3})


@pytest.mark.parametrize("kwargs, error", [
    (dict(network="net"), TypeError), (dict(rate=None), TypeError),
    (dict(iterations=-5), ValueError),
    (dict(error=float("nan")), ValueError), (dict(cost=1), TypeError),
    (dict(gradient="cost", cost=cost.BINARY), ValueError),
    (dict(cross_validate={"test_size": 0}), ValueError)])
def test_bad_trainer_arguments(kwargs, error):
    net = kwargs.pop("network", single_layer(2))
    with pytest.raises(error):
        Trainer(net, **kwargs)


def test_test_rejects_bad_sets():
    t = Trainer(single_layer(2))
    with pytest.raises(ValueError, match="test set"):
        t.test([{"input": [1], "output": [1]}])
    with pytest.raises(TypeError):
        t.test(rows(GATES["AND"][1]), cost="MSE")


@pytest.mark.parametrize("shuffle", [False, True])
def test_train_gives_the_same_numbers_on_every_path(shuffle):
    """The JIT runs many passes per call, the others one: same draws, same result."""
    from synapse.engine import jit

    xor = [{"input": [a, b], "output": [a ^ b]} for a in (0, 1) for b in (0, 1)]
    results = []
    for optimize, engine in [(False, None), (True, "numpy")] + (
            [(True, "jit")] if jit.available() else []):
        synapse.seed(5)
        net = Perceptron(2, 3, 1)
        net.set_optimize(optimize, engine=engine)
        out = Trainer(net).train(xor, rate=[0.3, 0.2, 0.1], iterations=2500, error=0.01,
                                 shuffle=shuffle, schedule={"every": 700, "do": lambda i: False})
        results.append((out["iterations"], out["error"],
                        [c["weight"] for c in net.to_json()["connections"]]))
    first = results[0]
    for it, err, weights in results[1:]:
        assert it == first[0]
        assert err == pytest.approx(first[1], rel=1e-9)
        assert weights == pytest.approx(first[2], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("engine", ["numpy", None] + (["jit"] if jit.available() else []))
def test_schedule_returning_a_numpy_true_aborts(engine):
    """A comparison of numpy numbers gives numpy.True_; it aborts as True does."""
    synapse.seed(0)
    net = single_layer(2)
    if engine is None:
        net.set_optimize(False)
    else:
        net.set_optimize(True, engine=engine)
    result = Trainer(net).train(rows(GATES["AND"][1]), iterations=100, error=0,
                                schedule={"every": 3, "do": lambda info: np.float64(
                                    info["iterations"]) >= 6})
    assert result["iterations"] == 6
    # anything but True or numpy.True_ (None from a logging function, 1) does not abort
    for value in (None, 1, np.False_):
        result = Trainer(net).train(rows(GATES["AND"][1]), iterations=10, error=0,
                                    schedule={"every": 1, "do": lambda info, v=value: v})
        assert result["iterations"] == 10


def test_dsr_and_erg_schedules_abort_on_numpy_true():
    from architect import LSTM
    synapse.seed(0)
    result = Trainer(LSTM(6, 2, 2)).dsr(targets=[2, 4], distractors=[3, 5], prompts=[0, 1],
                                       length=9, iterations=50,
                                       schedule={"every": 5, "do": lambda info: np.True_})
    assert result["iterations"] == 5
    result = Trainer(LSTM(6, 2, 6)).erg(iterations=50, log=0,
                                       schedule={"every": 4, "do": lambda info: np.True_})
    assert result["iterations"] == 4


def _bad_cost(target, output, derivate=False):
    return "high"


def _no_gradient(target, output):
    return float(np.sum((np.asarray(target) - output) ** 2))


def _short_gradient(target, output, derivate=False):
    return np.zeros(3) if derivate else 0.0


@pytest.mark.parametrize("task, kwargs, error", [
    ("train", dict(cost=_bad_cost), TypeError),
    ("train", dict(cost=_no_gradient, gradient="cost"), TypeError),
    ("train", dict(cost=_short_gradient, gradient="cost"), ValueError),
    ("test", dict(cost=_bad_cost), TypeError),
    ("dsr", dict(cost=_bad_cost), TypeError),
    ("dsr", dict(cost=_no_gradient, gradient="cost"), TypeError),
    ("erg", dict(cost=_bad_cost), TypeError),
    ("erg", dict(cost=_short_gradient, gradient="cost"), ValueError),
    ("timing_task", dict(cost=_bad_cost), TypeError),
    ("timing_task", dict(cost=_no_gradient, gradient="cost"), TypeError),
])
def test_a_bad_cost_is_refused_before_anything_runs(task, kwargs, error):
    """A cost that returns no number (or, learnt by, no gradient of the outputs' size)
    fails before the first activation: the network and the random draws are untouched."""
    from architect import LSTM
    synapse.seed(0)
    sizes = {"train": (2, 1), "test": (2, 1), "dsr": (6, 2), "erg": (6, 6),
             "timing_task": (2, 1)}[task]
    net = LSTM(sizes[0], 2, sizes[1])
    trainer = Trainer(net)
    args = {"train": (rows(GATES["AND"][1]),), "test": (rows(GATES["AND"][1]),)}.get(task, ())
    if task == "dsr":
        kwargs = dict(kwargs, targets=[2, 4], distractors=[3, 5], prompts=[0, 1], length=9)
    before = snapshot(net)
    draw = synapse.rng.generator().bit_generator.state
    with pytest.raises(error):
        getattr(trainer, task)(*args, **kwargs)
    assert snapshot(net) == before
    assert synapse.rng.generator().bit_generator.state == draw
