"""The tasks of synapse.neat.tasks (XOR, pole balancing, DSR) and the neat-xor demo."""
from __future__ import annotations

import math

import numpy as np
import pytest

from synapse import neat
from synapse.neat.genome import Genome
from synapse.neat.tasks import CartPole


class Scripted:
    """A stand-in network whose output follows a fixed rule of its inputs."""

    def __init__(self, rule):
        self.rule, self.seen = rule, []

    def activate(self, x):
        self.seen.append(np.array(x, dtype=float))
        return np.array([self.rule(np.asarray(x))])


def test_xor_fitness_is_four_minus_the_squared_error():
    g = Genome.minimal(2, 1, weights=[1.0, -2.0], biases=[0.5])
    out = [1 / (1 + math.exp(-z)) for z in (0.5, -1.5, 1.5, -0.5)]
    expected = 4 - (out[0] ** 2 + (1 - out[1]) ** 2 + (1 - out[2]) ** 2 + out[3] ** 2)
    assert neat.tasks.xor(g.network()) == pytest.approx(expected, rel=1e-14)


def test_cart_pole_physics():
    # upright and at rest with no force: it stays exactly there
    cp = CartPole()
    for _ in range(100):
        cp.step(0.0)
    assert (cp.x, cp.v, cp.theta, cp.omega) == (0.0, 0.0, 0.0, 0.0)
    # tilted, no force: the pole falls further, the cart is pushed the other way
    cp = CartPole(theta=0.05)
    cp.step(0.0)
    assert cp.theta == 0.05 and cp.omega > 0
    # by the equations at theta = 0.05 rad, at rest: theta'' = g sin / (l (4/3 - m cos^2 / M))
    s, c = math.sin(0.05), math.cos(0.05)
    acc = 9.8 * s / (0.5 * (4 / 3 - 0.1 * c * c / 1.1))
    assert cp.omega == pytest.approx(0.02 * acc, rel=1e-12)
    assert cp.v == pytest.approx(0.02 * (0.05 * (-acc * c)) / 1.1, rel=1e-12)
    # mirror symmetry
    a, b = CartPole(x=0.1, v=0.2, theta=0.03, omega=-0.1), CartPole(-0.1, -0.2, -0.03, 0.1)
    for f in (10.0, -10.0, 10.0, 10.0):
        a.step(f)
        b.step(-f)
    assert (a.x, a.v, a.theta, a.omega) == pytest.approx((-b.x, -b.v, -b.theta, -b.omega))
    # pushing right accelerates the cart right and tips the pole left
    cp = CartPole()
    cp.step(10.0)
    assert cp.v > 0 and cp.omega < 0
    assert not CartPole(x=2.4).failed() and CartPole(x=2.41).failed()
    assert CartPole(theta=-0.21).failed() and not CartPole(theta=0.2).failed()


@pytest.mark.parametrize("velocities", [True, False])
def test_balance_is_the_cart_pole_loop(velocities):
    """balance() inlines CartPole.step; both give the same trajectory and step count."""
    rule = (lambda x: float(x[2] + 0.3 * x[3] > 0)) if velocities else \
        (lambda x: float(x[1] > 0))
    net = Scripted(rule)
    n = neat.tasks.balance(net, velocities=velocities, steps=5000)
    cp = CartPole(*neat.tasks.POLE_START)
    ref = Scripted(rule)
    steps = 0
    while steps < 5000:
        state = ([cp.x / 2.4, cp.v, cp.theta / CartPole.ANGLE_LIMIT, cp.omega] if velocities
                 else [cp.x / 2.4, cp.theta / CartPole.ANGLE_LIMIT])
        cp.step(10.0 if ref.activate(state)[0] > 0.5 else -10.0)
        steps += 1
        if cp.failed():
            break
    assert n == steps
    assert np.array_equal(np.array(net.seen), np.array(ref.seen))
    assert 1 < n


def test_a_linear_controller_balances_for_100000_steps_and_a_constant_one_fails_fast():
    g = Genome.minimal(4, 1, weights=[0.31, 2.88, 0.86, 4.35], biases=[-0.21])
    assert neat.tasks.single_pole(g.network()) == neat.tasks.POLE_STEPS
    push = Genome.minimal(4, 1, weights=[0.0] * 4, biases=[5.0])
    assert neat.tasks.single_pole(push.network()) < 100


def test_dsr_fitness_and_its_target():
    task = neat.tasks.DSR(targets=(2, 4), distractors=(3, 5), prompts=(0, 1), length=9,
                          trials=100, seed=3)
    assert task.target == pytest.approx(1 - 5 / 900)
    X, Y = task.X, task.Y
    assert X.shape == (100, 9, 6) and np.all(X.sum(axis=2) == 1)
    assert np.all(X[:, 7, 0] == 1) and np.all(X[:, 8, 1] == 1)     # the prompts
    assert np.all(Y[:, :7].sum(axis=2) == 0) and np.all(Y[:, 7:].sum(axis=2) == 1)
    targets = X[:, :7][:, :, [2, 4]]                                  # target symbols seen
    assert np.all(targets.sum(axis=(1, 2)) == 2)
    first = targets.argmax(axis=2)[np.arange(100), targets.sum(axis=2).argmax(axis=1)]
    assert np.array_equal(first, Y[:, 7].argmax(axis=1))
    # a network that always outputs 0 is right at every step but the prompts
    silent = Genome.minimal(6, 2, biases=[-5.0, -5.0]).network()
    assert task(silent) == pytest.approx(7 / 9) and task.success(silent) == 0.0


def test_demo_neat_xor_prints_a_line_per_generation(capsys, monkeypatch, tmp_path):
    from synapse import demos
    from synapse.__main__ import main

    monkeypatch.chdir(tmp_path)
    assert main(["demo", "neat-xor", "--seed", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    gens = [line for line in out if line.startswith("generation ")]
    assert len(gens) >= 2 and gens[0].startswith("generation 0 best ")
    assert out[-1].startswith("-- summary: generations ")
    generations = int(out[-1].split("generations ")[1].split(",")[0])
    assert len(gens) == generations  # one line per generation
    assert sum("->" in line for line in out) == 4
    assert "the winner:" in out and any(line.startswith("total ") for line in out)
    assert "neat-xor" in demos.DEMOS


def test_demo_neat_xor_draws_the_winner(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    from synapse.__main__ import main

    path = tmp_path / "winner.png"
    assert main(["demo", "neat-xor", "--seed", "1", "--plot", str(path)]) == 0
    assert f"saved the plot to {path}" in capsys.readouterr().out
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10000
