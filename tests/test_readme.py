"""The README: its first example runs and prints what it says, and its API
reference names every public function."""
from __future__ import annotations

import contextlib
import io
import os
import re

import pytest

import architect
import synapse
from synapse import Connection, Layer, Network, Neuron, Trainer, plot, tasks

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def readme() -> str:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        return fh.read()


def test_the_first_example_runs_as_written(tmp_path, monkeypatch):
    code = re.search(r"```python\n(.*?)```", readme(), re.S).group(1)
    monkeypatch.chdir(tmp_path)  # it saves xor.json
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    # the comments say what it prints: seed 11 is a typical run (1408 passes)
    iterations, error = lines[0].split()
    assert iterations == "1408" and 0.0049 < float(error) <= 0.005
    assert lines[1].startswith("[0.2698") and lines[2].startswith("[0.94")
    assert lines[3].startswith("<Network: 2 -> [3] -> 1, 9 connections (0 gated)")
    assert (tmp_path / "xor.json").exists()


def public(obj) -> set[str]:
    return {name for name in dir(obj) if not name.startswith("_")}


@pytest.mark.parametrize("names, where", [
    (set(synapse.__all__), "synapse"),
    (public(Network) - {"layers"}, "Network"),
    (public(Trainer) - {"network", "rate", "iterations", "error", "cost", "cross_validate",
                        "gradient"}, "Trainer"),
    (public(Layer) - {"label", "list", "connectedto", "size"}, "Layer"),
    (public(Neuron) - {"ID", "connections", "selfconnection", "old", "delta", "label",
                       "bias", "squash", "learn_bias", "state", "activation",
                       "derivative"}, "Neuron"),
    (public(Connection) - {"ID", "from_", "to"}, "Connection"),
    (set(plot.__all__), "synapse.plot"),
    (set(tasks.__all__), "synapse.tasks"),
    (set(architect.__all__), "architect"),
])
def test_the_api_reference_names_every_public_function(names, where):
    reference = readme().split("## API reference", 1)[1].split("\n## ", 1)[0]
    missing = sorted(n for n in names if not re.search(rf"\b{re.escape(n)}\b", reference))
    assert missing == [], f"{where}: {missing} not in the README's API reference"


def test_the_reference_names_the_switches():
    reference = readme().split("## API reference", 1)[1]
    for word in ("SYNAPSE_NO_JIT", "progress", "--plot", "interrupted", "DivergenceError",
                 "to_networkx", "to_dot", "clone", "standalone", "to_json", "backward"):
        assert word in reference
