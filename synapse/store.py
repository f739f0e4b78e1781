"""A network's arrays: the one home of every number of its units and connections.

:func:`build` lays a network out as flat numpy arrays grouped by layer, moves
every value there from wherever it lived (a loose neuron's own arrays, or the
network's previous layout) and re-points the neuron and connection handles.

Layout. Units are numbered in activation order; layer ``g`` holds the units
``Layout.start[g]:Layout.stop[g]``. The connections from layer ``a`` into layer
``b`` form one dense :class:`~synapse.neuron.Block` of shape (size_b, size_a)
with a boolean ``mask`` of the pairs that exist (absent pairs keep weight 0).
For each layer ``b``, ``gk[b]`` is a (size_b, m_b) table of the later units each
unit gates (-1 pads), and ``T[b]``, ``XB[b]`` hold the matching T_kj and bias
extended traces; a block's ``X`` of shape (size_b, m_b, size_a) holds the
extended traces x^k_ji of its connections.
"""
from __future__ import annotations

import numpy as np

from .neuron import Block, Neuron, Units


class Layout:
    """The compiled arrays of one network (see the module docstring)."""

    def __init__(self, units: Units, start, stop, neurons, blocks, gk, T, XB):
        self.units = units
        self.start, self.stop = start, stop
        self.neurons = neurons          # in activation order
        self.blocks = blocks            # {(src_layer, dst_layer): Block}
        self.gk, self.T, self.XB = gk, T, XB


class Arena:
    """One float64 buffer holding every number of a layout; each part a view.

    >>> arena = Arena(F=(2, 3), X=(4,))
    >>> arena.buffer.size, arena.view("X").base is arena.buffer
    (10, True)
    """

    def __init__(self, **shapes: tuple):
        self.parts: dict[str, tuple[int, tuple]] = {}
        used = 0
        for name, shape in shapes.items():
            self.parts[name] = (used, tuple(shape))
            used += int(np.prod(shape))
        self.buffer = np.zeros(used)

    def view(self, name: str) -> np.ndarray:
        off, shape = self.parts[name]
        return self.buffer[off:off + int(np.prod(shape))].reshape(shape)


def _layers_of(net):
    return [net.layers.input, *net.layers.hidden, net.layers.output]


def build(net) -> Layout:
    """Lay ``net`` out in fresh arrays, move all values there and re-point handles.

    Raises ValueError (changing nothing) when the network is inconsistent: a
    neuron listed twice, or a non-input neuron fed or gated from outside."""
    layers = _layers_of(net)
    neurons: list[Neuron] = [n for layer in layers for n in layer.list]
    pos = {n: i for i, n in enumerate(neurons)}
    if len(pos) != len(neurons):
        raise ValueError("a neuron appears twice in the network's layers")
    group = np.zeros(len(neurons), dtype=int)
    start, stop, i = [], [], 0
    for g, layer in enumerate(layers):
        start.append(i)
        i += layer.size
        stop.append(i)
        group[start[g]:stop[g]] = g
    n_in = layers[0].size
    for n in neurons[n_in:]:
        for c in n.connections.inputs:
            if c.from_ not in pos:
                raise ValueError(f"neuron {n.ID} has an input from neuron {c.from_.ID}, "
                                 f"which is not in the network")
            if c.gater is not None and c.gater not in pos:
                raise ValueError(f"a connection into neuron {n.ID} is gated by neuron "
                                 f"{c.gater.ID}, which is not in the network")
        sg = n.selfconnection.gater
        if sg is not None and sg not in pos:
            raise ValueError(f"neuron {n.ID}'s self-connection is gated from outside the network")

    N = len(neurons)
    # the later units each unit gates (G_j), in activation order
    G = []
    for j, n in enumerate(neurons):
        ks = {pos[c.to] for c in n.connections.gated if c.to in pos and pos[c.to] > j}
        G.append([neurons[k] for k in sorted(ks)])
    # for each unit: where its kept gated units move (new slot, old slot); its
    # T, XB and extended traces move along
    remap = {}
    for j, n in enumerate(neurons):
        old = {k: t for t, k in enumerate(n._G)}
        pairs = [(t, old[k]) for t, k in enumerate(G[j]) if k in old]
        remap[j] = (np.array([p[0] for p in pairs], dtype=np.intp),
                    np.array([p[1] for p in pairs], dtype=np.intp))
    gk, T, XB, toff = [], [], [], [0]
    widths = [max((len(G[j]) for j in range(start[g], stop[g])), default=0)
              for g in range(len(layers))]
    for g in range(len(layers)):
        toff.append(toff[-1] + (stop[g] - start[g]) * widths[g])

    # connection blocks, one per (source layer, target layer) pair
    members: dict[tuple[int, int], list] = {}
    for j, n in enumerate(neurons):
        for c in n.connections.inputs:
            i = pos.get(c.from_)
            if i is not None:
                members.setdefault((int(group[i]), int(group[j])), []).append((c, i, j))
    keys = sorted(members)
    shapes = {k: (stop[k[1]] - start[k[1]], stop[k[0]] - start[k[0]]) for k in keys}
    sizes = [shapes[k][0] * shapes[k][1] for k in keys]
    xsizes = [sz * widths[k[1]] for k, sz in zip(keys, sizes)]

    # one buffer for everything: units, T and XB, weights/traces/gains, X
    arena = Arena(F=(len(Units.FIELDS), N + 2), TX=(2, toff[-1]), C=(3, sum(sizes)),
                  X=(sum(xsizes),))
    units = Units(N, owner=net, F=arena.view("F"))
    for f in Units.FIELDS:
        arr = getattr(units, f)
        for j, n in enumerate(neurons):
            arr[j] = getattr(n._s, f)[n._u]
    TX = arena.view("TX")  # T_kj and the bias's extended traces
    tflat, xbflat = TX[0], TX[1]
    for g in range(len(layers)):
        rows = range(start[g], stop[g])
        m = widths[g]
        gk.append(np.full((len(rows), m), -1, dtype=np.intp))
        T.append(tflat[toff[g]:toff[g + 1]].reshape(len(rows), m))
        XB.append(xbflat[toff[g]:toff[g + 1]].reshape(len(rows), m))
        for r, j in enumerate(rows):
            gk[g][r, :len(G[j])] = [pos[k] for k in G[j]]
            new_t, old_t = remap[j]
            T[g][r, new_t] = neurons[j]._T[old_t]
            XB[g][r, new_t] = neurons[j]._XB[old_t]

    # each block's arrays are views of a slice of C and X
    C = arena.view("C")  # weights, eligibility traces, gains as read
    flat = {"w": C[0], "e": C[1], "g": C[2]}
    xflat = arena.view("X")
    blocks = {}
    moves = []
    off = xoff = 0
    for key, sz, xsz in zip(keys, sizes, xsizes):
        a, b = key
        shape = shapes[key]
        m = gk[b].shape[1]
        blk = Block(flat["w"][off:off + sz], flat["e"][off:off + sz], flat["g"][off:off + sz])
        W, E, Gn = (v.reshape(shape) for v in (blk.w, blk.e, blk.g))
        X = xflat[xoff:xoff + xsz].reshape(shape[0], m, shape[1])
        mask = np.zeros(shape, dtype=bool)
        gater = np.full(shape, -1, dtype=np.intp)
        blk.W, blk.E, blk.Gn, blk.X, blk.mask, blk.gater = W, E, Gn, X, mask, gater
        blk.src, blk.dst, blk.offset, blk.xoffset = a, b, off, xoff
        # gather each source block's values with one fancy index
        by_source: dict[int, tuple] = {}
        for c, i, j in members[key]:
            r, q = j - start[b], i - start[a]
            p = r * shape[1] + q
            entry = by_source.setdefault(id(c._b), (c._b, [], []))
            entry[1].append(p)
            entry[2].append(c._p)
            if c.gater is not None:
                gater[r, q] = pos[c.gater]
            if len(G[j]) and len(c.to._G):
                new_t, old_t = remap[j]
                X[r, new_t, q] = c._X[old_t]
            moves.append((c, blk, p))
        for src, dst_p, src_p in by_source.values():
            dst_p, src_p = np.array(dst_p), np.array(src_p)
            blk.w[dst_p] = src.w[src_p]
            blk.e[dst_p] = src.e[src_p]
            blk.g[dst_p] = src.g[src_p]
            mask.reshape(-1)[dst_p] = True
        blk.full = bool(mask.all())
        blocks[key] = blk
        off += sz
        xoff += xsz

    # every value now has its new home: re-point the handles
    for c, blk, p in moves:
        c._b, c._p, c._xl = blk, p, None
    for j, n in enumerate(neurons):
        prev = n._s.owner
        if prev is not None and prev is not net:
            prev._structure_changed()  # the neuron moved out of another network's arrays
        g = int(group[j])
        r = j - start[g]
        n._s, n._u = units, j
        n.selfconnection._b, n.selfconnection._p = units.self_block, j
        n._G = G[j]
        n._T, n._XB = T[g][r, :len(G[j])], XB[g][r, :len(G[j])]
        n._gaters = None
    layout = Layout(units, start, stop, neurons, blocks, gk, T, XB)
    layout.flat, layout.xflat, layout.C, layout.TX = flat, xflat, C, TX
    layout.arena = arena
    layout.tflat, layout.xbflat, layout.toff = tflat, xbflat, toff
    return layout
