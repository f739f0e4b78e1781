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


def user_softsign(x, derivate=False):
    """A user's squash written for scalars and arrays alike, as numba can compile it."""
    if derivate:
        return 1.0 / (1.0 + np.abs(x)) ** 2
    return x / (1.0 + np.abs(x))


def user_lookup(x, derivate=False):
    """A user's squash numba cannot compile (a Python dict)."""
    table = {"slope": 0.5}
    return np.full_like(np.asarray(x, dtype=float), table["slope"]) if derivate else (
        table["slope"] * np.asarray(x, dtype=float))


def test_a_users_squash_that_numba_compiles_runs_in_the_jit():
    if "jit" not in ENGINES:
        pytest.skip("the JIT is not available")
    nets = {e: _net(user_softsign, e) for e in ENGINES}
    synapse.seed(1)
    default = _net(user_softsign, "numpy")
    default.set_optimize(True)  # the faster engine for the size: the JIT
    assert default._path().name == "jit"
    rng = np.random.default_rng(4)
    for _ in range(20):
        x = rng.normal(size=2) * 2
        outs = {e: n.activate(x) for e, n in nets.items()}
        for n in nets.values():
            n.propagate(0.1, [0.2, -0.1], cost=cost.MSE)
        for e in ENGINES:
            np.testing.assert_allclose(outs[e], outs["objects"], rtol=1e-12)
    for e in ENGINES:
        np.testing.assert_allclose(nets[e].parameters(), nets["objects"].parameters(),
                                   rtol=1e-10)


def test_a_users_squash_numba_cannot_compile_runs_on_numpy():
    net = _net(user_lookup, "numpy")
    net.set_optimize(True)
    assert net._path().name == "numpy"
    if jit.available():
        with pytest.raises(ValueError, match="JIT"):
            net.set_optimize(True, engine="jit")
    np.testing.assert_allclose(net.activate([1.0, 2.0]), _net(user_lookup, "objects").activate(
        [1.0, 2.0]), rtol=1e-14)
