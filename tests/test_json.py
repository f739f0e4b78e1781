"""Round trips: to_json/from_json (dict and text), save/load, clone; and the
views to_networkx and to_dot."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from conftest import ENGINES, FIXTURES, drive, examples, load_fixture, use_engine
from hypothesis import given, settings
from hypothesis import strategies as st

import synapse
from architect import LSTM, Perceptron
from synapse import GateType, Layer, Network, Neuron, squash

NEURON_KEYS = {"trace", "state", "old", "activation", "bias", "layer", "squash"}
CONNECTION_KEYS = {"from", "to", "weight", "gater"}


def trained_lstm(seed=3, steps=25):
    """An LSTM in the middle of a sequence: nonzero states, gains and traces."""
    synapse.seed(seed)
    net = LSTM(2, 3, 2)
    drive(net, steps, seed=seed)
    net.activate([0.4, -0.7])
    return net


def hand_built():
    """Two hidden layers, a gated self-connection, a gater after its target
    (reads last step's activation), a connection to an earlier unit, TANH and
    IDENTITY units."""
    synapse.seed(8)
    i, a, b, o = Layer(2), Layer(3), Layer(3), Layer(1)
    i.project(a)
    a.project(b)
    b.project(o)
    loops = b.project(b)
    a.gate(loops, GateType.ONE_TO_ONE)
    o.list[0].gate(i.list[0].connected(a.list[0]))  # gater after its target
    b.list[2].project(a.list[1])                    # recurrent, to an earlier unit
    a.set(squash=squash.TANH)
    b.list[0].squash = squash.IDENTITY
    net = Network(input=i, hidden=[a, b], output=o)
    drive(net, 10, seed=1, rate=0.2)
    return net


NETS = {"lstm": trained_lstm, "hand_built": hand_built,
        "perceptron": lambda: (synapse.seed(4), Perceptron(3, 4, 2))[1]}


@pytest.fixture(params=sorted(NETS))
def net(request):
    return NETS[request.param]()


# ---------------------------------------------------------------- format
def test_json_has_synaptic_keys_and_is_plain_json(net):
    data = net.to_json()
    assert set(data) >= {"neurons", "connections"}
    assert len(data["neurons"]) == len(net.neurons())
    for cfg in data["neurons"]:
        assert set(cfg) >= NEURON_KEYS
        assert set(cfg["trace"]) >= {"elegibility", "extended"}
        assert cfg["layer"] in ("input", "output") or (type(cfg["layer"]) is int)
        assert cfg["squash"] in squash.BY_NAME
    for cfg in data["connections"]:
        assert set(cfg) >= CONNECTION_KEYS
        assert cfg["gater"] is None or type(cfg["gater"]) is int
    # strict JSON: no NaN, no numpy types
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data


def test_neuron_order_is_activation_order(net):
    data = net.to_json()
    layers = [cfg["layer"] for cfg in data["neurons"]]
    rank = [-1 if x == "input" else 10**6 if x == "output" else x for x in layers]
    assert rank == sorted(rank)
    every = (net.layers.input, *net.layers.hidden, net.layers.output)
    assert [n for n, _ in net.neurons()] == [n for layer in every for n in layer.list]
    for cfg, (n, layer) in zip(data["neurons"], net.neurons()):
        assert cfg["layer"] == layer
        assert cfg["bias"] == n.bias and cfg["state"] == n.state
        assert cfg["activation"] == n.activation and cfg["old"] == n.old


def test_connections_are_listed_once_with_self_connections_as_from_equals_to(net):
    data = net.to_json()
    index = {n: k for k, (n, _) in enumerate(net.neurons())}
    expected = set()
    for n, _ in net.neurons():
        for c in n.connections.inputs:
            expected.add((index[c.from_], index[n], c.weight,
                          None if c.gater is None else index[c.gater]))
        if n.selfconnected():
            sc = n.selfconnection
            expected.add((index[n], index[n], sc.weight,
                          None if sc.gater is None else index[sc.gater]))
    got = [(c["from"], c["to"], c["weight"], c["gater"]) for c in data["connections"]]
    assert len(got) == len(set(got)) == len(expected)
    assert set(got) == expected


@pytest.mark.parametrize("name", FIXTURES)
def test_synaptic_export_comes_back_out_unchanged(name):
    """to_json of a loaded synaptic export holds the same neurons and connections."""
    original = load_fixture(name)["network"]
    data = Network.from_json(original).to_json()
    for ours, theirs in zip(data["neurons"], original["neurons"]):
        for key in ("state", "old", "activation", "bias", "layer", "squash"):
            assert ours[key] == theirs[key], key
    def key(c):
        return (c["from"], c["to"])

    assert sorted(map(key, data["connections"])) == sorted(map(key, original["connections"]))
    theirs = {key(c): c for c in original["connections"]}
    for c in data["connections"]:
        assert c["weight"] == theirs[key(c)]["weight"]
        assert c["gater"] == theirs[key(c)]["gater"]


# ---------------------------------------------------------------- round trips
def test_from_json_of_to_json_is_a_fixed_point(net):
    data = net.to_json()
    again = Network.from_json(data).to_json()
    assert again == data
    assert Network.from_json(json.dumps(data)).to_json() == data


@pytest.mark.parametrize("as_text", [False, True])
def test_reloaded_network_continues_activating_identically(net, as_text):
    data = net.to_json()
    copy = Network.from_json(json.dumps(data) if as_text else data)
    np.testing.assert_allclose(drive(copy, 60, train=False), drive(net, 60, train=False),
                               rtol=0, atol=1e-12)


def test_save_and_load(net, tmp_path):
    path = tmp_path / "net.json"
    net.save(path)
    with open(path, encoding="utf-8") as fh:
        assert json.load(fh) == net.to_json(state=True)
    assert os.listdir(tmp_path) == ["net.json"]  # no temporary file left behind
    loaded = Network.load(path)
    assert loaded.to_json() == net.to_json()
    np.testing.assert_allclose(drive(loaded, 60, train=False), drive(net, 60, train=False),
                               rtol=0, atol=1e-12)
    # saving again replaces the file; str paths work too
    drive(net, 3, train=False)
    net.save(str(path))
    assert Network.load(str(path)).to_json() == net.to_json()
    assert os.listdir(tmp_path) == ["net.json"]


def test_failed_save_leaves_no_file(tmp_path):
    net = Perceptron(2, 2, 1)
    with pytest.raises(OSError):
        net.save(tmp_path / "missing-folder" / "net.json")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("breaks", ["fsync", "replace"])
def test_a_crash_while_saving_keeps_the_old_file_whole(tmp_path, monkeypatch, breaks):
    """save writes a temporary file and renames it: a crash at any point leaves
    either the old file or the new one, never half a file, and no litter."""
    path = tmp_path / "net.json"
    old = Perceptron(2, 2, 1)
    old.save(path)
    text = path.read_text()

    def crash(*args, **kwargs):
        raise OSError("disk on fire")

    monkeypatch.setattr(os, breaks, crash)
    with pytest.raises(OSError, match="disk on fire"):
        Perceptron(3, 5, 2).save(path)
    monkeypatch.undo()
    assert path.read_text() == text
    assert os.listdir(tmp_path) == ["net.json"]
    assert Network.load(path).to_json() == old.to_json()


@pytest.mark.parametrize("engine", ENGINES)
def test_clone_is_identical_and_continues_identically_under_training(net, engine):
    use_engine(net, engine)
    twin = net.clone()
    assert isinstance(twin, Network)
    assert twin.to_json() == net.to_json()
    # clone copies the traces: online training continues bit for bit
    np.testing.assert_array_equal(drive(twin, 80), drive(net, 80))
    assert twin.to_json() == net.to_json()


def test_a_json_copy_does_not_carry_traces_but_a_clone_does():
    """What makes the clone test above meaningful: mid-sequence, the traces matter."""
    net = trained_lstm()
    via_json = Network.from_json(net.to_json())
    twin = net.clone()
    a, b, c = (drive(x, 30) for x in (net, twin, via_json))
    np.testing.assert_array_equal(a, b)
    assert np.max(np.abs(a - c)) > 1e-6


def test_clone_is_independent(net):
    before = net.to_json()
    twin = net.clone()
    drive(twin, 20)
    first = twin.neurons()[-1][0].connections.inputs[0]
    first.weight = 42.0
    twin.reset()
    assert net.to_json() == before
    assert all(a is not b for (a, _), (b, _) in zip(net.neurons(), twin.neurons()))


def test_clone_keeps_squash_objects_labels_and_engine_choice():
    def softsign(x, derivate=False):
        x = np.asarray(x, dtype=float)
        return (1 / (1 + np.abs(x)) ** 2)[()] if derivate else (x / (1 + np.abs(x)))[()]

    synapse.seed(2)
    net = Perceptron(2, 3, 1)
    net.layers.hidden[0].set(label="h", squash=softsign)
    net.set_optimize(False)
    twin = net.clone()
    hidden = twin.layers.hidden[0].list
    assert all(n.squash is softsign for n in hidden)
    assert [n.label for n in hidden] == [n.label for n in net.layers.hidden[0].list]
    assert twin._optimize is False
    # custom squashes go out by name and come back through squashes=
    data = net.to_json()
    assert {cfg["squash"] for cfg in data["neurons"]} == {"LOGISTIC", "softsign"}
    back = Network.from_json(data, squashes={"softsign": softsign})
    np.testing.assert_allclose(drive(back, 40, train=False), drive(net, 40, train=False),
                               rtol=0, atol=1e-12)


# ---------------------------------------------------------------- views
def test_to_networkx(net):
    import networkx as nx

    g = net.to_networkx()
    data = net.to_json()
    assert isinstance(g, nx.DiGraph)
    assert g.number_of_nodes() == len(data["neurons"])
    assert g.number_of_edges() == len(data["connections"])
    for k, cfg in enumerate(data["neurons"]):
        node = g.nodes[k]
        assert node["layer"] == cfg["layer"]
        assert node["squash"] == cfg["squash"]
        assert node["bias"] == cfg["bias"]
    for c in data["connections"]:
        edge = g.edges[c["from"], c["to"]]
        assert edge["weight"] == c["weight"]
        assert edge["gater"] == c["gater"]
    self_loops = sum(c["from"] == c["to"] for c in data["connections"])
    assert nx.number_of_selfloops(g) == self_loops


def test_to_dot(net):
    text = net.to_dot()
    data = net.to_json()
    lines = [line.strip() for line in text.strip().splitlines()]
    assert lines[0].startswith("digraph") and lines[-1] == "}"
    edges = [line for line in lines if "->" in line]
    nodes = [line for line in lines if line.startswith("n") and "->" not in line]
    assert len(edges) == len(data["connections"])
    assert len(nodes) == len(data["neurons"])
    gated = sum(c["gater"] is not None for c in data["connections"])
    assert sum("dashed" in line for line in edges) == gated
    assert text.count("{") == text.count("}") == 1


def test_gated_self_connection_and_late_gater_survive_the_round_trip():
    net = hand_built()
    data = net.to_json()
    selfs = [c for c in data["connections"] if c["from"] == c["to"]]
    assert len(selfs) == 3 and all(c["gater"] is not None for c in selfs)
    late = [c for c in data["connections"] if c["gater"] is not None and c["gater"] > c["to"]]
    assert len(late) == 1
    copy = Network.from_json(data)
    b = copy.layers.hidden[1].list
    assert all(n.selfconnection.gater is not None for n in b)
    np.testing.assert_allclose(drive(copy, 30, train=False), drive(net, 30, train=False),
                               rtol=0, atol=1e-12)


def test_neuron_level_network_round_trip():
    """A network assembled neuron by neuron into layers round-trips too."""
    synapse.seed(6)
    a, b, c = Neuron(), Neuron(squash.TANH), Neuron(squash.IDENTITY, bias=0.5)
    a.project(b, 0.7)
    b.project(c, -1.3)
    b.project(b)
    li, lh, lo = Layer(), Layer(), Layer()
    li.add(a)
    lh.add(b)
    lo.add(c)
    net = Network(input=li, hidden=[lh], output=lo)
    data = net.to_json()
    assert [(x["from"], x["to"], x["weight"]) for x in data["connections"]] == [
        (0, 1, 0.7), (1, 2, -1.3), (1, 1, 1.0)]
    back = Network.from_json(data)
    np.testing.assert_allclose(drive(back, 40, train=False), drive(net, 40, train=False),
                               rtol=0, atol=1e-12)


# ---------------------------------------------------------------- random networks
@st.composite
def random_networks(draw):
    """Any wiring: projections in every direction (recurrent ones and
    self-connections included), gates by any unit, bounded squashes."""
    sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=4))
    total = sum(sizes)
    pick = st.integers(0, 10**6)
    return {"sizes": sizes,
            "squashes": draw(st.lists(st.sampled_from(["LOGISTIC", "TANH"]),
                                      min_size=total, max_size=total)),
            "links": draw(st.lists(st.tuples(pick, pick), min_size=1, max_size=12)),
            "gates": draw(st.lists(st.tuples(pick, pick), max_size=6)),
            "engine": draw(st.sampled_from(ENGINES)),
            "seed": draw(st.integers(0, 2**32 - 1))}


def build_random(spec):
    layers = [Layer(s) for s in spec["sizes"]]
    order = [n for layer in layers for n in layer.list]
    for n, name in zip(order, spec["squashes"]):
        n.squash = squash.BY_NAME[name]
    n_in = spec["sizes"][0]
    for a, b in spec["links"]:
        src, dst = order[a % len(order)], order[n_in + b % (len(order) - n_in)]
        src.project(dst)
    conns = [c for n in order for c in n.connections.inputs] + \
        [n.selfconnection for n in order if n.selfconnected()]
    for which, g in spec["gates"]:
        c = conns[which % len(conns)]
        if c.gater is None:
            order[g % len(order)].gate(c)
    net = use_engine(Network(input=layers[0], hidden=layers[1:-1], output=layers[-1]),
                     spec["engine"])
    rng = np.random.default_rng(spec["seed"])
    for n, layer in net.neurons():
        if layer != "input":
            n.bias = rng.normal()
            for c in n.connections.inputs:
                c.weight = rng.normal()
    drive(net, 5, seed=spec["seed"] + 1, rate=0.2)
    return net


@settings(max_examples=examples(40), deadline=None)
@given(random_networks())
def test_random_networks_round_trip(spec):
    net = build_random(spec)
    data = net.to_json()
    text = json.dumps(data, allow_nan=False)
    copy = use_engine(Network.from_json(text), spec["engine"])
    assert copy.to_json() == data
    twin = net.clone()
    assert twin.to_json() == data
    # activating only: the JSON copy continues like the original (to rounding:
    # its connections may be summed in another order)
    reference = drive(net, 20, train=False)
    np.testing.assert_allclose(drive(copy, 20, train=False), reference, rtol=0, atol=1e-9)
    # the clone continues bit for bit, also under training (it copies the traces)
    np.testing.assert_array_equal(drive(twin, 20, train=False), reference)
    np.testing.assert_array_equal(drive(twin, 20), drive(net, 20))
    assert twin.to_json() == net.to_json()
