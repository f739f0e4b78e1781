"""The JIT's kernels: numba-compiled loops over a layout's arrays.

Imported on first use (by :class:`synapse.engine.jit.JitEngine`), so that
``import synapse`` does not pay for numba. Every offset is read from the int
arena by the names of :class:`synapse.engine.jit.Head`; equation numbers are
Monner and Reggia's (docs/equations.md).
"""
from __future__ import annotations

import ctypes
import weakref
from typing import Any

import numba
import numpy as np
from llvmlite import ir
from numba.extending import intrinsic

from .. import optim
from .jit import (
    EPS,
    FMAX,
    LEAKY_SLOPE,
    SELU_ALPHA,
    SELU_SCALE,
    SOFTMAX,
    USER,
    Head,
)

#: A squash compiled as a C function: f(x: float64, derivate: bool) -> float64.
SQUASH_SIGNATURE = numba.types.float64(numba.types.float64, numba.types.boolean)
_users: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def user_squash(f: Any) -> Any:
    """``f`` compiled by numba as a C function (``.address`` for the kernels), or
    None when numba cannot compile it or the compiled one does not give f's
    numbers (checked at a few points). Made once per function."""
    try:
        return _users[f]
    except (KeyError, TypeError):
        pass
    compiled = None
    try:
        c = numba.cfunc(SQUASH_SIGNATURE, cache=False)(f)
        address = c.address
        if address is None:
            raise ValueError("numba gave no address")
        probe = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_bool)(address)
        for x in (-2.5, -0.3, 0.0, 0.7, 3.0):
            for d in (False, True):
                want = float(f(x, d))
                got = probe(x, d)
                if not (got == want or abs(got - want) <= 1e-12 * max(1.0, abs(want))):
                    raise ValueError("the compiled squash gives other numbers")
        compiled = c
    except Exception:  # noqa: BLE001 - any failure to compile means: not on the JIT
        compiled = None
    try:
        _users[f] = compiled
    except TypeError:  # not weakly referable: not cached
        pass
    return compiled


@intrinsic
def _call_squash(typingctx, addr, x, flag):
    """Call the C function at ``addr`` as f(x: float64, flag: bool) -> float64."""
    sig = numba.types.float64(numba.types.int64, numba.types.float64, numba.types.boolean)

    def codegen(context, builder, signature, args):
        address, value, derivate = args
        fnty = ir.FunctionType(ir.DoubleType(), [ir.DoubleType(), ir.IntType(8)])
        fn = builder.inttoptr(address, fnty.as_pointer())
        return builder.call(fn, [value, builder.zext(derivate, ir.IntType(8))])

    return sig, codegen

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

@_jit
def _logistic(s):
    if s >= 0:
        return 1.0 / (1.0 + np.exp(-s))
    e = np.exp(s)
    return e / (1.0 + e)

@_jit
def _squash_code(code, s, ix):
    """(f(s), f'(s)) of the built-in squash with this code, as synapse.squash
    defines it (scalar formulas; tests hold every engine equal)."""
    if code == 0:  # LOGISTIC
        y = _logistic(s)
        return y, y * (1.0 - y)
    if code == 1:  # TANH
        y = np.tanh(s)
        return y, 1.0 - y * y
    if code == 2:  # IDENTITY
        return s, 1.0
    if code == 3:  # HLIM: derivative 1, straight through (as synaptic.js)
        return (1.0 if s > 0 else 0.0), 1.0
    if code == 4:  # RELU
        return (s if s > 0 else 0.0), (1.0 if s > 0 else 0.0)
    if code == 6:  # LEAKY_RELU
        return (s if s > 0 else LEAKY_SLOPE * s), (
            1.0 if s > 0 else LEAKY_SLOPE)
    if code == 7:  # ELU
        if s > 0:
            return s, 1.0
        return np.expm1(s), np.exp(s)
    if code == 8:  # SELU
        a, c = SELU_ALPHA, SELU_SCALE
        if s > 0:
            return min(c * s, FMAX), c
        return c * (a * np.expm1(s)), c * a * np.exp(s)
    if code == 9:  # SOFTPLUS
        return max(s, 0.0) + np.log1p(np.exp(-abs(s))), _logistic(s)
    if code == 10:  # SOFTSIGN
        r = 1.0 / (1.0 + abs(s))
        return s * r, r * r
    if code == 11:  # SILU
        q = _logistic(s)
        return s * q, q * (1.0 + s * _logistic(-s))
    if code == 12:  # SINUSOID
        return np.sin(s), np.cos(s)
    if code == 13:  # GAUSSIAN
        x = min(max(s, -40.0), 40.0)
        e = np.exp(-x * x)
        return e, -2.0 * x * e
    if code == 14:  # BENT_IDENTITY
        h = np.hypot(s, 1.0)
        return min(0.5 * (s * (s / (h + 1.0))) + s, FMAX), 0.5 * (s / h) + 1.0
    if code == 15:  # BIPOLAR
        return (1.0 if s > 0 else -1.0), 0.0
    if code == 16:  # BIPOLAR_SIGMOID
        e = np.exp(-abs(s))
        return np.tanh(0.5 * s), 2.0 * e / ((1.0 + e) * (1.0 + e))
    if code == 17:  # HARD_TANH
        return min(max(s, -1.0), 1.0), (1.0 if -1.0 < s < 1.0 else 0.0)
    if code == 18:  # ABSOLUTE
        return abs(s), (-1.0 if s < 0 else 1.0)
    if code == 19:  # INVERSE
        return 1.0 - s, -1.0
    if code >= USER:  # a user's squash, compiled by numba: called through its address
        addr = ix[ix[Head.USER_SQUASH] + code - USER]
        return _call_squash(addr, s, False), _call_squash(addr, s, True)
    return (1.0 if s > 0 else 0.0), 0.0  # 20: STEP

@_jit
def _softmax(Sb, STATE, ACT, DERIV, lo, hi):
    """eq. 16 for the SOFTMAX group lo:hi, from its states: y = e^(s - max) / sum."""
    top = Sb[STATE + lo]
    for i in range(lo + 1, hi):
        top = max(top, Sb[STATE + i])
    total = 0.0
    for i in range(lo, hi):
        e = np.exp(Sb[STATE + i] - top)
        Sb[ACT + i] = e
        total += e
    for i in range(lo, hi):
        y = Sb[ACT + i] / total
        Sb[ACT + i] = y
        Sb[DERIV + i] = y * (1.0 - y)

@_jit
def _step1(x, V, Sb, ix):
    """One step of one stream (Sb: its row of S; x its inputs): eqs. 14-18 for every
    unit in order."""
    n_in, N, SW = ix[Head.N_IN], ix[Head.N], ix[Head.SW0]
    STATE, OLD, ACT = ix[Head.ROW_STATE], ix[Head.ROW_OLD], ix[Head.ROW_ACT]
    DERIV, EB, E = ix[Head.ROW_DERIV], ix[Head.ROW_EB], ix[Head.ROW_E]
    G, T, XB, X = ix[Head.ROW_G], ix[Head.ROW_T], ix[Head.ROW_XB], ix[Head.ROW_X]
    SELFGATE, SQ, BIAS_AT = ix[Head.SELFGATE], ix[Head.SQUASH], ix[Head.BIAS_AT]
    IN_PTR, IN_CONN, IN_W = ix[Head.IN_PTR], ix[Head.IN_CONN], ix[Head.IN_W]
    IN_SRC, IN_GATER = ix[Head.IN_SRC], ix[Head.IN_GATER]
    IN_X, IN_XS = ix[Head.IN_X], ix[Head.IN_XS]
    RK_PTR, RK_REL, REL_J = ix[Head.RK_PTR], ix[Head.RK_REL], ix[Head.REL_J]
    REL_SELF, X_MEM = ix[Head.REL_SELF], ix[Head.X_MEM]
    RC_PTR, RC_W, RC_SRC = ix[Head.RC_PTR], ix[Head.RC_W], ix[Head.RC_SRC]
    SM_LO, SM_HI = ix[Head.SM_LO], ix[Head.SM_HI]
    for i in range(n_in):
        Sb[ACT + i] = x[i]
        Sb[DERIV + i] = 0.0
        V[ix[BIAS_AT + i]] = 0.0  # input units have no bias (as in synaptic.js)
    for j in range(n_in, N):
        sw = V[SW + j]
        decay = Sb[ACT + ix[SELFGATE + j]] * sw  # g_jj(t) w_jj
        o = Sb[STATE + j]
        Sb[OLD + j] = o
        s = decay * o + V[ix[BIAS_AT + j]]  # eq. 15, self and bias terms
        Sb[EB + j] = decay * Sb[EB + j] + 1.0  # eq. 17, bias
        for q in range(ix[IN_PTR + j], ix[IN_PTR + j + 1]):
            c = ix[IN_CONN + q]
            y = Sb[ACT + ix[IN_SRC + q]]
            gater = ix[IN_GATER + q]
            if gater == N:  # ungated: the gain is 1 (stored once by the layout)
                s += V[ix[IN_W + q]] * y  # eq. 15
                Sb[E + c] = decay * Sb[E + c] + y  # eq. 17
            else:
                g = Sb[ACT + gater]  # eq. 14
                Sb[G + c] = g
                s += g * V[ix[IN_W + q]] * y  # eq. 15
                Sb[E + c] = decay * Sb[E + c] + g * y  # eq. 17
        if not np.isfinite(s):  # overflowed: bounded as Neuron.activate does
            s = 0.0 if s != s else (FMAX if s > 0 else -FMAX)
        Sb[STATE + j] = s
        code = ix[SQ + j]
        if code == 0:  # eq. 16, LOGISTIC ahead of the dispatch (about 8% of a small step)
            y = _logistic(s)
            Sb[ACT + j] = y
            Sb[DERIV + j] = y * (1.0 - y)
        elif code != SOFTMAX:
            y, d = _squash_code(code, s, ix)  # eq. 16
            Sb[ACT + j] = y
            Sb[DERIV + j] = d
        elif ix[SM_HI + j] == j + 1:  # eq. 16 for a SOFTMAX group, once all its states exist
            _softmax(Sb, STATE, ACT, DERIV, ix[SM_LO + j], j + 1)
        # eq. 18, j as the gated unit k of each relation
        for p in range(ix[RK_PTR + j], ix[RK_PTR + j + 1]):
            r = ix[RK_REL + p]
            tv = sw * o if ix[REL_SELF + r] else 0.0
            for e in range(ix[RC_PTR + r], ix[RC_PTR + r + 1]):
                tv += V[ix[RC_W + e]] * Sb[ACT + ix[RC_SRC + e]]
            Sb[T + r] = tv
            m = ix[X_MEM + r]
            if m < 0:
                continue  # no memory: x^k_ji = f'_j e_ji T_kj, derived in _learn1
            h = ix[REL_J + r]
            coef = Sb[DERIV + h] * tv
            for q in range(ix[IN_PTR + h], ix[IN_PTR + h + 1]):
                xi = X + ix[IN_X + q] + m * ix[IN_XS + q]
                Sb[xi] = decay * Sb[xi] + coef * Sb[E + ix[IN_CONN + q]]
            Sb[XB + r] = decay * Sb[XB + r] + coef * Sb[EB + h]

@_jit
def _step(x, V, S, ix):
    """One step of every stream; x: streams x inputs."""
    for b in range(S.shape[0]):
        _step1(x[b], V, S[b], ix)

@_jit
def _cross_entropy_slope(cost, t, y):
    """dC/dy of cross-entropy (code 2) or categorical cross-entropy (code 4), as
    synapse.cost defines them: flat (0) for outputs outside [0, 1]."""
    if not 0.0 <= y <= 1.0:
        return 0.0
    if cost == 2:
        return -t / (y + EPS) + (1.0 - t) / ((1.0 + EPS) - y)
    return -t / (y + EPS)


@_jit
def _errors(target, cost, S, ix, errors):
    """The outputs' error: t - y (eq. 10), or -dC/dy f'(s) for MSE / cross-entropy,
    through the Jacobian for a SOFTMAX group. target and errors: streams x outputs."""
    out_lo, out_hi = ix[Head.OUT_LO], ix[Head.OUT_HI]
    ACT, DERIV = ix[Head.ROW_ACT], ix[Head.ROW_DERIV]
    SM_LO, SM_HI = ix[Head.SM_LO], ix[Head.SM_HI]
    n = out_hi - out_lo
    for b in range(S.shape[0]):
        for i in range(n):
            y = S[b, ACT + out_lo + i]
            t = target[b, i]
            if cost == 0:
                errors[b, i] = t - y
            elif cost == 1:
                errors[b, i] = -2.0 * (t - y) / n  # dC/dy, for now
            else:
                errors[b, i] = _cross_entropy_slope(cost, t, y)
        if cost == 0:
            continue
        i = 0
        while i < n:  # -dC/ds: f'(s) for a unit, the Jacobian for a SOFTMAX group
            j = out_lo + i
            if ix[SM_LO + j] < 0:
                errors[b, i] = -errors[b, i] * S[b, DERIV + j]
                i += 1
                continue
            hi = ix[SM_HI + j] - out_lo
            dot = 0.0
            for q in range(i, hi):
                dot += S[b, ACT + out_lo + q] * errors[b, q]
            for q in range(i, hi):
                errors[b, q] = -S[b, ACT + out_lo + q] * (errors[b, q] - dot)
            i = hi

@_jit
def _learn1(scale, errors, V, D, Sb, ix):
    """One stream's responsibilities (eqs. 10, 19-23; Sb: its row of S), then
    eq. 24: D[slot] += scale * (ascent direction) for every learning weight
    and bias. D is V (a step at rate scale) or the gradient (scale -1)."""
    n_in, N, out_lo = ix[Head.N_IN], ix[Head.N], ix[Head.OUT_LO]
    n_params = ix[Head.N_PARAMS]
    DERIV, DELTA, DELTAP = ix[Head.ROW_DERIV], ix[Head.ROW_DELTA], ix[Head.ROW_DELTAP]
    EB, E, G = ix[Head.ROW_EB], ix[Head.ROW_E], ix[Head.ROW_G]
    T, XB, X = ix[Head.ROW_T], ix[Head.ROW_XB], ix[Head.ROW_X]
    BIAS_AT, IN_PTR, IN_CONN = ix[Head.BIAS_AT], ix[Head.IN_PTR], ix[Head.IN_CONN]
    IN_W, IN_X, IN_XS = ix[Head.IN_W], ix[Head.IN_X], ix[Head.IN_XS]
    OUT_PTR, OUT_CONN = ix[Head.OUT_PTR], ix[Head.OUT_CONN]
    OUT_W, OUT_DST = ix[Head.OUT_W], ix[Head.OUT_DST]
    REL_PTR, REL_K, X_MEM = ix[Head.REL_PTR], ix[Head.REL_K], ix[Head.X_MEM]
    SM_LO, SM_HI, ACT = ix[Head.SM_LO], ix[Head.SM_HI], ix[Head.ROW_ACT]
    for j in range(N - 1, n_in - 1, -1):  # later units first
        acc = 0.0
        for q in range(ix[OUT_PTR + j], ix[OUT_PTR + j + 1]):
            acc += Sb[DELTA + ix[OUT_DST + q]] * Sb[G + ix[OUT_CONN + q]] * V[
                ix[OUT_W + q]]
        lo = ix[SM_LO + j]
        if lo >= 0:  # a SOFTMAX unit: keep a_j and the error until its group is done
            Sb[DELTAP + j] = acc
            Sb[DELTA + j] = errors[j - out_lo] if j >= out_lo else 0.0
            if j == lo:  # eq. 21 through the group's Jacobian
                dot = 0.0
                for i in range(lo, ix[SM_HI + j]):
                    dot += Sb[ACT + i] * Sb[DELTAP + i]
                for i in range(lo, ix[SM_HI + j]):
                    d = Sb[ACT + i] * (Sb[DELTAP + i] - dot) + Sb[DELTA + i]
                    Sb[DELTAP + i] = d
                    Sb[DELTA + i] = d
            continue
        dp = Sb[DERIV + j] * acc  # eq. 21
        if j >= out_lo:
            dp += errors[j - out_lo]  # eq. 10
        accg = 0.0
        for r in range(ix[REL_PTR + j], ix[REL_PTR + j + 1]):
            accg += Sb[DELTA + ix[REL_K + r]] * Sb[T + r]
        Sb[DELTAP + j] = dp
        Sb[DELTA + j] = dp + Sb[DERIV + j] * accg  # eqs. 22-23
    for j in range(n_in, N):  # eq. 24
        # gated units without memory: x^k_ji = f'_j e_ji T_kj joins delta^P_j
        dp = Sb[DELTAP + j]
        stored = False
        for r in range(ix[REL_PTR + j], ix[REL_PTR + j + 1]):
            if ix[X_MEM + r] < 0:
                dp += Sb[DERIV + j] * Sb[DELTA + ix[REL_K + r]] * Sb[T + r]
            else:
                stored = True
        for q in range(ix[IN_PTR + j], ix[IN_PTR + j + 1]):
            w = ix[IN_W + q]
            if w >= n_params:
                continue  # a connection that does not learn
            grad = dp * Sb[E + ix[IN_CONN + q]]
            if stored:
                for r in range(ix[REL_PTR + j], ix[REL_PTR + j + 1]):
                    m = ix[X_MEM + r]
                    if m >= 0:
                        xi = X + ix[IN_X + q] + m * ix[IN_XS + q]
                        grad += Sb[DELTA + ix[REL_K + r]] * Sb[xi]
            D[w] += scale * grad
        at = ix[BIAS_AT + j]
        if at < n_params:
            gb = dp * Sb[EB + j]
            if stored:
                for r in range(ix[REL_PTR + j], ix[REL_PTR + j + 1]):
                    if ix[X_MEM + r] >= 0:
                        gb += Sb[DELTA + ix[REL_K + r]] * Sb[XB + r]
            D[at] += scale * gb

@_jit
def _learn(scale, errors, V, D, S, ix):
    """_learn1 for every stream (errors: streams x outputs), summed into D."""
    for b in range(S.shape[0]):
        _learn1(scale, errors[b], V, D, S[b], ix)

@_jit
def _finite(a):
    for v in a.flat:
        if not np.isfinite(v):
            return False
    return True

@_jit
def _activate(x, V, S, ix):
    """One step of the network's own stream; False, changing nothing, if x is not finite."""
    if not _finite(x):
        return False
    _step1(x, V, S[0], ix)
    return True

@_jit
def _propagate(rate, target, cost, errors, V, D, S, ix):
    """Learn towards target with a cost the kernels compute; False, changing
    nothing, if rate or target is not finite."""
    if not (np.isfinite(rate) and _finite(target)):
        return False
    _errors(target, cost, S, ix, errors)
    _learn1(rate, errors[0], V, D, S[0], ix)
    return True

@_jit
def _run(Xs, Ys, rates, learn, cost, out, V, S, ix, scratch):
    """A sequence: at each time t, step every stream on Xs[t] (streams x inputs),
    write the outputs to out[t], and, with learn, learn towards Ys[t] at
    rates[t]: one stream steps as propagate does; several take one plain
    step along their mean gradient (summed into scratch first)."""
    out_lo, out_hi = ix[Head.OUT_LO], ix[Head.OUT_HI]
    ACT, n_params = ix[Head.ROW_ACT], ix[Head.N_PARAMS]
    B = S.shape[0]
    errors = np.empty((B, out_hi - out_lo))
    for t in range(Xs.shape[0]):
        _step(Xs[t], V, S, ix)
        for b in range(B):
            for q in range(out_hi - out_lo):
                out[t, b, q] = S[b, ACT + out_lo + q]
        if learn and rates[t] != 0.0:
            _errors(Ys[t], cost, S, ix, errors)
            if B == 1:
                _learn1(rates[t], errors[0], V, V, S[0], ix)
            else:
                scratch[:] = 0.0
                _learn(-1.0, errors, V, scratch, S, ix)
                step = rates[t] / B
                for p in range(n_params):
                    V[p] -= step * scratch[p]

@_jit
def _cost_of(target, cost, S, ix):
    """Cost of stream 0's outputs against target (1 x outputs): MSE,
    cross-entropy or binary misses."""
    out_lo, out_hi = ix[Head.OUT_LO], ix[Head.OUT_HI]
    ACT = ix[Head.ROW_ACT]
    n = out_hi - out_lo
    total = 0.0
    for i in range(n):
        y = S[0, ACT + out_lo + i]
        t = target[0, i]
        if cost == 1:
            total += (t - y) * (t - y) / n
        elif cost == 2:
            yc = min(max(y, 0.0), 1.0)
            total -= t * np.log(yc + EPS) + (1.0 - t) * np.log((1.0 + EPS) - yc)
        elif cost == 4:
            total -= t * np.log(min(max(y, 0.0), 1.0) + EPS)
        else:
            total += 1.0 if np.floor(t * 2 + 0.5) != np.floor(y * 2 + 0.5) else 0.0
    return total

@_jit
def _train(Xs, Ys, orders, rates, learn_cost, error_cost, target_error, errors, V, S, ix):
    """Passes over a set (Xs: rows x 1 x inputs): pass k visits rows orders[k]
    at rates[k]; errors[k] is the mean cost of its activations (before each
    one's learning). Stops after the first pass whose error is at or below
    target_error; returns the number of passes run."""
    out_lo, out_hi = ix[Head.OUT_LO], ix[Head.OUT_HI]
    delta_out = np.empty((1, out_hi - out_lo))
    Sb, d, X = S[0], delta_out[0], Xs[:, 0]  # views made once, not per row (~10% of a row)
    for k in range(orders.shape[0]):
        total = 0.0
        for i in orders[k]:
            _step1(X[i], V, Sb, ix)
            total += _cost_of(Ys[i], error_cost, S, ix)
            _errors(Ys[i], learn_cost, S, ix, delta_out)
            _learn1(rates[k], d, V, V, Sb, ix)
        errors[k] = total / orders.shape[1]
        if errors[k] <= target_error:
            return k + 1
    return orders.shape[0]


_rules = tuple(_jit(rule) for rule in optim.UPDATES)  # the optimizers' own rules
_sgd, _rmsprop, _adam, _rprop = _rules

@_jit
def _update(kind, hyper, P, g, state, t):
    """One optimizer step: synapse.optim's rule of this kind, compiled."""
    if kind == optim.SGD_KIND:
        _sgd(hyper, P, g, state, t)
    elif kind == optim.RMSPROP_KIND:
        _rmsprop(hyper, P, g, state, t)
    elif kind == optim.ADAM_KIND:
        _adam(hyper, P, g, state, t)
    else:
        _rprop(hyper, P, g, state, t)

@_jit
def _apply(kind, lr, hyper, state, steps, clip, count, V, G, n_params):
    """The gradient summed in G over ``count`` rows: averaged, clipped to norm
    ``clip`` (0: not clipped), one optimizer step at learning rate lr; G back
    to 0. steps[0] counts the optimizer's steps (its t)."""
    scale = 1.0 / count
    if clip > 0.0:
        norm = 0.0
        for p in range(n_params):
            norm += (G[p] * scale) ** 2
        norm = np.sqrt(norm)
        if norm > clip:
            scale *= clip / norm
    for p in range(n_params):
        G[p] *= scale
    steps[0] += 1
    hyper[0] = lr
    _update(kind, hyper, V[:n_params], G, state, steps[0])
    G[:] = 0.0

@_jit
def _fit(Xs, Ys, orders, rates, learn_cost, error_cost, target_error, batch, kind, hyper,
         state, steps, clip, errors, V, S, G, ix):
    """Passes with mini-batches and an optimizer (Xs: rows x 1 x inputs): pass k
    visits rows orders[k], adding each row's gradient into G; every ``batch``
    rows, and at the end of a pass, _apply steps the parameters at rates[k].
    errors[k] is the mean cost of the pass's activations; stops after the
    first pass at or below target_error; returns the number of passes run."""
    out_lo, out_hi = ix[Head.OUT_LO], ix[Head.OUT_HI]
    n_params = ix[Head.N_PARAMS]
    delta_out = np.empty((1, out_hi - out_lo))
    Sb, d, X = S[0], delta_out[0], Xs[:, 0]  # views made once, not per row
    for k in range(orders.shape[0]):
        total = 0.0
        count = 0
        for i in orders[k]:
            _step1(X[i], V, Sb, ix)
            total += _cost_of(Ys[i], error_cost, S, ix)
            _errors(Ys[i], learn_cost, S, ix, delta_out)
            _learn1(-1.0, d, V, G, Sb, ix)
            count += 1
            if count == batch:
                _apply(kind, rates[k], hyper, state, steps, clip, count, V, G, n_params)
                count = 0
        if count:
            _apply(kind, rates[k], hyper, state, steps, clip, count, V, G, n_params)
        errors[k] = total / orders.shape[1]
        if errors[k] <= target_error:
            return k + 1
    return orders.shape[0]


@_jit
def _target_errors(target, cost, Sb, ix, err):
    """One stream's outputs' error terms (-dC/ds, or t - y for eq. 10) towards a
    target row in which NaN means "no target here": those outputs contribute
    nothing (a SOFTMAX group's Jacobian mixes only the others)."""
    out_lo, out_hi = ix[Head.OUT_LO], ix[Head.OUT_HI]
    ACT, DERIV = ix[Head.ROW_ACT], ix[Head.ROW_DERIV]
    SM_LO, SM_HI = ix[Head.SM_LO], ix[Head.SM_HI]
    n = out_hi - out_lo
    for i in range(n):
        y = Sb[ACT + out_lo + i]
        t = target[i]
        if t != t:
            err[i] = 0.0
        elif cost == 0:
            err[i] = t - y
        elif cost == 1:
            err[i] = -2.0 * (t - y) / n
        else:
            err[i] = _cross_entropy_slope(cost, t, y)
    if cost == 0:
        return
    i = 0
    while i < n:
        j = out_lo + i
        if ix[SM_LO + j] < 0:
            err[i] = -err[i] * Sb[DERIV + j]
            i += 1
            continue
        hi = ix[SM_HI + j] - out_lo
        dot = 0.0
        for q in range(i, hi):
            dot += Sb[ACT + out_lo + q] * err[q]
        for q in range(i, hi):
            err[q] = -Sb[ACT + out_lo + q] * (err[q] - dot)
        i = hi

@_jit
def _bptt(Xs, Ys, cost, V, S, ix, D, scale, out):
    """Backpropagation through time over a window, for every stream (row of S):
    steps Xs[b] (window x inputs) from S[b], recording what the backward pass
    needs, writes the outputs to out[b], then walks back through the window
    (later steps first, later units first) and adds scale times the sum over
    steps and streams of -dL/dw into D (scale -1: the gradient of the loss L,
    the sum of the steps' costs towards Ys[b], NaN meaning no target). The
    state before the window is a constant (truncation); S[b] ends as the
    state after the window. Exact on any topology: docs/equations.md."""
    n_in, N = ix[Head.N_IN], ix[Head.N]
    out_lo, out_hi = ix[Head.OUT_LO], ix[Head.OUT_HI]
    n_params, SW = ix[Head.N_PARAMS], ix[Head.SW0]
    STATE, ACT, DERIV = ix[Head.ROW_STATE], ix[Head.ROW_ACT], ix[Head.ROW_DERIV]
    SELFGATE, BIAS_AT = ix[Head.SELFGATE], ix[Head.BIAS_AT]
    IN_PTR, IN_CONN = ix[Head.IN_PTR], ix[Head.IN_CONN]
    C_SRC, C_DST, C_GAT, C_W = ix[Head.C_SRC], ix[Head.C_DST], ix[Head.C_GAT], ix[Head.C_W]
    OA_PTR, OA_CONN = ix[Head.OA_PTR], ix[Head.OA_CONN]
    GA_PTR, GA_CONN = ix[Head.GA_PTR], ix[Head.GA_CONN]
    GS_PTR, GS_K = ix[Head.GS_PTR], ix[Head.GS_K]
    SM_LO, SM_HI = ix[Head.SM_LO], ix[Head.SM_HI]
    W = Xs.shape[1]
    n_out = out_hi - out_lo
    act = np.empty((W + 1, N + 2))   # act[r]: the activations after step r - 1
    state = np.empty((W + 1, N))     # state[r]: the states after step r - 1
    deriv = np.empty((W, N))
    err = np.zeros((W, n_out))
    cur = np.zeros(N + 1)            # delta(t), minus dL/ds
    nxt = np.zeros(N + 1)            # delta(t + 1)
    raw = np.zeros(N)                # a SOFTMAX unit's minus dL/dy until its group is done
    for b in range(S.shape[0]):
        Sb = S[b]
        act[0] = Sb[ACT:ACT + N + 2]
        state[0] = Sb[STATE:STATE + N]
        for t in range(W):
            _step1(Xs[b, t], V, Sb, ix)
            act[t + 1] = Sb[ACT:ACT + N + 2]
            state[t + 1] = Sb[STATE:STATE + N]
            deriv[t] = Sb[DERIV:DERIV + N]
            for q in range(n_out):
                out[b, t, q] = Sb[ACT + out_lo + q]
            _target_errors(Ys[b, t], cost, Sb, ix, err[t])
        nxt[:] = 0.0
        for t in range(W - 1, -1, -1):
            now, before, after = act[t + 1], act[t], act[t + 2] if t + 1 < W else act[t + 1]
            for j in range(N - 1, n_in - 1, -1):
                acc = 0.0  # minus dL/dy_j(t)
                for q in range(ix[OA_PTR + j], ix[OA_PTR + j + 1]):
                    c = ix[OA_CONN + q]
                    k = ix[C_DST + c]
                    g = ix[C_GAT + c]
                    if k > j:  # read within step t (eq. 15)
                        gain = 1.0 if g == N else (now[g] if g < k else before[g])
                        acc += cur[k] * gain * V[ix[C_W + c]]
                    elif t + 1 < W:  # a recurrent connection: read at step t + 1
                        gain = 1.0 if g == N else (after[g] if g < k else now[g])
                        acc += nxt[k] * gain * V[ix[C_W + c]]
                for q in range(ix[GA_PTR + j], ix[GA_PTR + j + 1]):  # j's gains (eq. 14)
                    c = ix[GA_CONN + q]
                    k, a = ix[C_DST + c], ix[C_SRC + c]
                    if j < k:  # k reads y_j(t)
                        acc += cur[k] * V[ix[C_W + c]] * (now[a] if a < k else before[a])
                    elif t + 1 < W:  # k reads y_j(t) at step t + 1
                        acc += nxt[k] * V[ix[C_W + c]] * (after[a] if a < k else now[a])
                for q in range(ix[GS_PTR + j], ix[GS_PTR + j + 1]):  # gated self-connections
                    k = ix[GS_K + q]
                    if j < k:
                        acc += cur[k] * V[SW + k] * state[t][k]
                    elif t + 1 < W:
                        acc += nxt[k] * V[SW + k] * state[t + 1][k]
                e = err[t, j - out_lo] if j >= out_lo else 0.0
                carry = 0.0  # through the self-connection, from step t + 1
                if t + 1 < W and V[SW + j] != 0.0:
                    sg = ix[SELFGATE + j]
                    gain = 1.0 if sg == N else (after[sg] if sg < j else now[sg])
                    carry = nxt[j] * gain * V[SW + j]
                lo = ix[SM_LO + j]
                if lo < 0:
                    cur[j] = deriv[t, j] * acc + e + carry
                    continue
                raw[j] = acc
                cur[j] = e + carry
                if j == lo:  # the SOFTMAX group's Jacobian, now that all its units are done
                    dot = 0.0
                    for i in range(lo, ix[SM_HI + j]):
                        dot += now[i] * raw[i]
                    for i in range(lo, ix[SM_HI + j]):
                        cur[i] += now[i] * (raw[i] - dot)
            # dL/dw_ji = -sum over t of delta_j(t) g_ji(t) y_i as j read it; dL/db_j likewise
            for j in range(n_in, N):
                d = cur[j]
                if d == 0.0:
                    continue
                for q in range(ix[IN_PTR + j], ix[IN_PTR + j + 1]):
                    c = ix[IN_CONN + q]
                    w = ix[C_W + c]
                    if w >= n_params:
                        continue
                    a, g = ix[C_SRC + c], ix[C_GAT + c]
                    gain = 1.0 if g == N else (now[g] if g < j else before[g])
                    D[w] += scale * d * gain * (now[a] if a < j else before[a])
                at = ix[BIAS_AT + j]
                if at < n_params:
                    D[at] += scale * d
            nxt[:] = cur
    return W




@_jit
def add_scaled_rows(W, a, E):
    """W[j, i] += a[j] E[j, i]: eq. 24's first term for a dense block, in one pass
    (numpy needs a product, a scratch array and a sum)."""
    for j in range(W.shape[0]):
        aj = a[j]
        if aj != 0.0:
            for i in range(W.shape[1]):
                W[j, i] += aj * E[j, i]


@_jit
def logistic_into(s, y, d):
    """y = LOGISTIC(s) and d = (1 - y) y for one stream's segment, in one pass
    (numpy_engine.squash_into computes the same numbers in nine array operations)."""
    for i in range(s.shape[0]):
        v = _logistic(s[i])
        y[i] = v
        d[i] = (1.0 - v) * v


# ---------------------------------------------------------------- many streams at once
# The same step and learning as _step1 and _learn1, for B streams in lockstep, with
# the state laid out as ST (entries, streams): every innermost loop runs over the
# streams, on contiguous memory, where the compiler vectorises it. Used for batches
# (run_batch); tests hold them equal to the one-stream kernels.

@_jit
def _step_t(x, V, ST, ix, work):
    """One step of every stream (x: inputs x streams) on ST: eqs. 14-18, as _step1."""
    B = ST.shape[1]
    n_in, N, SW = ix[Head.N_IN], ix[Head.N], ix[Head.SW0]
    STATE, OLD, ACT = ix[Head.ROW_STATE], ix[Head.ROW_OLD], ix[Head.ROW_ACT]
    DERIV, EB, E = ix[Head.ROW_DERIV], ix[Head.ROW_EB], ix[Head.ROW_E]
    G, T, XB, X = ix[Head.ROW_G], ix[Head.ROW_T], ix[Head.ROW_XB], ix[Head.ROW_X]
    SELFGATE, SQ, BIAS_AT = ix[Head.SELFGATE], ix[Head.SQUASH], ix[Head.BIAS_AT]
    IN_PTR, IN_CONN, IN_W = ix[Head.IN_PTR], ix[Head.IN_CONN], ix[Head.IN_W]
    IN_SRC, IN_GATER = ix[Head.IN_SRC], ix[Head.IN_GATER]
    IN_X, IN_XS = ix[Head.IN_X], ix[Head.IN_XS]
    RK_PTR, RK_REL, REL_J = ix[Head.RK_PTR], ix[Head.RK_REL], ix[Head.REL_J]
    REL_SELF, X_MEM = ix[Head.REL_SELF], ix[Head.X_MEM]
    RC_PTR, RC_W, RC_SRC = ix[Head.RC_PTR], ix[Head.RC_W], ix[Head.RC_SRC]
    SM_LO, SM_HI = ix[Head.SM_LO], ix[Head.SM_HI]
    s, dec, o, tv = work[0], work[1], work[2], work[3]
    for i in range(n_in):
        a, d = ST[ACT + i], ST[DERIV + i]
        for b in range(B):
            a[b] = x[i, b]
            d[b] = 0.0
        V[ix[BIAS_AT + i]] = 0.0  # input units have no bias (as in synaptic.js)
    for j in range(n_in, N):
        sw = V[SW + j]
        bias = V[ix[BIAS_AT + j]]
        gain = ST[ACT + ix[SELFGATE + j]]
        st, old, eb = ST[STATE + j], ST[OLD + j], ST[EB + j]
        for b in range(B):
            dec[b] = gain[b] * sw  # g_jj(t) w_jj
            o[b] = st[b]
            old[b] = st[b]
            s[b] = dec[b] * o[b] + bias  # eq. 15, self and bias terms
            eb[b] = dec[b] * eb[b] + 1.0  # eq. 17, bias
        for q in range(ix[IN_PTR + j], ix[IN_PTR + j + 1]):
            c = ix[IN_CONN + q]
            y, e = ST[ACT + ix[IN_SRC + q]], ST[E + c]
            w = V[ix[IN_W + q]]
            gater = ix[IN_GATER + q]
            if gater == N:
                for b in range(B):
                    s[b] += w * y[b]  # eq. 15
                    e[b] = dec[b] * e[b] + y[b]  # eq. 17
            else:
                g, gc = ST[ACT + gater], ST[G + c]
                for b in range(B):
                    gc[b] = g[b]  # eq. 14
                    s[b] += g[b] * w * y[b]
                    e[b] = dec[b] * e[b] + g[b] * y[b]
        code = ix[SQ + j]
        act, der = ST[ACT + j], ST[DERIV + j]
        for b in range(B):
            v = s[b]
            if not np.isfinite(v):  # overflowed: bounded as Neuron.activate does
                v = 0.0 if v != v else (FMAX if v > 0 else -FMAX)
            st[b] = v
            if code != SOFTMAX:
                act[b], der[b] = _squash_code(code, v, ix)  # eq. 16
        if code == SOFTMAX and ix[SM_HI + j] == j + 1:
            for b in range(B):
                _softmax(ST[:, b], STATE, ACT, DERIV, ix[SM_LO + j], j + 1)
        for p in range(ix[RK_PTR + j], ix[RK_PTR + j + 1]):  # eq. 18
            r = ix[RK_REL + p]
            for b in range(B):
                tv[b] = sw * o[b] if ix[REL_SELF + r] else 0.0
            for e_ in range(ix[RC_PTR + r], ix[RC_PTR + r + 1]):
                w, ya = V[ix[RC_W + e_]], ST[ACT + ix[RC_SRC + e_]]
                for b in range(B):
                    tv[b] += w * ya[b]
            tr = ST[T + r]
            for b in range(B):
                tr[b] = tv[b]
            m = ix[X_MEM + r]
            if m < 0:
                continue
            h = ix[REL_J + r]
            dh = ST[DERIV + h]
            for b in range(B):
                tv[b] = dh[b] * tv[b]  # f'_h T_kh
            for q in range(ix[IN_PTR + h], ix[IN_PTR + h + 1]):
                xr = ST[X + ix[IN_X + q] + m * ix[IN_XS + q]]
                er = ST[E + ix[IN_CONN + q]]
                for b in range(B):
                    xr[b] = dec[b] * xr[b] + tv[b] * er[b]
            xb, ebh = ST[XB + r], ST[EB + h]
            for b in range(B):
                xb[b] = dec[b] * xb[b] + tv[b] * ebh[b]


@_jit
def _learn_t(scale, errors, V, D, ST, ix, work):
    """Every stream's responsibilities (errors: streams x outputs), then eq. 24
    summed over the streams into D, as _learn1 stream by stream."""
    B = ST.shape[1]
    n_in, N, out_lo = ix[Head.N_IN], ix[Head.N], ix[Head.OUT_LO]
    n_params = ix[Head.N_PARAMS]
    DERIV, DELTA, DELTAP = ix[Head.ROW_DERIV], ix[Head.ROW_DELTA], ix[Head.ROW_DELTAP]
    EB, E, G = ix[Head.ROW_EB], ix[Head.ROW_E], ix[Head.ROW_G]
    T, XB, X = ix[Head.ROW_T], ix[Head.ROW_XB], ix[Head.ROW_X]
    BIAS_AT, IN_PTR, IN_CONN = ix[Head.BIAS_AT], ix[Head.IN_PTR], ix[Head.IN_CONN]
    IN_W, IN_X, IN_XS = ix[Head.IN_W], ix[Head.IN_X], ix[Head.IN_XS]
    OUT_PTR, OUT_CONN = ix[Head.OUT_PTR], ix[Head.OUT_CONN]
    OUT_W, OUT_DST = ix[Head.OUT_W], ix[Head.OUT_DST]
    REL_PTR, REL_K, X_MEM = ix[Head.REL_PTR], ix[Head.REL_K], ix[Head.X_MEM]
    SM_LO, SM_HI, ACT = ix[Head.SM_LO], ix[Head.SM_HI], ix[Head.ROW_ACT]
    acc, dp = work[0], work[1]
    for j in range(N - 1, n_in - 1, -1):  # later units first
        for b in range(B):
            acc[b] = 0.0
        for q in range(ix[OUT_PTR + j], ix[OUT_PTR + j + 1]):
            w = V[ix[OUT_W + q]]
            dk, g = ST[DELTA + ix[OUT_DST + q]], ST[G + ix[OUT_CONN + q]]
            for b in range(B):
                acc[b] += dk[b] * g[b] * w
        deltap, delta, der = ST[DELTAP + j], ST[DELTA + j], ST[DERIV + j]
        lo = ix[SM_LO + j]
        if lo >= 0:  # a SOFTMAX unit: its group's Jacobian once the group is done
            for b in range(B):
                deltap[b] = acc[b]
                delta[b] = errors[b, j - out_lo] if j >= out_lo else 0.0
            if j == lo:
                for b in range(B):
                    Sb = ST[:, b]
                    dot = 0.0
                    for i in range(lo, ix[SM_HI + j]):
                        dot += Sb[ACT + i] * Sb[DELTAP + i]
                    for i in range(lo, ix[SM_HI + j]):
                        d = Sb[ACT + i] * (Sb[DELTAP + i] - dot) + Sb[DELTA + i]
                        Sb[DELTAP + i] = d
                        Sb[DELTA + i] = d
            continue
        for b in range(B):
            dp[b] = der[b] * acc[b]  # eq. 21
            if j >= out_lo:
                dp[b] += errors[b, j - out_lo]  # eq. 10
            acc[b] = 0.0
        for r in range(ix[REL_PTR + j], ix[REL_PTR + j + 1]):
            dk, tr = ST[DELTA + ix[REL_K + r]], ST[T + r]
            for b in range(B):
                acc[b] += dk[b] * tr[b]
        for b in range(B):
            deltap[b] = dp[b]
            delta[b] = dp[b] + der[b] * acc[b]  # eqs. 22-23
    for j in range(n_in, N):  # eq. 24, summed over the streams
        deltap, der = ST[DELTAP + j], ST[DERIV + j]
        for b in range(B):
            dp[b] = deltap[b]
        stored = False
        for r in range(ix[REL_PTR + j], ix[REL_PTR + j + 1]):
            if ix[X_MEM + r] < 0:
                dk, tr = ST[DELTA + ix[REL_K + r]], ST[T + r]
                for b in range(B):
                    dp[b] += der[b] * dk[b] * tr[b]
            else:
                stored = True
        for q in range(ix[IN_PTR + j], ix[IN_PTR + j + 1]):
            w = ix[IN_W + q]
            if w >= n_params:
                continue  # a connection that does not learn
            e = ST[E + ix[IN_CONN + q]]
            grad = 0.0
            for b in range(B):
                grad += dp[b] * e[b]
            if stored:
                for r in range(ix[REL_PTR + j], ix[REL_PTR + j + 1]):
                    m = ix[X_MEM + r]
                    if m >= 0:
                        dk = ST[DELTA + ix[REL_K + r]]
                        xr = ST[X + ix[IN_X + q] + m * ix[IN_XS + q]]
                        for b in range(B):
                            grad += dk[b] * xr[b]
            D[w] += scale * grad
        at = ix[BIAS_AT + j]
        if at < n_params:
            eb = ST[EB + j]
            gb = 0.0
            for b in range(B):
                gb += dp[b] * eb[b]
            if stored:
                for r in range(ix[REL_PTR + j], ix[REL_PTR + j + 1]):
                    if ix[X_MEM + r] >= 0:
                        dk, xb = ST[DELTA + ix[REL_K + r]], ST[XB + r]
                        for b in range(B):
                            gb += dk[b] * xb[b]
            D[at] += scale * gb


@_jit
def _run_t(Xs, Ys, rates, learn, cost, out, V, ST, ix, scratch):
    """_run for B streams on ST (entries x streams): Xs[t] is inputs x streams,
    out[t] outputs x streams; with learn, one plain step per time t along the
    streams' mean gradient (summed into scratch)."""
    out_lo, out_hi = ix[Head.OUT_LO], ix[Head.OUT_HI]
    ACT, n_params = ix[Head.ROW_ACT], ix[Head.N_PARAMS]
    B = ST.shape[1]
    work = np.empty((4, B))
    errors = np.empty((B, out_hi - out_lo))
    S = ST.T  # the streams' rows, for the outputs' errors
    for t in range(Xs.shape[0]):
        _step_t(Xs[t], V, ST, ix, work)
        for q in range(out_hi - out_lo):
            out[t, q] = ST[ACT + out_lo + q]
        if learn and rates[t] != 0.0:
            _errors(Ys[t], cost, S, ix, errors)
            scratch[:] = 0.0
            _learn_t(-1.0, errors, V, scratch, ST, ix, work)
            step = rates[t] / B
            for p in range(n_params):
                V[p] -= step * scratch[p]
