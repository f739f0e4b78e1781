"""A training run as a user lives it: the error history, Ctrl-C, divergence and the
progress bar (Trainer.train and the sequence tasks)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest
from conftest import ENGINES, use_engine

import synapse
from architect import LSTM, Perceptron
from synapse import DivergenceError, Trainer, squash
from synapse._training import CHUNK_SECONDS, next_chunk, parameter_name

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]
SMALL_DSR = dict(targets=[2, 4], distractors=[3, 5], prompts=[0, 1], length=9)


def xor_net(seed: int = 3, engine: str | None = None, linear: bool = False):
    synapse.seed(seed)
    net = Perceptron(2, 4, 1)
    if linear:
        net.layers.output.set(squash=squash.IDENTITY)
    return net if engine is None else use_engine(net, engine)


def stop_at(n: int):
    """A schedule that raises KeyboardInterrupt (as a Ctrl-C would) at iteration n."""
    def do(info):
        if info["iterations"] == n:
            raise KeyboardInterrupt
    return {"every": 1, "do": do}


# ---------------------------------------------------------------- history
@pytest.mark.parametrize("engine", ENGINES)
def test_history_is_the_error_of_every_pass_on_every_path(engine):
    """The JIT cuts the passes into timed chunks; the history is the same, pass by
    pass, as one-pass calls on the neuron objects give: the mean cost of each
    pass's outputs (each before its row's step)."""
    net = xor_net(engine=engine)
    result = Trainer(net).train(XOR, iterations=300, error=0, shuffle=True, rate=0.3)
    reference = xor_net(engine="objects")
    errors = [Trainer(reference).train(XOR, iterations=1, error=0, shuffle=True,
                                       rate=0.3)["error"] for _ in range(300)]
    assert result["iterations"] == 300 == len(result["history"])
    np.testing.assert_allclose(result["history"], errors, rtol=1e-9, atol=1e-15)
    assert result["error"] == result["history"][-1]


def test_chunks_grow_to_a_fifth_of_a_second():
    assert CHUNK_SECONDS == 0.2
    n, sizes = 1, []
    for _ in range(8):  # passes of 1 us: the chunk grows by 8 until it is 0.2 s long
        sizes.append(n)
        n = next_chunk(n, n, n * 1e-6)
    assert sizes == [1, 8, 64, 512, 4096, 32768, 200000, 200000]
    assert next_chunk(100, 3, 0.3) == 2      # an early stop: its passes' time decides
    assert next_chunk(5, 5, 10.0) == 1       # a pass longer than a chunk: one at a time


# ---------------------------------------------------------------- Ctrl-C
@pytest.mark.parametrize("engine", ENGINES)
def test_an_interrupt_leaves_the_last_whole_pass(engine, capsys):
    """A KeyboardInterrupt (here raised from the schedule in pass 57) stops
    training cleanly: the result so far, marked, and the network exactly as
    after pass 56, the last one the loop counted."""
    net = xor_net(engine=engine)
    result = Trainer(net).train(XOR, iterations=1000, error=0, shuffle=True, rate=0.3,
                                schedule=stop_at(57))
    assert result["interrupted"] is True
    assert result["iterations"] == 56 == len(result["history"])
    line = capsys.readouterr().err.strip().splitlines()
    assert len(line) == 1 and "interrupted" in line[0] and "iteration 56" in line[0]
    again = xor_net(engine=engine)
    Trainer(again).train(XOR, iterations=56, error=0, shuffle=True, rate=0.3)
    assert np.array_equal(net.parameters(), again.parameters())
    assert np.array_equal(net._compiled().S, again._compiled().S)
    assert result["error"] == result["history"][-1]


def test_sequence_tasks_stop_cleanly_too(capsys):
    synapse.seed(4)
    net = LSTM(6, 2, 2)
    result = Trainer(net).dsr(iterations=100, schedule=stop_at(7), **SMALL_DSR)
    assert result["interrupted"] is True and result["iterations"] == 6
    assert "trial 6" in capsys.readouterr().err
    synapse.seed(4)
    again = LSTM(6, 2, 2)
    Trainer(again).dsr(iterations=6, **SMALL_DSR)
    assert np.array_equal(net.parameters(), again.parameters())

    synapse.seed(4)
    net = LSTM(6, 2, 6)
    result = Trainer(net).erg(iterations=100, log=0, schedule=stop_at(5))
    assert result["interrupted"] is True and result["iterations"] == 4
    assert len(result["history"]) == 4 and "string 4" in capsys.readouterr().err
    synapse.seed(4)
    again = LSTM(6, 2, 6)
    Trainer(again).erg(iterations=4, log=0)
    assert np.array_equal(net.parameters(), again.parameters())


CHILD = textwrap.dedent("""
    import json, sys
    import numpy as np
    import synapse
    from synapse import Trainer
    from architect import Perceptron

    XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]

    def fresh():
        synapse.seed(3)
        return Perceptron(2, 4, 1)

    Trainer(fresh()).train(XOR, iterations=2, shuffle=True)   # compiled before the signal
    net = fresh()
    print("ready", flush=True)
    result = Trainer(net).train(XOR, iterations=10**9, error=0, rate=0.05, shuffle=True)
    print("returned", flush=True)
    again = fresh()   # the same passes, uninterrupted
    Trainer(again).train(XOR, iterations=result["iterations"], error=0, rate=0.05,
                         shuffle=True)
    print(json.dumps({
        "iterations": result["iterations"], "interrupted": result.get("interrupted"),
        "history": len(result["history"]),
        "parameters": bool(np.array_equal(net.parameters(), again.parameters())),
        "state": bool(np.array_equal(net._compiled().S, again._compiled().S))}), flush=True)
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_stops_a_long_run_within_a_second():
    """A real SIGINT to a process training for a billion passes (on the JIT when
    numba is there: compiled calls of ~0.2 s): train returns within a second,
    marked interrupted, with the parameters and state of a whole number of passes."""
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=ROOT,
                             env=dict(os.environ, PYTHONPATH=ROOT))
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.6)  # long enough for the chunks to reach their full length
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        returned = child.stdout.readline().strip()
        latency = time.monotonic() - sent
        out, err = child.communicate(timeout=120)
    finally:
        child.kill()
    assert returned == "returned", err
    assert latency < 1.0 + 0.5  # the goal is 1 s; slack for a loaded machine
    report = json.loads(out)
    assert report["interrupted"] is True and report["iterations"] > 0
    assert report["history"] == report["iterations"]
    assert report["parameters"] and report["state"]
    assert f"interrupted (Ctrl-C) at iteration {report['iterations']} " in err


# ---------------------------------------------------------------- divergence
def passes_by_hand(net, rate: float, passes: int):
    """XOR passes as train(shuffle=True) makes them, by net.run: the parameters
    and state after each pass (independent of the Trainer's checks)."""
    X, Y = np.array([x for x, _ in XOR], float), np.array([y for _, y in XOR], float)
    g = synapse.rng.generator()
    after = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for _ in range(passes):
            order = np.argsort(g.random(len(X)))
            net.run(X[order], Y[order], rate=rate)
            after.append((net.parameters().copy(), net._compiled().S.copy()))
    return after


@pytest.mark.parametrize("engine", ENGINES)
def test_a_diverging_rate_raises_and_keeps_the_last_finite_parameters(engine):
    """rate=1e6 on XOR with a linear output: the weights blow up to nan within a
    few passes (while the error stays finite). train raises DivergenceError
    naming the pass and the parameter; the network is left as after the pass
    before, every number finite."""
    by_hand = passes_by_hand(xor_net(engine=engine, linear=True), 1e6, 20)
    bad = next(k for k, (p, _) in enumerate(by_hand) if not np.isfinite(p).all())
    first = int(np.flatnonzero(~np.isfinite(by_hand[bad][0]))[0])
    assert bad >= 2  # a few passes of finite numbers first

    net = xor_net(engine=engine, linear=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the numpy engine's overflow
        with pytest.raises(DivergenceError) as caught:
            Trainer(net).train(XOR, iterations=1000, rate=1e6, shuffle=True)
    e = caught.value
    assert isinstance(e, ValueError)
    assert (e.iteration, e.parameter) == (bad + 1, first)
    assert f"iteration {bad + 1}: parameter {first} became nan" in str(e)
    assert f"parameters()[{first}] is the " in str(e)
    assert np.isfinite(net.parameters()).all() and np.isfinite(net._compiled().S).all()
    assert np.array_equal(net.parameters(), by_hand[bad - 1][0])
    assert np.array_equal(net._compiled().S, by_hand[bad - 1][1])


def test_divergence_names_the_parameter_as_a_reader_finds_it():
    net = xor_net(linear=True)
    net.set_optimize(False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(DivergenceError) as caught:
            Trainer(net).train(XOR, iterations=1000, rate=1e6, shuffle=True)
    # parameters(): the 8 + 4 weights in connection order (input -> hidden, then
    # hidden -> output), then the 4 + 1 biases in unit order
    p = caught.value.parameter
    names = ([f"the weight from neuron {i} of input to neuron {h} of hidden[0]"
              for h in range(4) for i in range(2)]
             + [f"the weight from neuron {h} of hidden[0] to neuron 0 of output"
                for h in range(4)]
             + [f"the bias of neuron {h} of hidden[0]" for h in range(4)]
             + ["the bias of neuron 0 of output"])
    assert [parameter_name(net, q) for q in range(len(net.parameters()))] == names
    assert f"parameters()[{p}] is {names[p]};" in str(caught.value)


def test_divergence_deep_in_a_compiled_chunk_names_its_pass():
    """The rate turns to 1e6 at pass 1501 of 2000. The JIT runs that pass inside
    a chunk of over a thousand passes (its chunks grow 1, 8, 64, 512, 4096...)
    and finds the pass that diverged by running the chunk again in halves; the
    numpy engine, one pass per call, checks each. Both name the same pass and
    parameter and leave the same numbers."""
    seen = []
    for engine in [e for e in ENGINES if e != "objects"]:
        net = xor_net(engine=engine, linear=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            with pytest.raises(DivergenceError) as caught:
                Trainer(net).train(XOR, iterations=2000, error=0, rate=[0.01] * 3 + [1e6],
                                   shuffle=True)
        seen.append((caught.value.iteration, caught.value.parameter, net.parameters().copy()))
        assert 1501 <= caught.value.iteration <= 1510
        assert np.isfinite(net.parameters()).all()
    for iteration, parameter, values in seen[1:]:
        assert (iteration, parameter) == seen[0][:2]
        np.testing.assert_allclose(values, seen[0][2], rtol=1e-9)


def test_sequence_tasks_raise_on_divergence():
    synapse.seed(0)
    net = LSTM(6, 2, 2)
    net.layers.output.set(squash=squash.IDENTITY)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(DivergenceError, match=r"an iteration is a trial") as caught:
            Trainer(net).dsr(iterations=100, rate=1e6, learn="always", **SMALL_DSR)
    assert caught.value.iteration >= 1
    assert np.isfinite(net.parameters()).all()


def test_divergence_error_pickles_with_its_attributes():
    import pickle

    error = DivergenceError(3, 5, value=float("inf"), detail="the weight from a to b")
    e = pickle.loads(pickle.dumps(error))
    assert (str(e), e.iteration, e.parameter) == (str(error), 3, 5)
    assert synapse.DivergenceError is DivergenceError


# ---------------------------------------------------------------- progress
def test_progress_bar_shows_iterations_error_and_rate(capsys):
    pytest.importorskip("tqdm")
    net = xor_net()
    result = Trainer(net).train(XOR, iterations=200, error=0, rate=0.25, progress=True)
    err = capsys.readouterr().err
    last = err.replace("\r", "\n").strip().splitlines()[-1]
    assert "200/200" in last and "it/s" in last
    assert f"error {result['error']:.4g}" in last and "rate 0.25" in last


def test_progress_without_tqdm_prints_plain_lines(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now fails
    synapse.seed(0)
    net = LSTM(6, 2, 2)
    result = Trainer(net).dsr(iterations=20, progress=True, **SMALL_DSR)
    lines = capsys.readouterr().err.strip().splitlines()
    assert "pip install synapse[progress]" in lines[0]
    assert lines[-1].startswith("trials 20/20 ") and f"error {result['error']:.4g}" in lines[-1]


def test_progress_must_be_a_flag():
    with pytest.raises(TypeError, match="progress"):
        Trainer(xor_net()).train(XOR, progress="yes")
