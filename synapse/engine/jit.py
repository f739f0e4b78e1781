"""The JIT engine: the same step as the neuron objects, as numba-compiled loops.

Used when numba is installed (``pip install synapse[fast]``) and every squash
is a built-in. It walks index lists (CSR) over the very arrays of the layout,
one unit after another in activation order, exactly as Neuron.activate and
Neuron.propagate do, and runs a whole training pass (``run``) without
returning to Python per sample. Equation numbers are Monner and Reggia's.
"""
from __future__ import annotations

import os

import numpy as np

from .. import squash as _squash
from .numpy_engine import clear_layout

try:
    import numba
except ImportError:  # the JIT is an optional extra
    numba = None
if os.environ.get("SYNAPSE_NO_JIT"):  # run as without numba (for tests and debugging)
    numba = None

SQUASH_CODES = {_squash.LOGISTIC: 0, _squash.TANH: 1, _squash.IDENTITY: 2, _squash.HLIM: 3,
                _squash.RELU: 4}
FMAX = float(np.finfo(float).max)


def available() -> bool:
    return numba is not None


def supports(layout) -> bool:
    return numba is not None and all(n.squash in SQUASH_CODES for n in layout.neurons)


def _csr(keys: np.ndarray, n: int):
    """Order by key (stable) and the pointer array of a CSR list with n rows."""
    order = np.argsort(keys, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    return order, ptr


def plan(layout) -> np.ndarray:
    """The int arena: a header (list bounds, sizes, float-arena offsets), then
    the index lists the kernels walk over the layout's float arena."""
    L = layout
    N = len(L.neurons)
    n_in = L.stop[0]
    pos = {n: i for i, n in enumerate(L.neurons)}
    # every connection into a non-input unit
    dst, src, cw, cg, cx, cxs = [], [], [], [], [], []
    for (a, b), blk in L.blocks.items():
        if b == 0:
            continue
        rr, qq = np.nonzero(blk.mask)
        nI = blk.W.shape[1]
        m = blk.X.shape[1]
        dst.append(L.start[b] + rr)
        src.append(L.start[a] + qq)
        cw.append(blk.offset + rr * nI + qq)
        gat = blk.gater[rr, qq]
        cg.append(np.where(gat >= 0, gat, N))
        cx.append(blk.xoffset + rr * m * nI + qq)
        cxs.append(np.full(len(rr), nI))
    def cat(xs):
        return np.concatenate(xs).astype(np.int64) if xs else np.zeros(0, np.int64)

    dst, src, cw, cg, cx, cxs = map(cat, (dst, src, cw, cg, cx, cxs))
    order, in_ptr = _csr(dst, N)
    src, cw, cg, cx, cxs, dst = (v[order] for v in (src, cw, cg, cx, cxs, dst))
    # error flows back along connections to later units (eq. 19)
    later = np.nonzero(dst > src)[0]
    o_order, out_ptr = _csr(src[later], N)
    ow, ok = cw[later][o_order], dst[later][o_order]
    # gating relations (j gates k, k later): the tables gk, T, XB
    rj, rk, rslot, rt = [], [], [], []
    for g in range(len(L.start)):
        rows, ts = np.nonzero(L.gk[g] >= 0)
        m = L.gk[g].shape[1]
        rj.append(L.start[g] + rows)
        rk.append(L.gk[g][rows, ts])
        rslot.append(L.toff[g] + rows * m + ts)
        rt.append(ts)
    rj, rk, rslot, rt = map(cat, (rj, rk, rslot, rt))
    r_order, rk_ptr = _csr(rk, N)
    kj, kk, kslot, kt = (v[r_order] for v in (rj, rk, rslot, rt))
    g_order, gr_ptr = _csr(rj, N)
    gr_k, gr_slot, gr_t = rk[g_order], rslot[g_order], rt[g_order]
    selfgate = np.array([pos[n.selfconnection.gater] if n.selfconnection.gater is not None else N
                         for n in L.neurons], dtype=np.int64)
    rel_self = (selfgate[kk] == kj).astype(np.int64) if len(kk) else np.zeros(0, np.int64)
    # the gated connections behind each relation's T_kj (eq. 18)
    gated = np.nonzero(cg < N)[0]
    rel_key = kj * N + kk
    key_order = np.argsort(rel_key)
    e_key = cg[gated] * N + dst[gated]
    if len(rel_key) and len(e_key):
        hit = np.minimum(np.searchsorted(rel_key[key_order], e_key), len(rel_key) - 1)
        ok_e = rel_key[key_order][hit] == e_key
    else:
        hit = np.zeros(len(e_key), dtype=np.int64)
        ok_e = np.zeros(len(e_key), dtype=bool)
    e_rel = key_order[hit[ok_e]]
    e_conn = gated[ok_e]
    e_order, re_ptr = _csr(e_rel.astype(np.int64), len(kk))
    re_w, re_src = cw[e_conn][e_order], src[e_conn][e_order]
    sq = np.array([SQUASH_CODES[n.squash] for n in L.neurons], dtype=np.int64)
    lists = [selfgate, sq, in_ptr, cw, src, cg, cx, cxs, rk_ptr, kj, kslot, kt, rel_self, re_ptr,
             re_w, re_src, out_ptr, ow, ok, gr_ptr, gr_k, gr_slot, gr_t]
    # the int arena: list bounds (24), sizes (4), arena offsets (8), then the lists
    head = _HEAD
    bounds = head + np.concatenate([[0], np.cumsum([len(v) for v in lists])])
    arena = L.arena
    where = [arena.parts[name][0] for name in ("F", "TX", "C", "X")]
    header = np.concatenate([bounds, [n_in, N, L.start[-1], L.stop[-1]],
                             [where[0], N + 2, where[1], L.TX.shape[1], where[2], L.C.shape[1],
                              where[3], L.xflat.size]]).astype(np.int64)
    assert len(header) == head
    return np.concatenate([header] + [np.asarray(v, dtype=np.int64) for v in lists])


_HEAD = 24 + 4 + 8


if numba is not None:
    _jit = numba.njit(cache=True, nogil=True, error_model="numpy")

    @_jit
    def _squash(code, s):
        if code == 0:
            if s >= 0:
                y = 1.0 / (1.0 + np.exp(-s))
            else:
                e = np.exp(s)
                y = e / (1.0 + e)
            return y, y * (1.0 - y)
        if code == 1:
            y = np.tanh(s)
            return y, 1.0 - y * y
        if code == 2:
            return s, 1.0
        if code == 3:
            return (1.0 if s > 0 else 0.0), 1.0
        return (s if s > 0 else 0.0), (1.0 if s > 0 else 0.0)

    # The kernels index the two arenas directly: A (floats) at offsets, ix (ints)
    # through its list bounds. No array views are made per call, so numba does
    # no reference counting in the loops. Names of the offsets:
    #   units (row r of F = A[F0 + r * NC :]): bias 0, state 1, old 2, act 3,
    #   deriv 4, delta 5, deltap 6, eb 7, selfw 8; connections: W, E, G rows of C;
    #   relations: T and XB rows of TX; X: extended traces.

    @_jit
    def _step(x, A, ix):
        """One step: eqs. 14-18 for every unit in order."""
        n_in, N = ix[24], ix[25]
        NC = ix[29]
        BIAS, STATE, OLD, ACT = ix[28], ix[28] + NC, ix[28] + 2 * NC, ix[28] + 3 * NC
        DERIV, EB, SELFW = ix[28] + 4 * NC, ix[28] + 7 * NC, ix[28] + 8 * NC
        T, XB = ix[30], ix[30] + ix[31]
        W, E, G = ix[32], ix[32] + ix[33], ix[32] + 2 * ix[33]
        X = ix[34]
        SELFGATE, SQ, IN_PTR, CW = ix[0], ix[1], ix[2], ix[3]
        SRC, CG, CX, CXS = ix[4], ix[5], ix[6], ix[7]
        RK_PTR, KJ, KSLOT, KT = ix[8], ix[9], ix[10], ix[11]
        REL_SELF, RE_PTR, RE_W, RE_SRC = ix[12], ix[13], ix[14], ix[15]
        for i in range(n_in):
            A[ACT + i] = x[i]
            A[DERIV + i] = 0.0
            A[BIAS + i] = 0.0
        for j in range(n_in, N):
            decay = A[ACT + ix[SELFGATE + j]] * A[SELFW + j]  # g_jj(t) w_jj
            o = A[STATE + j]
            A[OLD + j] = o
            s = decay * o + A[BIAS + j]  # eq. 15
            A[EB + j] = decay * A[EB + j] + 1.0  # eq. 17, bias
            for c in range(ix[IN_PTR + j], ix[IN_PTR + j + 1]):
                w = ix[CW + c]
                y = A[ACT + ix[SRC + c]]
                gater = ix[CG + c]
                if gater == N:  # ungated: the gain is 1 (stored once by the layout)
                    s += A[W + w] * y  # eq. 15
                    A[E + w] = y if decay == 0.0 else decay * A[E + w] + y  # eq. 17
                else:
                    g = A[ACT + gater]  # eq. 14
                    A[G + w] = g
                    s += g * A[W + w] * y  # eq. 15
                    A[E + w] = g * y if decay == 0.0 else decay * A[E + w] + g * y  # eq. 17
            if not np.isfinite(s):  # overflowed: bounded as Neuron.activate does
                s = 0.0 if s != s else (FMAX if s > 0 else -FMAX)
            A[STATE + j] = s
            y, d = _squash(ix[SQ + j], s)  # eq. 16
            A[ACT + j] = y
            A[DERIV + j] = d
            for r in range(ix[RK_PTR + j], ix[RK_PTR + j + 1]):  # eq. 18, j as the gated unit k
                h = ix[KJ + r]
                tv = A[SELFW + j] * o if ix[REL_SELF + r] else 0.0
                for e in range(ix[RE_PTR + r], ix[RE_PTR + r + 1]):
                    tv += A[W + ix[RE_W + e]] * A[ACT + ix[RE_SRC + e]]
                slot = ix[KSLOT + r]
                A[T + slot] = tv
                if A[SELFW + j] == 0:
                    continue  # no memory: x^k_ji = f'_j e_ji T_kj, derived in _learn
                coef = A[DERIV + h] * tv
                t = ix[KT + r]
                for c in range(ix[IN_PTR + h], ix[IN_PTR + h + 1]):
                    xi = X + ix[CX + c] + t * ix[CXS + c]
                    A[xi] = decay * A[xi] + coef * A[E + ix[CW + c]]
                A[XB + slot] = decay * A[XB + slot] + coef * A[EB + h]

    @_jit
    def _errors(target, cost, A, ix, errors):
        """The outputs' error: t - y (eq. 10), or -dC/dy f'(s) for MSE / cross-entropy."""
        out_lo, out_hi = ix[26], ix[27]
        NC = ix[29]
        ACT, DERIV = ix[28] + 3 * NC, ix[28] + 4 * NC
        n = out_hi - out_lo
        for i in range(n):
            y = A[ACT + out_lo + i]
            t = target[i]
            if cost == 0:
                errors[i] = t - y
            elif cost == 1:
                errors[i] = 2.0 * (t - y) / n * A[DERIV + out_lo + i]
            elif 0.0 <= y <= 1.0:  # cross-entropy; flat (derivative 0) outside [0, 1]
                errors[i] = (t / (y + 1e-15) - (1.0 - t) / ((1.0 + 1e-15) - y)) * A[
                    DERIV + out_lo + i]
            else:
                errors[i] = 0.0

    @_jit
    def _learn(rate, errors, A, ix):
        """Responsibilities (eqs. 10, 19-23), then every change from the
        pre-propagate weights (eq. 24)."""
        n_in, N, out_lo = ix[24], ix[25], ix[26]
        NC = ix[29]
        BIAS, DERIV = ix[28], ix[28] + 4 * NC
        SELFW, BLEARN = ix[28] + 8 * NC, ix[28] + 9 * NC
        DELTA, DELTAP, EB = ix[28] + 5 * NC, ix[28] + 6 * NC, ix[28] + 7 * NC
        T, XB = ix[30], ix[30] + ix[31]
        W, E, G = ix[32], ix[32] + ix[33], ix[32] + 2 * ix[33]
        X = ix[34]
        IN_PTR, CW, CX, CXS = ix[2], ix[3], ix[6], ix[7]
        OUT_PTR, OW, OK = ix[16], ix[17], ix[18]
        GR_PTR, GR_K, GR_SLOT, GR_T = ix[19], ix[20], ix[21], ix[22]
        for j in range(N - 1, n_in - 1, -1):  # later units first
            acc = 0.0
            for c in range(ix[OUT_PTR + j], ix[OUT_PTR + j + 1]):
                w = ix[OW + c]
                acc += A[DELTA + ix[OK + c]] * A[G + w] * A[W + w]
            dp = A[DERIV + j] * acc  # eq. 21
            if j >= out_lo:
                dp += errors[j - out_lo]  # eq. 10
            accg = 0.0
            for q in range(ix[GR_PTR + j], ix[GR_PTR + j + 1]):
                accg += A[DELTA + ix[GR_K + q]] * A[T + ix[GR_SLOT + q]]
            A[DELTAP + j] = dp
            A[DELTA + j] = dp + A[DERIV + j] * accg  # eqs. 22-23
        for j in range(n_in, N):  # eq. 24
            # gated units without memory: x^k_ji = f'_j e_ji T_kj joins delta^P_j
            dp = A[DELTAP + j]
            stored = False
            for q in range(ix[GR_PTR + j], ix[GR_PTR + j + 1]):
                k = ix[GR_K + q]
                if A[SELFW + k] == 0:
                    dp += A[DERIV + j] * A[DELTA + k] * A[T + ix[GR_SLOT + q]]
                else:
                    stored = True
            for c in range(ix[IN_PTR + j], ix[IN_PTR + j + 1]):
                w = ix[CW + c]
                grad = dp * A[E + w]
                if stored:
                    for q in range(ix[GR_PTR + j], ix[GR_PTR + j + 1]):
                        k = ix[GR_K + q]
                        if A[SELFW + k] != 0:
                            grad += A[DELTA + k] * A[X + ix[CX + c] + ix[GR_T + q] * ix[CXS + c]]
                A[W + w] += rate * grad
            gb = dp * A[EB + j]
            for q in range(ix[GR_PTR + j], ix[GR_PTR + j + 1]):
                k = ix[GR_K + q]
                if A[SELFW + k] != 0:
                    gb += A[DELTA + k] * A[XB + ix[GR_SLOT + q]]
            if A[BLEARN + j] != 0:
                A[BIAS + j] += rate * gb

    @_jit
    def _activate(x, A, ix):
        """One step; False, changing nothing, if x is not finite."""
        for i in range(ix[24]):
            if not np.isfinite(x[i]):
                return False
        _step(x, A, ix)
        return True

    @_jit
    def _propagate(rate, target, cost, A, ix):
        """Learn towards target; False, changing nothing, if it or rate is not finite."""
        if not np.isfinite(rate):
            return False
        for i in range(ix[27] - ix[26]):
            if not np.isfinite(target[i]):
                return False
        errors = np.empty(ix[27] - ix[26])
        _errors(target, cost, A, ix, errors)
        _learn(rate, errors, A, ix)
        return True

    @_jit
    def _learn_from(rate, errors, A, ix):
        """Learn from the outputs' errors given by the caller (any cost)."""
        if not np.isfinite(rate):
            return False
        for i in range(ix[27] - ix[26]):
            if not np.isfinite(errors[i]):
                return False
        _learn(rate, errors, A, ix)
        return True

    @_jit
    def _run(Xs, Ys, rates, learn, cost, out, A, ix):
        """A whole pass: activate each row, then learn towards its target."""
        out_lo, out_hi = ix[26], ix[27]
        ACT = ix[28] + 3 * ix[29]
        errors = np.empty(out_hi - out_lo)
        for i in range(Xs.shape[0]):
            _step(Xs[i], A, ix)
            for q in range(out_hi - out_lo):
                out[i, q] = A[ACT + out_lo + q]
            if learn:
                _errors(Ys[i], cost, A, ix, errors)
                _learn(rates[i], errors, A, ix)


    @_jit
    def _cost(target, cost, A, ix):
        """Cost of the outputs against target: MSE, cross-entropy or binary misses."""
        out_lo, out_hi = ix[26], ix[27]
        ACT = ix[28] + 3 * ix[29]
        n = out_hi - out_lo
        total = 0.0
        for i in range(n):
            y = A[ACT + out_lo + i]
            t = target[i]
            if cost == 1:
                total += (t - y) * (t - y) / n
            elif cost == 2:
                yc = min(max(y, 0.0), 1.0)
                total -= t * np.log(yc + 1e-15) + (1.0 - t) * np.log((1.0 + 1e-15) - yc)
            else:
                total += 1.0 if np.floor(t * 2 + 0.5) != np.floor(y * 2 + 0.5) else 0.0
        return total

    @_jit
    def _train(Xs, Ys, orders, rates, learn_cost, error_cost, target_error, errors, A, ix):
        """Passes over a set: pass k visits rows orders[k] at rates[k]; errors[k]
        is the mean cost of its activations (before each one's learning). Stops
        after the first pass whose error is at or below target_error; returns
        the number of passes run."""
        out_lo, out_hi = ix[26], ix[27]
        delta_out = np.empty(out_hi - out_lo)
        for k in range(orders.shape[0]):
            total = 0.0
            for i in orders[k]:
                _step(Xs[i], A, ix)
                total += _cost(Ys[i], error_cost, A, ix)
                _errors(Ys[i], learn_cost, A, ix, delta_out)
                _learn(rates[k], delta_out, A, ix)
            errors[k] = total / orders.shape[1]
            if errors[k] <= target_error:
                return k + 1
        return orders.shape[0]


class JitEngine:
    """Steps a network's layout with numba-compiled loops (see the module docstring)."""

    loops_in_kernel = True  # run() and train() never return to Python per row
    def __init__(self, net, layout):
        self.L = layout
        self.A = layout.arena.buffer
        self.ix = plan(layout)
        self.out = layout.units.act[layout.start[-1]:layout.stop[-1]]

    def activate(self, x: np.ndarray) -> np.ndarray:
        if not _activate(x, self.A, self.ix):
            raise ValueError(f"inputs must be finite, got {x.tolist()}")
        return self.out.copy()

    def learn(self, rate: float, target: np.ndarray, cost_code: int) -> None:
        if not _propagate(rate, target, cost_code, self.A, self.ix):
            raise ValueError(f"rate and target must be finite, got {rate!r} and {target.tolist()}")

    def propagate(self, rate: float, errors: np.ndarray) -> None:
        """Learn from the outputs' errors as computed by the caller (any cost)."""
        if not _learn_from(rate, np.ascontiguousarray(errors, dtype=float), self.A, self.ix):
            raise ValueError(f"rate and errors must be finite, got {rate!r} and {errors!r}")

    def run(self, Xs, Ys, rates, cost_code) -> np.ndarray:
        out = np.empty((Xs.shape[0], len(self.out)))
        learn = Ys is not None
        if Ys is None:
            Ys = np.zeros((Xs.shape[0], 0))
        _run(Xs, Ys, rates, learn, cost_code, out, self.A, self.ix)
        return out

    def train(self, Xs, Ys, orders, rates, learn_code, error_code, target_error):
        errors = np.empty(orders.shape[0])
        n = _train(Xs, Ys, orders, rates, learn_code, error_code, target_error, errors,
                   self.A, self.ix)
        return n, errors[:n]

    def clear(self) -> None:
        clear_layout(self.L)
