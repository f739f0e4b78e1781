"""Numbers at the edges: LOGISTIC far out on both sides gives the same number on
every path (docs/design.md, "Numbers at the edges"), and an integer too large
for a float is a ValueError naming the argument wherever a number comes in."""
from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import ENGINES, use_engine

import synapse
from architect import LSTM, Perceptron
from synapse import ConnectionType, Layer, Network, Neuron, Trainer, squash

HUGE = 10 ** 400  # an int no float can hold

# ---------------------------------------------------------------- LOGISTIC far out
FMAX = float(np.finfo(float).max)
#: states from -800 to 800 (every 4), and the places where exp(s) leaves the normal
#: floats (-708.4), reaches the last subnormal (-744.4) and rounds to 0 (-745.14)
STATES = np.r_[np.arange(-800.0, 801.0, 4.0), -746.0, -745.14, -745.13, -744.4, -708.4, -36.7,
               -1e-300, 0.0, 1e-300, 36.7, 37.5, 709.8, -FMAX, FMAX]


def logistic_then_hlim(n: int) -> Network:
    """Input i -> hidden LOGISTIC unit i -> output HLIM unit i, weights 1, biases 0:
    hidden unit i's state is input i; output i is 1 exactly when LOGISTIC(input i) > 0."""
    i, h, o = Layer(n), Layer(n), Layer(n)
    h.set(squash=squash.LOGISTIC, bias=0)
    o.set(squash=squash.HLIM, bias=0)
    i.project(h, ConnectionType.ONE_TO_ONE, weights=np.ones(n))
    h.project(o, ConnectionType.ONE_TO_ONE, weights=np.ones(n))
    return Network(input=i, hidden=[h], output=o)


def hidden_numbers(net):
    layer = net.layers.hidden[0].list
    return (np.array([n.activation for n in layer]), np.array([n.derivative for n in layer]))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("call", ["activate", "run"])
def test_logistic_far_out_is_the_same_number_on_every_path(engine, call):
    """The numpy engine clamped states at -700: LOGISTIC(-800) came out 9.9e-305
    where every other path gave 0, so an HLIM unit downstream said 1, not 0."""
    net = use_engine(logistic_then_hlim(len(STATES)), engine)
    out = net.activate(STATES) if call == "activate" else net.run(STATES[None, :])[0]
    y, d = hidden_numbers(net)
    expected_y, expected_d = squash.LOGISTIC(STATES), squash.LOGISTIC(STATES, True)
    if engine == "jit":  # numba's exp is the C library's, numpy's its own: 1 ulp apart at most
        np.testing.assert_array_max_ulp(y, expected_y, maxulp=1)
        np.testing.assert_array_max_ulp(d, expected_d, maxulp=2)
        np.testing.assert_array_equal(y == 0, expected_y == 0)
    else:
        np.testing.assert_array_equal(y, expected_y)
        np.testing.assert_array_equal(d, expected_d)
    # downstream of a threshold: every path, the same 0s and 1s
    np.testing.assert_array_equal(out, (expected_y > 0).astype(float))
    at = {float(s): k for k, s in enumerate(STATES)}
    assert out[at[-800.0]] == 0.0 and out[at[-746.0]] == 0.0 and out[at[-745.14]] == 0.0
    assert out[at[-745.13]] == 1.0 and out[at[-700.0]] == 1.0  # 5e-324 and 9.9e-305 are > 0
    assert y[at[-800.0]] == 0.0 and y[at[-FMAX]] == 0.0 and y[at[FMAX]] == 1.0
    assert y[at[-700.0]] == pytest.approx(9.859676543759770e-305, rel=1e-15)


def test_logistic_far_out_in_the_standalone_function_and_the_objects():
    net = logistic_then_hlim(len(STATES))
    f = net.standalone()
    expected = (squash.LOGISTIC(STATES) > 0).astype(float)
    np.testing.assert_array_equal(f(STATES), expected)
    # one neuron outside any network, and the squash called on scalars
    src = Neuron()
    n = Neuron(squash=squash.LOGISTIC, bias=0)
    src.project(n, 1.0)
    for s in (-800.0, -745.14, -745.13, -700.0, 0.0, 800.0):
        src.activate(s)
        assert n.activate() == float(squash.LOGISTIC(s)) == float(squash.LOGISTIC(np.array([s]))[0])
    assert squash.LOGISTIC(-800.0) == 0.0 and squash.LOGISTIC(-FMAX, True) == 0.0


# ---------------------------------------------------------------- integers too large
def raises(exc, *fragments):
    pattern = "".join(f"(?=.*{re.escape(f)})" for f in fragments)
    return pytest.raises(exc, match=re.compile(pattern, re.IGNORECASE | re.DOTALL))


def _net():
    synapse.seed(3)
    net = Perceptron(2, 2, 1)
    net.activate([0.25, -0.5])
    return net


def _first_connection(net):
    return net.layers.output.list[0].connections.inputs[0]


def _layer_ready(layer):
    layer.activate([0.5, 0.5])
    return layer


ROWS = [([0, 0], [0]), ([1, 1], [1])]

#: (what is called, the argument the message must name): each call gets HUGE somewhere
NETWORK_CALLS = [
    (lambda net: net.run([[HUGE, 0]]), "inputs"),
    (lambda net: net.run(np.array([[HUGE, 0]], dtype=object)), "inputs"),
    (lambda net: net.run([[0, 0]], [[HUGE]], rate=0.1), "targets"),
    (lambda net: net.run([[0, 0]], [[1]], rate=HUGE), "rate"),
    (lambda net: net.run([[0, 0], [1, 1]], [[1], [0]], rate=[0.1, HUGE]), "rate"),
    (lambda net: net([HUGE, 0]), "inputs"),
    (lambda net: net.activate(np.array([0, HUGE], dtype=object)), "inputs"),
    (lambda net: net.activate((0.5, -HUGE)), "inputs"),
    (lambda net: net.propagate(0.1, np.array([HUGE], dtype=object)), "target"),
    (lambda net: net.backward([HUGE]), "target"),
    (lambda net: setattr(_first_connection(net), "weight", HUGE), "weight"),
    (lambda net: setattr(net.layers.output.list[0], "bias", -HUGE), "bias"),
    (lambda net: net.layers.output.list[0].propagate(HUGE, 0.5), "rate"),
    (lambda net: net.layers.output.list[0].propagate(0.1, HUGE), "target"),
    (lambda net: net.layers.output.set({"bias": HUGE}), "bias"),
    (lambda net: Trainer(net).test([([HUGE, 0], [1])]), "test set row 0 input"),
    (lambda net: Trainer(net).train((np.array([[HUGE, 0]], dtype=object), [[1]]),
                                    iterations=1), "inputs"),
    (lambda net: Trainer(net).train([([0, 0], HUGE)], iterations=1), "row 0 output"),
    (lambda net: Trainer(net).train(ROWS, iterations=1, rate=np.array([HUGE], dtype=object)),
     "rate"),
    (lambda net: Trainer(net).xor(rate=HUGE, iterations=1), "rate"),
    (lambda net: Trainer(net).xor(iterations=1, error=HUGE), "error"),
    (lambda net: Trainer(net, rate=(0.1, HUGE)), "rate"),
]


@pytest.mark.parametrize("call, name", NETWORK_CALLS)
def test_an_int_too_large_for_a_float_is_a_value_error_naming_the_argument(call, name):
    """Network.run converted with np.asarray and raised OverflowError; each of
    these is a ValueError that names the argument, and changes nothing."""
    net = _net()
    before = net.to_json()
    with raises(ValueError, name, "too large"):
        call(net)
    assert net.to_json() == before


@pytest.mark.parametrize("call, name", [
    (lambda: Layer(2).activate([HUGE, 0]), "inputs"),
    (lambda: _layer_ready(Layer(2)).propagate(HUGE, [0, 0]), "rate"),
    (lambda: _layer_ready(Layer(2)).propagate(0.1, [0, HUGE]), "target"),
    (lambda: Layer(2).project(Layer(2), ConnectionType.ONE_TO_ONE,
                              weights=np.array([HUGE, 0], dtype=object)), "weights"),
    (lambda: (lambda a: a.project(a, ConnectionType.ALL_TO_ELSE,
                                  weights=[[0, HUGE], [0.5, 0]]))(Layer(2)), "weights"),
    (lambda: Neuron(bias=-HUGE), "bias"),
    (lambda: Neuron().project(Neuron(), -HUGE), "weight"),
    (lambda: Trainer(LSTM(7, 3, 7)).erg(iterations=1, rate=HUGE), "rate"),
    (lambda: Trainer(LSTM(2, 2, 1)).timing_task(iterations=1, train_samples=10,
                                                rate=(HUGE, 0.1)), "rate"),
])
def test_an_int_too_large_for_a_float_in_layers_neurons_and_tasks(call, name):
    with raises(ValueError, name):
        call()


def test_run_checks_like_activate():
    """Network.run takes the same numbers as activate and refuses the same things."""
    net = _net()
    before = net.to_json()
    with raises(TypeError, "inputs", "bool"):
        net.run([[True, 0.5]])
    with raises(TypeError, "targets", "str"):
        net.run([[0, 0]], [["1"]])
    with raises(ValueError, "rate", "2 numbers", "(3,)"):
        net.run([[0, 0], [1, 1]], [[1], [0]], rate=[0.1, 0.2, 0.3])
    with raises(ValueError, "inputs", "shape (T, 2)"):
        net.run([0.5, 0.5])
    assert net.to_json() == before
    twin = net.clone()
    out = net.run([[1, 0], [0, 1]], [[1], [0]], rate=[0.1, 0.2])
    expected = []
    for x, t, r in (([1, 0], [1], 0.1), ([0, 1], [0], 0.2)):
        expected.append(twin.activate(x))
        twin.propagate(r, t)
    np.testing.assert_allclose(out, np.array(expected), rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.parameters(), twin.parameters(), rtol=0, atol=1e-12)
