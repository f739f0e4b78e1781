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
    def _views(A, I):
        F = A[I[28]:I[28] + 9 * I[29]].reshape((9, I[29]))
        TX = A[I[30]:I[30] + 2 * I[31]].reshape((2, I[31]))
        C = A[I[32]:I[32] + 3 * I[33]].reshape((3, I[33]))
        X = A[I[34]:I[34] + I[35]]
        return F, TX, C, X

    @_jit
    def _activate(x, A, I):
        """One step (eqs. 14-18); False, changing nothing, if x is not finite."""
        O = I[:24]
        n_in, N = I[24], I[25]
        for i in range(n_in):
            if not np.isfinite(x[i]):
                return False
        F, TX, C, X = _views(A, I)
        bias, state, old, act, deriv = F[0], F[1], F[2], F[3], F[4]
        eb, selfw = F[7], F[8]
        W, E, G = C[0], C[1], C[2]
        T, XB = TX[0], TX[1]
        selfgate, sq, in_ptr = I[O[0]:O[1]], I[O[1]:O[2]], I[O[2]:O[3]]
        cw, src, cg, cx, cxs = I[O[3]:O[4]], I[O[4]:O[5]], I[O[5]:O[6]], I[O[6]:O[7]], I[O[7]:O[8]]
        rk_ptr, kj, kslot, kt = I[O[8]:O[9]], I[O[9]:O[10]], I[O[10]:O[11]], I[O[11]:O[12]]
        rel_self, re_ptr, re_w, re_src = I[O[12]:O[13]], I[O[13]:O[14]], I[O[14]:O[15]], I[O[15]:O[16]]
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
        return True

    @_jit
    def _propagate(rate, target, cost, A, I):
        """Responsibilities and learning (eqs. 10, 19-24) towards target; False,
        changing nothing, if target or rate is not finite."""
        O = I[:24]
        n_in, N, out_lo, out_hi = I[24], I[25], I[26], I[27]
        if not np.isfinite(rate):
            return False
        for i in range(out_hi - out_lo):
            if not np.isfinite(target[i]):
                return False
        F, TX, C, X = _views(A, I)
        errors = np.empty(out_hi - out_lo)
        _errors(target, cost, F, out_lo, out_hi, errors)
        bias, deriv, delta, deltap, eb = F[0], F[4], F[5], F[6], F[7]
        W, E, G = C[0], C[1], C[2]
        T, XB = TX[0], TX[1]
        in_ptr, cw, cx, cxs = I[O[2]:O[3]], I[O[3]:O[4]], I[O[6]:O[7]], I[O[7]:O[8]]
        out_ptr, ow, ok = I[O[16]:O[17]], I[O[17]:O[18]], I[O[18]:O[19]]
        gr_ptr, gr_k, gr_slot, gr_t = I[O[19]:O[20]], I[O[20]:O[21]], I[O[21]:O[22]], I[O[22]:O[23]]
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
        return True

    @_jit
    def _errors(target, cost, F, out_lo, out_hi, errors):
        """The outputs' error: t - y (eq. 10), or -dC/dy f'(s) for MSE / cross-entropy."""
        act, deriv = F[3], F[4]
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
    def _run(Xs, Ys, rates, learn, cost, out, A, I):
        out_lo, out_hi = I[26], I[27]
        F = _views(A, I)[0]
        for i in range(Xs.shape[0]):
            _activate(Xs[i], A, I)
            for q in range(out_hi - out_lo):
                out[i, q] = F[3, out_lo + q]
            if learn:
                _propagate(rates[i], Ys[i], cost, A, I)


class JitEngine:
    """Steps a network's layout with numba-compiled loops (see the module docstring)."""

    def __init__(self, net, layout):
        self.L = layout
        self.A = layout.arena.buffer
        self.I = plan(layout)
        self.out = layout.units.act[layout.start[-1]:layout.stop[-1]]

    def activate(self, x: np.ndarray) -> np.ndarray:
        if not _activate(x, self.A, self.I):
            raise ValueError(f"inputs must be finite, got {x.tolist()}")
        return self.out.copy()

    def learn(self, rate: float, target: np.ndarray, cost_code: int) -> None:
        if not _propagate(rate, target, cost_code, self.A, self.I):
            raise ValueError(f"rate and target must be finite, got {rate!r} and {target.tolist()}")

    def propagate(self, rate: float, errors: np.ndarray) -> None:
        raise NotImplementedError("the JIT engine computes the errors itself: use learn()")

    def run(self, Xs, Ys, rates, cost_code) -> np.ndarray:
        out = np.empty((Xs.shape[0], len(self.out)))
        learn = Ys is not None
        if Ys is None:
            Ys = np.zeros((Xs.shape[0], 0))
        _run(Xs, Ys, rates, learn, cost_code, out, self.A, self.I)
        return out

    def clear(self) -> None:
        clear_layout(self.L)
