"""Tasks to evolve networks on: XOR, single-pole balancing (with and without
velocities) and Distracted Sequence Recall.

Each fitness function is module-level (or an instance of a module-level
class), so it can be sent to worker processes.

>>> from synapse import neat
>>> g = neat.Genome.minimal(2, 1, weights=[0.0, 0.0], biases=[0.0])
>>> neat.tasks.xor(g.network())         # every output 0.5: 4 - 4 * 0.25
3.0
"""
from __future__ import annotations

import math

import numpy as np

from .. import _check

__all__ = ["xor", "XOR_TARGET", "CartPole", "balance", "single_pole",
           "single_pole_no_velocities", "POLE_STEPS", "DSR"]

_XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])

#: The fitness at which XOR counts as solved (neat-python's XOR example's criterion).
XOR_TARGET = 3.9


def xor(net) -> float:
    """4 minus the summed squared error over XOR's four rows (the output is
    read after one activation per row), as neat-python's XOR example scores
    it; solved at :data:`XOR_TARGET`. The network must have 2 inputs, 1 output."""
    a, b, c, d = net.run(_XOR_X)[:, 0].tolist()
    return 4.0 - (a * a + (1.0 - b) ** 2 + (1.0 - c) ** 2 + d * d)


# ---------------------------------------------------------------- pole balancing
#: Steps a controller must balance for the task to be solved (2000 s of simulated time).
POLE_STEPS = 100000


class CartPole:
    """The cart-pole system of Barto, Sutton and Anderson (1983).

    A. G. Barto, R. S. Sutton and C. W. Anderson, "Neuronlike adaptive elements
    that can solve difficult learning control problems", *IEEE Transactions on
    Systems, Man, and Cybernetics* SMC-13(5), 1983, 834-846: a pole hinged to
    a cart that moves along a track. With x the cart's position, theta the
    pole's angle from upright, F the force on the cart and sgn the sign::

        theta'' = (g sin(theta) + cos(theta) (-F - m l theta'^2 sin(theta)
                   + mu_c sgn(x')) / (m_c + m) - mu_p theta' / (m l))
                  / (l (4/3 - m cos^2(theta) / (m_c + m)))
        x''     = (F + m l (theta'^2 sin(theta) - theta'' cos(theta))
                   - mu_c sgn(x')) / (m_c + m)

    integrated by Euler's method with a step tau: x += tau x',
    x' += tau x'', theta += tau theta', theta' += tau theta''. Constants (as
    in the paper): g = 9.8 m/s^2, cart mass m_c = 1.0 kg, pole mass
    m = 0.1 kg, half the pole's length l = 0.5 m, force F = +-10 N,
    cart friction mu_c = 0.0005, pole friction mu_p = 0.000002,
    tau = 0.02 s. The trial fails when |theta| > 12 degrees or |x| > 2.4 m.
    The equations are written so that gravity pulls a tilted pole further
    over (theta'' has the sign of theta at rest with F = 0).

    >>> from synapse.neat.tasks import CartPole
    >>> cp = CartPole(theta=0.1)
    >>> cp.step(0.0); cp.omega > 0                   # the pole falls
    True
    """

    GRAVITY = 9.8
    CART_MASS = 1.0
    POLE_MASS = 0.1
    HALF_LENGTH = 0.5
    FORCE = 10.0
    CART_FRICTION = 0.0005
    POLE_FRICTION = 0.000002
    TAU = 0.02
    X_LIMIT = 2.4
    ANGLE_LIMIT = 12 * math.pi / 180

    __slots__ = ("x", "v", "theta", "omega")

    def __init__(self, x: float = 0.0, v: float = 0.0, theta: float = 0.0, omega: float = 0.0):
        self.x, self.v, self.theta, self.omega = x, v, theta, omega

    def step(self, force: float) -> None:
        """One Euler step of ``TAU`` seconds under ``force`` newtons."""
        g, mc, m, half = self.GRAVITY, self.CART_MASS, self.POLE_MASS, self.HALF_LENGTH
        total, ml = mc + m, m * half
        x, v, th, om = self.x, self.v, self.theta, self.omega
        sin, cos = math.sin(th), math.cos(th)
        sgn = (v > 0) - (v < 0)
        acc = ((g * sin + cos * (-force - ml * om * om * sin + self.CART_FRICTION * sgn) / total
                - self.POLE_FRICTION * om / ml)
               / (half * (4.0 / 3.0 - m * cos * cos / total)))
        xacc = (force + ml * (om * om * sin - acc * cos) - self.CART_FRICTION * sgn) / total
        tau = self.TAU
        self.x, self.v = x + tau * v, v + tau * xacc
        self.theta, self.omega = th + tau * om, om + tau * acc

    def failed(self) -> bool:
        return abs(self.x) > self.X_LIMIT or abs(self.theta) > self.ANGLE_LIMIT


#: The start state (x, x', theta, theta'): the pole tilted by 1 degree, at rest.
POLE_START = (0.0, 0.0, math.pi / 180, 0.0)


def balance(net, velocities: bool = True, steps: int = POLE_STEPS,
            start: tuple = POLE_START) -> int:
    """How many steps ``net`` keeps the pole up (at most ``steps``).

    Each step the network reads the state, scaled: x / 2.4, x' (m/s),
    theta / (12 degrees), theta' (rad/s); without ``velocities`` only x / 2.4
    and theta / (12 degrees) (a non-Markovian task: the velocities must be
    inferred from what came before). It pushes right (+10 N) when its output
    is above 0.5, else left (-10 N) ("bang-bang", as in Barto et al. 1983).
    The network must have 4 inputs (2 without velocities) and 1 output.

    This is the inner loop of :class:`CartPole`, inlined for speed; the two
    compute the same numbers (``tests/test_neat_tasks.py`` holds them equal).
    """
    g, mc, m, half = CartPole.GRAVITY, CartPole.CART_MASS, CartPole.POLE_MASS, CartPole.HALF_LENGTH
    total, ml = mc + m, m * half
    muc, mup, tau = CartPole.CART_FRICTION, CartPole.POLE_FRICTION, CartPole.TAU
    xlim, alim, push = CartPole.X_LIMIT, CartPole.ANGLE_LIMIT, CartPole.FORCE
    x, v, th, om = start
    state = np.zeros(4 if velocities else 2)
    activate = net.activate
    sin_, cos_ = math.sin, math.cos
    for t in range(steps):
        if velocities:
            state[0], state[1], state[2], state[3] = x / xlim, v, th / alim, om
        else:
            state[0], state[1] = x / xlim, th / alim
        force = push if activate(state)[0] > 0.5 else -push
        sin, cos = sin_(th), cos_(th)
        sgn = (v > 0) - (v < 0)
        acc = (g * sin + cos * (-force - ml * om * om * sin + muc * sgn) / total
               - mup * om / ml) / (half * (4.0 / 3.0 - m * cos * cos / total))
        xacc = (force + ml * (om * om * sin - acc * cos) - muc * sgn) / total
        x, v, th, om = x + tau * v, v + tau * xacc, th + tau * om, om + tau * acc
        if x > xlim or x < -xlim or th > alim or th < -alim:
            return t + 1
    return steps


def single_pole(net) -> float:
    """Steps balanced with the full state as input (solved at :data:`POLE_STEPS`)."""
    return float(balance(net, velocities=True))


def single_pole_no_velocities(net) -> float:
    """Steps balanced seeing only x and theta (solved at :data:`POLE_STEPS`)."""
    return float(balance(net, velocities=False))


# ---------------------------------------------------------------- DSR
class DSR:
    """Distracted Sequence Recall (docs/tasks.md) as a fitness: a fixed set of
    ``trials`` trials drawn once from ``seed`` (its own generator), each
    scored from a cleared network.

    The fitness is the fraction of steps whose outputs all round (halves up)
    to their targets, over every trial. :attr:`target` is the fitness that
    leaves at most ``(1 - success) * trials`` wrong steps, so reaching it
    means at least ``success`` of the trials are entirely right (the task's
    criterion); :meth:`success` measures that fraction directly.
    ``steps`` is the number of network steps one evaluation takes.

    >>> from synapse.neat.tasks import DSR
    >>> task = DSR(targets=(2, 4), distractors=(3, 5), prompts=(0, 1), length=9, trials=10)
    >>> task.X.shape, task.Y.shape, task.steps
    ((10, 9, 6), (10, 9, 2), 90)
    """

    def __init__(self, targets=(2, 4), distractors=(3, 5), prompts=(0, 1), length: int = 9,
                 trials: int = 100, seed: int = 0, success: float = 0.95):
        from ..tasks import _dsr_draw, dsr_length, dsr_symbols

        n = dsr_symbols(targets, distractors, prompts)
        self.length = dsr_length(length, len(prompts))
        self.trials = _check.count(trials, "trials", minimum=1)
        self.criterion = _check.fraction(success, "success")
        g = np.random.default_rng(_check.integer(seed, "seed", minimum=0))
        t, d, p = (np.asarray(v, dtype=int) for v in (targets, distractors, prompts))
        drawn = [_dsr_draw(t, d, p, n, self.length, g) for _ in range(self.trials)]
        self.X = np.array([x for x, _ in drawn])
        self.Y = np.array([y for _, y in drawn])
        self.steps = self.trials * self.length
        allowed = math.floor((1 - self.criterion) * self.trials + 1e-9)
        self.target = 1.0 - allowed / self.steps

    def _right(self, net) -> np.ndarray:
        """(trials, length) booleans: each step entirely right."""
        right = np.empty(self.Y.shape[:2], dtype=bool)
        for k in range(self.trials):
            net.clear()
            out = net.run(self.X[k])
            right[k] = np.all(np.floor(out + 0.5) == self.Y[k], axis=1)
        return right

    def __call__(self, net) -> float:
        return float(self._right(net).mean())

    def success(self, net) -> float:
        """The fraction of trials entirely right."""
        return float(self._right(net).all(axis=1).mean())
