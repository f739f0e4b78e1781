"""Files people saved: synaptic.js's (every version 1.1.4 still loads) give
synaptic.js's outputs from the first step; files synapse wrote resume
exactly; hostile JSON gives a ValueError or TypeError naming the place;
``save`` behaves like the tools people trust."""
from __future__ import annotations

import copy
import json
import os
import shutil
import stat
import subprocess
import sys

import numpy as np
import pytest
from conftest import DATA, ENGINES, drive, use_engine

import synapse
from architect import LSTM, Liquid, Perceptron
from synapse import Network

TOL = 1e-9
WILD = os.path.join(DATA, "synaptic_wild")
WILD_NAMES = ("hockeynn_lstm_8_3_1", "theinvoker_pong_tanh_2_3_3_1")


def read(*parts):
    with open(os.path.join(*parts), encoding="utf-8") as fh:
        return json.load(fh)


def engine_net(data, engine):
    net = Network.from_json(data)
    return use_engine(net, engine) if engine else net


def outputs_and_activations(net, inputs):
    outs, acts = [], []
    for x in inputs:
        outs.append(net.activate(x))
        acts.append([n.activation for n, _ in net.neurons()])
    return np.array(outs), np.array(acts)


# ---------------------------------------------------------------- files from synaptic.js
@pytest.mark.parametrize("engine", [None, *ENGINES])
@pytest.mark.parametrize("name", WILD_NAMES)
def test_published_synaptic_files_match_synaptic(name, engine):
    """Two networks people saved with synaptic.js 1.0 (string indices and layer
    names) and published: synaptic.js 1.1.4's outputs and every unit's
    activation, each sequence from a freshly loaded network."""
    data = read(WILD, name + ".json")
    assert isinstance(data["connections"][0]["from"], str)
    assert any(isinstance(n["layer"], str) and n["layer"].isdigit() for n in data["neurons"])
    expected = read(WILD, name + ".expected.json")
    activations = read(DATA, "synaptic_wild_activations.json")[name]
    for seq, inputs in expected["inputs"].items():
        net = engine_net(data, engine)
        outs, acts = outputs_and_activations(net, inputs)
        np.testing.assert_allclose(outs, expected["unoptimized"][seq], rtol=0, atol=TOL)
        np.testing.assert_allclose(acts, activations[seq], rtol=0, atol=TOL)
        # synaptic.js's optimized mode differs from its own unoptimized one only by rounding
        np.testing.assert_allclose(outs, expected["optimized"][seq], rtol=0, atol=1e-12)


def test_published_files_have_the_structure_their_readme_gives():
    lstm = Network.from_json(read(WILD, "hockeynn_lstm_8_3_1.json"))
    data = lstm.to_json()
    assert (len(data["neurons"]), len(data["connections"])) == (21, 137)
    assert sum(c["gater"] is not None for c in data["connections"]) == 30
    assert sum(c["from"] == c["to"] for c in data["connections"]) == 3
    pong = Network.from_json(read(WILD, "theinvoker_pong_tanh_2_3_3_1.json"))
    assert [x.size for x in pong.layers.hidden] == [3, 3] and pong.inputs() == 2


LIQUID = read(DATA, "synaptic_liquid.json")


@pytest.mark.parametrize("engine", [None, *ENGINES])
def test_late_gates_read_gain_1_on_the_first_step_as_in_synaptic(engine):
    """synaptic.js starts every loaded gain at 1; a gater sets its gains when it
    activates. So on the first step after loading, a connection gated by a
    later unit reads 1 (synapse's own files carry no such step)."""
    assert LIQUID["late_gated"] > 0
    for seq, inputs in LIQUID["inputs"].items():
        net = engine_net(LIQUID["network"], engine)
        outs, acts = outputs_and_activations(net, inputs)
        np.testing.assert_allclose(outs, LIQUID["unoptimized"][seq], rtol=0, atol=TOL)
        np.testing.assert_allclose(acts, LIQUID["activations"][seq], rtol=0, atol=TOL)


def test_without_the_loaded_gains_the_first_step_would_differ():
    """What makes the test above meaningful: the gater's stored activation is
    not 1, and reading it changes the outputs."""
    data = copy.deepcopy(LIQUID["network"])
    data["synapse"] = {"format": 1}  # as if synapse had written it: gains follow the gaters
    net = Network.from_json(data)
    outs, _ = outputs_and_activations(net, LIQUID["inputs"]["a"])
    assert np.abs(outs - LIQUID["unoptimized"]["a"]).max() > 1e-5


@pytest.mark.parametrize("engine", ENGINES)
def test_loaded_gains_hold_for_run_predict_batches_and_after_set_optimize(engine):
    inputs = np.array(LIQUID["inputs"]["a"])
    expected = np.array(LIQUID["unoptimized"]["a"])
    net = Network.from_json(LIQUID["network"])
    use_engine(net, engine)  # chosen after loading, before the first step
    np.testing.assert_allclose(net.predict(inputs[:1]), expected[:1], rtol=0, atol=TOL)
    np.testing.assert_allclose(net.run(inputs), expected, rtol=0, atol=TOL)
    # B streams from the loaded state: each gives synaptic's sequence
    net = use_engine(Network.from_json(LIQUID["network"]), engine)
    batch = net.run(np.stack([inputs, inputs]))
    np.testing.assert_allclose(batch[1], expected, rtol=0, atol=TOL)
    # learning from the first row on: as activate + propagate, step by step
    targets = np.random.default_rng(0).uniform(0, 1, (5, 2))
    net = use_engine(Network.from_json(LIQUID["network"]), engine)
    ran = net.run(inputs[:5], targets, rate=0.1)
    stepped = use_engine(Network.from_json(LIQUID["network"]), engine)
    by_step = []
    for x, y in zip(inputs[:5], targets):
        by_step.append(stepped.activate(x))
        stepped.propagate(0.1, y)
    np.testing.assert_allclose(ran[:1], expected[:1], rtol=0, atol=TOL)
    np.testing.assert_allclose(ran, by_step, rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.parameters(), stepped.parameters(), rtol=0, atol=1e-12)


def test_loaded_gains_survive_a_save_and_a_clone_before_the_first_step(tmp_path):
    net = Network.from_json(LIQUID["network"])
    path = tmp_path / "liquid.json"
    net.save(path)
    assert json.loads(path.read_text())["synapse"]["pending_gains"] is True
    expected = LIQUID["unoptimized"]["b"]
    for twin in (Network.load(path), net.clone()):
        outs, _ = outputs_and_activations(twin, LIQUID["inputs"]["b"])
        np.testing.assert_allclose(outs, expected, rtol=0, atol=TOL)
    net.activate(LIQUID["inputs"]["b"][0])  # the first step is done: nothing is pending
    assert "pending_gains" not in net.to_json()["synapse"]


def test_bptt_on_the_own_stream_ends_the_loaded_gains():
    net = Network.from_json(LIQUID["network"])
    x = np.array(LIQUID["inputs"]["a"])
    net.bptt(x[:2][None], np.zeros((1, 2, 2)))  # copies of the state: nothing ends
    assert net._gains_pending
    net.bptt(x[:2], np.zeros((2, 2)))
    assert not net._gains_pending
    twin = Network.from_json(LIQUID["network"])
    twin._gains_pending = False
    twin.run(x[:2])
    np.testing.assert_allclose(net.activate(x[2]), twin.activate(x[2]), rtol=0, atol=1e-12)


def test_clear_ends_the_loaded_gains():
    net = Network.from_json(LIQUID["network"])
    net.clear()
    fresh = Network.from_json(LIQUID["network"])
    fresh._gains_pending = False
    fresh.clear()
    x = LIQUID["inputs"]["a"]
    np.testing.assert_array_equal(outputs_and_activations(net, x)[0],
                                  outputs_and_activations(fresh, x)[0])


def test_a_file_synapse_wrote_resumes_exactly_with_late_gates():
    """The other direction: a network synapse saved mid-sequence continues
    bit for bit, activating and learning (its gates are read as they were)."""
    synapse.seed(7)
    net = Liquid(2, 12, 2, connections=30, gates=12)
    drive(net, 15, seed=1)
    late = sum(c.gater is not None and net.neurons().index((c.gater, 0)) >=
               net.neurons().index((c.to, 0))
               for n, _ in net.neurons() for c in n.connections.inputs)
    assert late > 0
    twin = Network.from_json(json.dumps(net.to_json(state=True)))
    assert type(twin) is Liquid
    np.testing.assert_array_equal(drive(twin, 25, seed=2), drive(net, 25, seed=2))
    np.testing.assert_array_equal(twin.parameters(), net.parameters())


def test_old_format_variants_load():
    """What synaptic.js before 1.1 wrote and 1.1.4 loads: indices and layers as
    decimal strings, gaters as strings, a missing gater, integral floats,
    traces with content (ignored by 1.1.4), traces missing."""
    synapse.seed(3)
    net = LSTM(2, 2, 1)
    drive(net, 5)
    data = net.to_json()
    old = copy.deepcopy(data)
    del old["synapse"]
    for cfg in old["neurons"]:
        if isinstance(cfg["layer"], int):
            cfg["layer"] = str(cfg["layer"])
        cfg["trace"] = {"elegibility": {"12": 0.5}, "extended": {"3": {"12": 0.1}}}
    for k, cfg in enumerate(old["connections"]):
        cfg["from"], cfg["to"] = str(cfg["from"]), float(cfg["to"])
        if cfg["gater"] is None:
            if k % 2:
                del cfg["gater"]
        else:
            cfg["gater"] = str(cfg["gater"])
    old["neurons"][0].pop("trace")
    loaded = Network.from_json(old)
    reference = Network.from_json(data)
    assert type(reference) is LSTM and type(loaded) is Network  # no class recorded
    for x in np.random.default_rng(0).uniform(-1, 1, (10, 2)):
        np.testing.assert_array_equal(loaded.activate(x), reference.activate(x))


def test_synaptic_null_squash_needs_a_table_entry():
    data = read(WILD, "theinvoker_pong_tanh_2_3_3_1.json")
    data["neurons"][3]["squash"] = None  # synaptic.js's export of a function of its own
    with pytest.raises(ValueError, match=r"neurons\[3\]\.squash is null.*squashes=\{None"):
        Network.from_json(data)
    net = Network.from_json(data, squashes={None: synapse.squash.TANH})
    assert net.neurons()[3][0].squash is synapse.squash.TANH
    Network.from_json(net.to_json())  # a built-in is saved by its name


def test_the_oldest_tanh_name_is_explained():
    data = read(WILD, "theinvoker_pong_tanh_2_3_3_1.json")
    data["neurons"][3]["squash"] = "HTAN"
    with pytest.raises(ValueError, match="HTAN is what synaptic.js called TANH"):
        Network.from_json(data)
    net = Network.from_json(data, squashes={"HTAN": synapse.squash.TANH})
    assert net.to_json()["neurons"][3]["squash"] == "TANH"


def test_custom_squash_names_round_trip(tmp_path):
    def f(x, derivate=False):
        x = np.asarray(x, dtype=float)
        return (0.5 + 0 * x)[()] if derivate else (0.5 * x)[()]

    synapse.seed(2)
    net = Perceptron(2, 3, 1)
    net.layers.hidden[0].set(squash=f)
    data = net.to_json()
    for cfg in data["neurons"]:
        if cfg["squash"] == "f":
            cfg["squash"] = "MYSQ"
    loaded = Network.from_json(data, squashes={"MYSQ": f})
    again = loaded.to_json()
    assert [c["squash"] for c in again["neurons"]].count("MYSQ") == 3
    loaded.save(tmp_path / "n.json")
    twice = Network.load(tmp_path / "n.json", squashes={"MYSQ": f})
    assert twice.to_json()["neurons"] == again["neurons"]
    assert loaded.clone().to_json()["neurons"] == again["neurons"]


def _synaptic_js() -> bool:
    """Whether node can require('synaptic') (NODE_PATH may point at it)."""
    if shutil.which("node") is None:
        return False
    found = subprocess.run(["node", "-e", "require('synaptic')"], capture_output=True)
    return found.returncode == 0


@pytest.mark.skipif(not _synaptic_js(), reason="needs node and synaptic.js (set NODE_PATH)")
def test_synaptic_js_reads_the_files_synapse_writes(tmp_path):
    """synaptic.js ignores synapse's extra keys: it loads a state=True file and
    computes what synapse computes for the same file read as synaptic.js's."""
    synapse.seed(5)
    net = Liquid(2, 10, 2, connections=20, gates=8)
    drive(net, 10, seed=3)
    path = tmp_path / "net.json"
    net.save(path)
    xs = np.random.default_rng(1).uniform(-1, 1, (6, 2)).tolist()
    script = ("const s = require('synaptic'); const fs = require('fs');"
              f"const n = s.Network.fromJSON(JSON.parse(fs.readFileSync({json.dumps(str(path))})));"
              "n.setOptimize(false);"
              f"console.log(JSON.stringify({json.dumps(xs)}.map(x => n.activate(x))));")
    theirs = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True,
                                       check=True).stdout)
    as_synaptic = json.loads(path.read_text())
    del as_synaptic["synapse"]
    ours = Network.from_json(as_synaptic)
    np.testing.assert_allclose([ours.activate(x) for x in xs], theirs, rtol=0, atol=TOL)


# ---------------------------------------------------------------- hostile JSON
def test_deeply_nested_json_is_a_value_error():
    for text in ("[" * 100000 + "]" * 100000, '{"neurons": ' + "[" * 50000 + "]" * 50000 + "}"):
        with pytest.raises(ValueError, match="nested too deeply"):
            Network.from_json(text)
    with pytest.raises(ValueError, match="nested too deeply"):
        Network.from_neataptic("[" * 100000)


def test_deep_structures_inside_the_keys_are_type_errors():
    data = Perceptron(1, 1, 1).to_json(state=True)
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    data["neurons"][1]["gating"] = deep
    with pytest.raises(TypeError, match=r"neurons\[1\]\.gating\[0\] must be a list of 3"):
        Network.from_json(data)


def test_huge_integers_are_value_errors_naming_the_place():
    good = Perceptron(2, 2, 1).to_json()
    good["neurons"][3]["bias"] = "HUGE"
    text = json.dumps(good).replace('"HUGE"', "9" * 4000)
    with pytest.raises(ValueError, match=r"neurons\[3\]\.bias.*too large"):
        Network.from_json(text)
    text = json.dumps(good).replace('"HUGE"', "9" * 5000)
    with pytest.raises(ValueError, match="does not parse"):  # past Python's int limit
        Network.from_json(text)


@pytest.mark.parametrize("key, value, exc, where", [
    ("derivative", "x", TypeError, "neurons[4].derivative"),
    ("bias_trace", float("nan"), ValueError, "neurons[4].bias_trace"),
    ("error", [1], TypeError, "neurons[4].error"),
    ("gating", [[0, 1.0, 2.0]], ValueError, "neurons[4].gating names unit 0"),
    ("gating", [[99, 1.0, 2.0]], ValueError, "neurons[4].gating[0][0]"),
    ("gating", [[5, 1.0]], TypeError, "neurons[4].gating[0] must be a list of 3"),
])
def test_bad_learning_state_of_a_neuron(key, value, exc, where):
    synapse.seed(1)
    data = LSTM(1, 1, 1).to_json(state=True)
    data["neurons"][4][key] = value
    with pytest.raises(exc, match=where.replace("[", r"\[").replace("]", r"\]")):
        Network.from_json(data)


def test_bad_learning_state_of_a_connection():
    synapse.seed(1)
    data = LSTM(1, 1, 1).to_json(state=True)
    conns = data["connections"]
    ungated = next(i for i, c in enumerate(conns) if c["gater"] is None and c["from"] != c["to"])
    selfc = next(i for i, c in enumerate(conns) if c["from"] == c["to"])
    cases = [(ungated, "gain", 0.5, ValueError, "has no gater"),
             (selfc, "trace", 0.5, ValueError, "self-connection"),
             (ungated, "trace", "0.5", TypeError, "trace"),
             (ungated, "extended", [[0, 1.0]], ValueError, "extended names unit 0"),
             (ungated, "extended", {"1": 2}, TypeError, "extended must be a list")]
    for i, key, value, exc, fragment in cases:
        bad = copy.deepcopy(data)
        bad["connections"][i][key] = value
        with pytest.raises(exc, match=fragment):
            Network.from_json(bad)


def test_a_file_naming_a_class_is_never_an_import():
    synapse.seed(1)
    data = Perceptron(1, 2, 1).to_json()
    assert data["synapse"]["class"] == "Perceptron"
    for name in ("os.system", "__import__", "Trainer", "Layer", "type", "object", ""):
        data["synapse"]["class"] = name
        with pytest.raises(ValueError, match="not an architecture synapse knows"):
            Network.from_json(data)
    data["synapse"]["class"] = "LSTM"  # known, but the structure is a perceptron's: fine
    assert type(Network.from_json(data)) is LSTM


def test_loading_as_a_subclass():
    synapse.seed(1)
    data = Perceptron(1, 2, 1).to_json()
    with pytest.raises(ValueError, match="holds a Perceptron network, not a LSTM"):
        LSTM.from_json(data)
    del data["synapse"]
    assert type(LSTM.from_json(data)) is LSTM  # synaptic.js's file, read as asked


# ---------------------------------------------------------------- saving like trusted tools
def test_save_refuses_non_finite_numbers_before_touching_the_file(tmp_path):
    path = tmp_path / "net.json"
    net = Perceptron(2, 2, 1)
    net.save(path)
    before = path.read_bytes()
    net.parameters()[0] = np.inf
    with pytest.raises(ValueError, match=r"cannot save the network: connections\[0\]\.weight "
                                         r"is inf"):
        net.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["net.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_save_keeps_an_existing_files_mode_and_new_files_follow_the_umask(tmp_path):
    net = Perceptron(2, 2, 1)
    path = tmp_path / "net.json"
    old = os.umask(0o022)
    try:
        net.save(path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
        os.chmod(path, 0o640)
        net.save(path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
        os.umask(0o077)
        net.save(tmp_path / "private.json")
        assert stat.S_IMODE(os.stat(tmp_path / "private.json").st_mode) == 0o600
    finally:
        os.umask(old)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_save_follows_a_symbolic_link(tmp_path):
    real = tmp_path / "models" / "net.json"
    real.parent.mkdir()
    Perceptron(2, 2, 1).save(real)
    link = tmp_path / "current.json"
    os.symlink(real, link)
    net = Perceptron(3, 2, 1)
    net.save(link)
    assert os.path.islink(link)
    assert Network.load(real).inputs() == 3
    assert sorted(os.listdir(real.parent)) == ["net.json"]
    dangling = tmp_path / "next.json"
    os.symlink(tmp_path / "models" / "next.json", dangling)
    net.save(dangling)  # as `echo > link` does: the target is created
    assert os.path.islink(dangling) and Network.load(dangling).inputs() == 3


def test_save_errors_name_the_users_path_and_leave_nothing(tmp_path, monkeypatch):
    net = Perceptron(2, 2, 1)
    missing = tmp_path / "no-such-folder" / "net.json"
    with pytest.raises(FileNotFoundError) as info:
        net.save(missing)
    assert info.value.filename == str(missing)
    path = tmp_path / "net.json"

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/elsewhere/.net.json.synapse-x.tmp")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError) as info:
        net.save(path)
    monkeypatch.undo()
    assert info.value.filename == str(path) and "synapse-" not in str(info.value)
    assert os.listdir(tmp_path) == []


def test_save_is_interrupted_cleanly(tmp_path, monkeypatch):
    """A KeyboardInterrupt while writing leaves the old file and no temporary file."""
    path = tmp_path / "net.json"
    Perceptron(2, 2, 1).save(path)
    before = path.read_bytes()

    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "write", interrupt)
    with pytest.raises(KeyboardInterrupt):
        Perceptron(3, 3, 1).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["net.json"]


def test_load_of_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "net.json"
    path.write_bytes(b'{"neurons": "\xff"}')
    with pytest.raises(ValueError, match="not a JSON file"):
        Network.load(path)


def test_a_save_is_atomic_for_a_reader_in_another_process(tmp_path):
    """A process reading while another saves sees a whole file each time."""
    path = tmp_path / "net.json"
    small, big = Perceptron(2, 2, 1), Perceptron(30, 40, 10)
    small.save(path)
    reader = subprocess.Popen(
        [sys.executable, "-c",
         "import json, sys\n"
         "for _ in range(300):\n"
         f"    json.load(open({str(path)!r}))\n"],
        stderr=subprocess.PIPE)
    for k in range(20):
        (big if k % 2 else small).save(path)
    _, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err.decode()
