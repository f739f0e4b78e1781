"""Mini-batch passes of a layered feed-forward network, as matrix products.

A network whose every connection runs from a layer into a later layer, with
no gate and no self-connection, carries nothing from one step to the next:
each eligibility trace is its input's activation (eq. 17 with no decay) and
LSTM-g's responsibilities (eqs. 19-23) are backpropagation's. The rows of a
mini-batch all see the same parameters (the step waits for the batch's end),
so they are independent steps, and a block of connections (from one layer
into another) handles all of them in one matrix product: the states (eq. 15)
forward, the responsibilities backward, and each weight's gradient, the sum
over the rows of delta_j y_i (eq. 24), as one product more.

:func:`plan` says whether a layout is such a network and prepares it;
:meth:`Dense.fit` has the contract of the engines' ``fit`` (engine/base.py):
the same passes, rows, averages, clipping and optimizer steps as the JIT's
kernel, the same numbers up to the order of the sums, and the network's own
stream left as the last row of the last pass left it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import optim
from .. import squash as _squash
from ..cost import set_error
from ..store import Layout
from .base import output_groups, rows_errors
from .numpy_engine import squash_both

__all__ = ["Dense", "plan"]


@dataclass(eq=False)
class _Into:
    """The connections from layer ``src`` into a layer: a dense matrix of
    weights, read from V (a view where the block is full and learns)."""

    src: int
    c0: int
    c1: int
    shape: tuple[int, int]
    view: slice | None          # V[view].reshape(shape) when full and contiguous (and, when
                                # the block learns, G[view] its gradient)
    rows: np.ndarray
    cols: np.ndarray
    slots: np.ndarray           # each connection's weight slot in V
    learns: np.ndarray          # the connections whose weight learns
    all_learn: bool
    any_learn: bool


@dataclass(eq=False)
class _Layer:
    lo: int                     # its units are lo:hi
    hi: int
    into: list[_Into]
    bias: np.ndarray            # each unit's bias slot
    bias_learns: np.ndarray     # the units whose bias learns
    bias_view: slice | None     # G[bias_view]: the biases, when all learn, in order
    squash: list[tuple]         # (f, local lo, local hi): runs of one squash; SOFTMAX: a group


def plan(layout: Layout) -> Dense | None:
    """A :class:`Dense` for the layout's network, or None when it is not layered
    feed-forward (a gate, a self-connection, or a connection that does not
    run into a later layer)."""
    st = layout.structure
    if (st.gater >= 0).any() or (st.self_gater >= 0).any() or st.memory.any():
        return None
    if any(b.src >= b.dst for b in st.blocks):
        return None
    n_params = layout.n_params
    layers = []
    for g in range(1, st.n_layers):
        lo, hi = int(st.start[g]), int(st.start[g + 1])
        into = []
        for b in st.blocks:
            if b.dst != g:
                continue
            slots = layout.w_at[b.c0:b.c1]
            learns = slots < n_params
            n = b.c1 - b.c0
            contiguous = b.full and n > 0 and bool(np.all(np.diff(slots) == 1))
            view = slice(int(slots[0]), int(slots[0]) + n) if contiguous else None
            into.append(_Into(b.src, b.c0, b.c1, b.shape, view, b.rows, b.cols, slots, learns,
                              bool(learns.all()), bool(learns.any())))
        runs: list[tuple] = []
        for u in range(lo, hi):
            f = st.squash[u]
            if runs and runs[-1][0] is f:
                runs[-1] = (f, runs[-1][1], u - lo + 1)
            else:
                runs.append((f, u - lo, u - lo + 1))
        bias = layout.bias_at[lo:hi]
        learns = bias < n_params
        in_order = bool(learns.all() and np.all(np.diff(bias) == 1))
        layers.append(_Layer(lo, hi, into, bias, learns,
                             slice(int(bias[0]), int(bias[-1]) + 1) if in_order else None, runs))
    return Dense(layout, layers)


class Dense:
    """Mini-batch passes of a layered feed-forward network (see the module
    docstring); made by :func:`plan`."""

    def __init__(self, layout: Layout, layers: list[_Layer]):
        self.layout = layout
        self.layers = layers
        st = layout.structure
        self.n_in = st.n_inputs
        self.groups = output_groups(layout)

    def _weights(self, V: np.ndarray) -> list[list[np.ndarray]]:
        out = []
        for layer in self.layers:
            ws = []
            for b in layer.into:
                if b.view is not None:
                    ws.append(V[b.view].reshape(b.shape))
                else:
                    W = np.zeros(b.shape)
                    W[b.rows, b.cols] = V[b.slots]
                    ws.append(W)
            out.append(ws)
        return out

    def _forward(self, X: np.ndarray, V: np.ndarray, weights) -> tuple[list, list, list]:
        """States, activations and derivatives of every layer for the rows of X
        (index 0: the inputs)."""
        states, acts, derivs = [X], [X], [np.zeros_like(X)]
        for layer, ws in zip(self.layers, weights):
            s = np.empty((len(X), layer.hi - layer.lo))
            s[...] = V[layer.bias]
            for b, W in zip(layer.into, ws):
                s += acts[b.src] @ W.T  # eq. 15 (ungated: every gain is 1)
            y, d = np.empty_like(s), np.empty_like(s)
            for f, a, z in layer.squash:  # eq. 16
                if f is _squash.SOFTMAX:
                    e = np.exp(s[:, a:z] - s[:, a:z].max(axis=1, keepdims=True))
                    y[:, a:z] = e / e.sum(axis=1, keepdims=True)
                    d[:, a:z] = y[:, a:z] * (1.0 - y[:, a:z])
                else:
                    y[:, a:z], d[:, a:z] = squash_both(f, s[:, a:z])
            states.append(s)
            acts.append(y)
            derivs.append(d)
        return states, acts, derivs

    def _backward(self, acts, derivs, errors, weights, G: np.ndarray) -> list[np.ndarray]:
        """Every layer's responsibilities (eqs. 10, 19-23), and minus the sum over
        the rows of each learning weight's and bias's delta_j y_i added into G;
        returns the responsibilities (index 0: None for the inputs)."""
        L = len(self.layers)
        acc: list = [None] * (L + 1)  # eq. 19's sums, from the later layers
        deltas: list = [None] * (L + 1)
        for k in range(L, 0, -1):
            layer, ws = self.layers[k - 1], weights[k - 1]
            a = acc[k]
            if a is None:  # nothing reads this layer (the outputs): eq. 10 alone
                delta = errors.copy() if k == L else np.zeros_like(acts[k])
            else:
                delta = derivs[k] * a  # eq. 21
                for f, lo, hi in layer.squash:
                    if f is _squash.SOFTMAX:  # through the group's Jacobian
                        yg, ag = acts[k][:, lo:hi], a[:, lo:hi]
                        delta[:, lo:hi] = yg * (ag - np.sum(yg * ag, axis=1, keepdims=True))
                if k == L:
                    delta += errors  # eq. 10
            deltas[k] = delta
            for b, W in zip(layer.into, ws):
                if b.src > 0:
                    back = delta @ W  # eq. 19
                    acc[b.src] = back if acc[b.src] is None else acc[b.src] + back
                if not b.any_learn:
                    continue
                grad = delta.T @ acts[b.src]  # eq. 24, summed over the rows
                if b.all_learn and b.view is not None:
                    G[b.view] -= grad.reshape(-1)
                elif b.all_learn:
                    G[b.slots] -= grad[b.rows, b.cols]
                else:
                    G[b.slots[b.learns]] -= grad[b.rows[b.learns], b.cols[b.learns]]
            if layer.bias_view is not None:
                G[layer.bias_view] -= delta.sum(axis=0)
            else:
                G[layer.bias[layer.bias_learns]] -= delta.sum(axis=0)[layer.bias_learns]
        return deltas

    def fit(self, X: np.ndarray, Y: np.ndarray, orders: np.ndarray, rates: np.ndarray, cost,
            error_cost, target_error: float, batch: int, opt: optim.Optimizer,
            clip: float) -> tuple[int, np.ndarray]:
        """Passes with mini-batches and an optimizer, as the engines' ``fit``:
        pass k visits rows orders[k] in batches of ``batch`` rows (the last one
        maybe shorter); each batch's gradient, averaged and clipped to norm
        ``clip`` (0: not clipped), takes one step of ``opt`` at rates[k].
        Returns (passes run, the mean ``error_cost`` of each pass's outputs,
        each from the parameters before its batch's step); stops after the
        first pass at or below target_error."""
        L = self.layout
        V, n_params = L.V, L.n_params
        P = V[:n_params]
        G = np.zeros(n_params)
        errors = np.empty(orders.shape[0])
        n_rows = orders.shape[1] if orders.ndim == 2 else 0
        last: tuple | None = None
        with np.errstate(all="ignore"):
            for k in range(orders.shape[0]):
                order = orders[k]
                outputs = np.empty((n_rows, Y.shape[1]))
                for i in range(0, n_rows, batch):
                    rows = order[i:i + batch]
                    Xb, Yb = X[rows], Y[rows]
                    weights = self._weights(V)
                    states, acts, derivs = self._forward(Xb, V, weights)
                    outputs[i:i + len(rows)] = acts[-1]
                    errs = rows_errors(acts[-1], derivs[-1], Yb, cost, self.groups)
                    G[...] = 0.0
                    deltas = self._backward(acts, derivs, errs, weights, G)
                    # this batch, and the states of the one before (for ``old``)
                    last = (Xb, states, acts, derivs, deltas, None if last is None else last[1])
                    scale = 1.0 / len(rows)
                    if clip > 0.0:
                        norm = float(np.sqrt(G @ G)) * scale
                        if norm > clip:
                            scale *= clip / norm
                    G *= scale
                    opt.t += 1
                    opt.hyper[0] = rates[k]
                    optim.update(opt.kind, opt.hyper, P, G, opt.state, opt.t)
                errors[k] = set_error(error_cost, Y[order], outputs)
                if errors[k] <= target_error:
                    self._leave(last)
                    return k + 1, errors[:k + 1]
        self._leave(last)
        return orders.shape[0], errors

    def _leave(self, last: tuple | None) -> None:
        """Leave the network's own stream as the last row visited left it: its
        states, activations, derivatives, traces (each input's activation) and
        responsibilities; ``old``, the state of the row before."""
        if last is None:
            return
        L = self.layout
        R, Sb = L.rows, L.S[0]
        X, states, acts, derivs, deltas, before = last
        n_in = self.n_in
        if len(X) > 1:
            old = [s[-2] for s in states[1:]]
        elif before is not None:
            old = [s[-1] for s in before[1:]]
        else:
            old = [Sb[R.state + layer.lo:R.state + layer.hi].copy() for layer in self.layers]
        Sb[R.act:R.act + n_in] = X[-1]
        Sb[R.deriv:R.deriv + n_in] = 0.0
        L.V[L.bias_at[:n_in]] = 0.0  # input units have no bias (as in synaptic.js)
        for k, layer in enumerate(self.layers, start=1):
            lo, hi = layer.lo, layer.hi
            Sb[R.old + lo:R.old + hi] = old[k - 1]
            Sb[R.state + lo:R.state + hi] = states[k][-1]
            Sb[R.act + lo:R.act + hi] = acts[k][-1]
            Sb[R.deriv + lo:R.deriv + hi] = derivs[k][-1]
            Sb[R.delta + lo:R.delta + hi] = deltas[k][-1]
            Sb[R.deltap + lo:R.deltap + hi] = deltas[k][-1]
            Sb[R.eb + lo:R.eb + hi] = 1.0  # eq. 17 for the bias, no decay
            for b in layer.into:
                Sb[R.e + b.c0:R.e + b.c1] = acts[b.src][-1][b.cols]  # eq. 17, no decay
