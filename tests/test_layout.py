"""The layout and the JIT's int arena agree: every named header entry and index
list says what the layout holds (docs/design.md, "Layout"). A field added to
store.Rows, or a list added to jit.LISTS, without its counterpart fails here
with the name of what disagrees."""
from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

import synapse
from architect import LSTM, Liquid, Perceptron
from synapse.engine import jit
from synapse.store import Rows
from synapse.structure import csr


def _networks():
    synapse.seed(3)
    yield "perceptron", Perceptron(3, 4, 2)
    yield "lstm", LSTM(3, 4, 2, hidden_to_hidden=True, output_to_gates=True)
    yield "lstm two blocks", LSTM(2, 3, 3, 1, peepholes=None)
    yield "liquid", Liquid(2, 12, 2, connections=30, gates=8)


@pytest.mark.parametrize("name,net", list(_networks()))
def test_every_header_entry_and_list_matches_the_layout(name, net):
    layout = net._compiled()
    st = layout.structure
    ix = jit.plan(layout)
    assert len(jit.Head) == len(jit.LISTS) + len(jit.SCALARS), "Head must name every entry"
    got = jit.decode(ix)
    # every field of Rows has its header entry, with the layout's offset
    for f in fields(Rows):
        assert got["row_" + f.name] == getattr(layout.rows, f.name), (
            f"header entry row_{f.name} says {got['row_' + f.name]}, "
            f"the layout says {getattr(layout.rows, f.name)}")
    N = st.n_units
    assert (got["n_in"], got["N"], got["n_params"]) == (st.n_inputs, N, layout.n_params)
    assert (got["out_lo"], got["out_hi"]) == (st.outputs.start, st.outputs.stop)
    assert got["sw0"] == len(layout.V) - N, "self weights are the last N values"
    # the connections into each unit, as the kernels walk them
    order, ptr = csr(st.dst, N)
    np.testing.assert_array_equal(got["in_ptr"], ptr, err_msg="in_ptr")
    np.testing.assert_array_equal(got["in_conn"], order, err_msg="in_conn")
    c = got["in_conn"]
    for name_, want in (("in_w", layout.w_at[c]), ("in_src", st.src[c]),
                        ("in_gater", np.where(st.gater[c] >= 0, st.gater[c], N)),
                        ("in_x", layout.xfirst[c]), ("in_xs", layout.xstride[c])):
        np.testing.assert_array_equal(got[name_], want, err_msg=name_)
    np.testing.assert_array_equal(got["bias_at"], layout.bias_at, err_msg="bias_at")
    for name_ in ("rel_j", "rel_k", "rel_ptr"):
        np.testing.assert_array_equal(got[name_], getattr(st, name_), err_msg=name_)
    np.testing.assert_array_equal(got["x_mem"], layout.x_mem, err_msg="x_mem")
    # the error's way back: connections to later units only (eq. 19)
    assert np.all(got["out_dst"] > st.src[got["out_conn"]])
    assert len(got["out_conn"]) == int(np.sum(st.dst > st.src))


@pytest.mark.parametrize("name,net", list(_networks()))
def test_state_rows_tile_the_arena(name, net):
    layout = net._compiled()
    st = layout.structure
    R = layout.rows
    N, C = st.n_units, len(st.connections)
    sizes = {"state": N, "old": N, "act": N + 2, "deriv": N, "delta": N + 1, "deltap": N,
             "eb": N, "e": C, "g": C, "T": len(st.rel_j), "XB": len(st.rel_j)}
    names = [f.name for f in fields(Rows) if f.name != "total"]
    for a, b in zip(names, names[1:] + ["total"]):
        if a in sizes:
            assert getattr(R, b) - getattr(R, a) == sizes[a], f"field {a} has the wrong size"
    # extended traces: one per (memory relation, input connection of its gater)
    memory = st.memory[st.rel_k]
    expected = sum(int(np.sum(st.dst == j)) for j in st.rel_j[memory])
    assert R.total - R.X == expected
    assert layout.S.shape == (1, R.total)


def test_parameters_are_the_learning_weights_then_the_learning_biases():
    synapse.seed(0)
    net = LSTM(2, 2, 1, learn_cell_bias=False)
    layout = net._compiled()
    st = layout.structure
    p = net.parameters()
    learning_biases = [n for n, layer in net.neurons() if layer != "input" and n.learn_bias]
    assert len(p) == len(st.connections) + len(learning_biases)
    weights = [c.weight for c in st.connections]
    np.testing.assert_array_equal(p[:len(weights)], weights)
    np.testing.assert_array_equal(p[len(weights):], [n.bias for n in learning_biases])
    p[0] += 1.0  # a writable view: the connection sees it
    assert st.connections[0].weight == weights[0] + 1.0
