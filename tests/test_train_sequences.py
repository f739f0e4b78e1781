"""Trainer.train_sequences and Network.generate: each learning rule takes the
steps it documents (checked against the same steps taken by hand through
bptt, backward and run), NaN targets add nothing, batches average, windows
truncate; history, Ctrl-C, divergence and bad input as for Trainer.train."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import ENGINES, use_engine

import synapse
from architect import GRU, LSTM, Elman, Jordan, Perceptron
from synapse import DivergenceError, Layer, Network, Trainer, cost, optim, squash


def data(net, lengths, seed=0, nan_rows=()):
    rng = np.random.default_rng(seed)
    out = []
    for T in lengths:
        X, Y = rng.normal(size=(T, net.inputs())), rng.random((T, net.outputs()))
        for r in nan_rows:
            if r < T:
                Y[r] = np.nan
        out.append((X, Y))
    return out


def stop_at(n: int):
    def do(info):
        if info["iterations"] == n:
            raise KeyboardInterrupt
    return {"every": 1, "do": do}


# ---------------------------------------------------------------- BPTT
@pytest.mark.parametrize("engine", ENGINES)
def test_bptt_steps_are_the_sequences_exact_gradients(engine):
    """batch 1, no optimizer: per sequence, clear, bptt, parameters -= rate * grad."""
    synapse.seed(1)
    net = use_engine(GRU(2, 3, 1), engine)
    twin = net.clone()
    seqs = data(net, [4, 6, 3], nan_rows=(0, 2))
    result = Trainer(net).train_sequences(seqs, learning="bptt", rate=0.3, iterations=2,
                                          error=0, cost=cost.MSE, gradient="cost")
    errors = []
    for _ in range(2):
        total, count = 0.0, 0
        for X, Y in seqs:
            twin.clear()
            twin.zero_grad()
            out = twin.bptt(X, Y, cost=cost.MSE)
            twin.parameters()[...] -= 0.3 * twin.grad
            rows = ~np.isnan(Y[:, 0])
            total += sum(cost.MSE(Y[t], out[t]) for t in np.flatnonzero(rows))
            count += rows.sum()
        errors.append(total / count)
    np.testing.assert_allclose(net.parameters(), twin.parameters(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(result["history"], errors, rtol=1e-12)
    assert result["iterations"] == 2 and result["error"] == result["history"][-1]


@pytest.mark.parametrize("engine", ENGINES[1:])
def test_a_batch_averages_its_sequences_gradients_and_pads_the_shorter(engine):
    synapse.seed(2)
    net = use_engine(Elman(2, 3, 2, hidden_squash=squash.TANH), engine)
    twin = net.clone()
    seqs = data(net, [5, 2, 4, 3], seed=1)
    opt = optim.Adam(net, lr=0.01)
    Trainer(net).train_sequences(seqs, learning="bptt", optimizer=opt, rate=0.01,
                                 batch_size=3, iterations=1, error=0)
    twin_opt = optim.Adam(twin, lr=0.01)
    for batch in (seqs[:3], seqs[3:]):
        total = np.zeros_like(twin.grad)
        for X, Y in batch:
            twin.clear()
            twin.zero_grad()
            twin.bptt(X, Y)
            total += twin.grad
        twin.grad[...] = total / len(batch)
        twin_opt.step()
    np.testing.assert_allclose(net.parameters(), twin.parameters(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("engine", ENGINES[1:])
def test_a_window_steps_after_each_window_and_carries_the_state(engine):
    synapse.seed(3)
    net = use_engine(Jordan(2, 3, 1), engine)
    twin = net.clone()
    (X, Y), = data(net, [7], seed=2)
    Trainer(net).train_sequences([(X, Y)], learning="bptt", window=3, rate=0.2,
                                 iterations=1, error=0)
    twin.clear()
    for t in (0, 3, 6):
        twin.zero_grad()
        twin.bptt(X[t:t + 3], Y[t:t + 3])   # the own stream carries the state on
        twin.parameters()[...] -= 0.2 * twin.grad
    np.testing.assert_allclose(net.parameters(), twin.parameters(), rtol=1e-12, atol=1e-15)


def test_bptt_learns_a_delay_that_lstm_g_cannot():
    """Recall the first input two steps later through an Elman context: the
    gradient must cross the context twice. LSTM-g truncates it after one step
    and stays near the mean; BPTT gets it."""
    x = np.array([[1.0], [0.0], [0.0]])
    y = np.array([[np.nan], [np.nan], [1.0]])
    seqs = [(x, y), (0 * x, 0 * y)]
    errors = {}
    for learning in ("lstm-g", "bptt"):
        synapse.seed(2)
        net = Elman(1, 4, 1, output_squash=squash.IDENTITY)
        errors[learning] = Trainer(net).train_sequences(
            seqs, learning=learning, optimizer="adam", rate=0.05, iterations=400,
            error=1e-4)["error"]
    assert errors["bptt"] <= 1e-4
    assert errors["lstm-g"] > 0.1


# ---------------------------------------------------------------- LSTM-g
@pytest.mark.parametrize("engine", ENGINES)
def test_lstm_g_online_is_activate_and_propagate_from_clear(engine):
    synapse.seed(4)
    net = use_engine(LSTM(2, 3, 1), engine)
    twin = net.clone()
    seqs = data(net, [4, 5], seed=3, nan_rows=(1,))
    result = Trainer(net).train_sequences(seqs, rate=0.4, iterations=2, error=0)
    outs = []
    for _ in range(2):
        for X, Y in seqs:
            twin.clear()
            for x, y in zip(X, Y):
                outs.append(twin.activate(x))
                if not np.isnan(y).any():
                    twin.propagate(0.4, y)
    np.testing.assert_allclose(net.parameters(), twin.parameters(), rtol=1e-12, atol=1e-15)
    Ys = np.concatenate([Y for _, Y in seqs] * 2)
    rows = ~np.isnan(Ys[:, 0])
    first = np.mean([cost.MSE(a, b) for a, b in zip(Ys[:9][rows[:9]],
                                                      np.array(outs[:9])[rows[:9]])])
    assert result["history"][0] == pytest.approx(first, rel=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_lstm_g_with_an_optimizer_steps_at_every_target_and_partial_nan_adds_nothing(engine):
    """The general loop (an SGD object at the same rate) takes the online loop's
    steps; an output whose target is NaN adds nothing (as a target equal to the
    output it produced would: eq. 10's error is 0 there)."""
    synapse.seed(5)
    start = use_engine(LSTM(2, 3, 2), engine)
    a, b, c, hand = start.clone(), start.clone(), start.clone(), start.clone()
    seqs = data(start, [5, 4], seed=4)
    Trainer(a).train_sequences(seqs, rate=0.3, iterations=1, error=0)
    Trainer(b).train_sequences(seqs, rate=0.3, iterations=1, error=0,
                               optimizer=optim.SGD(b, lr=0.3))
    np.testing.assert_allclose(b.parameters(), a.parameters(), rtol=1e-10, atol=1e-14)
    partial = [(X, Y.copy()) for X, Y in seqs]
    partial[0][1][2, 1] = np.nan
    partial[1][1][0] = np.nan
    Trainer(c).train_sequences(partial, rate=0.3, iterations=1, error=0)
    for X, Y in partial:
        hand.clear()
        for x, y in zip(X, Y):
            out = hand.activate(x)
            if np.isnan(y).all():
                continue
            hand.zero_grad()
            hand.backward(np.where(np.isnan(y), out, y))
            hand.parameters()[...] -= 0.3 * hand.grad
    np.testing.assert_allclose(c.parameters(), hand.parameters(), rtol=1e-10, atol=1e-14)
    assert not np.allclose(c.parameters(), a.parameters())


@pytest.mark.parametrize("engine", ENGINES[1:])
def test_lstm_g_batches_step_the_mean_gradient_in_lockstep(engine):
    """Equal lengths, every target there: the same steps as run() on (B, T, n)
    streams from a cleared state."""
    synapse.seed(6)
    net = use_engine(LSTM(2, 2, 1), engine)
    twin = net.clone()
    seqs = data(net, [4, 4], seed=5)
    Trainer(net).train_sequences(seqs, rate=0.5, batch_size=2, iterations=1, error=0)
    twin.clear()
    twin.run(np.stack([X for X, _ in seqs]), np.stack([Y for _, Y in seqs]), rate=0.5)
    np.testing.assert_allclose(net.parameters(), twin.parameters(), rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- the loop
def test_forms_shuffle_history_and_the_error_target():
    synapse.seed(7)
    net = Perceptron(2, 3, 1)
    seqs = data(net, [3, 2, 4], seed=6)
    dicts = [{"input": X, "output": Y} for X, Y in seqs]
    twin = net.clone()
    synapse.seed(8)
    a = Trainer(net).train_sequences(seqs, shuffle=True, rate=0.2, iterations=5, error=0)
    synapse.seed(8)
    b = Trainer(twin).train_sequences(dicts, shuffle=True, rate=0.2, iterations=5, error=0)
    assert a["history"] == b["history"] and len(a["history"]) == 5
    assert np.array_equal(net.parameters(), twin.parameters())
    stop = Trainer(net).train_sequences(seqs, rate=0.2, iterations=1000,
                                        error=a["history"][-1] * 1.5)
    assert stop["iterations"] < 1000 and stop["error"] <= a["history"][-1] * 1.5
    one = Perceptron(1, 2, 1)   # one input and one output: 1-D sequences
    r = Trainer(one).train_sequences([(np.arange(3.0), np.ones(3))], iterations=2, error=0)
    assert r["iterations"] == 2


def test_an_interrupt_keeps_the_last_whole_pass(capsys):
    synapse.seed(9)
    net = GRU(2, 2, 1)
    twin = net.clone()
    seqs = data(net, [3, 4], seed=7)
    result = Trainer(net).train_sequences(seqs, learning="bptt", rate=0.1, iterations=10,
                                          error=0, schedule=stop_at(4))
    assert result["interrupted"] is True and result["iterations"] == 3
    assert "interrupted" in capsys.readouterr().err and len(result["history"]) == 3
    Trainer(twin).train_sequences(seqs, learning="bptt", rate=0.1, iterations=3, error=0)
    assert np.array_equal(net.parameters(), twin.parameters())


def test_divergence_names_the_pass_and_keeps_the_last_finite_parameters():
    synapse.seed(10)
    i, o = Layer(1), Layer(1).set(squash=squash.IDENTITY)
    i.project(o)
    net = Network(input=i, output=o)
    X = np.full((3, 1), 1e150)
    with pytest.raises(DivergenceError) as e:
        Trainer(net).train_sequences([(X, -X)], learning="bptt", rate=1e160,
                                     iterations=5, error=0)
    assert e.value.iteration == 1 and "pass over the sequences" in str(e.value)
    assert np.all(np.isfinite(net.parameters()))


@pytest.mark.parametrize("args, error, says", [
    ((5,), TypeError, "list of"),
    (([],), ValueError, "empty"),
    (([(np.zeros((3, 2)), np.zeros((2, 1)))],), ValueError, "3 input steps but 2"),
    (([(np.zeros((3, 3)), np.zeros((3, 1)))],), ValueError, r"shape \(T, 2\)"),
    (([(np.zeros((0, 2)), np.zeros((0, 1)))],), ValueError, "at least one step"),
    (([(np.zeros((2, 2)), np.full((2, 1), np.inf))],), ValueError, "NaN"),
    (([(np.full((2, 2), np.nan), np.zeros((2, 1)))],), ValueError, "finite"),
    (([(np.zeros((2, 2)), np.full((2, 1), np.nan))],), ValueError, "no target"),
    (([{"input": np.zeros((2, 2))}],), ValueError, "output"),
    (([np.zeros((2, 2))],), TypeError, "pair"),
])
def test_bad_sets_are_refused(args, error, says):
    net = Perceptron(2, 2, 1)
    before = net.parameters().copy()
    with pytest.raises(error, match=says):
        Trainer(net).train_sequences(*args)
    assert np.array_equal(net.parameters(), before)


@pytest.mark.parametrize("kwargs, error, says", [
    ({"learning": "rtrl"}, ValueError, "learning must be"),
    ({"window": 3}, ValueError, "window is an option of learning='bptt'"),
    ({"learning": "bptt", "window": 0}, ValueError, "window"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"optimizer": "adagrad"}, ValueError, "adagrad"),
    ({"rate": "fast"}, TypeError, "rate"),
])
def test_bad_options_are_refused(kwargs, error, says):
    net = Perceptron(2, 2, 1)
    with pytest.raises(error, match=says):
        Trainer(net).train_sequences([(np.zeros((2, 2)), np.zeros((2, 1)))], **kwargs)


# ---------------------------------------------------------------- generate
def test_generate_feeds_each_output_back():
    synapse.seed(11)
    net = Elman(2, 3, 2)
    twin = net.clone()
    seed = np.random.default_rng(8).normal(size=(3, 2))
    out = net.generate(seed, 5, feedback=lambda y: 2 * y - 1)
    expected = [twin.run(seed)[-1]]
    for _ in range(4):
        expected.append(twin.activate(2 * expected[-1] - 1))
    np.testing.assert_array_equal(out, np.array(expected))
    assert out.shape == (5, 2)
    with pytest.raises(ValueError, match="feedback's result must have 2"):
        net.generate(seed, 3, feedback=lambda y: y[:1])
    with pytest.raises(ValueError, match="needs a feedback"):
        Elman(2, 3, 1).generate(seed, 3)
    with pytest.raises(ValueError, match="seed_inputs"):
        net.generate(np.zeros((0, 2)), 3)
    with pytest.raises(TypeError, match="feedback"):
        net.generate(seed, 3, feedback="identity")


def test_clip_bounds_each_steps_gradient():
    synapse.seed(12)
    net = GRU(2, 3, 1)
    (X, Y), = data(net, [5], seed=9)
    before = net.parameters().copy()
    Trainer(net).train_sequences([(X, Y)], learning="bptt", rate=0.5, clip=1e-3,
                                 iterations=1, error=0)
    assert np.linalg.norm(net.parameters() - before) == pytest.approx(0.5e-3, rel=1e-9)
