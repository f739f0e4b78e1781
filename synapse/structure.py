"""What a network is, as index arrays: computed once, when the network compiles.

:func:`describe` reads the neuron objects of a network once and returns a
:class:`Structure`: the units in activation order, their squash functions and
flags, every connection (ordered block by block), the blocks, and the gating
relations. Nothing here holds a number a network computes or learns; every
engine and the layout read the structure instead of deriving it again.

Glossary (docs/design.md has the long version):

* **unit**: a neuron, numbered by its place in activation order.
* **block**: the connections from one layer into another (or into itself).
* **relation**: unit j gates some connection into a later unit k (the pair
  (j, k) of eqs. 18 and 22); it has **memory** when k is self-connected.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .squash import SOFTMAX

if TYPE_CHECKING:
    from .neuron import Connection, Neuron

_NONE = -1  # "no unit" in index arrays


@dataclass(eq=False)
class Block:
    """The connections ``c0:c1`` from layer ``src`` into layer ``dst``.

    ``rows``/``cols`` give each connection's target and source as positions
    inside their layers; connections are sorted by (row, col). ``full`` says
    every (row, col) pair exists, so the block is a dense row-major matrix.
    """

    src: int
    dst: int
    c0: int
    c1: int
    rows: np.ndarray
    cols: np.ndarray
    shape: tuple[int, int]          # (target layer size, source layer size)
    full: bool


@dataclass(eq=False)
class Structure:
    """A network's topology, as the engines read it (see the module docstring)."""

    neurons: list[Neuron]           # units in activation order
    start: np.ndarray               # (layers + 1,): layer g holds units start[g]:start[g + 1]
    squash: list[Callable[..., Any]]  # each unit's squash function
    self_gater: np.ndarray          # (N,) the unit gating each unit's self-connection, or -1
    memory: np.ndarray              # (N,) bool: the unit is self-connected (w_jj != 0)
    learn_bias: np.ndarray          # (N,) bool: training changes the bias (False for inputs)
    connections: list[Connection]   # every connection between two different units, in order
    src: np.ndarray                 # (C,) source unit of each connection
    dst: np.ndarray                 # (C,) target unit
    gater: np.ndarray               # (C,) gating unit, or -1
    learns: np.ndarray              # (C,) bool: training changes the weight
    blocks: list[Block]
    rel_j: np.ndarray               # (R,) relations (j gates k, j before k), sorted by (j, k)
    rel_k: np.ndarray
    rel_self: np.ndarray            # (R,) bool: j gates k's self-connection
    rel_ptr: np.ndarray             # (N + 1,): unit j's relations are rel_ptr[j]:rel_ptr[j + 1]
    rel_conn_ptr: np.ndarray        # (R + 1,): the connections a->k that j gates, for T_kj
    rel_conns: np.ndarray
    softmax: list[tuple[int, int]]  # each SOFTMAX group: units lo:hi, neighbours in one layer

    @property
    def n_units(self) -> int:
        return len(self.neurons)

    @property
    def n_inputs(self) -> int:
        return int(self.start[1])

    @property
    def n_layers(self) -> int:
        return len(self.start) - 1

    @property
    def outputs(self) -> slice:
        return slice(int(self.start[-2]), int(self.start[-1]))

    def layer_of(self) -> np.ndarray:
        """(N,) the layer of each unit."""
        return np.repeat(np.arange(self.n_layers), np.diff(self.start))

    @functools.cached_property
    def inputs_by_unit(self) -> tuple[np.ndarray, np.ndarray]:
        """The connections by target unit, as :func:`csr` lists them (made once:
        the layout and both engines walk it)."""
        return csr(self.dst, self.n_units)

    @functools.cached_property
    def relations_by_k(self) -> tuple[np.ndarray, np.ndarray]:
        """The relations by gated unit k, as :func:`csr` lists them (made once)."""
        return csr(self.rel_k, self.n_units)


def csr(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A stable order by key, and the pointer array of the CSR list with n rows."""
    order = np.argsort(keys, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    return order, ptr


def layers_of(net) -> list:
    return [net.layers.input, *net.layers.hidden, net.layers.output]


def describe(net) -> Structure:
    """The structure of ``net``, in time linear in its units, connections and gates.

    Raises ValueError (changing nothing) when the network is inconsistent: a
    neuron listed twice, or a non-input neuron fed or gated from outside."""
    layers = layers_of(net)
    neurons: list[Neuron] = [n for layer in layers for n in layer.list]
    pos = {n: i for i, n in enumerate(neurons)}
    if len(pos) != len(neurons):
        raise ValueError("a neuron appears twice in the network's layers")
    N = len(neurons)
    start = np.zeros(len(layers) + 1, dtype=np.int64)
    np.cumsum([layer.size for layer in layers], out=start[1:])
    group = np.repeat(np.arange(len(layers)), np.diff(start))
    n_in = int(start[1])

    conns: list[Connection] = []
    src, dst, gat = [], [], []
    for j in range(n_in, N):
        n = neurons[j]
        for c in n.connections.inputs:
            i = pos.get(c.from_)
            if i is None:
                raise ValueError(f"neuron {n.ID} has an input from neuron {c.from_.ID}, "
                                 f"which is not in the network")
            g = _NONE
            if c.gater is not None:
                g = pos.get(c.gater, _NONE)
                if g == _NONE:
                    raise ValueError(f"a connection into neuron {n.ID} is gated by neuron "
                                     f"{c.gater.ID}, which is not in the network")
            conns.append(c)
            src.append(i)
            dst.append(j)
            gat.append(g)
        sg = n.selfconnection.gater
        if sg is not None and sg not in pos:
            raise ValueError(f"neuron {n.ID}'s self-connection is gated from outside the network")
    src_a = np.array(src, dtype=np.int64)
    dst_a = np.array(dst, dtype=np.int64)
    gat_a = np.array(gat, dtype=np.int64)
    # block order: by (source layer, target layer), then target, then source
    order = np.lexsort((src_a, dst_a, group[dst_a], group[src_a])) if len(conns) else \
        np.zeros(0, dtype=np.int64)
    src_a, dst_a, gat_a = src_a[order], dst_a[order], gat_a[order]
    conns = [conns[i] for i in order]
    learns = np.array([c.learns for c in conns], dtype=bool)

    blocks = []
    if len(conns):
        key = group[src_a] * len(layers) + group[dst_a]
        cuts = np.flatnonzero(np.diff(key)) + 1
        for c0, c1 in zip(np.r_[0, cuts], np.r_[cuts, len(conns)]):
            a, b = int(group[src_a[c0]]), int(group[dst_a[c0]])
            rows = dst_a[c0:c1] - start[b]
            cols = src_a[c0:c1] - start[a]
            shape = (int(start[b + 1] - start[b]), int(start[a + 1] - start[a]))
            blocks.append(Block(a, b, int(c0), int(c1), rows, cols, shape,
                                full=bool(c1 - c0 == shape[0] * shape[1])))

    self_gater = np.full(N, _NONE, dtype=np.int64)
    memory = np.zeros(N, dtype=bool)
    learn_bias = np.zeros(N, dtype=bool)
    for j in range(n_in, N):
        n = neurons[j]
        sg = n.selfconnection.gater
        if sg is not None:
            self_gater[j] = pos[sg]
        memory[j] = n.selfconnection.weight != 0
        learn_bias[j] = n.learn_bias

    # relations: j gates a connection into k, j before k (eq. 20)
    gated = np.flatnonzero((gat_a >= 0) & (gat_a < dst_a))
    rj = np.concatenate([gat_a[gated], self_gater[(self_gater >= 0) &
                                                  (self_gater < np.arange(N))]])
    rk = np.concatenate([dst_a[gated], np.flatnonzero((self_gater >= 0) &
                                                      (self_gater < np.arange(N)))])
    pairs = np.unique(rj * N + rk) if len(rj) else np.zeros(0, dtype=np.int64)
    rel_j, rel_k = pairs // max(N, 1), pairs % max(N, 1)
    rel_self = self_gater[rel_k] == rel_j
    _, rel_ptr = csr(rel_j, N)
    # the gated connections behind each relation's T_kj, in connection order
    owner = np.searchsorted(pairs, gat_a[gated] * N + dst_a[gated])
    c_order, rel_conn_ptr = csr(owner, len(pairs))
    rel_conns = gated[c_order]
    softmax = _softmax_groups(neurons, start, src_a, dst_a, gat_a, self_gater)
    return Structure(
        neurons=neurons, start=start, squash=[n.squash for n in neurons], self_gater=self_gater,
        memory=memory, learn_bias=learn_bias, connections=conns, src=src_a, dst=dst_a,
        gater=gat_a, learns=learns, blocks=blocks, rel_j=rel_j, rel_k=rel_k, rel_self=rel_self,
        rel_ptr=rel_ptr, rel_conn_ptr=rel_conn_ptr, rel_conns=rel_conns, softmax=softmax)


def _softmax_groups(neurons, start, src, dst, gater, self_gater) -> list[tuple[int, int]]:
    """The SOFTMAX groups (one per layer: its SOFTMAX units), checked: the units
    of a group are neighbours, none reads another within a step, none gates."""
    groups = []
    for g in range(len(start) - 1):
        members = [u for u in range(start[g], start[g + 1]) if neurons[u].squash is SOFTMAX]
        if not members:
            continue
        lo, hi = members[0], members[-1] + 1
        if hi - lo != len(members):
            raise ValueError(f"the SOFTMAX neurons of layer {g} must be neighbours in the "
                             f"layer (a group is normalised as one); another squash lies "
                             f"between them")
        inside = (src >= lo) & (src < hi) & (dst >= lo) & (dst < hi) & (src < dst)
        if inside.any():
            raise ValueError(f"SOFTMAX neuron {neurons[int(dst[inside][0])].ID} reads neuron "
                             f"{neurons[int(src[inside][0])].ID} of its own group within a "
                             f"step; a group's activations exist only once all its states do")
        gates = ((gater >= lo) & (gater < hi)).any() or ((self_gater >= lo) &
                                                       (self_gater < hi)).any()
        if gates:
            raise ValueError("a SOFTMAX neuron cannot gate a connection (its activation "
                             "depends on its whole group); gate with another squash")
        groups.append((lo, hi))
    return groups
