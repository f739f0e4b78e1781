"""One validation rule everywhere: TypeError for a wrong type, ValueError for a
wrong value, a message that names the argument, what was expected and what
came; never an OverflowError, never a raw message from Python or numpy."""
from __future__ import annotations

import math
import numbers
import re
from fractions import Fraction

import numpy as np
import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import synapse
from architect import LSTM, Hopfield, Liquid, Perceptron
from synapse import ConnectionType, GateType, Layer, Neuron, Trainer, _check, squash, tasks

HUGE = 10 ** 400  # an int no float can hold


def raises(exc, *fragments):
    pattern = "".join(f"(?=.*{re.escape(f)})" for f in fragments)
    return pytest.raises(exc, match=re.compile(pattern, re.IGNORECASE | re.DOTALL))


# ---------------------------------------------------------------- the module
@pytest.mark.parametrize("x, expected", [(3, 3), (np.int64(3), 3), (3.0, 3), (1e4, 10000),
                                         (np.float32(8.0), 8), (Fraction(6, 2), 3), (0, 0)])
def test_count_takes_integers_and_whole_floats(x, expected):
    value = _check.count(x, "iterations")
    assert value == expected and type(value) is int


@pytest.mark.parametrize("x, exc, fragments", [
    (True, TypeError, ["iterations", "non-negative integer", "bool"]),
    (np.bool_(True), TypeError, ["iterations", "bool"]),
    ("3", TypeError, ["iterations", "str '3'"]),
    (None, TypeError, ["iterations", "NoneType"]),
    ([3], TypeError, ["iterations", "list"]),
    (1 + 0j, TypeError, ["iterations", "complex"]),
    (1.5, ValueError, ["iterations", "integer", "1.5"]),
    (math.nan, ValueError, ["iterations", "nan"]),
    (math.inf, ValueError, ["iterations", "inf"]),
    (-1, ValueError, ["iterations", "non-negative", "-1"]),
    (-1.0, ValueError, ["iterations", "-1.0"]),
    (HUGE, ValueError, ["iterations", "at most", "401 digits"]),
    (1e300, ValueError, ["iterations", "at most"]),
])
def test_count_refuses(x, exc, fragments):
    with raises(exc, *fragments):
        _check.count(x, "iterations")


def test_count_minimum_and_messages():
    assert _check.count(1, "n", minimum=1) == 1
    with raises(ValueError, "n must be a positive integer, got int 0"):
        _check.count(0, "n", minimum=1)
    with raises(ValueError, "n must be an integer of at least 4, got int 3"):
        _check.count(3, "n", minimum=4)


def test_integer_is_strict():
    assert _check.integer(np.int32(4), "symbol") == 4
    for bad in (4.0, True, "4", None):
        with raises(TypeError, "symbol", "integer", type(bad).__name__):
            _check.integer(bad, "symbol")
    with raises(ValueError, "symbol", "non-negative", "-2"):
        _check.integer(-2, "symbol", minimum=0)


@pytest.mark.parametrize("x, exc", [
    ("0.5", TypeError), (True, TypeError), (None, TypeError), (1j, TypeError), ([1.0], TypeError),
    (math.nan, ValueError), (-math.inf, ValueError), (HUGE, ValueError), (-HUGE, ValueError),
    (Fraction(HUGE, 3), ValueError)])
def test_number(x, exc):
    with raises(exc, "rate", "finite number"):
        _check.number(x, "rate")


def test_number_passes_numbers_as_floats():
    for x in (1, 0.5, np.float32(0.5), np.int8(-3), Fraction(1, 4), 10 ** 300):
        value = _check.number(x, "x")
        assert type(value) is float and value == float(x)


def test_huge_ints_never_overflow_in_a_message():
    """repr of an int past 4300 digits itself raises; the message says how long it is."""
    with raises(ValueError, "bias", "digits", "too large for a float"):
        _check.number(10 ** 5000, "bias")
    assert _check.came(-HUGE) == "int of 401 digits"
    assert len(_check.came(list(range(1000)))) < 100


def test_flag_choice_enum_keys_function():
    assert _check.flag(np.bool_(False), "clear") is False
    for bad in (1, "yes", None):
        with raises(TypeError, "clear", "True or False", type(bad).__name__):
            _check.flag(bad, "clear")
    assert _check.choice("next", "targets", ("possible", "next")) == "next"
    for bad in ("Next", 3, None, ["next"], np.array(["next"])):
        with raises(ValueError, "targets", "'possible' or 'next'"):
            _check.choice(bad, "targets", ("possible", "next"))
    assert _check.enum_member("ALL TO ALL", ConnectionType, "type") is ConnectionType.ALL_TO_ALL
    assert _check.enum_member(None, ConnectionType, "type", none=True) is None
    for bad in ("ALL_TO_ALL", [1], None, 0):
        with raises(ValueError, "type", "ConnectionType.ONE_TO_ONE"):
            _check.enum_member(bad, ConnectionType, "type")
    with raises(ValueError, "unknown keys", "'eveyr'"):
        _check.keys({"every": 1, "eveyr": 2}, "schedule", ("every",))
    with raises(ValueError, "needs the keys", "do"):
        _check.keys({"every": 1}, "schedule", ("every", "do"))
    with raises(TypeError, "schedule", "dict", "list"):
        _check.keys([("every", 1)], "schedule", ("every",))
    with raises(TypeError, "do", "callable", "int"):
        _check.function(3, "do", "do(info)")


# ---------------------------------------------------------------- floats: the fast path
def _reference_floats(x, size, what):
    """The check element by element (the old one): the fast path must agree with it."""
    if isinstance(x, (str, bytes, dict)) or not hasattr(x, "__len__"):
        raise TypeError(what)
    for v in x:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(what)
    try:
        arr = np.array(x, dtype=float)
    except OverflowError:
        raise ValueError(what) from None
    if arr.ndim != 1 or arr.size != size:
        raise ValueError(what)
    return arr


ELEMENTS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-10 ** 6, 10 ** 6),
    st.sampled_from([True, False, np.bool_(True), None, "1", b"1", 1j, HUGE, -HUGE,
                     np.float64(2.5), np.int64(-3), np.float32(0.5), np.int32(7),
                     Fraction(1, 3), [0.5], (1.0,), np.array([1.0])]))


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(ELEMENTS, max_size=6), st.booleans(), st.integers(0, 6))
def test_fast_floats_agrees_with_the_element_by_element_check(values, as_tuple, size):
    x = tuple(values) if as_tuple else values
    try:
        expected = _reference_floats(x, size, "inputs")
    except (TypeError, ValueError) as e:
        with pytest.raises(type(e), match="inputs"):
            _check.floats(x, size, "inputs")
        return
    got = _check.floats(x, size, "inputs")
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == np.float64


@pytest.mark.parametrize("x, exc, fragments", [
    ([0.5, "a"], TypeError, ["inputs", "number", "str"]),
    ([0.5, True], TypeError, ["inputs", "number", "bool"]),
    ((np.bool_(False), 0.5), TypeError, ["inputs", "bool"]),
    ([0.5, None], TypeError, ["inputs", "NoneType"]),
    ([[0.5], 0.5], TypeError, ["inputs", "list"]),
    ({0: 0.5, 1: 0.5}, TypeError, ["inputs", "dict"]),
    ([0.5], ValueError, ["inputs", "2", "1"]),
    ([0.5, HUGE], ValueError, ["inputs", "401 digits", "too large"]),
    ((HUGE, 0), ValueError, ["inputs", "too large"]),
])
def test_floats_errors(x, exc, fragments):
    with raises(exc, *fragments):
        _check.floats(x, 2, "inputs")


def test_a_list_of_numbers_is_converted_exactly():
    x = [0.1, 2, np.float64(-3.5), np.int64(4), np.float32(0.25), 2 ** 60]
    got = _check.floats(x, 6, "x")
    assert got.tolist() == [float(v) for v in x]
    assert _check.floats(tuple(x), 6, "x").tolist() == got.tolist()


# ---------------------------------------------------------------- arrays
@pytest.mark.parametrize("x, fragments", [
    ([[True, 0.5]], ["bool"]), ([[0.5], [False]], ["bool"]), ([np.array([True, False])], ["bool"]),
    ([["0.5"]], ["str"]), (np.array([["0.5"]]), ["<U3"]), ([[1j]], ["complex"]),
    ([[None, 1.0]], ["NoneType"]),
    ([[0.5], [0.5, 0.5]], ["unequal"]), ({"a": 1}, ["dict"])])
def test_array_takes_numbers_only(x, fragments):
    with raises(TypeError, "weights", "array of numbers", *fragments):
        _check.array(x, "weights")


def test_array_with_a_huge_int_is_a_value_error():
    with raises(ValueError, "weights", "too large"):
        _check.array([[HUGE, 0.5]], "weights")
    assert _check.array([[2, 0.5]], "w").tolist() == [[2.0, 0.5]]


# ---------------------------------------------------------------- the library, pinned
@pytest.mark.parametrize("size, exc", [(-1, ValueError), (2.5, ValueError), (HUGE, ValueError),
                                       ("3", TypeError), (None, TypeError), (True, TypeError)])
def test_layer_size(size, exc):
    with raises(exc, "Layer size"):
        Layer(size)


def test_layer_size_may_be_a_whole_float_and_label_a_str():
    assert Layer(3.0).size == 3
    assert Layer(2, "hidden").label == "hidden"
    with raises(TypeError, "label", "str", "int"):
        Layer(2, 5)


@pytest.mark.parametrize("size, exc", [("3", TypeError), (True, TypeError), (None, TypeError),
                                       (0, ValueError), (-2, ValueError), (2.5, ValueError)])
def test_hopfield_size(size, exc):
    with raises(exc, "Hopfield size"):
        Hopfield(size)


def test_hopfield_max_sweeps():
    net = Hopfield(4)
    with raises(TypeError, "max_sweeps", "str"):
        net.feed([1, 0, 1, 0], max_sweeps="9")
    with raises(ValueError, "max_sweeps", "positive"):
        net.feed([1, 0, 1, 0], max_sweeps=0)


@pytest.mark.parametrize("args, exc", [(("2", 3, 1), TypeError), ((2, True, 1), TypeError),
                                       ((2, 0, 1), ValueError), ((2, 1.5, 1), ValueError),
                                       ((2,), ValueError)])
def test_builder_sizes(args, exc):
    with raises(exc, "Perceptron"):
        Perceptron(*args)
    if len(args) == 3:
        with raises(exc, "LSTM"):
            LSTM(*args)


def test_lstm_peepholes_names_the_allowed_values():
    for bad in ("x", 3, "ALL_TO_ALL"):
        with raises(ValueError, "LSTM peepholes", "ConnectionType.ALL_TO_ALL",
                    "ConnectionType.ONE_TO_ONE", "None", repr(bad)):
            LSTM(2, 2, 1, peepholes=bad)
    assert LSTM(2, 2, 1, peepholes="ONE TO ONE").neurons()
    assert LSTM(2, 2, 1, peepholes=None).neurons()
    with raises(TypeError, "hidden_to_hidden", "True or False"):
        LSTM(2, 2, 1, hidden_to_hidden=1)


def test_liquid_counts():
    synapse.seed(0)
    assert Liquid(2, 4.0, 1, connections=6.0, gates=2).layers.hidden[0].size == 4
    with raises(TypeError, "Liquid gates", "str"):
        Liquid(2, 4, 1, 6, "2")


def _layer_state(*layers):
    return [[(c.ID, c.weight) for n in layer.list for c in n.connections.projected]
            for layer in layers]


@pytest.mark.parametrize("type_", [ConnectionType.ALL_TO_ALL, ConnectionType.ONE_TO_ONE])
@pytest.mark.parametrize("row, error, fragment", [
    (["0.5", "0.5"], TypeError, "str"),
    ([True, False], TypeError, "bool"),
    ([1j, 0.5], TypeError, "complex"),
    ([None, 0.5], TypeError, "NoneType"),
    ([HUGE, 0.5], ValueError, "too large"),
    ([math.nan, 0.5], ValueError, "finite"),
])
def test_layer_project_weights_are_checked_alike_for_every_type(type_, row, error, fragment):
    """ALL_TO_ALL took [["0.5"]], [[True]] and complex weights while ONE_TO_ONE
    refused them: both refuse them now, with the same exception type, from a
    list or from an array of Python objects."""
    src, dst = Layer(2), Layer(2)
    weights = row if type_ is ConnectionType.ONE_TO_ONE else [row, [0.5, 0.5]]
    before = _layer_state(src, dst)
    with raises(error, "weights", fragment):
        src.project(dst, type_, weights=weights)
    with raises(error, "weights", fragment):
        src.project(dst, type_, weights=np.array(weights, dtype=object))
    assert _layer_state(src, dst) == before
    assert src.connected(dst) is None


def test_layer_project_weights_accept_numbers_of_any_kind():
    src, dst = Layer(2), Layer(2)
    lc = src.project(dst, weights=[[1, np.float32(0.5)], [Fraction(1, 4), np.int64(-2)]])
    assert sorted(c.weight for c in lc.list) == [-2.0, 0.25, 0.5, 1.0]
    lc = Layer(2).project(Layer(2), ConnectionType.ONE_TO_ONE, weights=(1, np.float32(0.5)))
    assert [c.weight for c in lc.list] == [1.0, 0.5]


def test_huge_integers_are_value_errors_everywhere():
    synapse.seed(1)
    net = Perceptron(2, 2, 1)
    before = net.to_json()
    with raises(ValueError, "inputs", "too large"):
        net.activate([HUGE, 0])
    net.activate([0.5, 0.5])
    with raises(ValueError, "target", "too large"):
        net.propagate(0.1, [HUGE])
    with raises(ValueError, "rate"):
        net.propagate(HUGE, [0.5])
    with raises(ValueError, "bias"):
        Neuron(bias=HUGE)
    n = Neuron()
    with raises(ValueError, "weight"):
        n.project(Neuron(), HUGE)
    with raises(ValueError, "input"):
        n.activate(-HUGE)
    with raises(ValueError, "weights"):
        Layer(1).project(Layer(1), weights=HUGE)
    with raises(ValueError, "bias"):
        Layer(1).set(bias=HUGE)
    assert net.to_json()["connections"] == before["connections"]


@pytest.mark.parametrize("options, fragments", [
    (dict(rate=HUGE), ["rate"]), (dict(rate=[0.1, HUGE]), ["rate"]), (dict(error=HUGE), ["error"]),
    (dict(iterations=HUGE), ["iterations"]), (dict(log=HUGE), ["log"]),
    (dict(schedule={"every": HUGE, "do": print}), ["every"]),
    (dict(cross_validate={"test_size": HUGE}), ["test_size"]),
    (dict(cross_validate={"test_size": 0.5, "test_error": HUGE}), ["test_error"]),
    (dict(training_set=[{"input": [HUGE, 0], "output": [1]}]), ["row 0 input", "too large"]),
    (dict(training_set=[([0, 0], [HUGE])]), ["row 0 output", "too large"]),
    (dict(training_set=([[HUGE, 0]], [[1]])), ["inputs", "too large"]),
    (dict(training_set=([[0, 0]], [HUGE])), ["outputs", "too large"]),
])
def test_huge_integers_in_trainer_rows_and_options(options, fragments):
    synapse.seed(0)
    net = Perceptron(2, 2, 1)
    before = net.to_json()
    options = dict(options)
    data = options.pop("training_set", [([0, 0], [0]), ([1, 1], [1])])
    with raises(ValueError, *fragments):
        Trainer(net).train(data, **options)
    assert net.to_json() == before


def test_huge_integers_in_the_trainer_and_tasks():
    synapse.seed(0)
    with raises(ValueError, "iterations"):
        Trainer(Perceptron(2, 2, 1), iterations=HUGE)
    with raises(ValueError, "rate"):
        Trainer(Perceptron(2, 2, 1), rate=HUGE)
    dsr = dict(targets=[2, 4], distractors=[3, 5], prompts=[0, 1])
    trainer = Trainer(LSTM(6, 2, 2))
    for bad, name in ((dict(length=HUGE), "length"), (dict(success=HUGE), "success"),
                      (dict(rate=HUGE), "rate"), (dict(iterations=HUGE), "iterations")):
        with raises(ValueError, name):
            trainer.dsr(**dsr, **bad)
    with raises(ValueError, "train_samples"):
        Trainer(LSTM(2, 2, 1)).timing_task(train_samples=HUGE)
    with raises(ValueError, "samples"):
        tasks.timing_samples(HUGE)
    with raises(ValueError, "DSR symbols must be 0..5", "5001 digits"):
        tasks.dsr_symbols([2, 10 ** 5000], [3, 5], [0, 1])
    with raises(ValueError, "each of the DSR targets", "non-negative"):
        tasks.dsr_symbols([2, -4], [3, 5], [0, 1])


# ---------------------------------------------------------------- Layer.set({...})
def test_layer_set_takes_synaptic_dict():
    layer = Layer(3)
    assert layer.set({"squash": squash.TANH, "bias": 0, "label": "cell",
                      "learn_bias": False}) is layer
    assert [n.squash for n in layer.list] == [squash.TANH] * 3
    assert [n.bias for n in layer.list] == [0.0] * 3
    assert [n.label for n in layer.list] == [f"cell_{n.ID}" for n in layer.list]
    assert [n.learn_bias for n in layer.list] == [False] * 3


@pytest.mark.parametrize("call, exc, fragments", [
    (lambda layer: layer.set({"squash": squash.TANH, "bais": 0}), ValueError,
     ["unknown keys", "bais", "learn_bias"]),
    (lambda layer: layer.set({"squash": "TANH"}), TypeError, ["squash", "callable", "str"]),
    (lambda layer: layer.set({"bias": "0"}), TypeError, ["bias", "str"]),
    (lambda layer: layer.set({"learn_bias": 1}), TypeError, ["learn_bias", "True or False"]),
    (lambda layer: layer.set({"bias": 0}, squash=squash.TANH), TypeError, ["dict", "keywords"]),
    (lambda layer: layer.set(label=3), TypeError, ["label", "str", "int"]),
    (lambda layer: layer.set({"label": ["a"]}), TypeError, ["label", "list"]),
])
def test_layer_set_refuses_and_changes_nothing(call, exc, fragments):
    layer = Layer(2)
    before = [(n.squash, n.bias, n.label, n.learn_bias) for n in layer.list]
    with raises(exc, *fragments):
        call(layer)
    assert [(n.squash, n.bias, n.label, n.learn_bias) for n in layer.list] == before


def test_gate_type_message_lists_the_members():
    src, dst, gater = Layer(2), Layer(2), Layer(2)
    lc = src.project(dst)
    with raises(ValueError, "gate type", "GateType.INPUT", "GateType.ONE_TO_ONE", "'sideways'"):
        gater.gate(lc, "sideways")
    gater.gate(lc, "INPUT")
    assert lc.gatedfrom == [(gater, GateType.INPUT)]


def test_reber_grammar_and_fraction_right_options():
    with raises(ValueError, "pairing", "'standard'", "'crosswise'"):
        tasks.ReberGrammar("crossed")
    with raises(TypeError, "units", "str"):
        tasks.ReberGrammar(units="6")
    with raises(ValueError, "6 or 7"):
        tasks.ReberGrammar(units=8)
    assert tasks.ReberGrammar(units=7.0).units == 7
    net = Perceptron(1, 1, 1)
    make = lambda: (np.zeros((2, 1)), np.zeros((2, 1)))  # noqa: E731
    with raises(ValueError, "n", "positive"):
        tasks.fraction_right(net, make, 0)
    with raises(TypeError, "make", "callable"):
        tasks.fraction_right(net, None, 3)
    with raises(TypeError, "clear", "True or False"):
        tasks.fraction_right(net, make, 3, clear="no")
