"""Forward parity with synaptic.js 1.1.4 on the exported fixtures (tests/data).

Each fixture holds a network exported by synaptic's toJSON() after training,
and the outputs synaptic computed for 200 inputs activated in order without
clearing. Ours must agree to 1e-9, on every engine, and also when the network
is saved and reloaded (or cloned) half-way through the sequence.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import ENGINES, FIXTURES, load_fixture, use_engine

from synapse import Network

TOL = 1e-9


def run(net, inputs):
    return np.array([net.activate(x) for x in inputs])


@pytest.fixture(params=FIXTURES)
def fixture(request):
    return load_fixture(request.param)


@pytest.mark.parametrize("optimize", [None, False, True, *ENGINES])
def test_outputs_match_synaptic(fixture, optimize):
    """None: the default; False/True: set_optimize; then each engine by name."""
    net = Network.from_json(fixture["network"])
    if isinstance(optimize, str):
        use_engine(net, optimize)
    elif optimize is not None:
        net.set_optimize(optimize)
    expected = np.array(fixture["outputs"], dtype=float)
    got = run(net, fixture["inputs"])
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOL)


def test_fixture_sizes(fixture):
    net = Network.from_json(fixture["network"])
    neurons = fixture["network"]["neurons"]
    assert len(net.neurons()) == len(neurons)
    assert net.inputs() == sum(n["layer"] == "input" for n in neurons) == len(fixture["inputs"][0])
    assert net.outputs() == sum(n["layer"] == "output" for n in neurons) \
        == len(fixture["outputs"][0])
    # the outputs vary: the comparison is not against a constant
    assert np.ptp(np.array(fixture["outputs"]), axis=0).max() > 1e-3


def test_loading_from_text_matches_synaptic(fixture):
    net = Network.from_json(json.dumps(fixture["network"]))
    np.testing.assert_allclose(run(net, fixture["inputs"]), fixture["outputs"], rtol=0, atol=TOL)


@pytest.mark.parametrize("how", ["json", "text", "clone", "save"])
def test_round_trip_half_way_continues_like_synaptic(fixture, how, tmp_path):
    """State, activations and the gains the gaters set survive a round trip."""
    net = Network.from_json(fixture["network"])
    inputs, expected = fixture["inputs"], np.array(fixture["outputs"])
    first = run(net, inputs[:100])
    if how == "json":
        net = Network.from_json(net.to_json())
    elif how == "text":
        net = Network.from_json(json.dumps(net.to_json()))
    elif how == "clone":
        net = net.clone()
    else:
        net.save(tmp_path / "half.json")
        net = Network.load(tmp_path / "half.json")
    second = run(net, inputs[100:])
    np.testing.assert_allclose(np.vstack([first, second]), expected, rtol=0, atol=TOL)


def test_loading_does_not_modify_the_given_dict(fixture):
    before = json.dumps(fixture["network"], sort_keys=True)
    net = Network.from_json(fixture["network"])
    run(net, fixture["inputs"][:5])
    assert json.dumps(fixture["network"], sort_keys=True) == before


def test_activate_returns_a_fresh_float_array():
    fx = load_fixture("lstm_2_1_1")
    net = Network.from_json(fx["network"])
    out = net.activate(fx["inputs"][0])
    assert isinstance(out, np.ndarray) and out.dtype == np.float64 and out.shape == (1,)
    out[0] = 123.0  # scribbling on it changes nothing inside
    np.testing.assert_allclose(net.activate(fx["inputs"][1]), fx["outputs"][1], rtol=0, atol=TOL)
