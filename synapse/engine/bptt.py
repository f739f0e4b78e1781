"""Backpropagation through time with numpy, on any topology the library builds.

LSTM-g's traces carry memory only through each unit's own self-connection, so a
recurrent connection between two different units (a context layer, a GRU's
h(t-1) into its gates) is truncated to one step. Backpropagation through time
is the exact alternative: step a window of inputs while recording what the
backward pass needs, then walk back through it, later steps first and, within
a step, later units first (docs/equations.md, "Backpropagation through time").

Within a step the walk is the numpy engine's responsibilities (eqs. 19-23: the
connections and gates read in the same step); what reaches step t from step
t + 1 (recurrent connections, gates read one step late, the self-connection's
carry) is added per unit. The JIT has the same walk as one kernel
(``jit._bptt``); this module is the numpy engine's and the fallback.
"""
from __future__ import annotations

import numpy as np

from .. import store
from ..store import Layout
from .base import stream_errors, stream_outputs


class Tape:
    """What one window leaves for the backward pass, per step (streams last)."""

    def __init__(self, L: Layout, W: int, B: int):
        N, C, R = L.N, len(L.structure.connections), len(L.structure.rel_j)
        self.act = np.empty((W + 1, N + 2, B))    # act[r]: after step r - 1
        self.state = np.empty((W + 1, N, B))
        self.deriv = np.empty((W, N, B))
        self.G = np.empty((W, C, B))              # the gains that entered each state
        self.T = np.empty((W, R, B))              # T_kj of the relations, as they entered
        self.err = np.empty((W, L.structure.outputs.stop - L.structure.outputs.start, B))


class Through:
    """The index lists of what crosses from step t + 1 back to step t."""

    def __init__(self, L: Layout):
        st = L.structure
        c = np.arange(len(st.connections))
        self.rec = c[st.dst < st.src]                      # recurrent connections
        g = st.gater
        # gates read one step late, on connections and on self-connections
        self.late, self.late_self = store.late_gated(L)
        self.src_now = st.src < st.dst                     # y_i(t) (else y_i(t - 1))
        self.gain_now = (g >= 0) & (g < st.dst)
        self.learn_conn = np.flatnonzero(st.learns)
        self.learn_unit = np.flatnonzero(st.learn_bias)
        # the walk's gathers, made once: sources, targets, gaters and weight
        # slots of each set, and each unit's self-gater (a gain of 1 where none)
        self.rec_src, self.rec_dst = st.src[self.rec], st.dst[self.rec]
        late = self.late
        self.late_src, self.late_dst, self.late_gater = st.src[late], st.dst[late], g[late]
        self.late_now = self.src_now[late, None]
        sg = st.self_gater
        self.self_gated = (sg >= 0)[:, None]
        self.self_gate_now = (sg < np.arange(st.n_units))[:, None]
        self.self_gater = np.maximum(sg, 0)
        learn = self.learn_conn
        self.learn_src, self.learn_dst = st.src[learn], st.dst[learn]
        self.learn_now = self.src_now[learn, None]
        self.learn_w_at = L.w_at[learn]


def gradient(engine, thr: Through, S: np.ndarray, X: np.ndarray, Y: np.ndarray, cost,
             D: np.ndarray, scale: float) -> np.ndarray:
    """Step the streams S (rows) through the window X (streams x steps x inputs),
    then add scale times the sum over steps and streams of -dL/dw into D, where
    L sums the steps' costs towards Y (NaN: no target). Returns the outputs,
    (streams x steps x outputs). ``engine`` is a NumpyEngine of the layout (its
    ``step``, ``responsibilities`` and ``new_views``), ``thr`` its Through."""
    L = engine.layout
    st = L.structure
    B, W = X.shape[:2]
    N, R = st.n_units, L.rows
    tape = Tape(L, W, B)
    v = engine.new_views(S)
    tape.act[0] = S[:, R.act:R.act + N + 2].T
    tape.state[0] = S[:, R.state:R.state + N].T
    outs = np.empty((B, W, st.outputs.stop - st.outputs.start))
    for t in range(W):
        engine.step(v, X[:, t].T if B > 1 else X[0, t])
        tape.act[t + 1] = S[:, R.act:R.act + N + 2].T
        tape.state[t + 1] = S[:, R.state:R.state + N].T
        tape.deriv[t] = S[:, R.deriv:R.deriv + N].T
        tape.G[t] = S[:, R.g:R.T].T
        tape.T[t] = S[:, R.T:R.XB].T
        outs[:, t] = stream_outputs(L, S)
        tape.err[t] = stream_errors(L, S, Y[:, t], cost).T
    # the walk back, on a scratch arena holding step t's numbers
    work = L.fresh_state(B)
    wv = engine.new_views(work)
    nxt = np.zeros((N, B))
    V, sw = L.V, L.selfw
    w_rec = V[L.w_at[thr.rec], None]  # the weights do not change during the walk
    w_late = V[L.w_at[thr.late], None]
    for t in range(W - 1, -1, -1):
        work[:, R.act:R.act + N + 2] = tape.act[t + 1].T
        work[:, R.deriv:R.deriv + N] = tape.deriv[t].T
        work[:, R.g:R.T] = tape.G[t].T
        work[:, R.T:R.XB] = tape.T[t].T
        extra_acc = np.zeros((N, B))
        carry = np.zeros((N, B))
        if t + 1 < W:
            now, after = tape.act[t + 1], tape.act[t + 2]
            Gn = tape.G[t + 1]
            # k reads y_j(t) at step t + 1
            np.add.at(extra_acc, thr.rec_src, nxt[thr.rec_dst] * Gn[thr.rec] * w_rec)
            # gates read at step t + 1: dS_k/dy_j = w_ka y_a
            ya = np.where(thr.late_now, after[thr.late_src], now[thr.late_src])
            np.add.at(extra_acc, thr.late_gater, nxt[thr.late_dst] * w_late * ya)
            k = thr.late_self
            np.add.at(extra_acc, st.self_gater[k],
                      nxt[k] * sw[k, None] * tape.state[t + 1][k])
            gain = np.where(thr.self_gated,
                            np.where(thr.self_gate_now, after[thr.self_gater],
                                     now[thr.self_gater]), 1.0)
            carry = nxt * gain * sw[:, None]
        if B == 1:
            engine.responsibilities(wv, tape.err[t][:, 0], extra_acc[:, 0], carry[:, 0])
        else:
            engine.responsibilities(wv, tape.err[t], extra_acc, carry)
        cur = work[:, R.delta:R.delta + N].T  # (N, B)
        # -dL/dw_ji = sum over t of delta_j(t) g_ji(t) y_i as j read it
        ys = np.where(thr.learn_now, tape.act[t + 1][thr.learn_src], tape.act[t][thr.learn_src])
        D[thr.learn_w_at] += scale * (cur[thr.learn_dst] * tape.G[t][thr.learn_conn] * ys
                                      ).sum(axis=1)
        u = thr.learn_unit
        D[L.bias_at[u]] += scale * cur[u].sum(axis=1)
        nxt = cur.copy()
    return outs
