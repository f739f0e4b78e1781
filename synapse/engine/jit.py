"""The JIT engine: the same step as the neuron objects, as numba-compiled loops.

Used when numba is installed and every squash is a built-in. It walks index
lists (CSR) over the very arrays of the layout, one unit after another in
activation order, exactly as Neuron.activate and Neuron.propagate do, and runs
whole sequences (``run``) and training passes (``train``) without returning to
Python per sample. The state has one row per stream: the kernels step B
independent streams one after another, each with the scalar code of a single
stream. Equation numbers are Monner and Reggia's (docs/equations.md).

The kernels read three arrays besides the inputs: ``V`` (values: weights,
biases), ``S`` (state, streams x entries) and ``ix``, the **int arena**: a header
(:class:`Head`), then the index lists. The header's entries are named by
:class:`Head`, one definition for the Python side that writes it and the
kernels that read it; :func:`plan` writes it and :func:`decode` reads it back.
"""
from __future__ import annotations

import enum
import importlib
import importlib.util
import os
from dataclasses import fields
from typing import Any

import numpy as np

from .. import cost as _cost
from .. import squash as _squash
from ..store import Layout, Rows
from ..structure import csr
from .base import BUILT_IN, PythonLoops, stream_errors
from .numpy_engine import BorrowsNumpy

#: numba can run here (installed, and SYNAPSE_NO_JIT unset); numba itself is imported
#: only when a JIT engine is first made (``kernels()``).
_AVAILABLE = (not os.environ.get("SYNAPSE_NO_JIT")
              and importlib.util.find_spec("numba") is not None)
_kernels: Any = None


def kernels() -> Any:
    """The kernels module (importing numba, and compiling or loading each kernel
    from numba's cache on its first call)."""
    global _kernels
    if _kernels is None:
        _kernels = importlib.import_module(".kernels", __package__)
    return _kernels

#: Each built-in squash's code in the kernels (_squash computes them, SOFTMAX by groups).
SQUASH_CODES = {f: code for code, f in enumerate((
    _squash.LOGISTIC, _squash.TANH, _squash.IDENTITY, _squash.HLIM, _squash.RELU,
    _squash.SOFTMAX, _squash.LEAKY_RELU, _squash.ELU, _squash.SELU, _squash.SOFTPLUS,
    _squash.SOFTSIGN, _squash.SILU, _squash.SINUSOID, _squash.GAUSSIAN, _squash.BENT_IDENTITY,
    _squash.BIPOLAR, _squash.BIPOLAR_SIGMOID, _squash.HARD_TANH, _squash.ABSOLUTE,
    _squash.INVERSE, _squash.STEP))}
SOFTMAX = SQUASH_CODES[_squash.SOFTMAX]
LEAKY_SLOPE, SELU_ALPHA, SELU_SCALE = _squash.LEAKY_SLOPE, _squash.SELU_ALPHA, _squash.SELU_SCALE
#: Costs the kernels compute themselves: 0 is eq. 10's t - y (no cost named).
COST_CODES = {None: 0, _cost.MSE: 1, _cost.CROSS_ENTROPY: 2, _cost.BINARY: 3,
              _cost.CATEGORICAL_CROSS_ENTROPY: 4}
FMAX = float(np.finfo(float).max)
EPS = _cost.EPS

#: The index lists of the int arena, in order (see :func:`plan` for each one's meaning).
LISTS = ("selfgate", "squash", "bias_at", "in_ptr", "in_conn", "in_w", "in_src", "in_gater",
         "in_x", "in_xs", "rk_ptr", "rk_rel", "rel_j", "rel_k", "rel_self", "x_mem",
         "rc_ptr", "rc_w", "rc_src", "rel_ptr", "out_ptr", "out_conn", "out_w", "out_dst",
         "sm_lo", "sm_hi", "c_src", "c_dst", "c_gat", "c_w", "oa_ptr", "oa_conn", "ga_ptr",
         "ga_conn", "gs_ptr", "gs_k", "user_squash")
#: The header's numbers after the lists' offsets: sizes, then every row offset of the state.
SCALARS = ("n_in", "N", "out_lo", "out_hi", "n_params", "sw0") + tuple(
    "row_" + f.name for f in fields(Rows))
Head: Any = enum.IntEnum("Head", [n.upper() for n in LISTS + SCALARS], start=0)  # type: ignore[misc]


def available() -> bool:
    return bool(_AVAILABLE)


#: A user's squash gets code USER + its place in the network's list of them.
USER = 100


def supports(layout: Layout) -> bool:
    """Whether the JIT can run this network: numba, and every squash a built-in
    or a user's function that numba compiles (``kernels().user_squash``)."""
    if not available():
        return False
    users = {f for f in layout.structure.squash if f not in SQUASH_CODES}
    return all(kernels().user_squash(f) is not None for f in users)


def user_squashes(layout: Layout) -> list:
    """The network's squash functions that are not built-ins, in a fixed order."""
    return list(dict.fromkeys(f for f in layout.structure.squash if f not in SQUASH_CODES))


def plan(layout: Layout) -> np.ndarray:
    """The int arena of a layout: the header, then the index lists.

    selfgate[j]: the unit gating j's self-connection (N: none, act_ext[N] = 1);
    squash[j]: its code; bias_at[j]: its bias in V; in_ptr: the connections
    into each unit (CSR), each entry with its connection (in_conn), weight slot
    (in_w), source (in_src), gater (in_gater, N: ungated) and extended-trace
    slot and stride (in_x, in_xs); rk_ptr/rk_rel: the relations of each gated
    unit k; rel_j/rel_k/rel_self/x_mem: per relation; rc_ptr/rc_w/rc_src: the
    gated connections behind each relation's T; rel_ptr: each gater's
    relations; out_ptr: the connections to later units (eq. 19), each with its
    connection, weight slot and target; sm_lo/sm_hi: each SOFTMAX unit's group
    (its units sm_lo[j]:sm_hi[j]; -1 for other units). For backpropagation
    through time: c_src/c_dst/c_gat/c_w per connection; oa_ptr/oa_conn: every
    connection out of each unit, recurrent ones included; ga_ptr/ga_conn: the
    connections each unit gates; gs_ptr/gs_k: the units whose self-connection
    each unit gates. user_squash: the addresses of the compiled user squashes
    (code USER + k calls the k-th)."""
    L, st = layout, layout.structure
    N = st.n_units
    in_order, in_ptr = st.inputs_by_unit
    rk_order, rk_ptr = st.relations_by_k
    later = np.flatnonzero(st.dst > st.src)
    o_order, out_ptr = csr(st.src[later], N)
    gater = np.where(st.gater >= 0, st.gater, N)
    out_conn = later[o_order]
    users = user_squashes(L)
    oa_order, oa_ptr = csr(st.src, N)
    gated = np.flatnonzero(st.gater >= 0)
    ga_order, ga_ptr = csr(st.gater[gated], N)
    selfgated = np.flatnonzero(st.self_gater >= 0)
    gs_order, gs_ptr = csr(st.self_gater[selfgated], N)
    sm_lo, sm_hi = np.full(N, -1, dtype=np.int64), np.full(N, -1, dtype=np.int64)
    for lo, hi in st.softmax:
        sm_lo[lo:hi], sm_hi[lo:hi] = lo, hi
    lists = {
        "selfgate": np.where(st.self_gater >= 0, st.self_gater, N),
        "squash": np.array([SQUASH_CODES.get(f, USER + users.index(f) if f in users else -1)
                            for f in st.squash], dtype=np.int64),
        "user_squash": np.array([kernels().user_squash(f).address for f in users],
                                dtype=np.int64),
        "bias_at": L.bias_at, "in_ptr": in_ptr, "in_conn": in_order,
        "in_w": L.w_at[in_order], "in_src": st.src[in_order], "in_gater": gater[in_order],
        "in_x": L.xfirst[in_order], "in_xs": L.xstride[in_order], "rk_ptr": rk_ptr,
        "rk_rel": rk_order, "rel_j": st.rel_j, "rel_k": st.rel_k, "rel_self": st.rel_self,
        "x_mem": L.x_mem, "rc_ptr": st.rel_conn_ptr, "rc_w": L.w_at[st.rel_conns],
        "rc_src": st.src[st.rel_conns], "rel_ptr": st.rel_ptr, "out_ptr": out_ptr,
        "out_conn": out_conn, "out_w": L.w_at[out_conn], "out_dst": st.dst[out_conn],
        "sm_lo": sm_lo, "sm_hi": sm_hi, "c_src": st.src, "c_dst": st.dst, "c_gat": gater,
        "c_w": L.w_at, "oa_ptr": oa_ptr, "oa_conn": oa_order, "ga_ptr": ga_ptr,
        "ga_conn": gated[ga_order], "gs_ptr": gs_ptr, "gs_k": selfgated[gs_order],
    }
    scalars = {"n_in": st.n_inputs, "N": N, "out_lo": st.outputs.start,
               "out_hi": st.outputs.stop, "n_params": L.n_params, "sw0": len(L.V) - N}
    scalars.update({"row_" + f.name: getattr(L.rows, f.name) for f in fields(Rows)})
    arrays = [np.asarray(lists[name], dtype=np.int64).reshape(-1) for name in LISTS]
    head = np.zeros(len(Head), dtype=np.int64)
    at = len(Head)
    for name, arr in zip(LISTS, arrays):
        head[Head[name.upper()]] = at
        at += len(arr)
    for name in SCALARS:
        head[Head[name.upper()]] = scalars[name]
    return np.concatenate([head, *arrays])


def decode(ix: np.ndarray) -> dict:
    """The int arena read back by name: each list as an array, each scalar as an int."""
    out: dict = {}
    ends = [int(ix[Head[n.upper()]]) for n in LISTS[1:]] + [len(ix)]
    for name, end in zip(LISTS, ends):
        out[name] = ix[int(ix[Head[name.upper()]]):end]
    for name in SCALARS:
        out[name] = int(ix[Head[name.upper()]])
    return out


#: The gradients the kernels compute (BINARY has none).
LEARN_CODES = {c: COST_CODES[c] for c in BUILT_IN}


def _arg(a, dtype=float) -> np.ndarray:
    """``a`` as the kernels take it: C-contiguous and writable. numba compiles a
    kernel once more for a read-only array (a broadcast view such as an
    unshuffled pass's orders or one step's rates, or an array its owner froze),
    which would compile, or load from the cache, a second copy of the kernel in
    the middle of training."""
    return np.require(a, dtype, ("C", "W"))


def _writable(a: np.ndarray) -> np.ndarray:
    """A per-step input as the kernels take it (see :func:`_arg`), at the cost
    of one flag test when it is writable already."""
    return a if a.flags.writeable else a.copy()


class JitEngine(PythonLoops, BorrowsNumpy):
    """Steps a network's layout with numba-compiled loops (see the module docstring).
    Making one imports the kernels (and numba) on first use."""

    name = "jit"

    def __init__(self, layout: Layout):
        self.layout = layout
        self.k = kernels()
        self.ix = plan(layout)
        self.out = layout.units.act[layout.structure.outputs]
        self.errors = np.empty((1, len(self.out)))  # the outputs' errors, for the own stream

    def activate(self, x: np.ndarray) -> np.ndarray:
        L = self.layout
        if not self.k._activate(_writable(x), L.V, L.S, self.ix):
            raise ValueError(f"inputs must be finite, got {x.tolist()}")
        return self.out.copy()

    def learn(self, rate: float, target: np.ndarray, cost) -> None:
        code = LEARN_CODES.get(cost)
        if code is None:
            super().learn(rate, target, cost)
            return
        L = self.layout
        if not self.k._propagate(rate, _writable(target).reshape(1, -1), code, self.errors,
                                 L.V, L.V, L.S, self.ix):
            raise ValueError(f"rate and target must be finite, got {rate!r} and "
                             f"{target.tolist()}")

    def propagate(self, rate: float, errors: np.ndarray) -> None:
        """Learn from the outputs' errors as computed by the caller (any cost)."""
        L = self.layout
        e = _arg(errors).reshape(1, -1)
        self.k._learn(rate, e, L.V, L.V, L.S, self.ix)

    def accumulate_gradient(self, errors: np.ndarray) -> None:
        L = self.layout
        e = _arg(errors).reshape(1, -1)
        self.k._learn(-1.0, e, L.V, L.grad, L.S, self.ix)

    def backward(self, target: np.ndarray, cost) -> None:
        code = LEARN_CODES.get(cost)
        if code is None:
            super().backward(target, cost)
            return
        L = self.layout
        self.k._propagate(-1.0, _writable(target).reshape(1, -1), code, self.errors, L.V,
                          L.grad, L.S, self.ix)

    def run(self, X: np.ndarray, Y: np.ndarray | None, rates: np.ndarray, cost) -> np.ndarray:
        code = LEARN_CODES.get(cost)
        if code is None and Y is not None:
            return super().run(X, Y, rates, cost)
        L = self.layout
        T, n_out = X.shape[0], len(self.out)
        out = np.empty((T, 1, n_out))
        Y3 = np.zeros((T, 1, n_out)) if Y is None else _arg(Y).reshape(T, 1, n_out)
        self.k._run(_arg(X).reshape(T, 1, -1), Y3, _arg(rates), Y is not None, code or 0, out,
                    L.V, L.S, self.ix, L.grad[:0])
        return out[:, 0, :]

    def fit(self, X, Y, orders, rates, cost, error_cost, target_error, batch, opt, clip):
        """Passes with mini-batches and an optimizer in one kernel call (_fit), or
        None when the costs are not the kernels' own. ``opt`` is a synapse.optim
        optimizer: its hyperparameters, moments and step count are used and kept."""
        if cost not in LEARN_CODES or error_cost not in COST_CODES or error_cost is None:
            return None
        L = self.layout
        errors = np.empty(orders.shape[0])
        steps = np.array([opt.t], dtype=np.int64)
        n = self.k._fit(_arg(X).reshape(len(X), 1, -1), _arg(Y).reshape(len(Y), 1, -1),
                        _arg(orders, np.int64), _arg(rates), LEARN_CODES[cost],
                        COST_CODES[error_cost], float(target_error), int(batch), opt.kind,
                        opt.hyper, opt.state, steps, float(clip), errors, L.V, L.S,
                        np.zeros(L.n_params), self.ix)
        opt.t = int(steps[0])
        return n, errors[:n]

    def streams(self, S: np.ndarray, X: np.ndarray) -> None:
        self.k._step(_arg(X), self.layout.V, S, self.ix)

    def stream_gradient(self, S: np.ndarray, Y: np.ndarray, cost, D: np.ndarray) -> None:
        L = self.layout
        code = LEARN_CODES.get(cost)
        if code is None or np.isnan(Y).any():  # NaN: no target there (errors_of)
            errors = stream_errors(L, S, Y, cost)
        else:
            errors = np.empty(Y.shape)
            self.k._errors(_arg(Y), code, S, self.ix, errors)
        self.k._learn(-1.0, errors, L.V, D, S, self.ix)

    def run_batch(self, X: np.ndarray, Y: np.ndarray | None, rates: np.ndarray,
                  cost) -> np.ndarray:
        code = LEARN_CODES.get(cost)
        if code is None and Y is not None:
            return super().run_batch(X, Y, rates, cost)
        L = self.layout
        B, T = X.shape[:2]
        n_out = len(self.out)
        # the streams' states as columns (entries x streams): the kernels' innermost
        # loops then run over the streams, on contiguous memory
        ST = np.ascontiguousarray(np.repeat(L.S, B, axis=0).T)
        out = np.empty((T, n_out, B))
        Xt = _arg(np.transpose(X, (1, 2, 0)))
        Yt = np.zeros((T, B, n_out)) if Y is None else _arg(np.swapaxes(Y, 0, 1))
        self.k._run_t(Xt, Yt, _arg(rates), Y is not None, code or 0, out, L.V, ST, self.ix,
                      np.zeros(L.n_params))
        return np.ascontiguousarray(np.transpose(out, (2, 0, 1)))

    def train(self, X, Y, orders, rates, cost, error_cost, target_error):
        if cost not in LEARN_CODES or error_cost not in COST_CODES or error_cost is None:
            return None
        L = self.layout
        errors = np.empty(orders.shape[0])
        n = self.k._train(_arg(X).reshape(len(X), 1, -1), _arg(Y).reshape(len(Y), 1, -1),
                          _arg(orders, np.int64), _arg(rates), LEARN_CODES[cost],
                          COST_CODES[error_cost], float(target_error), errors, L.V, L.S,
                          self.ix)
        return n, errors[:n]

    def bptt(self, S: np.ndarray, X: np.ndarray, Y: np.ndarray, cost, D: np.ndarray,
             scale: float) -> np.ndarray:
        """Backpropagation through time over the window X for the streams S (the
        kernel _bptt; a cost the kernels lack goes to the numpy engine's walk)."""
        code = LEARN_CODES.get(cost)
        if code is None:
            return self.numpy().bptt(S, X, Y, cost, D, scale)
        out = np.empty(Y.shape)
        self.k._bptt(_arg(X), _arg(Y), code, self.layout.V, S, self.ix, D, float(scale), out)
        return out

    def clear(self) -> None:
        L = self.layout
        L.S[...] = L.cleared
