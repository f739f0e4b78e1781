"""Shared helpers for the core tests: parameters of a network, finite
differences, and snapshots of everything a network holds.

Test modules import these with ``from conftest import ...`` (pytest puts this
folder on ``sys.path``)."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

#: Multiplies every hypothesis test's number of examples (e.g. 20 for a long hunt).
EXAMPLES_SCALE = float(os.environ.get("SYNAPSE_EXAMPLES_SCALE", "1"))


def examples(n: int) -> int:
    return max(1, int(n * EXAMPLES_SCALE))


DATA = os.path.join(os.path.dirname(__file__), "data")
FIXTURES = ("perceptron_xor", "lstm_2_1_1", "lstm_10_5_5", "hopfield_8")


def load_fixture(name: str) -> dict:
    with open(os.path.join(DATA, name + ".json"), encoding="utf-8") as fh:
        return json.load(fh)


# ---------------------------------------------------------------- engines
def _has_numba() -> bool:
    """Whether the JIT engine can run (numba installed, SYNAPSE_NO_JIT unset)."""
    from synapse.engine import jit

    return jit.available()


#: The ways a network can run: the neuron objects, and each compiled engine.
ENGINES = ["objects", "numpy"] + (["jit"] if _has_numba() else [])


def use_engine(net, engine: str):
    """Run ``net`` on ``engine`` (one of ENGINES); returns net."""
    if engine == "objects":
        net.set_optimize(False)
    else:
        net.set_optimize(True, engine=engine)
    return net


# ---------------------------------------------------------------- parameters
class Param:
    """One trainable number: a non-input neuron's bias or one of its input
    connections' weights (self-connections are fixed and not parameters)."""

    def __init__(self, kind, obj):
        self.kind, self.obj = kind, obj

    def get(self) -> float:
        return self.obj.bias if self.kind == "bias" else self.obj.weight

    def set(self, value: float) -> None:
        if self.kind == "bias":
            self.obj.bias = value
        else:
            self.obj.weight = value

    def __repr__(self):
        if self.kind == "bias":
            return f"bias({self.obj.ID})"
        return f"w({self.obj.from_.ID}->{self.obj.to.ID})"


def params(net) -> list[Param]:
    """Every trainable number: the biases and weights that learn (a bias or a
    weight held fixed, as an LSTM's cell biases by default, is not one)."""
    out = []
    for n, layer in net.neurons():
        if layer == "input":
            continue
        if n.learn_bias:
            out.append(Param("bias", n))
        out += [Param("w", c) for c in n.connections.inputs if c.learns]
    return out


def randomize(net, rng: np.random.Generator, scale: float = 1.0) -> None:
    """Every parameter drawn from normal(0, scale)."""
    for p in params(net):
        p.set(float(rng.normal(0.0, scale)))


def values(ps) -> np.ndarray:
    return np.array([p.get() for p in ps])


def finite_difference(loss, ps, h: float = 2e-3) -> np.ndarray:
    """d loss / d p for each parameter: the 5-point central stencil (error
    O(h^4)) at h and h/2, Richardson-extrapolated (error O(h^6)); every
    parameter is restored to its exact value."""
    out = np.empty(len(ps))
    for k, p in enumerate(ps):
        x = p.get()
        d = []
        for step in (h, h / 2):
            f = []
            for m in (-2, -1, 1, 2):
                p.set(x + m * step)
                f.append(loss())
            d.append((f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * step))
        p.set(x)
        out[k] = (16 * d[1] - d[0]) / 15
    return out


def learning_step_gradient(net, ps, run, rate, target, cost) -> np.ndarray:
    """The gradient that one propagate applies: (p_after - p_before) / -rate,
    after ``run()`` has activated the network. Restores the parameters."""
    before = values(ps)
    run()
    net.propagate(rate, target, cost=cost)
    after = values(ps)
    for p, x in zip(ps, before):
        p.set(float(x))
    return (after - before) / -rate


def assert_gradients_close(analytic, numeric, ps, rtol=1e-5, loss=1.0):
    """Relative error below rtol, relative to max(|a|, |n|, floor), where the
    floor 1e-6 max(1, |loss|) keeps the finite differences' rounding noise
    (about 1e-12 |loss| for h = 2e-3) well below rtol."""
    floor = 1e-6 * max(1.0, abs(loss))
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), floor)
    rel = np.abs(analytic - numeric) / scale
    worst = int(np.argmax(rel)) if rel.size else 0
    assert rel.size == 0 or rel[worst] < rtol, (
        f"parameter {ps[worst]}: learning step says {analytic[worst]!r}, finite differences "
        f"say {numeric[worst]!r} (relative error {rel[worst]:.3g})")


# ---------------------------------------------------------------- driving
def drive(net, steps: int = 25, seed: int = 0, rate: float = 0.3, train: bool = True,
          clear_every: int = 0, cost=None, inputs=(-1.0, 1.0)) -> np.ndarray:
    """Run ``net`` on ``steps`` random inputs, uniform on ``inputs``; with
    ``train``, each activation is followed by one learning step at ``rate``
    (with ``cost``) towards random targets, uniform on [0, 1). With
    ``clear_every`` = k > 0 the network is cleared after every k-th step.

    The draws depend on ``seed`` alone, so twins driven alike see the same
    numbers. Returns the outputs, one row per step."""
    g = np.random.default_rng(seed)
    low, high = inputs
    outs = []
    for i in range(steps):
        outs.append(net.activate(g.uniform(low, high, net.inputs())))
        if train:
            net.propagate(rate, g.uniform(0.0, 1.0, net.outputs()), cost=cost)
        if clear_every and i % clear_every == clear_every - 1:
            net.clear()
    return np.array(outs)


# ---------------------------------------------------------------- snapshots
def continuation(net, inputs, targets=None, rate=0.1):
    """Outputs (and, with targets, training) over a sequence; returns the
    stacked outputs and the final JSON."""
    outs = []
    for k, x in enumerate(inputs):
        outs.append(net.activate(x))
        if targets is not None:
            net.propagate(rate, targets[k])
    return np.array(outs), net.to_json()


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
