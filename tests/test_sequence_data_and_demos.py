"""synapse.datasets (the Mackey-Glass series against an independent integration,
the adding problem's form and baseline, the shipped text) and the three
sequence demos: each runs end to end on a tiny budget here; their goals are
checked on the full budget by the slow tests."""
from __future__ import annotations

import numpy as np
import pytest

from synapse import datasets, sequence_demos
from synapse.__main__ import main


def test_mackey_glass_agrees_with_a_fine_euler_integration():
    """Runge-Kutta at dt 0.1 against forward Euler at dt 0.002 (an independent
    integration of the same equation), over 100 time units from x = 1.2."""
    a = datasets.mackey_glass(100, discard=0)
    dt, d = 0.002, int(round(17 / 0.002))
    x = np.full(d + 50_000 + 1, 1.2)
    for i in range(d, d + 50_000):
        late = x[i - d]
        x[i + 1] = x[i] + dt * (0.2 * late / (1 + late ** 10) - 0.1 * x[i])
    euler = x[d::500][:100]
    np.testing.assert_allclose(a, euler, atol=2e-3)
    assert not np.allclose(a, euler, atol=1e-5)   # two different methods, not one twice
    b = datasets.mackey_glass(100, discard=0, dt=0.05)
    np.testing.assert_allclose(a, b, atol=1e-4)


def test_mackey_glass_is_chaotic_at_tau_17_and_periodic_below():
    x = datasets.mackey_glass(3000)
    assert 0.4 < x.min() < 0.5 and 1.3 < x.max() < 1.35
    def peaks(y):
        return y[np.flatnonzero((y[1:-1] > y[:-2]) & (y[1:-1] > y[2:])) + 1]

    # tau 5: a stable cycle, every peak the same (up to sampling); tau 17: no two alike
    assert np.ptp(peaks(datasets.mackey_glass(4000, tau=5, every=0.1))) < 1e-4
    assert np.ptp(peaks(x)) > 0.1


@pytest.mark.parametrize("kwargs, says", [
    ({"tau": 17.05}, "multiple of dt"), ({"every": 0}, "every"), ({"dt": -1}, "dt"),
])
def test_mackey_glass_refuses_bad_steps(kwargs, says):
    with pytest.raises(ValueError, match=says):
        datasets.mackey_glass(10, **kwargs)


def test_adding_problem_form_and_baseline():
    seqs = datasets.adding_problem(4000, 30, seed=3)
    X = np.stack([x for x, _ in seqs])
    Y = np.stack([y for _, y in seqs])
    assert X.shape == (4000, 30, 2) and Y.shape == (4000, 30, 1)
    assert np.all(X[:, :, 1].sum(axis=1) == 2)
    assert np.all(X[:, :15, 1].sum(axis=1) == 1)          # one mark in each half
    assert np.isnan(Y[:, :-1]).all() and not np.isnan(Y[:, -1]).any()
    np.testing.assert_allclose(Y[:, -1, 0], (X[:, :, 0] * X[:, :, 1]).sum(axis=1))
    assert np.mean((Y[:, -1, 0] - 1) ** 2) == pytest.approx(1 / 6, abs=0.01)
    again = datasets.adding_problem(4000, 30, seed=3)
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(seqs, again))


def test_the_text_is_the_opening_of_alice():
    text = datasets.alice()
    assert text.startswith("Alice was beginning to get very tired of sitting by her sister")
    assert text.rstrip().endswith("falling down a very deep well.")
    assert len(text) == 1661 and text.count("\n\n") == 4


@pytest.mark.parametrize("name", ["text", "mackey", "adding"])
def test_each_sequence_demo_runs_on_a_tiny_budget(name, capsys):
    fn = {f.__name__: f for f in sequence_demos.DEMOS}[name]
    out = fn(seed=2, size="tiny")
    printed = capsys.readouterr().out.splitlines()
    assert printed[-1].startswith("-- summary: ")
    if name == "text":
        assert out["iterations"] == 3 and len(out["sample"]) > 100
    elif name == "mackey":
        assert set(out) == {"NARX(1, 16, 1, 18, 2)", "GRU(1, 16, 1)", "LSTM(1, 12, 1)",
                            "Liquid(1, 40, 1)"}
        assert all(0 < r["nrmse1"] < 2 for r in out.values())
    else:
        assert out["sequences"] == 1000 and 0 < out["error"] < 0.5


@pytest.mark.parametrize("name", ["text", "mackey", "adding"])
def test_an_unknown_size_is_refused_before_anything_runs(name, capsys):
    fn = {f.__name__: f for f in sequence_demos.DEMOS}[name]
    with pytest.raises(ValueError, match="size must be 'full' or 'tiny', got str 'small'"):
        fn(seed=2, size="small")
    assert capsys.readouterr().out == ""


def test_the_cli_lists_the_sequence_demos(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "\n  text " in out and "\n  mackey " in out and "\n  adding " in out


@pytest.mark.slow
def test_full_demos_meet_their_goals(capsys):
    text = sequence_demos.text(seed=1)
    assert text["error"] < 0.3   # nats per character (uniform: 3.56)
    adding = sequence_demos.adding(seed=1)
    assert adding["solved"]
    mackey = sequence_demos.mackey(seed=1)
    assert all(r["nrmse1"] < 0.1 for r in mackey.values())
