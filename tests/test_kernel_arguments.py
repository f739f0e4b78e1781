"""Read-only arrays (a broadcast view, an array its owner froze) reach the JIT's
kernels as writable copies: numba would compile, or load from its cache, a
second copy of the kernel for them, in the middle of training."""
import numpy as np
import pytest
from conftest import ENGINES

import synapse
from architect import LSTM, Perceptron
from synapse import Trainer

pytestmark = pytest.mark.skipif("jit" not in ENGINES, reason="needs numba")
XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]


def signatures(name: str) -> int:
    from synapse.engine import kernels
    return len(getattr(kernels, name).signatures)


def test_read_only_inputs_use_the_kernels_already_compiled():
    synapse.seed(1)
    net = LSTM(2, 2, 1)
    x, t = np.array([0.5, 1.0]), np.array([1.0])
    net.activate(x)
    net.propagate(0.1, t)
    net.run(np.ones((3, 2)), np.ones((3, 1)), rate=0.1)
    before = {k: signatures(k) for k in ("_activate", "_propagate", "_run")}
    expected = net.clone()
    x.flags.writeable = t.flags.writeable = False
    for n in (net, expected):
        n.activate(x if n is net else x.copy())
        n.propagate(0.1, t if n is net else t.copy())
        n.run(np.ones((1, 2)), np.ones((1, 1)), rate=0.1)   # one step: a broadcast rate
    assert {k: signatures(k) for k in before} == before
    assert np.array_equal(net.parameters(), expected.parameters())
    assert x.tolist() == [0.5, 1.0] and t.tolist() == [1.0]   # the caller's arrays untouched


def test_unshuffled_training_compiles_one_training_kernel():
    """The first chunk of unshuffled passes is one pass: its orders a broadcast view."""
    synapse.seed(1)
    Trainer(Perceptron(2, 3, 1)).train(XOR, iterations=3, rate=0.2, error=0, shuffle=True)
    Trainer(Perceptron(2, 3, 1)).train(XOR, iterations=3, rate=0.2, error=0, shuffle=True,
                                       optimizer="adam", batch_size=2)
    before = signatures("_train"), signatures("_fit")
    result = Trainer(Perceptron(2, 3, 1)).train(XOR, iterations=3, rate=0.2, error=0)
    Trainer(Perceptron(2, 3, 1)).train(XOR, iterations=3, rate=0.2, error=0, optimizer="adam",
                                       batch_size=2)
    assert (signatures("_train"), signatures("_fit")) == before
    assert result["iterations"] == 3
