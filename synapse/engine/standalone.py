"""``Network.standalone()``: the forward pass as self-contained Python source.

The generated source defines ``make(arrays)``, which returns ``activate(x)``;
it uses numpy and nothing of synapse. Everything in the source is a name this
module chose or a number it computed (sizes, slices): no text from a network's
labels or a loaded file ever enters it. The weights travel as arrays, copied
from the network, so the function is independent of the network afterwards.
"""
from __future__ import annotations

import numpy as np

from .. import squash as _squash
from .numpy_engine import Plan

# squash expressions over the name ``s`` (the built-ins' own formulas, as synapse.squash
# computes them; constants written as numbers); custom squashes are called by our name
_EXPR = {
    _squash.LOGISTIC: "np.where(s >= 0, 1.0 / (1.0 + np.exp(-np.abs(s))), "
                      "np.exp(-np.abs(s)) / (1.0 + np.exp(-np.abs(s))))",
    _squash.TANH: "np.tanh(s)",
    _squash.IDENTITY: "s + 0.0",
    _squash.HLIM: "(s > 0).astype(float)",
    _squash.RELU: "np.where(s > 0, s, 0.0)",
    _squash.LEAKY_RELU: f"np.where(s > 0, s, {_squash.LEAKY_SLOPE!r} * s)",
    _squash.ELU: "np.where(s > 0, s, np.expm1(np.minimum(s, 0.0)))",
    _squash.SELU: f"np.minimum({_squash.SELU_SCALE!r} * np.where(s > 0, s, "
                  f"{_squash.SELU_ALPHA!r} * np.expm1(np.minimum(s, 0.0))), "
                  f"{float(np.finfo(float).max)!r})",
    _squash.SOFTPLUS: "np.maximum(s, 0.0) + np.log1p(np.exp(-np.abs(s)))",
    _squash.SOFTSIGN: "s / (1.0 + np.abs(s))",
    _squash.SILU: "s * np.where(s >= 0, 1.0 / (1.0 + np.exp(-np.abs(s))), "
                  "np.exp(-np.abs(s)) / (1.0 + np.exp(-np.abs(s))))",
    _squash.SINUSOID: "np.sin(s)",
    _squash.GAUSSIAN: "np.exp(-np.clip(s, -40.0, 40.0) ** 2)",
    _squash.BENT_IDENTITY: f"np.minimum(0.5 * (s * (s / (np.hypot(s, 1.0) + 1.0))) + s, "
                           f"{float(np.finfo(float).max)!r})",
    _squash.BIPOLAR: "np.where(s > 0, 1.0, -1.0)",
    _squash.BIPOLAR_SIGMOID: "np.tanh(0.5 * s)",
    _squash.HARD_TANH: "np.clip(s, -1.0, 1.0)",
    _squash.ABSOLUTE: "np.abs(s)",
    _squash.INVERSE: "1.0 - s",
    _squash.STEP: "(s > 0).astype(float)",
    _squash.SOFTMAX: "np.exp(s - s.max()) / np.exp(s - s.max()).sum()",
}


def _dense(bd, V, N: int):
    """A bundle as a dense weight matrix and, when gated, a dense table of gain
    indices (N: the constant 1; absent pairs have weight 0)."""
    W = np.zeros(bd.shape)
    W[bd.rows, bd.cols] = bd.weights(V).reshape(-1)
    if bd.gidx is None:
        return W, None
    gidx = np.full(bd.shape, N, dtype=np.int64)
    gidx[bd.rows, bd.cols] = np.asarray(bd.gidx).reshape(-1)
    return W, gidx


def source_and_arrays(layout) -> tuple[str, dict]:
    """The generated source and the arrays it needs (copies)."""
    eng = Plan(layout)
    u = layout.units
    arrays = {"bias": layout.V[layout.bias_at].copy(), "selfw": u.selfw.copy()}
    state0 = u.state.copy()
    act0 = u.act_ext.copy()
    arrays["state0"], arrays["act0"] = state0, act0
    lines = ["import numpy as np", "", "", "def make(arrays):",
             "    state = arrays['state0'].copy()", "    act = arrays['act0'].copy()",
             "    bias, selfw = arrays['bias'], arrays['selfw']"]
    body = ["    def activate(x):",
            "        x = np.asarray(x, dtype=float)",
            f"        if x.shape != ({eng.n_in},):",
            f"            raise ValueError('expected {eng.n_in} inputs, got shape '"
            " + str(x.shape))",
            f"        act[0:{eng.n_in}] = x"]
    funcs: dict = {}
    counter = 0
    for k, s in enumerate(eng.segments):
        lo, hi = s.lo, s.hi
        if s.selfgate is not None:
            arrays[f"sg{k}"] = s.selfgate.copy()
            body.append(f"        d = selfw[{lo}:{hi}] * act[arrays['sg{k}']]")
        else:
            body.append(f"        d = selfw[{lo}:{hi}]")
        body.append(f"        s = d * state[{lo}:{hi}] + bias[{lo}:{hi}]")
        for i, ib in enumerate(s.ins):
            name = f"w{k}_{i}"
            arrays[name], gidx = _dense(ib, layout.V, eng.N)
            y = f"act[{ib.a_lo}:{ib.a_hi}]"
            if gidx is not None:
                arrays[f"g{k}_{i}"] = gidx
                body.append(f"        s = s + (act[arrays['g{k}_{i}']] * arrays['{name}']) @ {y}")
            else:
                body.append(f"        s = s + arrays['{name}'] @ {y}")
        body.append("        s = np.nan_to_num(s, nan=0.0)")
        body.append(f"        state[{lo}:{hi}] = s")
        for f, ix in s.squash:
            if f in _EXPR:
                expr = _EXPR[f]
            else:
                fname = funcs.setdefault(f, f"f{len(funcs)}")
                expr = f"np.asarray(arrays['{fname}'](s), dtype=float)"
            if ix is None:
                body.append(f"        act[{lo}:{hi}] = {expr}")
            else:
                counter += 1
                arrays[f"ix{counter}"] = ix + lo
                arrays[f"iy{counter}"] = ix
                body.append("        s_all = s")
                body.append(f"        s = s_all[arrays['iy{counter}']]")
                body.append(f"        act[arrays['ix{counter}']] = {expr}")
                body.append("        s = s_all")
    for f, fname in funcs.items():
        arrays[fname] = f
    body.append(f"        return act[{eng.out_lo}:{eng.out_hi}].copy()")
    lines += body + ["", "    return activate", ""]
    return "\n".join(lines), arrays


def standalone(net):
    """A function x -> outputs with the network's forward pass and current state."""
    layout = net._compiled()
    source, arrays = source_and_arrays(layout)
    namespace: dict = {}
    exec(compile(source, "<synapse standalone>", "exec"), namespace)  # our own source
    activate = namespace["make"](arrays)
    activate.source = source
    activate.arrays = arrays
    return activate
