"""The compiled fast path: LSTM-g as a few vectorized operations per layer pair.

It steps the arrays of a :class:`~synapse.store.Layout` (the same memory the
neuron objects read), computing exactly what :meth:`Neuron.activate` and
:meth:`Neuron.propagate` compute, in the same order, for whole layers at once.

A layer is processed as one *segment*, unless a unit of it reads, within the
same step, a unit of the same layer activated before it (an ALL_TO_ELSE
projection inside the layer, or a gater in the layer gating a later unit of
it); then each unit is a segment of its own, in order. The code below is the
same for both: a segment is a range of rows of its layer.
"""
from __future__ import annotations

import math

import numpy as np

from .. import squash as _squash
from . import runs


def squash_into(f, s: np.ndarray, y: np.ndarray, d: np.ndarray) -> None:
    """y = f(s) and d = f'(s), written into y and d (the built-ins' d from y)."""
    if f is _squash.LOGISTIC:  # 1 / (1 + e^-s); s < -700 gives 0 anyway, without overflow
        np.maximum(s, -700.0, out=y)
        np.negative(y, out=y)
        np.exp(y, out=y)
        y += 1.0
        np.reciprocal(y, out=y)
        np.subtract(1.0, y, out=d)
        d *= y
    elif f is _squash.TANH:
        np.tanh(s, out=y)
        np.multiply(y, y, out=d)
        np.subtract(1.0, d, out=d)
    elif f is _squash.IDENTITY:
        y[...] = s
        d[...] = 1.0
    else:
        y[...], d[...] = squash_both(f, s)


def squash_both(f, s: np.ndarray):
    """f(s) and f'(s) for an array."""
    if f in (_squash.LOGISTIC, _squash.TANH, _squash.IDENTITY):
        y, d = np.empty_like(s), np.empty_like(s)
        squash_into(f, s, y, d)
        return y, d
    y = np.asarray(f(s), dtype=float)
    d = np.asarray(f(s, True), dtype=float)
    if y.shape != s.shape:  # a squash written for scalars only
        y = np.array([float(f(v)) for v in s])
        d = np.array([float(f(v, True)) for v in s])
    return y, d


class _In:
    """Rows of one block into a segment."""

    def __init__(self, blk, r0, r1, a_lo, a_hi, N):
        self.W, self.E, self.Gn = blk.W[r0:r1], blk.E[r0:r1], blk.Gn[r0:r1]
        self.a_lo, self.a_hi = a_lo, a_hi
        mask = blk.mask[r0:r1]
        gater = blk.gater[r0:r1]
        self.gated = bool((gater >= 0).any())
        # every connection of a row gated by the same unit (a GateType.INPUT gate)
        self.rowgate = None
        self.rowrel = None  # per row, the relation (gater, unit) its W y is the T of
        if self.gated and bool((gater >= 0).all()) and bool((gater == gater[:, :1]).all()):
            self.rowgate = gater[:, 0].copy()
        # gains: act_ext[gidx]; N is the constant 1, N + 1 the constant 0
        self.gidx = np.where(gater >= 0, gater, np.where(mask, N, N + 1)) if self.gated else None
        self.plain = not self.gated and bool(mask.all())  # every gain is 1


class _Out:
    """The part of a block that carries error back to a segment's units."""

    def __init__(self, blk, k0, k1, r0, r1, k_lo):
        self.W, self.Gn = blk.W[k0:k1, r0:r1], blk.Gn[k0:k1, r0:r1]
        self.k_lo, self.k_hi = k_lo + k0, k_lo + k1
        self.plain = not bool((blk.gater[k0:k1, r0:r1] >= 0).any()) and bool(
            blk.mask[k0:k1, r0:r1].all())


class _Segment:
    pass


class NumpyEngine:
    """Steps a network's layout with numpy."""

    loops_in_kernel = False  # no run() or train(): Network loops over the rows
    def __init__(self, net, layout, fuse: bool = True):
        self.net = net
        u = layout.units
        N = len(layout.neurons)
        self.N = N
        self.n_in = layout.stop[0]
        pos = {n: i for i, n in enumerate(layout.neurons)}
        selfgater = np.array([pos[n.selfconnection.gater] if n.selfconnection.gater is not None
                              else N for n in layout.neurons], dtype=np.intp)
        self._plan_layers(layout)
        if fuse:  # step independent neighbouring layers as one (see runs.py)
            sequential = {b: self._sequential(b, selfgater) for b in range(1, self.n_layers)}
            layout = runs.merge(layout, lambda b: sequential[b])
            self._plan_layers(layout)
        self.segments = []
        for b in range(1, self.n_layers):
            lo, hi = layout.start[b], layout.stop[b]
            if hi == lo:
                continue
            if self._sequential(b, selfgater):
                ranges = [(r, r + 1) for r in range(hi - lo)]
            else:
                ranges = [(0, hi - lo)]
            for r0, r1 in ranges:
                self.segments.append(self._segment(b, r0, r1, selfgater, pos))
        self.out_lo, self.out_hi = layout.start[-1], layout.stop[-1]
        self.u = u
        # small networks learn in one pass over all weights: the unit each weight
        # feeds (N, a zero, for connections into input units); large ones per
        # block, each with a scratch array for its change
        self.row_of = None
        self.scratch = {}
        if layout.C.shape[1] > 50000:
            self.scratch = {key: np.empty_like(blk.W) for key, blk in layout.blocks.items()}
        else:
            self.row_of = np.full(layout.C.shape[1], N, dtype=np.intp)
            for (_, b), blk in layout.blocks.items():
                if b:
                    n_b, n_a = blk.W.shape
                    rows = np.repeat(np.arange(layout.start[b], layout.stop[b]), n_a)
                    self.row_of[blk.offset:blk.offset + n_b * n_a] = rows
            self.rfull = np.zeros(N + 1)
        # layers where some bias is held fixed
        self.fixed_bias = [not u.blearn[layout.start[b]:layout.stop[b]].all()
                           for b in range(self.n_layers)]
        # per layer, which gated-unit slots hold stored extended traces (the unit
        # has a self-connection) and which are derived (it has none); None: no such slot
        self.stored, self.derived = {}, {}
        for b in range(self.n_layers):
            gk = layout.gk[b]
            valid = gk >= 0
            memory = valid & (u.selfw[np.where(valid, gk, 0)] != 0)
            self.stored[b] = memory.astype(float) if memory.any() else None
            self.derived[b] = (valid & ~memory).astype(float) if (valid & ~memory).any() else None

    # ---- planning ----
    def _plan_layers(self, layout) -> None:
        self.L = layout
        self.n_layers = len(layout.start)
        self.into = {b: [] for b in range(self.n_layers)}
        for (_, b), blk in layout.blocks.items():
            self.into[b].append(blk)

    def _sequential(self, b, selfgater) -> bool:
        L = self.L
        lo, hi = L.start[b], L.stop[b]
        intra = L.blocks.get((b, b))
        if intra is not None and np.tril(intra.mask, -1).any():
            return True
        idx = np.arange(lo, hi)
        sg = selfgater[lo:hi]
        if np.any((sg >= lo) & (sg < idx)):
            return True
        for blk in self.into[b]:
            g = blk.gater
            rows = np.arange(lo, hi)[:, None]
            if np.any((g >= lo) & (g < hi) & (g < rows)):
                return True
        return False

    def _segment(self, b, r0, r1, selfgater, pos):
        L, N = self.L, self.N
        s = _Segment()
        s.layer = b
        s.r0, s.r1 = r0, r1
        s.lo, s.hi = L.start[b] + r0, L.start[b] + r1
        s.p = slice(s.lo, s.hi)
        s.output = b == self.n_layers - 1
        neurons = L.neurons[s.lo:s.hi]
        fns = {}
        for i, n in enumerate(neurons):
            fns.setdefault(n.squash, []).append(i)
        s.squash = [(f, None if len(ix) == len(neurons) else np.array(ix)) for f, ix in fns.items()]
        sg = selfgater[s.lo:s.hi]
        s.selfgate = sg if np.any(sg < N) else None
        # no unit of the segment is self-connected: every trace decay is 0
        s.nodecay = not bool(np.any(L.units.selfw[s.lo:s.hi]))
        s.ins = [_In(blk, r0, r1, L.start[blk.src], L.stop[blk.src], N)
                 for blk in self.into[b]]
        # error flows back along blocks to later layers, and inside the layer to later rows
        s.outs = []
        for (a, c), blk in L.blocks.items():
            if a != b:
                continue
            if c > b:
                s.outs.append(_Out(blk, 0, L.stop[c] - L.start[c], r0, r1, L.start[c]))
            elif c == b and r1 < L.stop[b] - L.start[b] and np.tril(blk.mask, -1).any():
                s.outs.append(_Out(blk, r1, L.stop[b] - L.start[b], r0, r1, L.start[b]))
        s.gk = L.gk[b][r0:r1]
        s.T = L.T[b][r0:r1]
        s.XB = L.XB[b][r0:r1]
        s.has_g = s.gk.shape[1] > 0 and bool((s.gk >= 0).any())
        self._relations(s, pos)
        return s

    def _relations(self, s, pos):
        """The (gater j, gated k) pairs with k in this segment: where T_kj comes from
        and which extended traces it updates (eq. 18)."""
        L = self.L
        rel = []  # (gater layer, gater row, slot t, k local index)
        for g in range(self.n_layers):
            gk = L.gk[g]
            rows, ts = np.nonzero((gk >= s.lo) & (gk < s.hi))
            for r, t in zip(rows, ts):
                rel.append((g, int(r), int(t), int(gk[r, t]) - s.lo))
        s.R = len(rel)
        if not rel:
            return
        # relation index by (gater position, local k); gains index act_ext, so
        # rows N and N + 1 (the constants) never match
        ridx = np.full((self.N + 2, s.hi - s.lo), -1, dtype=np.intp)
        for i, (g, r, _, k) in enumerate(rel):
            ridx[L.start[g] + r, k] = i
        s.rel_k = np.array([k for _, _, _, k in rel], dtype=np.intp)
        self_gater = np.array([ridx[L.start[g] + r, k] == i and
                               L.neurons[s.lo + k].selfconnection.gater is not None and
                               pos[L.neurons[s.lo + k].selfconnection.gater] == L.start[g] + r
                               for i, (g, r, _, k) in enumerate(rel)], dtype=bool)
        s.rel_self = self_gater
        s.self_rel = np.nonzero(self_gater)[0] if self_gater.any() else None
        s.self_k = s.rel_k[self_gater] if self_gater.any() else None
        s.entries = []
        for ib in s.ins:
            if ib.rowgate is not None:  # T_kj of a row's gater is that row's W y
                rowrel = ridx[ib.rowgate, np.arange(ib.W.shape[0])]
                ib.rowrel = rowrel if (rowrel >= 0).any() else None
                ib.rowsel = np.nonzero(rowrel >= 0)[0]
                ib.rowrel = None if ib.rowrel is None else rowrel[ib.rowsel]
                continue
            if ib.gidx is None:
                continue
            hit = ridx[ib.gidx, np.arange(ib.W.shape[0])[:, None]]
            er, eq = np.nonzero(hit >= 0)
            if len(er):
                s.entries.append((ib, er, eq, hit[er, eq]))
        # extended traces are stored only where the gated unit k has memory (a
        # self-connection); elsewhere x^k_ji = f'_j e_ji T_kj is derived at learning
        memory = L.units.selfw[s.lo + s.rel_k] != 0
        s.in_order = True  # relations listed as their gater layer's table lists them
        for g in {g for g, _, _, _ in rel}:
            m_g = L.gk[g].shape[1]
            keys = [r * m_g + t for gg, r, t, _ in rel if gg == g]
            s.in_order &= keys == sorted(keys)
        s.by_layer = []
        for g in sorted({g for g, _, _, _ in rel}):
            n_g, m_g = L.gk[g].shape
            parts = []
            for keep in (np.ones(len(rel), dtype=bool), memory):
                sel = np.array([i for i, x in enumerate(rel) if x[0] == g and keep[i]],
                               dtype=np.intp)
                rows = np.array([rel[i][1] for i in sel], dtype=np.intp)
                ts = np.array([rel[i][2] for i in sel], dtype=np.intp)
                full = (len(sel) == n_g * m_g and
                        np.array_equal(rows * m_g + ts, np.arange(n_g * m_g)))
                parts.append((sel, rows, ts, full))
            xs = [blk.X for blk in self.into[g]]
            es = [blk.E for blk in self.into[g]]
            s.by_layer.append((parts[0], parts[1], L.start[g], xs, es, L.T[g], L.XB[g]))

    # ---- the step ----
    def activate(self, x: np.ndarray) -> np.ndarray:
        # one reduction when all is well (a finite sum can still overflow: then look closer)
        if not math.isfinite(np.add.reduce(x)) and not np.isfinite(x).all():
            raise ValueError(f"inputs must be finite, got {x.tolist()}")
        u = self.u
        act, act_ext = u.act, u.act_ext
        n_in = self.n_in
        act[:n_in] = x
        u.deriv[:n_in] = 0.0
        u.bias[:n_in] = 0.0
        state, old_, eb, selfw = u.state, u.old, u.eb, u.selfw
        for s in self.segments:
            p = s.p
            old_[p] = state[p]
            old = old_[p]
            if s.nodecay:  # no self-connections: g_jj w_jj = 0
                decay = None
                st = u.bias[p].copy()  # eq. 15: the bias term
                eb[p] = 1.0  # eq. 17, bias
            else:
                decay = selfw[p] * act_ext[s.selfgate] if s.selfgate is not None else selfw[p]
                st = decay * old + u.bias[p]  # eq. 15: self and bias terms
                eb[p] = decay * eb[p] + 1.0  # eq. 17, bias
            rowT = []
            for ib in s.ins:
                y = act[ib.a_lo:ib.a_hi]
                if ib.rowgate is not None:  # every input of row r gated by one unit
                    g = act[ib.rowgate]
                    ib.Gn[...] = g[:, None]  # eq. 14
                    v = ib.W @ y
                    st += g * v  # eq. 15
                    if ib.rowrel is not None:
                        rowT.append((ib.rowrel, v[ib.rowsel]))
                    if s.nodecay:
                        np.multiply(ib.Gn, y, out=ib.E)  # eq. 17
                    else:
                        ib.E *= decay[:, None]
                        ib.E += ib.Gn * y
                    continue
                if ib.gidx is not None:
                    ib.Gn[...] = act_ext[ib.gidx]  # eq. 14
                if ib.plain:
                    st += ib.W @ y  # eq. 15
                    if s.nodecay:
                        ib.E[...] = y  # eq. 17
                    else:
                        ib.E *= decay[:, None]
                        ib.E += y
                else:
                    st += (ib.Gn * ib.W) @ y
                    if s.nodecay:
                        np.multiply(ib.Gn, y, out=ib.E)
                    else:
                        ib.E *= decay[:, None]
                        ib.E += ib.Gn * y
            if s.R:
                T = np.zeros(s.R)
                if s.self_rel is not None:  # gated self-connections: w_kk s_k(t-1)
                    T[s.self_rel] = selfw[s.lo + s.self_k] * old[s.self_k]
                for ib, er, eq, erel in s.entries:
                    y = act[ib.a_lo:ib.a_hi]
                    T += np.bincount(erel, ib.W[er, eq] * y[eq], minlength=s.R)
                for rel, v in rowT:
                    T[rel] += v
            if not math.isfinite(np.add.reduce(st)):  # inf or nan: bounded as Neuron.activate does
                np.nan_to_num(st, copy=False, nan=0.0)
            state[p] = st
            for f, ix in s.squash:  # eq. 16
                if ix is None:
                    squash_into(f, st, act[p], u.deriv[p])
                else:
                    y, d = squash_both(f, st[ix])
                    act[s.lo + ix], u.deriv[s.lo + ix] = y, d
            if s.R:  # eq. 18
                deriv = u.deriv
                for every, stored, g_lo, xs, es, Tg, XBg in s.by_layer:
                    sel, rows, ts, full = every
                    if full:
                        Tg[...] = (T if len(sel) == s.R and s.in_order else T[sel]).reshape(
                            Tg.shape)
                    else:
                        Tg[rows, ts] = T[sel]
                    sel, rows, ts, full = stored
                    if not len(sel):
                        continue
                    Tv = T[sel]
                    dk = decay[s.rel_k[sel]]
                    coef = deriv[g_lo + rows] * Tv
                    if full:
                        n_g, m_g = Tg.shape
                        dk2, c2 = dk.reshape(n_g, m_g), coef.reshape(n_g, m_g)
                        if m_g == 1:  # one gated unit per gater (LSTM input, forget gates)
                            for X, E in zip(xs, es):
                                X0 = X[:, 0, :]
                                X0 *= dk2
                                X0 += c2 * E
                        else:
                            for X, E in zip(xs, es):
                                X *= dk2[:, :, None]
                                X += c2[:, :, None] * E[:, None, :]
                        XBg *= dk2
                        XBg += c2 * eb[g_lo:g_lo + n_g, None]
                    else:
                        for X, E in zip(xs, es):
                            X[rows, ts, :] = (dk[:, None] * X[rows, ts, :]
                                              + coef[:, None] * E[rows, :])
                        XBg[rows, ts] = dk * XBg[rows, ts] + coef * eb[g_lo + rows]
        return act[self.out_lo:self.out_hi].copy()

    def propagate(self, rate: float, errors: np.ndarray) -> None:
        u = self.u
        delta, delta_ext, deltap, deriv = u.delta, u.delta_ext, u.deltap, u.deriv
        for s in reversed(self.segments):  # eqs. 21-23, later units first
            p = s.p
            acc = np.zeros(s.hi - s.lo)
            for ob in s.outs:
                dk = delta[ob.k_lo:ob.k_hi]
                acc += (ob.W.T @ dk) if ob.plain else (ob.Gn * ob.W).T @ dk
            dp = deriv[p] * acc
            if s.output:
                dp += errors[s.lo - self.out_lo:s.hi - self.out_lo]
            deltap[p] = dp
            if s.has_g and s.gk.shape[1] == 1:
                delta[p] = dp + deriv[p] * (delta_ext[s.gk[:, 0]] * s.T[:, 0])
            elif s.has_g:
                delta[p] = dp + deriv[p] * (delta_ext[s.gk] * s.T).sum(axis=1)
            else:
                delta[p] = dp
        L = self.L
        # eq. 24, from the pre-propagate weights. Per layer: the rate times
        # delta^P_j, plus the gated units without memory (x^k_ji = f'_j e_ji T_kj,
        # so their share multiplies e_ji like delta^P_j does), and the deltas that
        # weigh the stored extended traces of the gated units with memory.
        rdp, dkm = {}, {}
        for b in range(1, self.n_layers):
            lo, hi = L.start[b], L.stop[b]
            d = deltap[lo:hi]
            if self.derived[b] is not None:
                dk = delta_ext[L.gk[b]]
                d = d + deriv[lo:hi] * (dk * self.derived[b] * L.T[b]).sum(axis=1)
            rdp[b] = rate * d
            if self.stored[b] is not None:
                dkm[b] = rate * delta_ext[L.gk[b]] * self.stored[b]
            db = rdp[b] * u.eb[lo:hi]
            if b in dkm:
                db += (dkm[b] * L.XB[b]).sum(axis=1) if dkm[b].shape[1] > 1 else (
                    dkm[b][:, 0] * L.XB[b][:, 0])
            if self.fixed_bias[b]:
                db *= u.blearn[lo:hi]
            u.bias[lo:hi] += db
        if self.row_of is not None:  # every block at once: W += E * rate delta^P_j
            rfull = self.rfull
            for b in range(1, self.n_layers):
                rfull[L.start[b]:L.stop[b]] = rdp[b]
            L.flat["w"] += L.flat["e"] * rfull[self.row_of]
        for (a, b), blk in L.blocks.items():
            if b == 0:
                continue
            if self.row_of is None:
                dW = self.scratch[(a, b)]
                np.multiply(blk.E, rdp[b][:, None], out=dW)
                if b in dkm:
                    dW += self._stored_traces(dkm[b], blk.X)
                if not blk.full:
                    dW *= blk.mask
                blk.W += dW
            elif b in dkm:  # absent pairs have E = X = 0: no mask needed
                blk.W += self._stored_traces(dkm[b], blk.X)

    @staticmethod
    def _stored_traces(dk: np.ndarray, X: np.ndarray) -> np.ndarray:
        """sum over t of dk[:, t] X[:, t, :]: the stored extended traces' share of eq. 24."""
        if X.shape[1] == 1:
            return dk[:, :1] * X[:, 0, :]
        return np.matmul(dk[:, None, :], X)[:, 0, :]

    def clear(self) -> None:
        clear_layout(self.L)


def clear_layout(L) -> None:
    """States, activations, traces, responsibilities and gains as read to 0."""
    u = L.units
    for f in ("state", "old", "act", "deriv", "delta", "deltap", "eb"):
        getattr(u, f)[...] = 0.0
    L.flat["e"][...] = 0.0
    L.xflat[...] = 0.0
    L.tflat[...] = 0.0
    L.xbflat[...] = 0.0
    for blk in L.blocks.values():
        blk.Gn[blk.gater >= 0] = 0.0
