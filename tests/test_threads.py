"""Threads (docs/design.md, "Threads"): a network compiles once, whichever thread
steps it first; separate networks step in separate threads with the same
numbers as one after the other, on every path (the JIT's kernels and numpy's
array operations run without the GIL, so these threads really overlap)."""
from __future__ import annotations

import sys
import threading

import numpy as np
import pytest
from conftest import ENGINES, drive, use_engine

import synapse
from architect import LSTM, Perceptron
from synapse import Network, Trainer


@pytest.fixture
def fast_switching():
    """Python switches threads every microsecond: races show up at once."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def in_threads(work, n: int) -> list:
    """Run work(i) for i < n in n threads that start together; their results,
    or the first exception any of them raised."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as e:  # re-raised below, in the test's thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


PROBE = [[0.3, -0.7], [1.0, 0.2], [-0.5, 0.9], [0.0, 0.0]]


def outputs_after_clear(net) -> np.ndarray:
    net.clear()
    return np.array([net.activate(x) for x in PROBE])


@pytest.mark.parametrize("engine", ENGINES)
def test_first_steps_from_many_threads_build_one_network(engine, fast_switching):
    """Four threads made a fresh network's first activate and propagate at
    once: each could compile its own arrays, and the engine then learnt into
    arrays that to_json, save and clone never saw (61 of 66 trials). Now one
    compile serves them all: what the network learnt is what its JSON, its
    clone and its next steps see."""
    for trial in range(12):
        synapse.seed(trial)
        net = LSTM(2, 3, 1)
        if engine != "jit":  # set_optimize(True, "jit") compiles at once (to check numba can)
            use_engine(net, engine)  # the default picks the JIT, compiling at the first step
        before = net.to_json()

        def first_steps(i, net=net):
            net.activate(PROBE[i])
            net.propagate(0.5, [1.0])

        in_threads(first_steps, 4)
        layout = net._compiled()
        assert {id(n._units) for n, _ in net.neurons()} == {id(layout.units)}
        assert net._path().layout is layout and net._path().name == engine
        saved = net.to_json()
        assert [c["weight"] for c in saved["connections"]] != \
            [c["weight"] for c in before["connections"]]  # the learning is in the JSON
        twin = use_engine(Network.from_json(saved), engine)
        copy = net.clone()
        expected = outputs_after_clear(net)
        # (loaded, a unit may sum its inputs in another order: the last bit may differ)
        np.testing.assert_allclose(outputs_after_clear(twin), expected, rtol=0, atol=1e-14)
        np.testing.assert_array_equal(outputs_after_clear(copy), expected)
        np.testing.assert_array_equal(outputs_after_clear(net), expected)  # a later activate


@pytest.mark.parametrize("engine", ENGINES)
def test_separate_networks_in_threads_give_the_serial_numbers(engine, fast_switching):
    """Clones share nothing: four of them trained in four threads at once end
    exactly where four trained one after the other end (outputs, weights,
    traces), for step-by-step calls, whole sequences (Network.run) and a
    Trainer's passes."""
    synapse.seed(7)
    base = use_engine(LSTM(3, 4, 2), engine)
    drive(base, 5)

    def work(i, net_of):
        net = net_of(i)
        out = drive(net, 15, seed=i, rate=0.2)
        g = np.random.default_rng(100 + i)
        seq = net.run(g.uniform(-1, 1, (20, 3)), g.uniform(0, 1, (20, 2)), rate=0.1)
        rows = (g.uniform(-1, 1, (8, 3)), g.uniform(0, 1, (8, 2)))
        error = Trainer(net).train(rows, iterations=4, rate=0.1, error=0)["error"]
        return out, seq, error, net.to_json(), net._compiled().S.copy()

    threaded = [base.clone() for _ in range(4)]
    serial = [base.clone() for _ in range(4)]
    got = in_threads(lambda i: work(i, threaded.__getitem__), 4)
    for i in range(4):
        want = work(i, serial.__getitem__)
        np.testing.assert_array_equal(got[i][0], want[0])
        np.testing.assert_array_equal(got[i][1], want[1])
        assert got[i][2] == want[2] and got[i][3] == want[3]
        np.testing.assert_array_equal(got[i][4], want[4])
    assert got[0][3] != got[1][3]  # different data: the threads did different work


def test_networks_built_and_stepped_in_threads_at_once():
    """Building, compiling and stepping different new networks concurrently
    (each from its own JSON) gives each the numbers it gets alone."""
    synapse.seed(11)
    sources = [Perceptron(2, 3, 1).to_json(), LSTM(2, 2, 1).to_json(),
               Perceptron(2, 5, 2, 1).to_json()]

    def work(i):
        net = Network.from_json(sources[i % 3])
        return drive(net, 20, seed=i)

    got = in_threads(work, 6)
    for i in range(6):
        np.testing.assert_array_equal(got[i], work(i))
