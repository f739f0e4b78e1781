"""Where every number of a network lives: one home per number.

A :class:`~synapse.neuron.Neuron` or :class:`~synapse.neuron.Connection` holds
no numbers; it is a handle on a row of arrays held by a :class:`Units` (per
unit) or a :class:`Links` (per connection). A loose neuron or connection owns
arrays of one row. When a network compiles, :func:`build` lays out a
:class:`Layout` for it, *moves* every value there and re-points the handles, so
the neuron objects, the engines and ``to_json`` read and write the same memory.

A layout has two arenas (docs/design.md, "Layout"):

* ``V``, the **values**: the learnable numbers first (the weights of learning
  connections in connection order, then the biases of learning units in unit
  order: ``V[:n_params]`` is ``Network.parameters()``), then the constants
  (fixed weights, fixed biases, the self-connections' weights). ``grad`` has
  the shape of the learnable part.
* ``S``, the **state**, shape (streams, rows): everything one stream of inputs
  leaves behind (states, activations, derivatives, responsibilities, traces,
  gains), one contiguous row per stream. The network's own state is one stream
  (``S`` has one row); batch calls of the engines step copies with more rows.
  :class:`Rows` says which entries of a stream's row hold what.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, fields

import numpy as np

from .structure import Structure, describe


@dataclass(frozen=True)
class Rows:
    """Offsets of the state fields in a stream's row of ``S``, for N units, C connections,
    R relations and X extended-trace slots. ``act`` carries two sentinel rows
    past the last unit (``act[N] = 1``: the gain of an ungated connection;
    ``act[N + 1] = 0``) and ``delta`` one (``delta[N] = 0``), so that engines
    can index without branches."""

    state: int      # s_j(t) (eq. 15)
    old: int        # s_j(t-1)
    act: int        # y_j(t) (eq. 16), N + 2 rows
    deriv: int      # f'_j(s_j(t))
    delta: int      # delta_j (eq. 23), N + 1 rows
    deltap: int     # delta^P_j (eq. 21)
    eb: int         # the bias's eligibility trace (eq. 17 with y_i = 1)
    e: int          # e_ji per connection (eq. 17)
    g: int          # the gain g_ji(t) that entered s_j(t), per connection (eq. 14)
    T: int          # T_kj per relation (eq. 18)
    XB: int         # x^k_j,bias per relation (eq. 18)
    X: int          # x^k_ji per (memory relation, input connection of j) (eq. 18)
    total: int

    @classmethod
    def count(cls, N: int, C: int, R: int, n_x: int) -> Rows:
        sizes = {"state": N, "old": N, "act": N + 2, "deriv": N, "delta": N + 1, "deltap": N,
                 "eb": N, "e": C, "g": C, "T": R, "XB": R, "X": n_x}
        offsets, used = {}, 0
        for f in fields(cls):
            if f.name == "total":
                continue
            offsets[f.name] = used
            used += sizes[f.name]
        return cls(total=used, **offsets)


def new_state(rows: Rows, N: int, streams: int = 1) -> np.ndarray:
    """A cleared state arena: all zeros, but the sentinel act[N] = 1 and every
    gain 1 (the gain of an ungated connection; gated ones are set when read)."""
    S = np.zeros((streams, rows.total))
    S[:, rows.act + N] = 1.0
    S[:, rows.g:rows.T] = 1.0
    return S


class Units:
    """The per-unit numbers of some units: bias and self weight in ``V`` (at
    ``bias_at[u]`` and ``selfw[u]``), the rest as views of one stream of a state
    arena. ``owner`` is the network whose layout this is (None: a loose unit)."""

    def __init__(self, V: np.ndarray, bias_at: np.ndarray, selfw: np.ndarray, S: np.ndarray,
                 rows: Rows, N: int, owner=None):
        self.V, self.bias_at, self.selfw = V, bias_at, selfw
        col = S[0]
        self.state = col[rows.state:rows.state + N]
        self.old = col[rows.old:rows.old + N]
        self.act_ext = col[rows.act:rows.act + N + 2]
        self.act = self.act_ext[:N]
        self.deriv = col[rows.deriv:rows.deriv + N]
        self.delta_ext = col[rows.delta:rows.delta + N + 1]
        self.delta = self.delta_ext[:N]
        self.deltap = col[rows.deltap:rows.deltap + N]
        self.eb = col[rows.eb:rows.eb + N]
        self.owner = owner
        self.self_links = Links(V, np.arange(len(V) - N, len(V)), np.zeros(N), np.ones(N))

    @classmethod
    def loose(cls, bias: float) -> Units:
        """The home of one neuron outside any network."""
        rows = Rows.count(1, 0, 0, 0)
        V = np.array([bias, 0.0])
        return cls(V, np.zeros(1, dtype=np.int64), V[1:], new_state(rows, 1), rows, 1)


class Links:
    """The per-connection numbers of some connections: each weight in ``V`` at
    ``w_at[c]``; the eligibility trace ``e[c]`` and the gain ``g[c]`` as views of
    one stream; and the extended traces: x^k_ji of connection c for the m-th
    memory relation of its target is ``X[xfirst[c] + m * xstride[c]]``."""

    def __init__(self, V: np.ndarray, w_at: np.ndarray, e: np.ndarray, g: np.ndarray,
                 X: np.ndarray | None = None, xfirst: np.ndarray | None = None,
                 xstride: np.ndarray | None = None):
        self.V, self.w_at, self.e, self.g = V, w_at, e, g
        self.X = np.zeros(0) if X is None else X
        self.xfirst = np.zeros(len(w_at), dtype=np.int64) if xfirst is None else xfirst
        self.xstride = np.ones(len(w_at), dtype=np.int64) if xstride is None else xstride

    @classmethod
    def loose(cls, weights: np.ndarray) -> Links:
        """The home of connections outside any network (one, or a layer's bulk)."""
        n = len(weights)
        return cls(np.asarray(weights, dtype=float), np.arange(n), np.zeros(n), np.ones(n))


@dataclass(eq=False)
class Layout:
    """A compiled network: its structure and the home of every number.

    See the module docstring for ``V``, ``grad`` and ``S``. ``w_at[c]`` and
    ``bias_at[u]`` locate each weight and bias in ``V``; ``selfw`` is the view
    of the self-connections' weights. ``x_mem[r]`` is relation r's place among
    its gater's memory relations (-1: no memory, no stored extended traces);
    ``xfirst``/``xstride`` locate the extended traces as :class:`Links` says.
    """

    structure: Structure
    V: np.ndarray
    n_params: int
    grad: np.ndarray
    w_at: np.ndarray
    bias_at: np.ndarray
    selfw: np.ndarray
    rows: Rows
    S: np.ndarray
    x_mem: np.ndarray
    n_mem: np.ndarray           # (N,) memory relations of each unit
    xfirst: np.ndarray
    xstride: np.ndarray
    units: Units
    links: Links

    @property
    def N(self) -> int:
        return self.structure.n_units

    @functools.cached_property
    def cleared(self) -> np.ndarray:
        """One cleared stream, read-only: what ``clear()`` leaves (the gain of a
        gated connection is 0 until its gater activates). Made once per layout."""
        S = new_state(self.rows, self.N, 1)
        S[:, self.rows.g + np.flatnonzero(self.structure.gater >= 0)] = 0.0
        S.flags.writeable = False
        return S

    def fresh_state(self, streams: int = 1) -> np.ndarray:
        """A cleared state arena with ``streams`` streams (rows of :attr:`cleared`)."""
        return np.repeat(self.cleared, streams, axis=0)


def _values(st: Structure):
    """Where each weight and bias goes in V: (n_params, size, w_at, bias_at, selfw_at)."""
    C, N = len(st.connections), st.n_units
    n_lw = int(st.learns.sum())
    n_lb = int(st.learn_bias.sum())
    n_params = n_lw + n_lb
    w_at = np.empty(C, dtype=np.int64)
    w_at[st.learns] = np.arange(n_lw)
    n_fw = C - n_lw
    w_at[~st.learns] = n_params + np.arange(n_fw)
    bias_at = np.empty(N, dtype=np.int64)
    bias_at[st.learn_bias] = n_lw + np.arange(n_lb)
    bias_at[~st.learn_bias] = n_params + n_fw + np.arange(N - n_lb)
    size = n_params + n_fw + (N - n_lb) + N
    return n_params, size, w_at, bias_at, size - N


def _extended_slots(st: Structure):
    """Which relations store extended traces, and where (see :class:`Links`)."""
    N, R = st.n_units, len(st.rel_j)
    mem = st.memory[st.rel_k] if R else np.zeros(0, dtype=bool)
    x_mem = np.full(R, -1, dtype=np.int64)
    n_mem = np.bincount(st.rel_j[mem], minlength=N).astype(np.int64) if R else \
        np.zeros(N, dtype=np.int64)
    if mem.any():  # ordinal among the gater's memory relations (relations sorted by j)
        first = np.cumsum(mem) - mem  # memory relations before r
        x_mem[mem] = first[mem] - first[st.rel_ptr[st.rel_j[mem]]]
    C = len(st.connections)
    xfirst = np.zeros(C, dtype=np.int64)
    xstride = np.ones(C, dtype=np.int64)
    used = 0
    for blk in st.blocks:
        rows = st.dst[blk.c0:blk.c1]
        cut = np.flatnonzero(np.diff(rows)) + 1
        starts = np.r_[0, cut]
        counts = np.diff(np.r_[starts, blk.c1 - blk.c0])
        sizes = n_mem[rows[starts]] * counts
        base = used + np.cumsum(sizes) - sizes
        run = np.repeat(np.arange(len(starts)), counts)
        xfirst[blk.c0:blk.c1] = base[run] + np.arange(blk.c1 - blk.c0) - starts[run]
        xstride[blk.c0:blk.c1] = counts[run]
        used += int(sizes.sum())
    return x_mem, n_mem, xfirst, xstride, used


def build(net) -> Layout:
    """Lay ``net`` out in fresh arrays, move every value there and re-point the handles.

    Raises ValueError (changing nothing) when the network is inconsistent (see
    :func:`synapse.structure.describe`)."""
    st = describe(net)
    N, C, R = st.n_units, len(st.connections), len(st.rel_j)
    n_params, size, w_at, bias_at, sw0 = _values(st)
    x_mem, n_mem, xfirst, xstride, n_x = _extended_slots(st)
    rows = Rows.count(N, C, R, n_x)
    V = np.zeros(size)
    S = new_state(rows, N)
    selfw = V[sw0:sw0 + N]
    units = Units(V, bias_at, selfw, S, rows, N, owner=net)
    col = S[0]
    links = Links(V, w_at, col[rows.e:rows.e + C], col[rows.g:rows.g + C],
                  col[rows.X:rows.X + n_x], xfirst, xstride)
    layout = Layout(st, V, n_params, np.zeros(n_params), w_at, bias_at, selfw, rows, S, x_mem,
                    n_mem, xfirst, xstride, units, links)
    _move_values(layout)
    _repoint(layout, net)
    return layout


def _by_home(handles, home: str, at: str) -> list:
    """(arrays, new indices, old indices) for each set of arrays the handles
    (neurons or connections, in their new order) point into now."""
    groups: dict[int, tuple] = {}
    for i, h in enumerate(handles):
        arrays = getattr(h, home)
        entry = groups.setdefault(id(arrays), (arrays, [], []))
        entry[1].append(i)
        entry[2].append(getattr(h, at))
    return [(arrays, np.array(new), np.array(old)) for arrays, new, old in groups.values()]


def _move_values(L: Layout) -> None:
    """Copy every number from where the handles point now into the new layout."""
    st, u, links = L.structure, L.units, L.links
    for old, new, at in _by_home(st.neurons, "_units", "_u"):
        u.V[L.bias_at[new]] = old.V[old.bias_at[at]]
        u.selfw[new] = old.selfw[at]
        for f in ("state", "old", "act", "deriv", "delta", "deltap", "eb"):
            getattr(u, f)[new] = getattr(old, f)[at]
    for old, new, at in _by_home(st.connections, "_links", "_c"):
        links.V[L.w_at[new]] = old.V[old.w_at[at]]
        links.e[new] = old.e[at]
        links.g[new] = old.g[at]
    # T, XB and extended traces follow their relation (j, k), where j still gates k
    T = L.S[0, L.rows.T:L.rows.XB]
    XB = L.S[0, L.rows.XB:L.rows.X]
    X = links.X
    inputs_of = _inputs_by_unit(st)
    for j, n in enumerate(st.neurons):
        if not n._G:
            continue
        old_t = {k: t for t, k in enumerate(n._G)}
        for r in range(st.rel_ptr[j], st.rel_ptr[j + 1]):
            t = old_t.get(st.neurons[st.rel_k[r]])
            if t is None:
                continue
            T[r] = n._T[t]
            XB[r] = n._XB[t]
            m, old_slot = L.x_mem[r], n._xslot[t]
            if m < 0 or old_slot < 0:
                continue
            for c in inputs_of[j]:
                old_x = st.connections[c]._X
                if old_slot < len(old_x):
                    X[L.xfirst[c] + m * L.xstride[c]] = old_x[old_slot]


def _inputs_by_unit(st: Structure) -> list[np.ndarray]:
    order, ptr = st.inputs_by_unit
    return [order[ptr[j]:ptr[j + 1]] for j in range(st.n_units)]


def _repoint(L: Layout, net) -> None:
    """Every handle now points into the new layout."""
    st, units, links = L.structure, L.units, L.links
    for c, conn in enumerate(st.connections):
        conn._links, conn._c, conn._xl = links, c, None
    T = L.S[0, L.rows.T:L.rows.XB]
    XB = L.S[0, L.rows.XB:L.rows.X]
    for j, n in enumerate(st.neurons):
        prev = n._units.owner
        if prev is not None and prev is not net:
            prev._structure_changed()  # the neuron moved out of another network's arrays
        n._units, n._u = units, j
        n.selfconnection._links, n.selfconnection._c = units.self_links, j
        r0, r1 = int(st.rel_ptr[j]), int(st.rel_ptr[j + 1])
        n._G = [st.neurons[k] for k in st.rel_k[r0:r1]]
        n._T, n._XB = T[r0:r1], XB[r0:r1]
        n._xslot = L.x_mem[r0:r1]
        n._nmem = int(L.n_mem[j])
        n._gaters = None
        n._group = None
    for lo, hi in st.softmax:
        group = st.neurons[lo:hi]
        for n in group:
            n._group = group


def learning_state(L: Layout) -> dict:
    """Everything of stream 0 that learning reads besides the values and what
    ``to_json`` already carries (state, old, activation), keyed so that it
    survives a reload: units and relations by unit index (activation order),
    connections by their index in ``structure.connections``.

    Returns a dict of arrays: per unit ``deriv``, ``eb``, ``delta``, ``deltap``;
    per connection ``e`` and ``g``; per relation ``rel_j``, ``rel_k``, ``T``,
    ``XB``; and the stored extended traces as parallel arrays ``x_c`` (the
    connection i->j), ``x_k`` (the gated unit k) and ``x`` (x^k_ji)."""
    st, u, links = L.structure, L.units, L.links
    S0 = L.S[0]
    cs, ks, xs = [], [], []
    inputs_of = _inputs_by_unit(st)
    for r in np.flatnonzero(L.x_mem >= 0):
        m, j, k = int(L.x_mem[r]), int(st.rel_j[r]), int(st.rel_k[r])
        for c in inputs_of[j]:
            cs.append(int(c))
            ks.append(k)
            xs.append(float(links.X[L.xfirst[c] + m * L.xstride[c]]))
    return {"deriv": u.deriv.copy(), "eb": u.eb.copy(), "delta": u.delta.copy(),
            "deltap": u.deltap.copy(), "e": links.e.copy(), "g": links.g.copy(),
            "rel_j": st.rel_j.copy(), "rel_k": st.rel_k.copy(),
            "T": S0[L.rows.T:L.rows.XB].copy(), "XB": S0[L.rows.XB:L.rows.X].copy(),
            "x_c": np.array(cs, dtype=np.int64), "x_k": np.array(ks, dtype=np.int64),
            "x": np.array(xs, dtype=float)}


def relation_index(L: Layout, j: int, k: int) -> int:
    """The index of relation (j gates k), or -1 when j gates nothing of k's."""
    st = L.structure
    lo, hi = int(st.rel_ptr[j]), int(st.rel_ptr[j + 1])
    at = lo + int(np.searchsorted(st.rel_k[lo:hi], k))
    return at if at < hi and st.rel_k[at] == k else -1


def set_learning_state(L: Layout, *, units=None, links=None, relations=None,
                       extended=None) -> None:
    """Write saved learning state into stream 0 (the inverse of :func:`learning_state`).

    ``units``: (unit, deriv, eb, delta, deltap) tuples; ``links``: (connection
    index, gain or None, trace or None); ``relations``: (j, k, T, XB);
    ``extended``: (connection index, k, x). Indices must exist (the caller
    validated them); a relation or an extended trace the layout does not hold
    raises ValueError."""
    u, lk = L.units, L.links
    for j, deriv, eb, delta, deltap in units or ():
        u.deriv[j], u.eb[j], u.delta[j], u.deltap[j] = deriv, eb, delta, deltap
    for c, g, e in links or ():
        if g is not None:
            lk.g[c] = g
        if e is not None:
            lk.e[c] = e
    T = L.S[0, L.rows.T:L.rows.XB]
    XB = L.S[0, L.rows.XB:L.rows.X]
    for j, k, t, xb in relations or ():
        r = relation_index(L, j, k)
        if r < 0:
            raise ValueError(f"unit {j} gates nothing of unit {k}'s")
        T[r], XB[r] = t, xb
    st = L.structure
    for c, k, x in extended or ():
        r = relation_index(L, int(st.dst[c]), k)
        if r < 0 or L.x_mem[r] < 0:
            raise ValueError(f"connection {c} has no extended trace for unit {k}")
        lk.X[L.xfirst[c] + L.x_mem[r] * L.xstride[c]] = x


def late_gated(L: Layout) -> tuple[np.ndarray, np.ndarray]:
    """The connections whose gater activates at or after their target (so the
    target reads the gater's previous activation), and the units whose
    self-connection is gated so."""
    st = L.structure
    c = np.flatnonzero((st.gater >= 0) & (st.gater >= st.dst))
    units = np.arange(st.n_units)
    k = np.flatnonzero((st.self_gater >= 0) & (st.self_gater >= units))
    return c, k


def gains_from_gaters(L: Layout) -> None:
    """Every gated connection's gain as read: its gater's current activation."""
    st = L.structure
    gated = np.flatnonzero(st.gater >= 0)
    L.links.g[gated] = L.units.act[st.gater[gated]]


def copy_numbers(src: Layout, dst: Layout) -> None:
    """Copy every number of one layout into another of the same structure."""
    if src.V.shape != dst.V.shape or src.S.shape != dst.S.shape:
        raise ValueError("the two networks' layouts differ; cannot copy their numbers")
    dst.V[...] = src.V
    dst.S[...] = src.S
    dst.grad[...] = src.grad


__all__ = ["Rows", "Units", "Links", "Layout", "build", "new_state", "gains_from_gaters",
           "copy_numbers", "learning_state", "set_learning_state", "relation_index", "late_gated"]
