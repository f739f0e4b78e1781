"""Data as people have it: the forms of a training set the Trainer takes, how
two-element sets are told apart, and counts given as whole floats."""
from __future__ import annotations

import json

import numpy as np
import pytest

import synapse
from architect import LSTM, Perceptron
from synapse import Layer, Network, Trainer

AND = [((0, 0), 0), ((0, 1), 0), ((1, 0), 0), ((1, 1), 1)]


def single_layer(n_in: int, n_out: int = 1) -> Network:
    a, b = Layer(n_in), Layer(n_out)
    a.project(b)
    return Network(input=a, output=b)


def trained(data, n_in=2, n_out=1, **options):
    """(result without time, weights) of 20 seeded iterations on ``data``."""
    synapse.seed(11)
    net = single_layer(n_in, n_out)
    result = Trainer(net).train(data, iterations=20, error=0, shuffle=True, **options)
    return result["error"], result["iterations"], json.dumps(net.to_json(), sort_keys=True)


REFERENCE = [{"input": list(x), "output": [y]} for x, y in AND]


# ---------------------------------------------------------------- the forms
@pytest.mark.parametrize("form", [
    "pairs of tuples", "zip of arrays", "pairs of lists", "pairs with lone numbers",
    "(X, 1-D y)", "(X, y list)", "(X, Y)", "[X, Y] lists", "tuple rows in X"])
def test_every_form_of_a_set_trains_as_the_dicts_do(form):
    X = np.array([x for x, _ in AND], dtype=float)
    y = np.array([v for _, v in AND], dtype=float)
    data = {
        "pairs of tuples": [(list(x), [v]) for x, v in AND],
        "zip of arrays": list(zip(X, y[:, None])),
        "pairs of lists": [[list(x), [v]] for x, v in AND],
        "pairs with lone numbers": [(x, v) for x, v in AND],
        "(X, 1-D y)": (X, y),
        "(X, y list)": (X.tolist(), y.tolist()),
        "(X, Y)": (X, y[:, None]),
        "[X, Y] lists": [X.tolist(), y[:, None].tolist()],
        "tuple rows in X": (tuple(tuple(r) for r in X.tolist()), y),
    }[form]
    assert trained(data) == trained(REFERENCE)


def test_pandas_and_scikit_learn_data():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([list(x) + [v] for x, v in AND], columns=["a", "b", "y"])
    assert trained((frame[["a", "b"]], frame["y"])) == trained(REFERENCE)
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = datasets.make_classification(n_samples=30, n_features=3, n_informative=2,
                                        n_redundant=0, random_state=0)
    assert y.ndim == 1 and y.dtype.kind == "i"
    rows = [{"input": list(a), "output": [b]} for a, b in zip(X, y)]
    assert trained((X, y), n_in=3) == trained(rows, n_in=3)


def test_one_input_network_takes_1_d_inputs():
    x = np.linspace(0, 1, 7)
    y = x ** 2
    rows = [{"input": [a], "output": [b]} for a, b in zip(x, y)]
    assert trained((x, y), n_in=1) == trained(rows, n_in=1)
    assert trained(list(zip(x, y)), n_in=1) == trained(rows, n_in=1)
    assert trained((list(x), list(y)), n_in=1) == trained(rows, n_in=1)


def test_test_takes_the_same_forms():
    synapse.seed(2)
    t = Trainer(single_layer(2))
    X = np.array([x for x, _ in AND], dtype=float)
    y = np.array([v for _, v in AND], dtype=float)
    expected = t.test(REFERENCE)["error"]
    for data in ((X, y), list(zip(X, y)), [(list(x), [v]) for x, v in AND]):
        assert t.test(data)["error"] == expected


# ---------------------------------------------------------------- two rows or (X, Y)?
def two_by_two():
    """A 2-input, 2-output network: two rows of (x, y) and a pair (X, Y) of two
    rows each both fit it, so only the rule tells them apart."""
    return [[0.0, 1.0], [1.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]]


def test_two_tuples_of_two_are_two_rows():
    a, b = two_by_two()
    as_rows = [{"input": a[0], "output": a[1]}, {"input": b[0], "output": b[1]}]
    as_pair = [{"input": a[0], "output": b[0]}, {"input": a[1], "output": b[1]}]
    assert trained(as_rows, 2, 2) != trained(as_pair, 2, 2)  # the readings differ
    assert trained([tuple(a), tuple(b)], 2, 2) == trained(as_rows, 2, 2)
    assert trained((tuple(a), tuple(b)), 2, 2) == trained(as_rows, 2, 2)
    # lists or arrays: inputs and outputs
    assert trained([a, b], 2, 2) == trained(as_pair, 2, 2)
    assert trained((a, b), 2, 2) == trained(as_pair, 2, 2)
    assert trained((np.array(a), np.array(b)), 2, 2) == trained(as_pair, 2, 2)
    assert trained([np.array(a), tuple(b)], 2, 2) == trained(as_pair, 2, 2)
    # more than two rows: lists of two are rows too
    three = [[a[0], a[1]], [b[0], b[1]], [a[1], b[0]]]
    rows = [{"input": x, "output": y} for x, y in three]
    assert trained(three, 2, 2) == trained(rows, 2, 2)


def test_a_pair_of_tuples_read_as_rows_says_so_when_it_does_not_fit():
    X = ((0.0, 1.0), (1.0, 0.0))  # two rows of 2 inputs, as zip(*pairs) makes them
    Y = ((1.0,), (0.0,))
    net = single_layer(2)
    with pytest.raises(ValueError, match=r"row 0 output.*two tuples of two are read as two"):
        Trainer(net).train((X, Y), iterations=1)
    assert Trainer(net).train((list(X), list(Y)), iterations=1)["iterations"] == 1


@pytest.mark.parametrize("data, error, message", [
    ([(0.0, 1.0, 1.0)] * 3, TypeError, "row 0 must be a pair"),
    ([([0, 1], [1]), 5, ([1, 1], [1])], TypeError, "row 1 must be a pair"),
    ([([0, 1], [1])] * 3 + [{"input": [0, 1], "output": [1]}], TypeError, "row 0 must be a dict"),
    ([([0, "1"], [1])] * 3, TypeError, "row 0 input must hold numbers"),
    ([([0, True], [1])] * 3, TypeError, "bool"),
    ([([0, 1], [1, 1])] * 3, ValueError, "row 0 output must have 1 numbers"),
    ([(0.5, [1])] * 3, TypeError, "row 0 input must be a sequence of 2 numbers"),
    ((np.zeros((3, 2)), np.zeros(3) > 0), TypeError, "array of numbers"),
    ((np.zeros(3), np.zeros(3)), ValueError, "shape (n, 2)"),
    ((np.zeros((3, 2)), np.zeros((3, 2))), ValueError, "outputs must have shape (n, 1)"),
    ({"input": [0, 1], "output": [1]}, TypeError, "got dict"),
    ([], ValueError, "empty"),
    (([], []), ValueError, "shape (n, 2)"),
])
def test_malformed_sets(data, error, message):
    synapse.seed(0)
    net = single_layer(2)
    before = json.dumps(net.to_json(), sort_keys=True)
    with pytest.raises(error) as info:
        Trainer(net).train(data, iterations=2)
    assert message in str(info.value)
    assert json.dumps(net.to_json(), sort_keys=True) == before


def test_the_set_is_never_modified():
    X = np.array([x for x, _ in AND], dtype=float)
    y = np.array([v for _, v in AND], dtype=float)
    pairs = list(zip(X, y))
    copies = X.copy(), y.copy()
    trained((X, y))
    trained(pairs)
    assert np.array_equal(X, copies[0]) and np.array_equal(y, copies[1])


# ---------------------------------------------------------------- counts as whole floats
def test_whole_float_counts_count_as_integers(capsys):
    data = REFERENCE
    seen = {}
    for kind, (iterations, log, every) in {"int": (6, 2, 3), "float": (6.0, 2e0, 3.0)}.items():
        synapse.seed(4)
        net = single_layer(2)
        calls = []
        result = Trainer(net).train(data, iterations=iterations, error=0, log=log,
                                    schedule={"every": every, "do": calls.append})
        seen[kind] = (result["error"], result["iterations"], [c["iterations"] for c in calls],
                      capsys.readouterr().out.count("iterations"))
    assert seen["int"] == seen["float"]
    assert seen["float"][1:3] == (6, [3, 6])
    t = Trainer(single_layer(2), iterations=1e2)
    assert t.iterations == 100 and type(t.iterations) is int


@pytest.mark.parametrize("options, error, message", [
    (dict(iterations=1.5), ValueError, "iterations must be a positive integer"),
    (dict(iterations=True), TypeError, "iterations"),
    (dict(log=2.5), ValueError, "log"),
    (dict(log=True), TypeError, "log"),
    (dict(schedule={"every": 1.5, "do": print}), ValueError, "schedule every"),
    (dict(schedule={"every": True, "do": print}), TypeError, "schedule every"),
    (dict(iterations=float("inf")), ValueError, "iterations"),
])
def test_counts_that_are_not_whole_are_refused(options, error, message):
    with pytest.raises(error, match=message):
        Trainer(single_layer(2)).train(REFERENCE, **options)


def test_task_counts_as_whole_floats():
    dsr = dict(targets=[2, 4], distractors=[3, 5], prompts=[0, 1])
    results = []
    for length, iterations in ((9, 3), (9.0, 3.0)):
        synapse.seed(5)
        results.append(Trainer(LSTM(6, 2, 2)).dsr(length=length, iterations=iterations, **dsr))
    assert [r["error"] for r in results[:1]] == [r["error"] for r in results[1:]]
    assert results[1]["iterations"] == 3
    with pytest.raises(ValueError, match="DSR length"):
        Trainer(LSTM(6, 2, 2)).dsr(length=9.5, **dsr)
    with pytest.raises(TypeError, match="test_samples"):
        Trainer(LSTM(2, 2, 1)).timing_task(test_samples=True)
    synapse.seed(6)
    out = Trainer(Perceptron(2, 2, 1)).timing_task(iterations=2.0, train_samples=50.0,
                                                   test_samples=1e1, log=0)
    assert out["train"]["iterations"] == 2
