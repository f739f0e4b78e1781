"""Runs: consecutive layers the numpy engine can step as one.

Two adjacent layers can be activated together when neither reads the other
within the step: they project nowhere (pure gate layers, like an LSTM's input
and forget gates), are fed by the same source layers, gate nothing of each
other and have relation tables of the same width. Their blocks are then
adjacent in the layout's flat arrays (blocks are laid out by (source, target)),
so a run's block is one larger view of the same memory: fewer, fatter numpy
operations, and not a single number copied.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np


def _fusable(L, run: list[int], b: int, sequential) -> bool:
    """Whether layer b can join the run of layers before it."""
    last = len(L.start) - 1
    if b >= last or sequential(b) or any(sequential(a) for a in run):
        return False
    sources = {a for (a, c) in L.blocks if c == b}
    for a in run:
        if {s for (s, c) in L.blocks if c == a} != sources:
            return False
        if L.gk[a].shape[1] != L.gk[b].shape[1]:
            return False
    if any(a in run or a == b for (a, _c) in L.blocks):
        return False  # a run's layers project nowhere
    lo, hi = L.start[run[0]], L.stop[run[-1]]
    for (_, c), blk in L.blocks.items():  # the run gates nothing of b
        if c == b and np.any((blk.gater >= lo) & (blk.gater < hi)):
            return False
    for n in L.neurons[L.start[b]:L.stop[b]]:
        g = n.selfconnection.gater
        if g is not None and g in L.neurons[lo:hi]:
            return False
    return True


def merge(L, sequential) -> SimpleNamespace:
    """A view of layout L with fusable consecutive layers merged into runs.

    ``sequential(b)`` says whether layer b must be stepped unit by unit (such
    layers are never merged)."""
    runs: list[list[int]] = [[0]]
    for b in range(1, len(L.start)):
        if len(runs) > 1 and _fusable(L, runs[-1], b, sequential):
            runs[-1].append(b)
        else:
            runs.append([b])
    if all(len(r) == 1 for r in runs):
        return L
    run_of = {b: i for i, r in enumerate(runs) for b in r}
    view = SimpleNamespace(units=L.units, neurons=L.neurons, flat=L.flat, xflat=L.xflat,
                           C=L.C, TX=L.TX, arena=L.arena, tflat=L.tflat, xbflat=L.xbflat)
    view.start = [L.start[r[0]] for r in runs]
    view.stop = [L.stop[r[-1]] for r in runs]
    view.gk = [np.vstack([L.gk[b] for b in r]) for r in runs]
    view.T, view.XB, view.toff = [], [], []
    for r, gk in zip(runs, view.gk):
        n, m = gk.shape
        off = L.toff[r[0]]
        view.T.append(L.tflat[off:off + n * m].reshape(n, m))
        view.XB.append(L.xbflat[off:off + n * m].reshape(n, m))
        view.toff.append(off)
    view.blocks = {}
    for (a, b), blk in L.blocks.items():
        key = (run_of[a], run_of[b])
        if key in view.blocks:
            continue
        members = [L.blocks[(a, c)] for c in runs[key[1]]]
        if len(members) == 1:  # the same arrays, with the run's numbering
            view.blocks[key] = SimpleNamespace(**vars(blk))
            view.blocks[key].src, view.blocks[key].dst = key
            continue
        n = sum(m.W.shape[0] for m in members)
        nI, mw = blk.W.shape[1], blk.X.shape[1]
        fused = SimpleNamespace(src=key[0], dst=key[1], offset=blk.offset, xoffset=blk.xoffset)
        fused.w = L.flat["w"][blk.offset:blk.offset + n * nI]
        fused.e = L.flat["e"][blk.offset:blk.offset + n * nI]
        fused.g = L.flat["g"][blk.offset:blk.offset + n * nI]
        fused.W, fused.E, fused.Gn = (v.reshape(n, nI) for v in (fused.w, fused.e, fused.g))
        fused.X = L.xflat[blk.xoffset:blk.xoffset + n * mw * nI].reshape(n, mw, nI)
        fused.mask = np.vstack([m.mask for m in members])
        fused.gater = np.vstack([m.gater for m in members])
        fused.full = all(m.full for m in members)
        view.blocks[key] = fused
    return view
