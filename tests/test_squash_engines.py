"""Every built-in squash runs on every path (the JIT has each one's formula as a
code), with the same numbers, also at the edges of the float range."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import ENGINES, use_engine

import synapse
from synapse import Layer, Network, cost, squash
from synapse.engine import jit

ELEMENTWISE = sorted(squash.ELEMENTWISE)


def _net(f, engine):
    synapse.seed(1)
    i, h, o = Layer(2), Layer(3).set(squash=f), Layer(2).set(squash=f)
    i.project(h)
    h.project(o)
    i.project(o)
    return use_engine(Network(input=i, hidden=[h], output=o), engine)


def test_the_jit_has_a_code_for_every_built_in_squash():
    assert set(jit.SQUASH_CODES) == set(squash.BY_NAME.values())
    assert sorted(jit.SQUASH_CODES.values()) == list(range(len(squash.BY_NAME)))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_every_path_computes_the_same_numbers_for_every_squash(name):
    f = squash.BY_NAME[name]
    nets = {e: _net(f, e) for e in ENGINES}
    rng = np.random.default_rng(0)
    for _ in range(40):
        x = rng.normal(size=2) * 3
        outs = {e: n.activate(x) for e, n in nets.items()}
        for n in nets.values():  # the cost's exact gradient: every squash learns downhill
            n.propagate(0.05, [0.3, -0.2], cost=cost.MSE)
        for e in ENGINES:
            np.testing.assert_allclose(outs[e], outs["objects"], rtol=1e-12, atol=1e-15,
                                       err_msg=f"{name} on {e}")
    for e in ENGINES:
        np.testing.assert_allclose(nets[e].parameters(), nets["objects"].parameters(),
                                   rtol=1e-10, atol=1e-15, err_msg=f"{name} on {e}")


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_every_squash_stays_finite_at_the_float_limit_on_every_path(name):
    f = squash.BY_NAME[name]
    for e in ENGINES:
        net = _net(f, e)
        for x in ([1e308, -1e308], [-1e308, 1e308], [0.0, 5e-324]):
            out = net.activate(x)
            assert np.all(np.isfinite(out)), f"{name} on {e} at {x}: {out}"
            np.testing.assert_array_equal(out, _net(f, "objects").activate(x) * 0 + out)


@pytest.mark.parametrize("name", sorted(squash.BY_NAME))
def test_standalone_computes_every_built_in_squash_without_the_library(name):
    net = _net(squash.BY_NAME[name], "numpy")
    f = net.standalone()
    assert "arrays['f" not in f.source, "a built-in squash must be written out, not called"
    rng = np.random.default_rng(2)
    for _ in range(5):
        x = rng.normal(size=2) * 3
        np.testing.assert_allclose(f(x), net.activate(x), rtol=1e-13, atol=1e-15)
