"""The JIT engine: the same step as the neuron objects, as numba-compiled loops.

Used when numba is installed and every squash is a built-in. It walks index
lists (CSR) over the very arrays of the layout, one unit after another in
activation order, exactly as Neuron.activate and Neuron.propagate do, and runs
whole sequences (``run``) and training passes (``train``) without returning to
Python per sample. The state has one row per stream: the kernels step B
independent streams one after another, each with the scalar code of a single
stream. Equation numbers are Monner and Reggia's (docs/equations.md).

The kernels read three arrays besides the inputs: ``V`` (values: weights,
biases), ``S`` (state, streams x entries) and ``ix``, the **int arena**: a header
(:class:`Head`), then the index lists. The header's entries are named by
:class:`Head`, one definition for the Python side that writes it and the
kernels that read it; :func:`plan` writes it and :func:`decode` reads it back.
"""
from __future__ import annotations

import enum
import os
from dataclasses import fields
from typing import Any

import numpy as np

from .. import cost as _cost
from .. import optim
from .. import squash as _squash
from ..store import Layout, Rows
from ..structure import csr
from .base import BUILT_IN, PythonLoops, stream_errors
from .numpy_engine import NumpyEngine

try:
    if os.environ.get("SYNAPSE_NO_JIT"):  # run as without numba (tests, debugging)
        raise ImportError("SYNAPSE_NO_JIT is set")
    import numba
except ImportError:  # the JIT is optional
    numba = None  # type: ignore[assignment]

#: Each built-in squash's code in the kernels (_squash computes them, SOFTMAX by groups).
SQUASH_CODES = {f: code for code, f in enumerate((
    _squash.LOGISTIC, _squash.TANH, _squash.IDENTITY, _squash.HLIM, _squash.RELU,
    _squash.SOFTMAX, _squash.LEAKY_RELU, _squash.ELU, _squash.SELU, _squash.SOFTPLUS,
    _squash.SOFTSIGN, _squash.SILU, _squash.SINUSOID, _squash.GAUSSIAN, _squash.BENT_IDENTITY,
    _squash.BIPOLAR, _squash.BIPOLAR_SIGMOID, _squash.HARD_TANH, _squash.ABSOLUTE,
    _squash.INVERSE, _squash.STEP))}
SOFTMAX = SQUASH_CODES[_squash.SOFTMAX]
LEAKY_SLOPE, SELU_ALPHA, SELU_SCALE = _squash.LEAKY_SLOPE, _squash.SELU_ALPHA, _squash.SELU_SCALE
#: Costs the kernels compute themselves: 0 is eq. 10's t - y (no cost named).
COST_CODES = {None: 0, _cost.MSE: 1, _cost.CROSS_ENTROPY: 2, _cost.BINARY: 3}
FMAX = float(np.finfo(float).max)
EPS = _cost.EPS

#: The index lists of the int arena, in order (see :func:`plan` for each one's meaning).
LISTS = ("selfgate", "squash", "bias_at", "in_ptr", "in_conn", "in_w", "in_src", "in_gater",
         "in_x", "in_xs", "rk_ptr", "rk_rel", "rel_j", "rel_k", "rel_self", "x_mem",
         "rc_ptr", "rc_w", "rc_src", "rel_ptr", "out_ptr", "out_conn", "out_w", "out_dst",
         "sm_lo", "sm_hi", "c_src", "c_dst", "c_gat", "c_w", "oa_ptr", "oa_conn", "ga_ptr",
         "ga_conn", "gs_ptr", "gs_k")
#: The header's numbers after the lists' offsets: sizes, then every row offset of the state.
SCALARS = ("n_in", "N", "out_lo", "out_hi", "n_params", "sw0") + tuple(
    "row_" + f.name for f in fields(Rows))
Head: Any = enum.IntEnum("Head", [n.upper() for n in LISTS + SCALARS], start=0)  # type: ignore[misc]


def available() -> bool:
    return numba is not None


def supports(layout: Layout) -> bool:
    return numba is not None and all(f in SQUASH_CODES for f in layout.structure.squash)


def plan(layout: Layout) -> np.ndarray:
    """The int arena of a layout: the header, then the index lists.

    selfgate[j]: the unit gating j's self-connection (N: none, act_ext[N] = 1);
    squash[j]: its code; bias_at[j]: its bias in V; in_ptr: the connections
    into each unit (CSR), each entry with its connection (in_conn), weight slot
    (in_w), source (in_src), gater (in_gater, N: ungated) and extended-trace
    slot and stride (in_x, in_xs); rk_ptr/rk_rel: the relations of each gated
    unit k; rel_j/rel_k/rel_self/x_mem: per relation; rc_ptr/rc_w/rc_src: the
    gated connections behind each relation's T; rel_ptr: each gater's
    relations; out_ptr: the connections to later units (eq. 19), each with its
    connection, weight slot and target; sm_lo/sm_hi: each SOFTMAX unit's group
    (its units sm_lo[j]:sm_hi[j]; -1 for other units). For backpropagation
    through time: c_src/c_dst/c_gat/c_w per connection; oa_ptr/oa_conn: every
    connection out of each unit, recurrent ones included; ga_ptr/ga_conn: the
    connections each unit gates; gs_ptr/gs_k: the units whose self-connection
    each unit gates."""
    L, st = layout, layout.structure
    N = st.n_units
    in_order, in_ptr = csr(st.dst, N)
    rk_order, rk_ptr = csr(st.rel_k, N)
    later = np.flatnonzero(st.dst > st.src)
    o_order, out_ptr = csr(st.src[later], N)
    gater = np.where(st.gater >= 0, st.gater, N)
    out_conn = later[o_order]
    oa_order, oa_ptr = csr(st.src, N)
    gated = np.flatnonzero(st.gater >= 0)
    ga_order, ga_ptr = csr(st.gater[gated], N)
    selfgated = np.flatnonzero(st.self_gater >= 0)
    gs_order, gs_ptr = csr(st.self_gater[selfgated], N)
    sm_lo, sm_hi = np.full(N, -1, dtype=np.int64), np.full(N, -1, dtype=np.int64)
    for lo, hi in st.softmax:
        sm_lo[lo:hi], sm_hi[lo:hi] = lo, hi
    lists = {
        "selfgate": np.where(st.self_gater >= 0, st.self_gater, N),
        "squash": np.array([SQUASH_CODES[f] for f in st.squash], dtype=np.int64),
        "bias_at": L.bias_at, "in_ptr": in_ptr, "in_conn": in_order,
        "in_w": L.w_at[in_order], "in_src": st.src[in_order], "in_gater": gater[in_order],
        "in_x": L.xfirst[in_order], "in_xs": L.xstride[in_order], "rk_ptr": rk_ptr,
        "rk_rel": rk_order, "rel_j": st.rel_j, "rel_k": st.rel_k, "rel_self": st.rel_self,
        "x_mem": L.x_mem, "rc_ptr": st.rel_conn_ptr, "rc_w": L.w_at[st.rel_conns],
        "rc_src": st.src[st.rel_conns], "rel_ptr": st.rel_ptr, "out_ptr": out_ptr,
        "out_conn": out_conn, "out_w": L.w_at[out_conn], "out_dst": st.dst[out_conn],
        "sm_lo": sm_lo, "sm_hi": sm_hi, "c_src": st.src, "c_dst": st.dst, "c_gat": gater,
        "c_w": L.w_at, "oa_ptr": oa_ptr, "oa_conn": oa_order, "ga_ptr": ga_ptr,
        "ga_conn": gated[ga_order], "gs_ptr": gs_ptr, "gs_k": selfgated[gs_order],
    }
    scalars = {"n_in": st.n_inputs, "N": N, "out_lo": st.outputs.start,
               "out_hi": st.outputs.stop, "n_params": L.n_params, "sw0": len(L.V) - N}
    scalars.update({"row_" + f.name: getattr(L.rows, f.name) for f in fields(Rows)})
    arrays = [np.asarray(lists[name], dtype=np.int64).reshape(-1) for name in LISTS]
    head = np.zeros(len(Head), dtype=np.int64)
    at = len(Head)
    for name, arr in zip(LISTS, arrays):
        head[Head[name.upper()]] = at
        at += len(arr)
    for name in SCALARS:
        head[Head[name.upper()]] = scalars[name]
    return np.concatenate([head, *arrays])


def decode(ix: np.ndarray) -> dict:
    """The int arena read back by name: each list as an array, each scalar as an int."""
    out: dict = {}
    ends = [int(ix[Head[n.upper()]]) for n in LISTS[1:]] + [len(ix)]
    for name, end in zip(LISTS, ends):
        out[name] = ix[int(ix[Head[name.upper()]]):end]
    for name in SCALARS:
        out[name] = int(ix[Head[name.upper()]])
    return out


if numba is not None:
    _jit = numba.njit(cache=True, nogil=True, error_model="numpy")

    @_jit
    def _logistic(s):
        if s >= 0:
            return 1.0 / (1.0 + np.exp(-s))
        e = np.exp(s)
        return e / (1.0 + e)

    @_jit
    def _squash_code(code, s):
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
            if code != SOFTMAX:
                y, d = _squash_code(code, s)  # eq. 16
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
                elif 0.0 <= y <= 1.0:  # cross-entropy; flat (derivative 0) outside [0, 1]
                    errors[b, i] = -t / (y + EPS) + (1.0 - t) / ((1.0 + EPS) - y)
                else:
                    errors[b, i] = 0.0
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
        for k in range(orders.shape[0]):
            total = 0.0
            for i in orders[k]:
                _step1(Xs[i, 0], V, S[0], ix)
                total += _cost_of(Ys[i], error_cost, S, ix)
                _errors(Ys[i], learn_cost, S, ix, delta_out)
                _learn1(rates[k], delta_out[0], V, V, S[0], ix)
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
        for k in range(orders.shape[0]):
            total = 0.0
            count = 0
            for i in orders[k]:
                _step1(Xs[i, 0], V, S[0], ix)
                total += _cost_of(Ys[i], error_cost, S, ix)
                _errors(Ys[i], learn_cost, S, ix, delta_out)
                _learn1(-1.0, delta_out[0], V, G, S[0], ix)
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
            elif 0.0 <= y <= 1.0:
                err[i] = -t / (y + EPS) + (1.0 - t) / ((1.0 + EPS) - y)
            else:
                err[i] = 0.0
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


#: The gradients the kernels compute (BINARY has none).
LEARN_CODES = {c: COST_CODES[c] for c in BUILT_IN}


class JitEngine(PythonLoops):
    """Steps a network's layout with numba-compiled loops (see the module docstring)."""

    name = "jit"

    def __init__(self, layout: Layout):
        self.layout = layout
        self.ix = plan(layout)
        self.out = layout.units.act[layout.structure.outputs]
        self.errors = np.empty((1, len(self.out)))  # the outputs' errors, for the own stream
        self._numpy: NumpyEngine | None = None

    def activate(self, x: np.ndarray) -> np.ndarray:
        L = self.layout
        if not _activate(x, L.V, L.S, self.ix):
            raise ValueError(f"inputs must be finite, got {x.tolist()}")
        return self.out.copy()

    def learn(self, rate: float, target: np.ndarray, cost) -> None:
        code = LEARN_CODES.get(cost)
        if code is None:
            super().learn(rate, target, cost)
            return
        L = self.layout
        if not _propagate(rate, target.reshape(1, -1), code, self.errors, L.V, L.V, L.S,
                          self.ix):
            raise ValueError(f"rate and target must be finite, got {rate!r} and "
                             f"{target.tolist()}")

    def propagate(self, rate: float, errors: np.ndarray) -> None:
        """Learn from the outputs' errors as computed by the caller (any cost)."""
        L = self.layout
        _learn(rate, np.ascontiguousarray(errors, dtype=float).reshape(1, -1), L.V, L.V, L.S,
               self.ix)

    def accumulate_gradient(self, errors: np.ndarray) -> None:
        L = self.layout
        _learn(-1.0, np.ascontiguousarray(errors, dtype=float).reshape(1, -1), L.V, L.grad,
               L.S, self.ix)

    def backward(self, target: np.ndarray, cost) -> None:
        code = LEARN_CODES.get(cost)
        if code is None:
            super().backward(target, cost)
            return
        L = self.layout
        _propagate(-1.0, target.reshape(1, -1), code, self.errors, L.V, L.grad, L.S, self.ix)

    def run(self, X: np.ndarray, Y: np.ndarray | None, rates: np.ndarray, cost) -> np.ndarray:
        code = LEARN_CODES.get(cost)
        if code is None and Y is not None:
            return super().run(X, Y, rates, cost)
        L = self.layout
        T, n_out = X.shape[0], len(self.out)
        out = np.empty((T, 1, n_out))
        Y3 = np.zeros((T, 1, n_out)) if Y is None else np.ascontiguousarray(Y).reshape(T, 1,
                                                                                      n_out)
        _run(np.ascontiguousarray(X).reshape(T, 1, -1), Y3, np.ascontiguousarray(rates),
             Y is not None, code or 0, out, L.V, L.S, self.ix, L.grad[:0])
        return out[:, 0, :]

    def fit(self, X, Y, orders, rates, cost, error_cost, target_error, batch, opt, clip):
        """Passes with mini-batches and an optimizer in one kernel call (_fit), or
        None when the costs are not the kernels' own. ``opt`` is a synapse.optim
        optimizer: its hyperparameters, moments and step count are used and kept."""
        if cost not in LEARN_CODES or error_cost not in COST_CODES or error_cost is None:
            return None
        L = self.layout
        errors = np.empty(orders.shape[0])
        steps = np.array([opt.t], dtype=np.int64)
        scratch = np.zeros(L.n_params)
        n = _fit(np.ascontiguousarray(X, dtype=float).reshape(len(X), 1, -1),
                 np.ascontiguousarray(Y, dtype=float).reshape(len(Y), 1, -1),
                 np.ascontiguousarray(orders, dtype=np.int64),
                 np.ascontiguousarray(rates, dtype=float), LEARN_CODES[cost],
                 COST_CODES[error_cost], float(target_error), int(batch), opt.kind, opt.hyper,
                 opt.state, steps, float(clip), errors, L.V, L.S, scratch, self.ix)
        opt.t = int(steps[0])
        return n, errors[:n]

    def streams(self, S: np.ndarray, X: np.ndarray) -> None:
        _step(np.ascontiguousarray(X, dtype=float), self.layout.V, S, self.ix)

    def stream_gradient(self, S: np.ndarray, Y: np.ndarray, cost, D: np.ndarray) -> None:
        L = self.layout
        code = LEARN_CODES.get(cost)
        if code is None or np.isnan(Y).any():  # NaN: no target there (errors_of)
            errors = stream_errors(L, S, Y, cost)
        else:
            errors = np.empty(Y.shape)
            _errors(np.ascontiguousarray(Y, dtype=float), code, S, self.ix, errors)
        _learn(-1.0, errors, L.V, D, S, self.ix)

    def run_batch(self, X: np.ndarray, Y: np.ndarray | None, rates: np.ndarray,
                  cost) -> np.ndarray:
        code = LEARN_CODES.get(cost)
        if code is None and Y is not None:
            return super().run_batch(X, Y, rates, cost)
        L = self.layout
        B, T = X.shape[:2]
        n_out = len(self.out)
        S = np.repeat(L.S, B, axis=0)
        out = np.empty((T, B, n_out))
        Xt = np.ascontiguousarray(np.swapaxes(X, 0, 1), dtype=float)
        Yt = np.zeros((T, B, n_out)) if Y is None else np.ascontiguousarray(
            np.swapaxes(Y, 0, 1), dtype=float)
        _run(Xt, Yt, np.ascontiguousarray(rates, dtype=float), Y is not None, code or 0, out,
             L.V, S, self.ix, np.zeros(L.n_params))
        return np.ascontiguousarray(np.swapaxes(out, 0, 1))

    def train(self, X, Y, orders, rates, cost, error_cost, target_error):
        if cost not in LEARN_CODES or error_cost not in COST_CODES or error_cost is None:
            return None
        L = self.layout
        errors = np.empty(orders.shape[0])
        n = _train(np.ascontiguousarray(X, dtype=float).reshape(len(X), 1, -1),
                   np.ascontiguousarray(Y, dtype=float).reshape(len(Y), 1, -1),
                   np.ascontiguousarray(orders, dtype=np.int64),
                   np.ascontiguousarray(rates, dtype=float), LEARN_CODES[cost],
                   COST_CODES[error_cost], float(target_error), errors, L.V, L.S, self.ix)
        return n, errors[:n]

    def bptt(self, S: np.ndarray, X: np.ndarray, Y: np.ndarray, cost, D: np.ndarray,
             scale: float) -> np.ndarray:
        """Backpropagation through time over the window X for the streams S (the
        kernel _bptt; a cost the kernels lack goes to the numpy engine's walk)."""
        code = LEARN_CODES.get(cost)
        if code is None:
            return self.numpy().bptt(S, X, Y, cost, D, scale)
        out = np.empty(Y.shape)
        _bptt(np.ascontiguousarray(X, dtype=float), np.ascontiguousarray(Y, dtype=float), code,
              self.layout.V, S, self.ix, D, float(scale), out)
        return out

    def numpy(self) -> NumpyEngine:
        """A numpy engine over the same layout, for what this path has no loop of its own."""
        if self._numpy is None:
            self._numpy = NumpyEngine(self.layout)
        return self._numpy

    def clear(self) -> None:
        L = self.layout
        L.S[...] = L.fresh_state(1)
