"""Optimizers: each rule equals an independent, element-by-element reference
written from its published definition (and torch.optim when torch imports),
state dicts continue bit for bit, bad options are refused."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import ENGINES, examples, use_engine
from hypothesis import given, settings
from hypothesis import strategies as st

import synapse
from architect import Perceptron
from synapse import Layer, optim


def network(seed: int = 0) -> synapse.Network:
    synapse.seed(seed)
    return Perceptron(3, 4, 2)          # 3*4 + 4*2 weights, 4 + 2 biases: 26 parameters


def gradients(n: int, steps: int, seed: int) -> list[np.ndarray]:
    """Random gradients of mixed scales, with some exact zeros (Rprop's third case)."""
    g = np.random.default_rng(seed)
    out = []
    for _ in range(steps):
        x = g.normal(size=n) * 10.0 ** g.integers(-3, 2, size=n)
        x[g.random(n) < 0.15] = 0.0
        out.append(x)
    return out


# ---------------------------------------------------------------- references
# Each is written straight from the reference's definition, one number at a time.

def ref_sgd(p, grads, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    """torch.optim.SGD's documented algorithm."""
    p = [float(x) for x in p]
    buf = [None] * len(p)
    for g in grads:
        for i in range(len(p)):
            gi = g[i] + weight_decay * p[i] if weight_decay else g[i]
            if momentum != 0:
                buf[i] = gi if buf[i] is None else momentum * buf[i] + (1 - dampening) * gi
                gi = gi + momentum * buf[i] if nesterov else buf[i]
            p[i] = p[i] - lr * gi
    return np.array(p)


def ref_rmsprop(p, grads, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                centered=False):
    """RMSprop (Tieleman & Hinton 2012) as torch.optim.RMSprop documents it."""
    p = [float(x) for x in p]
    n = len(p)
    v, gav, buf = [0.0] * n, [0.0] * n, [0.0] * n
    for g in grads:
        for i in range(n):
            gi = g[i] + weight_decay * p[i] if weight_decay else g[i]
            v[i] = alpha * v[i] + (1 - alpha) * gi * gi
            vt = v[i]
            if centered:
                gav[i] = alpha * gav[i] + (1 - alpha) * gi
                vt = v[i] - gav[i] ** 2
            if momentum > 0:
                buf[i] = momentum * buf[i] + gi / (math.sqrt(vt) + eps)
                p[i] -= lr * buf[i]
            else:
                p[i] -= lr * gi / (math.sqrt(vt) + eps)
    return np.array(p)


def ref_adam(p, grads, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
    """Kingma & Ba (2015), Algorithm 1, with torch.optim.Adam's L2 weight decay
    and amsgrad option."""
    b1, b2 = betas
    p = [float(x) for x in p]
    n = len(p)
    m, v, vmax = [0.0] * n, [0.0] * n, [0.0] * n
    for t, g in enumerate(grads, 1):
        for i in range(n):
            gi = g[i] + weight_decay * p[i] if weight_decay else g[i]
            m[i] = b1 * m[i] + (1 - b1) * gi
            v[i] = b2 * v[i] + (1 - b2) * gi * gi
            m_hat = m[i] / (1 - b1 ** t)
            vmax[i] = max(vmax[i], v[i])
            v_hat = (vmax[i] if amsgrad else v[i]) / (1 - b2 ** t)
            p[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
    return np.array(p)


def ref_rprop(p, grads, lr, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0), weight_decay=0.0):
    """Rprop without weight-backtracking, as torch.optim.Rprop documents it:
    the step size grows by etaplus while the gradient keeps its sign, shrinks by
    etaminus when it flips (and that gradient counts as 0), stays otherwise."""
    etaminus, etaplus = etas
    lo, hi = step_sizes
    p = [float(x) for x in p]
    n = len(p)
    prev, size = [0.0] * n, [lr] * n
    for g in grads:
        for i in range(n):
            gi = g[i] + weight_decay * p[i] if weight_decay else g[i]
            if gi * prev[i] > 0:
                size[i] = min(size[i] * etaplus, hi)
            elif gi * prev[i] < 0:
                size[i] = max(size[i] * etaminus, lo)
                gi = 0.0
            else:
                size[i] = min(max(size[i], lo), hi)
            p[i] -= size[i] * (1.0 if gi > 0 else -1.0 if gi < 0 else 0.0)
            prev[i] = gi
    return np.array(p)


CASES = [
    (optim.SGD, ref_sgd, {"lr": 0.1}),
    (optim.SGD, ref_sgd, {"lr": 0.05, "momentum": 0.9}),
    (optim.SGD, ref_sgd, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    (optim.SGD, ref_sgd, {"lr": 0.05, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.01}),
    (optim.SGD, ref_sgd, {"lr": 0.02, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1}),
    (optim.RMSprop, ref_rmsprop, {}),
    (optim.RMSprop, ref_rmsprop, {"lr": 0.003, "alpha": 0.9, "eps": 1e-6,
                                  "weight_decay": 0.01}),
    (optim.RMSprop, ref_rmsprop, {"lr": 0.01, "momentum": 0.9}),
    (optim.RMSprop, ref_rmsprop, {"lr": 0.01, "centered": True, "momentum": 0.5,
                                  "weight_decay": 0.001}),
    (optim.Adam, ref_adam, {}),
    (optim.Adam, ref_adam, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6,
                            "weight_decay": 0.05}),
    (optim.Adam, ref_adam, {"lr": 0.01, "amsgrad": True}),
    (optim.Rprop, ref_rprop, {}),
    (optim.Rprop, ref_rprop, {"lr": 0.1, "etas": (0.3, 1.5), "step_sizes": (0.02, 0.2)}),
    (optim.Rprop, ref_rprop, {"lr": 1.0, "step_sizes": (0.0, 0.5), "weight_decay": 0.1}),
]
IDS = [f"{cls.__name__}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}"
       for cls, _, kw in CASES]
STEPS = 8


def run_optimizer(cls, kw, seed=0):
    net = network(seed)
    start = net.parameters().copy()
    opt = cls(net, **kw)
    grads = gradients(start.size, STEPS, seed + 100)
    for g in grads:
        opt.zero_grad()
        net.grad[:] = g
        opt.step()
    return start, grads, net.parameters().copy(), opt


@pytest.mark.parametrize("cls, ref, kw", CASES, ids=IDS)
def test_rule_equals_its_reference(cls, ref, kw):
    start, grads, after, opt = run_optimizer(cls, kw)
    expected = ref(start, grads, **{"lr": opt.lr, **kw})
    assert opt.t == STEPS
    assert np.max(np.abs(after - start)) > 1e-4           # it moved
    np.testing.assert_allclose(after, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cls, ref, kw", CASES, ids=IDS)
def test_rule_equals_torch(cls, ref, kw):
    torch = pytest.importorskip("torch")
    if cls is optim.Rprop and kw.get("weight_decay"):
        pytest.skip("torch.optim.Rprop has no weight decay")
    torch.set_num_threads(1)
    start, grads, after, opt = run_optimizer(cls, kw)
    p = torch.nn.Parameter(torch.tensor(start, dtype=torch.float64))
    theirs = getattr(torch.optim, cls.__name__)([p], **kw)
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        theirs.step()
    np.testing.assert_allclose(after, p.detach().numpy(), rtol=1e-12, atol=1e-12)


_COMPILED: dict = {}


def compiled(kind: int):
    """The rule of ``kind`` compiled by numba (once per kind)."""
    if kind not in _COMPILED:
        import numba

        _COMPILED[kind] = numba.njit(optim.UPDATES[kind])
    return _COMPILED[kind]


@pytest.mark.parametrize("cls, ref, kw", CASES, ids=IDS)
def test_rule_compiles_in_numba_unchanged(cls, ref, kw):
    """The rules are written for the engines' JIT: numba compiles each as it is,
    and the compiled one computes the same numbers (to rounding: numba's
    beta ** t is not Python's)."""
    if "jit" not in ENGINES:
        pytest.skip("numba is not installed, or SYNAPSE_NO_JIT is set")
    start, grads, after, opt = run_optimizer(cls, kw)
    rule = compiled(opt.kind)
    P, state = start.copy(), np.zeros((optim.ROWS[opt.kind], start.size))
    for t, g in enumerate(grads, 1):
        rule(opt.hyper, P, g, state, t)
    np.testing.assert_allclose(P, after, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(state, opt.state, rtol=1e-14, atol=1e-16)


def test_kinds_tables_and_dispatch_agree():
    assert optim.UPDATES == (optim.sgd_update, optim.rmsprop_update, optim.adam_update,
                             optim.rprop_update)
    net = network()
    for cls, kind in ((optim.SGD, 0), (optim.RMSprop, 1), (optim.Adam, 2), (optim.Rprop, 3)):
        opt = cls(net)
        assert opt.kind == kind
        assert opt.hyper.shape == (len(optim.HYPER[kind]),) and opt.hyper.dtype == np.float64
        assert opt.state.shape == (optim.ROWS[kind], net.parameters().size)
    with pytest.raises(ValueError, match="kind"):
        optim.update(4, np.zeros(6), np.zeros(2), np.zeros(2), np.zeros((2, 2)), 1)


def test_grad_is_only_read():
    for cls, _, kw in CASES:
        net = network()
        opt = cls(net, **kw)
        net.grad[:] = np.linspace(-1, 1, net.grad.size)
        before = net.grad.copy()
        opt.step()
        assert net.grad.tolist() == before.tolist(), cls


@settings(max_examples=examples(30), deadline=None)
@given(st.floats(1e-5, 1.0), st.lists(st.floats(-1e3, 1e3).filter(lambda x: abs(x) > 1e-3),
                                      min_size=26, max_size=26))
def test_adams_first_step_is_lr_against_the_sign(lr, g):
    net = network()
    P = net.parameters().copy()
    opt = optim.Adam(net, lr=lr, eps=0.0)
    net.grad[:] = g
    opt.step()
    np.testing.assert_allclose(net.parameters(), P - lr * np.sign(g), rtol=0, atol=1e-15)


# ---------------------------------------------------------------- with the network
@pytest.mark.parametrize("engine", ENGINES)
def test_plain_sgd_after_backward_is_propagate(engine):
    a = use_engine(network(3), engine)
    b = a.clone()
    use_engine(b, engine)
    opt = optim.SGD(a, lr=0.3)
    g = np.random.default_rng(1)
    for _ in range(5):
        x, y = g.uniform(-1, 1, 3), g.uniform(0, 1, 2)
        a.activate(x)
        opt.zero_grad()
        a.backward(y)
        opt.step()
        b.activate(x)
        b.propagate(0.3, y)
    np.testing.assert_allclose(a.parameters(), b.parameters(), rtol=0, atol=1e-14)


def test_zero_grad_and_lr():
    net = network()
    opt = optim.Adam(net, lr=0.01)
    net.grad[:] = 1.0
    opt.zero_grad()
    assert not net.grad.any()
    opt.lr = 0.5
    assert opt.lr == 0.5 and opt.hyper[0] == 0.5 and opt.options()["lr"] == 0.5
    with pytest.raises(ValueError, match="lr must be at least 0"):
        opt.lr = -1
    with pytest.raises(TypeError, match="lr must be a finite number"):
        opt.lr = "fast"
    assert opt.lr == 0.5


def test_step_refuses_a_changed_structure():
    i, h, o = Layer(2), Layer(3), Layer(1)
    i.project(h)
    h.project(o)
    net = synapse.Network(input=i, hidden=[h], output=o)
    opt = optim.SGD(net, lr=0.1, momentum=0.9)
    net.grad[:] = 1.0
    opt.step()
    i.project(o)                                  # two more weights
    before = net.parameters().copy()
    net.grad[:] = 1.0
    with pytest.raises(ValueError, match=r"structure changed.*15 parameters now, the optimizer 13"):
        opt.step()
    assert net.parameters().tolist() == before.tolist() and opt.t == 1


def test_a_network_is_required():
    with pytest.raises(TypeError, match="needs a Network"):
        optim.SGD([1.0, 2.0])
    with pytest.raises(TypeError, match="needs a Network"):
        optim.Adam(None)


# ---------------------------------------------------------------- state dicts
@pytest.mark.parametrize("cls, ref, kw", CASES, ids=IDS)
def test_state_dict_round_trip_continues_bit_for_bit(cls, ref, kw):
    net = network()
    opt = cls(net, **kw)
    grads = gradients(net.parameters().size, 6, 7)
    for g in grads[:3]:
        net.grad[:] = g
        opt.step()
    text = json.dumps(opt.state_dict(), allow_nan=False)
    twin = net.clone()
    other = cls(twin)                             # default options: the state brings kw
    other.load_state_dict(json.loads(text))
    assert other.options() == opt.options() and other.t == 3
    for g in grads[3:]:
        net.grad[:] = g
        twin.grad[:] = g
        opt.step()
        other.step()
    assert twin.parameters().tolist() == net.parameters().tolist()
    assert other.state.tolist() == opt.state.tolist()


def test_state_dict_is_plain():
    net = network()
    opt = optim.Adam(net, betas=(0.8, 0.9))
    net.grad[:] = 0.5
    opt.step()
    d = opt.state_dict()
    assert d["optimizer"] == "Adam" and d["t"] == 1
    assert d["options"] == {"lr": 0.001, "betas": [0.8, 0.9], "eps": 1e-8,
                            "weight_decay": 0.0, "amsgrad": False}
    assert len(d["state"]) == 3 and all(len(row) == 26 for row in d["state"])
    assert all(type(x) is float for row in d["state"] for x in row)
    d["state"][0][0] = 123.0                      # a copy: the optimizer is not touched
    assert opt.state[0, 0] != 123.0


BAD_STATES = [
    (lambda d: "not a dict", TypeError, "must be a dict"),
    (lambda d: {**d, "optimizer": "SGD"}, ValueError, "of 'SGD', not 'Adam'"),
    (lambda d: {k: v for k, v in d.items() if k != "t"}, ValueError, r"needs the keys \['t'\]"),
    (lambda d: {**d, "extra": 1}, ValueError, "unknown keys"),
    (lambda d: {**d, "t": -1}, ValueError, "t must be a non-negative integer"),
    (lambda d: {**d, "t": 1.5}, ValueError, "t must be a non-negative integer"),
    (lambda d: {**d, "state": d["state"][:2]}, ValueError, r"shape \(3, 26\).*\(2, 26\)"),
    (lambda d: {**d, "state": [row[:5] for row in d["state"]]}, ValueError, "shape"),
    (lambda d: {**d, "state": [["a"] * 26] * 3}, TypeError, "numbers"),
    (lambda d: {**d, "state": [[math.nan] * 26] * 3}, ValueError, "finite"),
    (lambda d: {**d, "options": {"lr": -1.0}}, ValueError, "lr must be at least 0"),
    (lambda d: {**d, "options": {"betas": [0.9, 1.0]}}, ValueError, r"betas\[1\]"),
    (lambda d: {**d, "options": {"momentum": 0.9}}, ValueError, "unknown keys"),
]


@pytest.mark.parametrize("spoil, error, message", BAD_STATES)
def test_load_state_dict_refuses_bad_states(spoil, error, message):
    net = network()
    opt = optim.Adam(net, lr=0.01)
    net.grad[:] = 0.5
    opt.step()
    good = opt.state_dict()
    before = json.dumps(good)
    with pytest.raises(error, match=message):
        opt.load_state_dict(spoil(json.loads(before)))
    assert json.dumps(opt.state_dict()) == before     # nothing changed


def test_load_state_dict_for_another_network_size():
    small, big = network(), Perceptron(3, 5, 2)
    state = optim.SGD(small, momentum=0.5).state_dict()
    with pytest.raises(ValueError, match=r"shape \(1, 32\) for this network, got \(1, 26\)"):
        optim.SGD(big).load_state_dict(state)


# ---------------------------------------------------------------- options
BAD_OPTIONS = [
    (optim.SGD, {"lr": -0.1}, ValueError, "lr must be at least 0"),
    (optim.SGD, {"lr": "0.1"}, TypeError, "lr must be a finite number"),
    (optim.SGD, {"lr": math.inf}, ValueError, "lr must be a finite number"),
    (optim.SGD, {"momentum": -0.5}, ValueError, "momentum must be at least 0"),
    (optim.SGD, {"nesterov": True}, ValueError, "nesterov needs momentum > 0"),
    (optim.SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, ValueError,
     "dampening 0"),
    (optim.SGD, {"nesterov": 1}, TypeError, "nesterov must be True or False"),
    (optim.SGD, {"dampening": 2}, ValueError, "dampening must be between 0 and 1"),
    (optim.SGD, {"weight_decay": -1e-3}, ValueError, "weight_decay must be at least 0"),
    (optim.RMSprop, {"alpha": 1.5}, ValueError, "alpha must be between 0 and 1"),
    (optim.RMSprop, {"eps": -1e-8}, ValueError, "eps must be at least 0"),
    (optim.RMSprop, {"centered": "yes"}, TypeError, "centered must be True or False"),
    (optim.RMSprop, {"momentum": None}, TypeError, "momentum must be a finite number"),
    (optim.Adam, {"betas": 0.9}, TypeError, "betas must be a pair of numbers"),
    (optim.Adam, {"betas": (0.9,)}, ValueError, "got 1 of them"),
    (optim.Adam, {"betas": (0.9, 1.0)}, ValueError, r"betas\[1\] must be in \[0, 1\)"),
    (optim.Adam, {"betas": (-0.1, 0.9)}, ValueError, r"betas\[0\] must be in \[0, 1\)"),
    (optim.Adam, {"betas": ("a", 0.9)}, TypeError, r"betas\[0\] must be a finite number"),
    (optim.Adam, {"amsgrad": 0}, TypeError, "amsgrad must be True or False"),
    (optim.Rprop, {"etas": (1.2, 0.5)}, ValueError, "0 < etas"),
    (optim.Rprop, {"etas": (0.5, 1.0)}, ValueError, "0 < etas"),
    (optim.Rprop, {"step_sizes": (1.0, 0.5)}, ValueError, "step_sizes"),
    (optim.Rprop, {"step_sizes": (-1.0, 0.5)}, ValueError, "step_sizes"),
    (optim.Rprop, {"step_sizes": "small"}, TypeError, "step_sizes must be a pair"),
]


@pytest.mark.parametrize("cls, kw, error, message", BAD_OPTIONS)
def test_bad_options(cls, kw, error, message):
    with pytest.raises(error, match=message):
        cls(network(), **kw)


# ---------------------------------------------------------------- make
def test_make_by_name():
    net = network()
    assert type(optim.make("sgd", net)) is optim.SGD
    m = optim.make("momentum", net, lr=0.05)
    assert m.options()["momentum"] == 0.9 and not m.options()["nesterov"] and m.lr == 0.05
    assert optim.make("momentum", net, momentum=0.5).options()["momentum"] == 0.5
    assert optim.make("momentum", net, momentum=None).options()["momentum"] == 0.9
    n = optim.make("Nesterov", net)
    assert n.options()["nesterov"] and n.options()["momentum"] == 0.9
    assert type(optim.make("RMSPROP", net, alpha=0.9)) is optim.RMSprop
    a = optim.make("adam", net, lr=0.01, weight_decay=0.1)
    assert type(a) is optim.Adam and a.lr == 0.01 and a.options()["weight_decay"] == 0.1
    assert type(optim.make("rprop", net, weight_decay=0.0)) is optim.Rprop


def test_make_with_an_object():
    net = network()
    opt = optim.RMSprop(net)
    assert optim.make(opt, net) is opt
    with pytest.raises(ValueError, match="another network"):
        optim.make(opt, network())
    with pytest.raises(ValueError, match=r"takes no options.*\['lr'\]"):
        optim.make(opt, net, lr=0.1)


def test_make_refuses():
    net = network()
    with pytest.raises(ValueError, match="optimizer must be 'sgd'.*got str 'adagrad'"):
        optim.make("adagrad", net)
    with pytest.raises(TypeError, match="optimizer must be a name"):
        optim.make(None, net)
    with pytest.raises(TypeError, match="unexpected keyword argument 'momentum'"):
        optim.make("adam", net, momentum=0.9)
    with pytest.raises(ValueError, match="nesterov needs momentum > 0"):
        optim.make("nesterov", net, momentum=0.0)
