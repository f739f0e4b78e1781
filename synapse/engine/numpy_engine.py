"""The numpy engine: LSTM-g as a few vectorized operations per segment of units.

It steps the arrays of a :class:`~synapse.store.Layout` (the same memory the
neuron objects read), computing exactly what :meth:`Neuron.activate` and
:meth:`Neuron.propagate` compute, in the same order, for many units at once.
Every state array has a trailing axis of streams (one for the network's own
state; a batch steps many independent streams in lockstep).

Planning (:class:`Plan`) happens once per layout, in time linear in the
network's size:

* A **segment** is a range of units activated together: a layer, or one unit
  of a layer whose units read each other within the step (an ALL_TO_ELSE
  projection inside the layer, or a unit gating a later unit of its own
  layer), or a **run** of neighbouring layers that read nothing of each other
  (an LSTM's input and forget gates).
* A segment reads its inputs through **bundles**: the connections from one
  source layer into the segment, a contiguous range of connections. A bundle
  whose pairs all exist is a dense matrix (a view of ``V``); otherwise it is a
  list of (row, col) entries summed with ``np.add.reduceat``.

:class:`Views` binds a plan to one state arena: every slice the step needs,
made once (for the network's own state, once per layout).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import squash as _squash
from ..store import Layout
from ..structure import Block, csr
from . import bptt
from .base import PythonLoops, quiet, stream_errors

_NONE = np.zeros(0, dtype=np.int64)
#: Weights in dense blocks from which the fused (numba) learning pass pays off.
FUSED_FROM = 20000


def squash_into(f, s: np.ndarray, y: np.ndarray, d: np.ndarray) -> None:
    """y = f(s) and d = f'(s), written into y and d (the built-ins' d from y)."""
    if f is _squash.LOGISTIC:  # from e = e^-|s|, as squash.LOGISTIC: never overflows
        np.abs(s, out=d)
        np.negative(d, out=d)
        np.exp(d, out=d)
        q = d + 1.0
        np.divide(d, q, out=y)                      # e / (1 + e) where s < 0
        np.divide(1.0, q, out=y, where=s >= 0)      # 1 / (1 + e) elsewhere
        np.subtract(1.0, y, out=d)
        d *= y
    elif f is _squash.TANH:
        np.tanh(s, out=y)
        np.multiply(y, y, out=d)
        np.subtract(1.0, d, out=d)
    elif f is _squash.IDENTITY:
        y[...] = s
        d[...] = 1.0
    elif f is _squash.SOFTMAX:  # over the group (the first axis), as squash.SOFTMAX
        with np.errstate(over="ignore"):  # s - max below -max float is -inf: e^-inf = 0
            e = np.exp(s - s.max(axis=0))
        np.divide(e, e.sum(axis=0), out=y)
        np.subtract(1.0, y, out=d)
        d *= y
    else:
        y[...], d[...] = squash_both(f, s)


def squash_both(f, s: np.ndarray):
    """f(s) and f'(s) for an array."""
    if f in (_squash.LOGISTIC, _squash.TANH, _squash.IDENTITY, _squash.SOFTMAX):
        y, d = np.empty_like(s), np.empty_like(s)
        squash_into(f, s, y, d)
        return y, d
    y = np.asarray(f(s), dtype=float)
    d = np.asarray(f(s, True), dtype=float)
    if y.shape != s.shape:  # a squash written for scalars only
        flat = s.reshape(-1)
        y = np.array([float(f(v)) for v in flat]).reshape(s.shape)
        d = np.array([float(f(v, True)) for v in flat]).reshape(s.shape)
    return y, d


def _streams(a: np.ndarray) -> np.ndarray:
    """Summed over the stream axis, if there is one (a per-entry array otherwise)."""
    return a if a.ndim == 1 else a.sum(axis=1)


def _contiguous(idx: np.ndarray) -> bool:
    return len(idx) == 0 or bool(np.all(np.diff(idx) == 1))


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of equal neighbouring keys starts, and its key (both
    empty for no keys): the segments of ``np.add.reduceat``."""
    if not len(keys):
        return _NONE, _NONE
    starts = np.r_[0, np.flatnonzero(np.diff(keys)) + 1].astype(np.int64)
    return starts, keys[starts]


def _cat(parts) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if parts else _NONE


def _slots(V: np.ndarray, at: np.ndarray):
    """V at the slots ``at``: a view when they are consecutive, else the index."""
    if _contiguous(at) and len(at):
        return V[int(at[0]):int(at[0]) + len(at)], None
    return None, at.copy()


@dataclass(eq=False)
class Bundle:
    """Connections from source units ``a_lo:a_hi`` into target units from
    ``t_lo`` on: each one's target is ``t_lo + rows``, its source ``a_lo + cols``.
    They are the connection range ``c0:c1``, or the list ``conns``."""

    t_lo: int
    a_lo: int
    a_hi: int
    c0: int
    c1: int
    rows: np.ndarray
    cols: np.ndarray
    shape: tuple[int, int]        # (targets, sources) of the dense matrix
    dense: bool                   # every (row, col) exists, row-major
    w: np.ndarray | None          # the weights, a view of V (dense: shaped), or None:
    w_at: np.ndarray | None       # gathered from V[w_at]
    gidx: np.ndarray | None       # each connection's gain is act_ext[gidx] (None: all 1)
    rowgate: np.ndarray | None    # dense: every connection of row r gated by rowgate[r]
    starts: np.ndarray = field(default_factory=lambda: _NONE)   # sparse: row runs
    nonempty: np.ndarray = field(default_factory=lambda: _NONE)
    conns: np.ndarray | None = None
    learn: str = "all"            # "all" (D[w0:w0 + n]), "none", or "some" (learn_at)
    w0: int = 0
    learn_sel: np.ndarray = field(default_factory=lambda: _NONE)
    learn_at: np.ndarray = field(default_factory=lambda: _NONE)

    def weights(self, V: np.ndarray) -> np.ndarray:
        if self.w is not None:
            return self.w
        w = V[self.w_at]
        return w.reshape(self.shape) if self.dense else w


@dataclass(eq=False)
class XBlock:
    """The extended traces x^k_ji of a full block's connections (n gaters x m
    sources, from connection c0 and X slot x0), where each gater j has exactly
    one memory relation (local index lrel, global r): a dense (n, m) matrix."""

    c0: int
    x0: int
    n: int
    m: int
    lrel: np.ndarray
    r: np.ndarray
    j_lo: int
    learn: str                    # as Bundle.learn
    w0: int
    learn_sel: np.ndarray
    learn_at: np.ndarray
    every: bool = False           # its rows are all its segment's memory relations, in order


@dataclass(eq=False)
class Segment:
    """Units ``lo:hi`` activated together, and what they read and feed."""

    lo: int
    hi: int
    ins: list[Bundle]
    outs: list[Bundle]            # connections from these units to later units (eq. 19)
    squash: list[tuple]           # (f, local indices or None for all)
    softmax: list[tuple]          # SOFTMAX groups, as local (lo, hi)
    selfgate: np.ndarray | None   # act_ext index of each unit's self-gain (None: none gated)
    nodecay: bool                 # no unit is self-connected
    bias: np.ndarray | None       # the biases: a view of V, or None (then bias_at)
    bias_at: np.ndarray | None
    selfw: np.ndarray             # view of the self weights
    # relations whose gated unit k is in the segment (eq. 18)
    r_idx: np.ndarray             # relation indices (ascending)
    r_kloc: np.ndarray            # k - lo
    r_self: np.ndarray            # those where j gates k's self-connection (local indices)
    r_span: tuple | None          # (r0, r1) when r_idx counts up by one
    t_w: np.ndarray | None        # gated connections not covered by a rowgate bundle:
    t_src: np.ndarray             # weight slots, sources, and runs by relation
    t_starts: np.ndarray
    t_nonempty: np.ndarray
    rowT: list[tuple]             # (bundle index, rows, local relations): T from W y
    xdense: list[XBlock]          # stored extended traces that form dense blocks
    x_slot: np.ndarray            # the other stored extended traces: slot, local relation,
    x_rel: np.ndarray             # connection, and the relation's gater
    x_conn: np.ndarray
    x_j: np.ndarray
    xb_rel: np.ndarray            # memory relations (local), their global index, gaters
    xb_r: np.ndarray
    xb_j: np.ndarray
    xb_span: tuple | None         # (r0, r1, j0) when xb_r and xb_j are both consecutive
    # relations whose gater j is in the segment (eqs. 20, 22)
    g_r0: int
    g_r1: int
    g_one: bool                   # exactly one relation per unit, in unit order
    g_starts: np.ndarray
    g_units: np.ndarray


class Plan:
    """Segments and bundles of a layout, computed once (see the module docstring)."""

    def __init__(self, layout: Layout):
        self.L = L = layout
        st = self.st = L.structure
        self.N, self.n_in = st.n_units, st.n_inputs
        out = st.outputs
        self.out_lo, self.out_hi = out.start, out.stop
        self.by_dst: dict[int, list] = {}
        self.by_src: dict[int, list] = {}
        self.by_pair: dict[tuple[int, int], Block] = {}  # by (source layer, target layer)
        for blk in st.blocks:
            self.by_dst.setdefault(blk.dst, []).append(blk)
            self.by_src.setdefault(blk.src, []).append(blk)
            self.by_pair[blk.src, blk.dst] = blk
        self._by_col: dict[int, tuple] = {}  # per block, its connections by source (_outs)
        self.layer = st.layer_of()
        self.inputs = st.inputs_by_unit
        self.rel_by_k = st.relations_by_k
        seq = [self._sequential(b) for b in range(st.n_layers)]
        self.segments: list[Segment] = []
        for run in self._runs(seq):
            lo, hi = int(st.start[run[0]]), int(st.start[run[-1] + 1])
            if hi == lo:
                continue
            if len(run) == 1 and seq[run[0]]:
                self.segments += [self._segment(run, u, u + 1) for u in range(lo, hi)]
            else:
                self.segments.append(self._segment(run, lo, hi))
        self._learning_plan()
        _, at = _slots(L.V, L.bias_at[:self.n_in])
        self.in_bias = at if at is not None else slice(int(L.bias_at[0]),
                                                       int(L.bias_at[0]) + self.n_in)

    # ---- which layers step together ----
    def _sequential(self, b: int) -> bool:
        """Whether layer b's units read earlier units of b within the step."""
        st = self.st
        lo, hi = st.start[b], st.start[b + 1]
        for blk in self.by_dst.get(b, ()):
            if blk.src == b and np.any(blk.cols < blk.rows):
                return True
            g = st.gater[blk.c0:blk.c1]
            if np.any((g >= lo) & (g < hi) & (g < st.dst[blk.c0:blk.c1])):
                return True
        sg = st.self_gater[lo:hi]
        return bool(np.any((sg >= lo) & (sg < np.arange(lo, hi))))

    def _runs(self, seq: list[bool]) -> list[list[int]]:
        """Neighbouring layers merged where they can step as one (an LSTM's gates)."""
        runs: list[list[int]] = []
        for b in range(1, self.st.n_layers):
            if runs and self._fusable(runs[-1], b, seq):
                runs[-1].append(b)
            else:
                runs.append([b])
        return runs

    def _fusable(self, run: list[int], b: int, seq: list[bool]) -> bool:
        """Whether layer b can join the run. The run's later layers passed these
        checks against its first when they joined, so comparing b with the
        first is enough: time linear in the layers, however long the run."""
        st = self.st
        if b >= st.n_layers - 1 or seq[b] or seq[run[0]]:
            return False
        if self.by_src.get(run[0]) or self.by_src.get(b):
            return False  # a run's layers project nowhere
        if any(self.layer[lo] in (*run, b) for lo, _ in st.softmax):
            return False  # a SOFTMAX group is normalised on its own
        sources = [blk.src for blk in self.by_dst.get(b, ())]
        for a in (run[0], b):
            blks = self.by_dst.get(a, ())
            if [blk.src for blk in blks] != sources or not all(blk.full for blk in blks):
                return False
        lo, hi = st.start[run[0]], st.start[run[-1] + 1]
        for blk in self.by_dst.get(b, ()):  # the run gates nothing of b
            g = st.gater[blk.c0:blk.c1]
            if np.any((g >= lo) & (g < hi)):
                return False
        sg = st.self_gater[st.start[b]:st.start[b + 1]]
        return not bool(np.any((sg >= lo) & (sg < hi)))

    # ---- bundles ----
    def _bundle(self, t_lo, a_lo, a_hi, idx, shape, dense) -> Bundle:
        """The connections ``idx`` (a contiguous range when dense) as a bundle."""
        st, L, N = self.st, self.L, self.N
        c0, c1 = (int(idx[0]), int(idx[-1]) + 1) if len(idx) else (0, 0)
        contiguous = c1 - c0 == len(idx)
        rows = st.dst[idx] - t_lo
        cols = st.src[idx] - a_lo
        w, w_at = _slots(L.V, L.w_at[idx])
        if dense and w is not None:
            w = w.reshape(shape)
        gat = st.gater[idx]
        gidx = rowgate = None
        if np.any(gat >= 0):
            gidx = np.where(gat >= 0, gat, N)
            if dense:
                gidx = gidx.reshape(shape)
                if np.all(gat >= 0) and np.all(gidx == gidx[:, :1]):
                    rowgate = gidx[:, 0].copy()
        bd = Bundle(t_lo, a_lo, a_hi, c0 if contiguous else -1, c1 if contiguous else -1, rows,
                    cols, shape, bool(dense), w, w_at, gidx, rowgate,
                    conns=None if contiguous else idx.astype(np.int64))
        if not dense and len(rows):
            bd.starts, bd.nonempty = _runs(rows)
        learns = st.learns[idx]
        slots = L.w_at[idx]
        if learns.all() and _contiguous(slots):
            bd.learn, bd.w0 = "all", int(slots[0]) if len(slots) else 0
        elif not learns.any():
            bd.learn = "none"
        else:
            bd.learn = "some"
            bd.learn_sel = np.flatnonzero(learns)
            bd.learn_at = slots[learns]
        return bd

    def _ins(self, run, lo, hi) -> list[Bundle]:
        st = self.st
        ins = []
        whole = hi - lo == st.start[run[-1] + 1] - st.start[run[0]]
        for a in sorted({blk.src for b in run for blk in self.by_dst.get(b, ())}):
            blks = [self.by_pair[a, b] for b in run if (a, b) in self.by_pair]
            c0, c1 = blks[0].c0, blks[-1].c1
            if not whole:  # one unit of a layer
                d = st.dst[c0:c1]
                c0, c1 = c0 + int(np.searchsorted(d, lo)), c0 + int(np.searchsorted(d, hi))
                if c1 == c0:
                    continue
            a_lo, a_hi = int(st.start[a]), int(st.start[a + 1])
            shape = (hi - lo, a_hi - a_lo)
            ins.append(self._bundle(lo, a_lo, a_hi, np.arange(c0, c1), shape,
                                    c1 - c0 == shape[0] * shape[1]))
        return ins

    def _outs(self, run, lo, hi) -> list[Bundle]:
        """The connections from units lo:hi to later units: the error's way back (eq. 19)."""
        st = self.st
        outs = []
        for b in run:
            whole = lo == st.start[b] and hi == st.start[b + 1]
            for blk in self.by_src.get(b, ()):
                if hi - lo == 1 and not whole:  # one unit of layer b: the block's list by source
                    order, ptr = self._columns(blk)
                    u = lo - int(st.start[b])
                    idx = blk.c0 + order[ptr[u]:ptr[u + 1]]
                    idx = idx[st.dst[idx] > lo]
                else:
                    src, dst = st.src[blk.c0:blk.c1], st.dst[blk.c0:blk.c1]
                    idx = blk.c0 + np.flatnonzero((src >= lo) & (src < hi) & (dst > src))
                if not len(idx):
                    continue
                k_lo, k_hi = int(st.start[blk.dst]), int(st.start[blk.dst + 1])
                dense = blk.full and whole and blk.dst != b
                outs.append(self._bundle(k_lo, lo, hi, idx, (k_hi - k_lo, hi - lo), dense))
        return outs

    def _columns(self, blk):
        """A block's connections by source column (a CSR list, made once per block),
        so that each one-unit segment finds its own in time linear in them."""
        got = self._by_col.get(id(blk))
        if got is None:
            got = self._by_col[id(blk)] = csr(blk.cols, blk.shape[1])
        return got

    # ---- one segment ----
    def _segment(self, run, lo, hi) -> Segment:
        st, L, N = self.st, self.L, self.N
        ins = self._ins(run, lo, hi)
        fns: dict = {}
        for i in range(lo, hi):
            fns.setdefault(st.squash[i], []).append(i - lo)
        squash = [(f, None if len(ix) == hi - lo else np.array(ix)) for f, ix in fns.items()]
        sg = st.self_gater[lo:hi]
        bias, bias_at = _slots(L.V, L.bias_at[lo:hi])
        order, ptr = self.rel_by_k
        r_idx = np.sort(order[ptr[lo]:ptr[hi]])
        r_kloc = st.rel_k[r_idx] - lo
        # T_kj from rowgate bundles' W y, where a row's gater gates all its inputs
        rel_of = {(int(st.rel_j[r]), int(st.rel_k[r])): i for i, r in enumerate(r_idx)}
        covered: set[int] = set()
        rowT = []
        for bi, bd in enumerate(ins):
            if bd.rowgate is None:
                continue
            rel = np.array([rel_of.get((int(g), lo + r), -1) for r, g in enumerate(bd.rowgate)],
                           dtype=np.int64)
            sel = np.flatnonzero(rel >= 0)
            if len(sel):
                rowT.append((bi, sel, rel[sel]))
                m = bd.shape[1]
                covered.update(c for r in sel for c in range(bd.c0 + r * m, bd.c0 + (r + 1) * m))
        t_conn, t_rel = [], []
        for i, r in enumerate(r_idx):
            cs = [c for c in st.rel_conns[st.rel_conn_ptr[r]:st.rel_conn_ptr[r + 1]]
                  if c not in covered]
            t_conn.append(np.array(cs, dtype=np.int64))
            t_rel.append(np.full(len(cs), i))
        t_conn_a, t_rel_a = _cat(t_conn), _cat(t_rel)
        t_starts, _ = _runs(t_rel_a)
        mem = L.x_mem[r_idx] >= 0
        xdense, x_slot, x_rel, x_conn = self._extended(r_idx, mem)
        g_r0, g_r1 = int(st.rel_ptr[lo]), int(st.rel_ptr[hi])
        js = st.rel_j[g_r0:g_r1]
        g_one = g_r1 - g_r0 == hi - lo and bool(np.array_equal(js, np.arange(lo, hi)))
        g_starts, g_units = _runs(js)
        softmax = [(a - lo, b - lo) for a, b in st.softmax if lo <= a and b <= hi]
        return Segment(
            lo, hi, ins, self._outs(run, lo, hi), squash, softmax,
            np.where(sg >= 0, sg, N) if np.any(sg >= 0) else None,
            not bool(np.any(st.memory[lo:hi])), bias, bias_at, L.selfw[lo:hi],
            r_idx, r_kloc, np.flatnonzero(st.rel_self[r_idx]), _span(r_idx, r_idx),
            L.w_at[t_conn_a],
            st.src[t_conn_a], t_starts, t_rel_a[t_starts] if len(t_rel_a) else _NONE, rowT,
            xdense, x_slot, x_rel, x_conn, st.rel_j[r_idx[x_rel]], np.flatnonzero(mem),
            r_idx[mem], st.rel_j[r_idx[mem]], _span(r_idx[mem], st.rel_j[r_idx[mem]]),
            g_r0, g_r1, g_one, g_starts, g_units - lo if len(js) else _NONE)

    def _extended(self, r_idx, mem):
        """Where the stored extended traces of these relations live: dense views
        where every unit of a gater layer has one memory relation, all in this
        segment, and full source blocks; slot lists for the rest."""
        st, L = self.st, self.L
        xdense = []
        done = np.zeros(len(r_idx), dtype=bool)
        rel_by_j: dict[int, list] = {}
        for i in np.flatnonzero(mem):
            rel_by_j.setdefault(int(st.rel_j[r_idx[i]]), []).append(int(i))
        for g in sorted({int(self.layer[j]) for j in rel_by_j}):
            lo, hi = int(st.start[g]), int(st.start[g + 1])
            blks = self.by_dst.get(g, ())
            if not all(len(rel_by_j.get(j, ())) == 1 and L.n_mem[j] == 1
                       for j in range(lo, hi)) or not all(blk.full for blk in blks):
                continue
            rel = np.array([rel_by_j[j][0] for j in range(lo, hi)], dtype=np.int64)
            for blk in blks:
                learns, slots = st.learns[blk.c0:blk.c1], L.w_at[blk.c0:blk.c1]
                mode = "all" if learns.all() and _contiguous(slots) else \
                    "none" if not learns.any() else "some"
                xdense.append(XBlock(blk.c0, int(L.xfirst[blk.c0]), *blk.shape, rel, r_idx[rel],
                                     lo, mode, int(slots[0]), np.flatnonzero(learns),
                                     slots[learns]))
            done[rel] = True
        xdense = _merged(xdense)
        for xb in xdense:
            xb.every = bool(np.array_equal(xb.lrel, np.flatnonzero(mem)))
        x_slot, x_rel, x_conn = [], [], []
        order, ptr = self.inputs
        for i in np.flatnonzero(mem & ~done):
            r = r_idx[i]
            cs = order[ptr[st.rel_j[r]]:ptr[st.rel_j[r] + 1]]
            x_slot.append(L.xfirst[cs] + L.x_mem[r] * L.xstride[cs])
            x_rel.append(np.full(len(cs), i))
            x_conn.append(cs)
        return xdense, _cat(x_slot), _cat(x_rel), _cat(x_conn)

    # ---- learning ----
    def _learning_plan(self) -> None:
        """What eq. 24 reads beyond the segments: the relations without memory
        (their extended traces are derived), the dense extended traces, and the
        stored ones in slot lists."""
        st, L = self.st, self.L
        derived = np.flatnonzero(L.x_mem < 0)
        self.der_r = derived
        self.der_starts, self.der_units = _runs(st.rel_j[derived])
        memory = np.flatnonzero(L.x_mem >= 0)
        self.mem_r = memory
        self.mem_starts, self.mem_units = _runs(st.rel_j[memory])
        self.xdense = [x for s in self.segments for x in s.xdense]
        self.x_slot = _cat([s.x_slot for s in self.segments])
        self.x_conn = _cat([s.x_conn for s in self.segments])
        self.x_k = _cat([st.rel_k[s.r_idx[s.x_rel]] for s in self.segments])
        learns = st.learns[self.x_conn] if len(self.x_conn) else np.zeros(0, dtype=bool)
        self.x_learn_conn = np.unique(self.x_conn[learns])
        self.x_learn_at = L.w_at[self.x_learn_conn]
        self.learn_unit = np.flatnonzero(st.learn_bias)
        self.learn_b_at = L.bias_at[self.learn_unit]
        # small networks whose connections all learn, in order: every weight in one pass
        C = len(st.connections)
        self.one_pass = (C < 50000 and bool(st.learns.all())
                         and bool(np.array_equal(L.w_at, np.arange(C))))


def _span(r: np.ndarray, j: np.ndarray) -> tuple | None:
    """(r[0], r[-1] + 1, j[0]) when both r and j count up by one, else None."""
    if len(r) and _contiguous(r) and _contiguous(j):
        return int(r[0]), int(r[-1]) + 1, int(j[0])
    return None


def _merged(blocks: list[XBlock]) -> list[XBlock]:
    """Neighbouring dense blocks from one source into consecutive gater layers
    (an LSTM's input and forget gates) as one larger block: their connections,
    traces and weights are adjacent in memory."""
    out: list[XBlock] = []
    for x in sorted(blocks, key=lambda b: b.c0):
        p = out[-1] if out else None
        if (p is not None and p.m == x.m and p.c0 + p.n * p.m == x.c0
                and p.x0 + p.n * p.m == x.x0 and p.j_lo + p.n == x.j_lo
                and p.learn == x.learn == "all" and p.w0 + p.n * p.m == x.w0):
            out[-1] = XBlock(p.c0, p.x0, p.n + x.n, p.m, np.r_[p.lrel, x.lrel],
                             np.r_[p.r, x.r], p.j_lo, "all", p.w0, _NONE, _NONE)
        else:
            out.append(x)
    return out


class Views:
    """One state arena's slices for every segment and bundle of a plan.

    Units are the first axis of every array: (N,) for the network's own
    stream, (N, B) for B streams (a transposed view of the arena, whose rows are
    streams); a dense bundle's traces are (n, m) or (n, m, B)."""

    def __init__(self, plan: Plan, S: np.ndarray):
        L, N = plan.L, plan.N
        R = L.rows
        self.S = S
        self.B = S.shape[0]
        self.tail: tuple = () if self.B == 1 else (self.B,)  # the stream axis, if any
        S = S[0] if self.B == 1 else S.T  # one stream: plain vectors, fast in numpy
        self.state, self.old = S[R.state:R.state + N], S[R.old:R.old + N]
        self.act_ext = S[R.act:R.act + N + 2]
        self.deriv, self.eb = S[R.deriv:R.deriv + N], S[R.eb:R.eb + N]
        self.delta_ext = S[R.delta:R.delta + N + 1]
        self.deltap = S[R.deltap:R.deltap + N]
        self.E, self.G = S[R.e:R.g], S[R.g:R.T]
        self.T, self.XB, self.X = S[R.T:R.XB], S[R.XB:R.X], S[R.X:R.total]
        self.outputs = self.act_ext[plan.out_lo:plan.out_hi]
        tail = self.tail

        def bundle(bd: Bundle):
            if bd.conns is not None:
                return None, None, None
            E, G = self.E[bd.c0:bd.c1], self.G[bd.c0:bd.c1]
            if bd.dense:
                E, G = E.reshape(*bd.shape, *tail), G.reshape(*bd.shape, *tail)
            return E, G, self.act_ext[bd.a_lo:bd.a_hi]

        self.seg = [_SegmentViews(self, s) for s in plan.segments]
        self.ins = [[bundle(bd) for bd in s.ins] for s in plan.segments]
        self.outs = [[bundle(bd) for bd in s.outs] for s in plan.segments]
        self.xdense = [[(self.X[x.x0:x.x0 + x.n * x.m].reshape(x.n, x.m, *tail),
                         self.E[x.c0:x.c0 + x.n * x.m].reshape(x.n, x.m, *tail))
                        for x in s.xdense] for s in plan.segments]


def _col(a: np.ndarray, tail: tuple) -> np.ndarray:
    """A per-unit vector made to broadcast against (units, streams) arrays."""
    return a[:, None] if tail else a


class _SegmentViews:
    """The unit arrays of one segment, sliced once."""

    def __init__(self, v: Views, s: Segment):
        p = slice(s.lo, s.hi)
        self.state, self.old, self.act = v.state[p], v.old[p], v.act_ext[p]
        self.deriv, self.eb = v.deriv[p], v.eb[p]
        self.delta, self.deltap = v.delta_ext[p], v.deltap[p]
        self.T = v.T[s.r_span[0]:s.r_span[1]] if s.r_span is not None else None
        self.Tg = v.T[s.g_r0:s.g_r1]  # the relations whose gater is in the segment
        self.selfw = _col(s.selfw, v.tail)


class NumpyEngine(PythonLoops):
    """Steps a network's layout with numpy (see the module docstring)."""

    name = "numpy"

    def __init__(self, layout: Layout, fused: Any = None):
        """``fused``: the JIT's kernels module, when numba can run: large dense
        blocks then learn in one pass (``add_scaled_rows``); None: numpy alone."""
        self.layout = layout
        self.plan = Plan(layout)
        self.own = Views(self.plan, layout.S)
        self._batch: Views | None = None
        self._through: bptt.Through | None = None
        self.scratch: dict[int, np.ndarray] = {}  # per dense bundle: its change (eq. 24)
        # a large network's dense blocks learn in one pass with the JIT's kernels
        big = sum(bd.shape[0] * bd.shape[1] for s in self.plan.segments for bd in s.ins
                  if bd.dense) >= FUSED_FROM
        self.fused = fused if big else None

    def views(self, S: np.ndarray) -> Views:
        """The views of a state arena: the network's own, or the last batch's."""
        if S is self.layout.S:
            return self.own
        if self._batch is None or self._batch.S is not S:
            self._batch = Views(self.plan, S)
        return self._batch

    # ---- the step ----
    @quiet
    def activate(self, x: np.ndarray) -> np.ndarray:
        # one reduction when all is well (a finite sum can still overflow: then look closer)
        if not math.isfinite(np.add.reduce(x)) and not np.isfinite(x).all():
            raise ValueError(f"inputs must be finite, got {x.tolist()}")
        v = self.own
        self.step(v, x)
        return v.outputs.copy()

    def step(self, v: Views, x: np.ndarray) -> None:
        """One time step of every stream: eqs. 14-18. x has shape (inputs,) for the
        network's own stream, (inputs, streams) for a batch."""
        P, L = self.plan, self.layout
        V, tail, fused = L.V, v.tail, self.fused
        act_ext = v.act_ext
        n_in = P.n_in
        act_ext[:n_in] = x
        v.deriv[:n_in] = 0.0
        V[P.in_bias] = 0.0  # input units have no bias (as in synaptic.js)
        for si, s in enumerate(P.segments):
            sv = v.seg[si]
            old = sv.old
            old[...] = sv.state
            bias = _col(s.bias if s.bias is not None else V[s.bias_at], tail)
            if s.nodecay:  # no self-connections: g_jj w_jj = 0
                decay = None
                st = np.empty((s.hi - s.lo, *tail))
                st[...] = bias  # eq. 15: the bias term
                sv.eb[...] = 1.0  # eq. 17, bias
            else:
                decay = sv.selfw if s.selfgate is None else sv.selfw * act_ext[s.selfgate]
                st = decay * old + bias  # eq. 15: self and bias terms
                sv.eb *= decay
                sv.eb += 1.0  # eq. 17, bias
            vs = [_bundle_in(bd, V, act_ext, E, G, y, st, decay)
                  for bd, (E, G, y) in zip(s.ins, v.ins[si])]
            if len(s.r_idx):  # T_kj, from the values that entered s_k(t) (eq. 18)
                Tv = np.zeros((len(s.r_idx), *tail))
                if len(s.r_self):
                    k = s.r_kloc[s.r_self]
                    Tv[s.r_self] = sv.selfw[k] * old[k]
                if len(s.t_src):
                    part = _col(V[s.t_w], tail) * act_ext[s.t_src]
                    Tv[s.t_nonempty] += np.add.reduceat(part, s.t_starts, axis=0)
                for bi, rows, rel in s.rowT:
                    Tv[rel] += vs[bi][rows]
            if not math.isfinite(np.add.reduce(st, axis=None)):
                np.nan_to_num(st, copy=False, nan=0.0)  # bounded, as Neuron.activate does
            sv.state[...] = st
            for f, ix in s.squash:  # eq. 16
                if ix is None and f is _squash.LOGISTIC and fused is not None and not tail:
                    fused.logistic_into(st, sv.act, sv.deriv)  # a large network, one stream
                elif ix is None:
                    squash_into(f, st, sv.act, sv.deriv)
                else:
                    sv.act[ix], sv.deriv[ix] = squash_both(f, st[ix])
            if len(s.r_idx):
                if sv.T is not None:
                    sv.T[...] = Tv
                else:
                    v.T[s.r_idx] = Tv
                if len(s.xb_rel):  # eq. 18, the stored extended traces (k self-connected)
                    _extended(s, v.xdense[si], Tv, decay, v)

    def responsibilities(self, v: Views, errors: np.ndarray, extra_acc=None,
                         extra_delta=None) -> None:
        """eqs. 10, 19-23 for every stream: delta^P_j and delta_j, later units first.
        ``errors`` (outputs,) or (outputs, streams): each output's direct error term.
        Backpropagation through time adds what comes from the next step: into each
        unit's sum before its derivative (``extra_acc``) and after (``extra_delta``)."""
        P, V = self.plan, self.layout.V
        st = P.st
        delta_ext = v.delta_ext
        for si in range(len(P.segments) - 1, -1, -1):
            s, sv = P.segments[si], v.seg[si]
            acc = np.zeros((s.hi - s.lo, *v.tail))
            for bd, (_, G, _) in zip(s.outs, v.outs[si]):
                _bundle_out(bd, V, G, v.G, delta_ext, acc)
            if extra_acc is not None:
                acc += extra_acc[s.lo:s.hi]
            dp = sv.deriv * acc  # eq. 21
            for a, b in s.softmax:  # through a SOFTMAX group's Jacobian
                y, ag = sv.act[a:b], acc[a:b]
                dp[a:b] = y * (ag - (y * ag).sum(axis=0))
            if s.hi > P.out_lo:
                dp += errors[s.lo - P.out_lo:s.hi - P.out_lo]  # eq. 10
            sv.deltap[...] = dp
            if s.g_r1 > s.g_r0:  # eq. 22: the units whose connections j gates
                part = delta_ext[st.rel_k[s.g_r0:s.g_r1]] * sv.Tg
                if s.g_one:
                    dg = part
                else:
                    dg = np.zeros_like(dp)
                    dg[s.g_units] = np.add.reduceat(part, s.g_starts, axis=0)
                sv.delta[...] = dp + sv.deriv * dg  # eq. 23
            else:
                sv.delta[...] = dp
            if extra_delta is not None:
                sv.delta += extra_delta[s.lo:s.hi]

    def accumulate(self, v: Views, D: np.ndarray, scale: float) -> None:
        """eq. 24 for every stream, summed over streams: D[slot] += scale * (the
        step's ascent direction) for every learning weight and bias. D is the
        values V (a learning step, scale = rate) or the gradient (scale = -1)."""
        P, st = self.plan, self.plan.st
        delta_ext, deriv = v.delta_ext, v.deriv
        dp = v.deltap
        if len(P.der_r):  # gated units without memory: f'_j delta_k T_kj joins delta^P_j
            part = delta_ext[st.rel_k[P.der_r]] * v.T[P.der_r]
            dp = dp.copy()
            dp[P.der_units] += deriv[P.der_units] * np.add.reduceat(part, P.der_starts, axis=0)
        if P.one_pass and not v.tail:  # W += rate delta^P_j e_ji, every block at once
            D[:len(st.dst)] += v.E * (scale * dp)[st.dst]
        else:
            for si, s in enumerate(P.segments):
                dps = dp[s.lo:s.hi]
                for bd, (E, _, _) in zip(s.ins, v.ins[si]):
                    if bd.learn != "none":
                        self._weights(bd, E, dps, v, D, scale)
        for xb, (X3, _) in zip(P.xdense, (x for xs in v.xdense for x in xs)):
            if xb.learn == "none":  # one memory relation per gater: a dense block
                continue
            dk = delta_ext[st.rel_k[xb.r]]
            if not v.tail:
                part = (scale * dk)[:, None] * X3
            else:
                part = scale * np.einsum("jb,jib->ji", dk, X3)
            if xb.learn == "all":
                D[xb.w0:xb.w0 + part.size].reshape(part.shape)[...] += part
            else:
                D[xb.learn_at] += part.reshape(-1)[xb.learn_sel]
        if len(P.x_slot):  # the other stored extended traces
            xs = _streams(delta_ext[P.x_k] * v.X[P.x_slot])
            gx = np.bincount(P.x_conn, xs, minlength=len(st.connections))
            D[P.x_learn_at] += scale * gx[P.x_learn_conn]
        # biases: dp_j e_j,bias plus delta_k x^k_j,bias
        gb = _streams(dp * v.eb)
        if len(P.mem_r):
            part = _streams(delta_ext[st.rel_k[P.mem_r]] * v.XB[P.mem_r])
            gb[P.mem_units] += np.add.reduceat(part, P.mem_starts)
        if len(P.learn_unit):
            D[P.learn_b_at] += scale * gb[P.learn_unit]

    def _weights(self, bd: Bundle, E, dps, v: Views, D, scale) -> None:
        """dp_j e_ji for one bundle's connections (eq. 24's first term)."""
        if bd.dense:
            if not v.tail and bd.learn == "all" and self.fused is not None:
                # one pass over the block: W += (scale dp) e (numba; numpy needs four)
                self.fused.add_scaled_rows(D[bd.w0:bd.w0 + E.size].reshape(bd.shape),
                                           scale * dps, E)
                return
            if not v.tail:
                key = id(bd)
                dW = self.scratch.get(key)
                if dW is None:
                    dW = self.scratch[key] = np.empty(bd.shape)
                np.multiply(E, (scale * dps)[:, None], out=dW)
            else:
                dW = scale * np.einsum("jb,jib->ji", dps, E)
            if bd.learn == "all":
                D[bd.w0:bd.w0 + dW.size].reshape(bd.shape)[...] += dW
            else:
                D[bd.learn_at] += dW.reshape(-1)[bd.learn_sel]
            return
        Eb = v.E[bd.conns] if bd.conns is not None else E
        g = scale * _streams(dps[bd.rows] * Eb)
        if bd.learn == "all":
            D[bd.w0:bd.w0 + len(g)] += g
        else:
            D[bd.learn_at] += g[bd.learn_sel]

    @quiet
    def streams(self, S: np.ndarray, X: np.ndarray) -> None:
        """One step of every stream (the rows of S) on the rows of X."""
        self.step(self.views(S), X.T if len(S) > 1 else X[0])

    @quiet
    def stream_gradient(self, S: np.ndarray, Y: np.ndarray, cost, D: np.ndarray) -> None:
        """The gradient of every stream's error, summed over the streams, added into D."""
        v = self.views(S)
        errors = stream_errors(self.layout, S, Y, cost)
        self.responsibilities(v, errors.T if len(S) > 1 else errors[0])
        self.accumulate(v, D, -1.0)

    def new_views(self, S: np.ndarray) -> Views:
        return Views(self.plan, S)

    @quiet
    def bptt(self, S: np.ndarray, X: np.ndarray, Y: np.ndarray, cost, D: np.ndarray,
             scale: float) -> np.ndarray:
        """Backpropagation through time over the window X for the streams S (see
        :mod:`synapse.engine.bptt`); returns the outputs, (streams, steps, outputs)."""
        if self._through is None:
            self._through = bptt.Through(self.layout)
        return bptt.gradient(self, self._through, S, X, Y, cost, D, scale)

    @quiet
    def propagate(self, rate: float, errors: np.ndarray) -> None:
        """Responsibilities, then one learning step at ``rate`` (eq. 24)."""
        self.responsibilities(self.own, errors)
        self.accumulate(self.own, self.layout.V, rate)

    @quiet
    def accumulate_gradient(self, errors: np.ndarray) -> None:
        """Responsibilities, then the gradient of the error added into ``grad``."""
        self.responsibilities(self.own, errors)
        self.accumulate(self.own, self.layout.grad, -1.0)

    def clear(self) -> None:
        L = self.layout
        L.S[...] = L.cleared


class BorrowsNumpy:
    """For a path without a walk of its own for something (backpropagation
    through time, a cost its kernels lack): the numpy engine over the same
    layout, made on first use."""

    layout: Layout
    _numpy: NumpyEngine | None = None

    def numpy(self) -> NumpyEngine:
        if self._numpy is None:
            self._numpy = NumpyEngine(self.layout)
        return self._numpy


def _bundle_in(bd: Bundle, V, act_ext, E, G, y, st, decay):
    """Add one bundle's share of eq. 15 to the segment's states ``st``, set its
    gains (eq. 14) and eligibility traces (eq. 17). Returns W y for rowgate
    bundles (the T of their gaters), else None. ``y``: the sources' activations,
    (m,) for one stream or (m, B) for B."""
    w = bd.weights(V)
    if y is None:
        y = act_ext[bd.a_lo:bd.a_hi]
    if bd.dense:
        # one stream: E (n, m), y (m,); B streams: E (n, m, B), y (m, B)
        yb = y if y.ndim == 1 else y[None, :, :]
        if bd.rowgate is not None:  # every input of row r gated by one unit
            g = act_ext[bd.rowgate]
            gb = g[:, None, ...]
            G[...] = gb  # eq. 14
            v = w @ y
            st += g * v  # eq. 15
            if decay is None:
                np.multiply(gb, yb, out=E)  # eq. 17
            else:
                E *= decay[:, None, ...]
                E += gb * yb
            return v
        if bd.gidx is None:
            st += w @ y  # eq. 15
            if decay is None:
                E[...] = yb  # eq. 17
            else:
                E *= decay[:, None, ...]
                E += yb
            return None
        G[...] = act_ext[bd.gidx]  # eq. 14
        if y.ndim == 1:
            st += (G * w) @ y
        else:
            st += np.einsum("jib,ji,ib->jb", G, w, y)
        if decay is None:
            np.multiply(G, yb, out=E)
        else:
            E *= decay[:, None, ...]
            E += G * yb
        return None
    yv = y[bd.cols]
    if bd.gidx is not None:
        G[...] = act_ext[bd.gidx]  # eq. 14
        gy = G * yv
    else:
        gy = yv
    if len(bd.starts):
        wgy = (w if gy.ndim == 1 else w[:, None]) * gy
        st[bd.nonempty] += np.add.reduceat(wgy, bd.starts, axis=0)  # eq. 15
    if decay is None:
        E[...] = gy  # eq. 17
    else:
        E *= decay[bd.rows]
        E += gy
    return None


def _bundle_out(bd: Bundle, V, G, G_all, delta_ext, acc) -> None:
    """acc_j += sum over k of delta_k g_kj w_kj for this bundle's connections (eq. 21)."""
    dk = delta_ext[bd.t_lo:bd.t_lo + bd.shape[0]]
    w = bd.weights(V)
    if bd.dense:
        if bd.gidx is None:
            acc += w.T @ dk
        elif acc.ndim == 1:
            acc += (G * w).T @ dk
        else:
            acc += np.einsum("kjb,kj,kb->jb", G, w, dk)
        return
    contrib = (w if dk.ndim == 1 else w[:, None]) * dk[bd.rows]
    if bd.gidx is not None:
        contrib *= G if bd.conns is None else G_all[bd.conns]
    np.add.at(acc, bd.cols, contrib)


def _extended(s: Segment, xdense, Tv, decay, v: Views) -> None:
    """eq. 18 for the segment's memory relations: x <- g_kk w_kk x + f'_j e T_kj."""
    rel = s.xb_rel
    d_all = decay[s.r_kloc[rel]]  # g_kk w_kk, as it entered s_k(t)
    c_all = v.deriv[s.xb_j] * Tv[rel]  # f'_j T_kj
    if s.xb_span is not None:  # the relations are consecutive, their gaters too
        r0, r1, j0 = s.xb_span
        XB = v.XB[r0:r1]
        XB *= d_all
        XB += c_all * v.eb[j0:j0 + r1 - r0]
    else:
        v.XB[s.xb_r] = d_all * v.XB[s.xb_r] + c_all * v.eb[s.xb_j]
    for xb, (X3, E3) in zip(s.xdense, xdense):
        if xb.every:  # its rows are the segment's memory relations, in order
            d, c = d_all, c_all
        else:
            d = decay[s.r_kloc[xb.lrel]]
            c = v.deriv[xb.j_lo:xb.j_lo + xb.n] * Tv[xb.lrel]
        X3 *= d[:, None, ...]
        X3 += c[:, None, ...] * E3
    if len(s.x_slot):
        d = decay[s.r_kloc[s.x_rel]]
        c = v.deriv[s.x_j] * Tv[s.x_rel]
        v.X[s.x_slot] = d * v.X[s.x_slot] + c * v.E[s.x_conn]
