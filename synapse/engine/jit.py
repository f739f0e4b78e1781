"""The JIT engine: the same step as the neuron objects, as numba-compiled loops.

Used when numba is installed (``pip install synapse[fast]``) and every squash
is a built-in. It walks index lists (CSR) over the very arrays of the layout,
one unit after another in activation order, exactly as Neuron.activate and
Neuron.propagate do, and runs a whole training pass (``run``) without
returning to Python per sample. Equation numbers are Monner and Reggia's.
"""
from __future__ import annotations

import numpy as np

from .. import squash as _squash
from .numpy_engine import clear_layout

try:
    import numba
except ImportError:  # the JIT is an optional extra
    numba = None

SQUASH_CODES = {_squash.LOGISTIC: 0, _squash.TANH: 1, _squash.IDENTITY: 2, _squash.HLIM: 3,
                _squash.RELU: 4}
COST_NONE, COST_MSE, COST_CE = 0, 1, 2


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


def plan(layout) -> tuple:
    """Index lists over the layout's flat arrays, in the kernels' argument order."""
    L = layout
    u = L.units
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
    cat = (lambda xs: np.concatenate(xs).astype(np.int64) if xs else np.zeros(0, np.int64))
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
    ints = (n_in, N, L.start[-1], L.stop[-1])
    arrays = (u.bias, u.state, u.old, u.act_ext, u.deriv, u.delta_ext, u.deltap, u.eb, u.selfw,
              L.flat["w"], L.flat["e"], L.flat["g"], L.xflat, L.tflat, L.xbflat,
              selfgate, sq, in_ptr, cw, src, cg, cx, cxs,
              rk_ptr, kj, kslot, kt, rel_self, re_ptr, re_w, re_src,
              out_ptr, ow, ok, gr_ptr, gr_k, gr_slot, gr_t)
    return ints + arrays


if numba is not None:
    _jit = numba.njit(cache=True, fastmath=False, nogil=True)

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

    @_jit
    def _activate(x, n_in, N, out_lo, out_hi, bias, state, old, act, deriv, delta, deltap, eb,
                  selfw, W, E, G, X, T, XB, selfgate, sq, in_ptr, cw, src, cg, cx, cxs,
                  rk_ptr, kj, kslot, kt, rel_self, re_ptr, re_w, re_src,
                  out_ptr, ow, ok, gr_ptr, gr_k, gr_slot, gr_t):
        for i in range(n_in):
            act[i] = x[i]
            deriv[i] = 0.0
            bias[i] = 0.0
        for j in range(n_in, N):
            decay = act[selfgate[j]] * selfw[j]  # g_jj(t) w_jj
            o = state[j]
            old[j] = o
            s = decay * o + bias[j]  # eq. 15
            eb[j] = decay * eb[j] + 1.0  # eq. 17, bias
            for c in range(in_ptr[j], in_ptr[j + 1]):
                w = cw[c]
                g = act[cg[c]]  # eq. 14
                y = act[src[c]]
                G[w] = g
                s += g * W[w] * y  # eq. 15
                E[w] = decay * E[w] + g * y  # eq. 17
            state[j] = s
            y, d = _squash(sq[j], s)  # eq. 16
            act[j] = y
            deriv[j] = d
            for r in range(rk_ptr[j], rk_ptr[j + 1]):  # eq. 18, j as the gated unit k
                h = kj[r]
                tv = selfw[j] * o if rel_self[r] else 0.0
                for e in range(re_ptr[r], re_ptr[r + 1]):
                    tv += W[re_w[e]] * act[re_src[e]]
                slot = kslot[r]
                T[slot] = tv
                coef = deriv[h] * tv
                t = kt[r]
                for c in range(in_ptr[h], in_ptr[h + 1]):
                    xi = cx[c] + t * cxs[c]
                    X[xi] = decay * X[xi] + coef * E[cw[c]]
                XB[slot] = decay * XB[slot] + coef * eb[h]

    @_jit
    def _propagate(rate, errors, n_in, N, out_lo, out_hi, bias, state, old, act, deriv, delta,
                   deltap, eb, selfw, W, E, G, X, T, XB, selfgate, sq, in_ptr, cw, src, cg, cx,
                   cxs, rk_ptr, kj, kslot, kt, rel_self, re_ptr, re_w, re_src,
                   out_ptr, ow, ok, gr_ptr, gr_k, gr_slot, gr_t):
        for j in range(N - 1, n_in - 1, -1):  # eqs. 21-23, later units first
            acc = 0.0
            for c in range(out_ptr[j], out_ptr[j + 1]):
                w = ow[c]
                acc += delta[ok[c]] * G[w] * W[w]
            dp = deriv[j] * acc
            if j >= out_lo:
                dp += errors[j - out_lo]  # eq. 10
            accg = 0.0
            for q in range(gr_ptr[j], gr_ptr[j + 1]):
                accg += delta[gr_k[q]] * T[gr_slot[q]]
            deltap[j] = dp
            delta[j] = dp + deriv[j] * accg
        for j in range(n_in, N):  # eq. 24, after every delta: pre-propagate weights
            dp = deltap[j]
            for c in range(in_ptr[j], in_ptr[j + 1]):
                w = cw[c]
                grad = dp * E[w]
                for q in range(gr_ptr[j], gr_ptr[j + 1]):
                    grad += delta[gr_k[q]] * X[cx[c] + gr_t[q] * cxs[c]]
                W[w] += rate * grad
            gb = dp * eb[j]
            for q in range(gr_ptr[j], gr_ptr[j + 1]):
                gb += delta[gr_k[q]] * XB[gr_slot[q]]
            bias[j] += rate * gb

    @_jit
    def _errors(target, cost, out_lo, out_hi, act, deriv, errors):
        n = out_hi - out_lo
        for i in range(n):
            y = act[out_lo + i]
            t = target[i]
            if cost == 0:
                errors[i] = t - y
            elif cost == 1:
                errors[i] = 2.0 * (t - y) / n * deriv[out_lo + i]
            else:
                yc = min(max(y, 0.0), 1.0)
                errors[i] = (t / (yc + 1e-15) - (1.0 - t) / ((1.0 + 1e-15) - yc)) * deriv[out_lo + i]

    @_jit
    def _run(Xs, Ys, rates, learn, cost, out, n_in, N, out_lo, out_hi, bias, state, old, act,
             deriv, delta, deltap, eb, selfw, W, E, G, X, T, XB, selfgate, sq, in_ptr, cw, src,
             cg, cx, cxs, rk_ptr, kj, kslot, kt, rel_self, re_ptr, re_w, re_src,
             out_ptr, ow, ok, gr_ptr, gr_k, gr_slot, gr_t):
        errors = np.zeros(out_hi - out_lo)
        for i in range(Xs.shape[0]):
            _activate(Xs[i], n_in, N, out_lo, out_hi, bias, state, old, act, deriv, delta, deltap,
                      eb, selfw, W, E, G, X, T, XB, selfgate, sq, in_ptr, cw, src, cg, cx, cxs,
                      rk_ptr, kj, kslot, kt, rel_self, re_ptr, re_w, re_src,
                      out_ptr, ow, ok, gr_ptr, gr_k, gr_slot, gr_t)
            for q in range(out_hi - out_lo):
                out[i, q] = act[out_lo + q]
            if learn:
                _errors(Ys[i], cost, out_lo, out_hi, act, deriv, errors)
                _propagate(rates[i], errors, n_in, N, out_lo, out_hi, bias, state, old, act,
                           deriv, delta, deltap, eb, selfw, W, E, G, X, T, XB, selfgate, sq,
                           in_ptr, cw, src, cg, cx, cxs, rk_ptr, kj, kslot, kt, rel_self, re_ptr,
                           re_w, re_src, out_ptr, ow, ok, gr_ptr, gr_k, gr_slot, gr_t)


class JitEngine:
    """Steps a network's layout with numba-compiled loops (see the module docstring)."""

    def __init__(self, net, layout):
        self.L = layout
        self.args = plan(layout)
        self.out_lo, self.out_hi = layout.start[-1], layout.stop[-1]
        self.errors = np.zeros(self.out_hi - self.out_lo)

    def activate(self, x: np.ndarray) -> np.ndarray:
        _activate(x, *self.args)
        return self.L.units.act[self.out_lo:self.out_hi].copy()

    def propagate(self, rate: float, errors: np.ndarray) -> None:
        _propagate(rate, errors, *self.args)

    def run(self, Xs, Ys, rates, cost_code) -> np.ndarray:
        out = np.empty((Xs.shape[0], self.out_hi - self.out_lo))
        learn = Ys is not None
        if Ys is None:
            Ys = np.zeros((Xs.shape[0], 0))
        _run(Xs, Ys, rates, learn, cost_code, out, *self.args)
        return out

    def clear(self) -> None:
        clear_layout(self.L)
