"""What an install brings: numba where it has wheels, and never when SYNAPSE_NO_JIT
is set (the numpy engine then runs alone)."""
from __future__ import annotations

import configparser
import json
import os
import subprocess
import sys
import textwrap

import pytest
from packaging.requirements import Requirement  # pytest's own dependency

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

USE_EVERYTHING = textwrap.dedent("""
    import json, sys
    import synapse, synapse.demos, synapse.__main__, synapse.plot, synapse.tasks
    from synapse import Trainer
    from architect import LSTM, Hopfield, Liquid, Perceptron
    synapse.seed(0)
    net = Perceptron(2, 3, 1)
    Trainer(net).xor(iterations=20)
    lstm = LSTM(6, 2, 2)
    Trainer(lstm).dsr(iterations=2, targets=[2, 4], distractors=[3, 5], prompts=[0, 1],
                      length=9)
    lstm.run([[0, 1, 0, 0, 0, 0]] * 3)
    repr(lstm), lstm.summary(), lstm._repr_html_()
    Hopfield(8).feed([1, 0, 1, 0, 1, 0, 1, 0])
    Liquid(2, 5, 1, 4, 2).activate([1, 0])
    net.clone().to_json()
    print(json.dumps({"engine": net._path().name,
                      "loaded": sorted(m for m in sys.modules
                                       if m.split(".")[0] in ("numba", "llvmlite"))}))
""")


def run_child(**env) -> dict:
    out = subprocess.run([sys.executable, "-c", USE_EVERYTHING], capture_output=True,
                         text=True, cwd=ROOT, timeout=300,
                         env=dict(os.environ, PYTHONPATH=ROOT, **env))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_no_jit_never_imports_numba():
    report = run_child(SYNAPSE_NO_JIT="1")
    assert report == {"engine": "numpy", "loaded": []}


def test_without_the_switch_numba_runs_the_small_networks():
    pytest.importorskip("numba")
    env = {k: v for k, v in os.environ.items() if k != "SYNAPSE_NO_JIT"}
    out = subprocess.run([sys.executable, "-c", USE_EVERYTHING], capture_output=True,
                         text=True, cwd=ROOT, timeout=300, env=dict(env, PYTHONPATH=ROOT))
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["engine"] == "jit" and "numba" in report["loaded"]


def setup_cfg(section: str, key: str) -> list[Requirement]:
    config = configparser.ConfigParser()
    config.read(os.path.join(ROOT, "setup.cfg"), encoding="utf-8")
    return [Requirement(line) for line in config[section][key].strip().splitlines()]


def numba_requirement() -> Requirement:
    return next(r for r in setup_cfg("options", "install_requires") if r.name == "numba")


@pytest.mark.parametrize("where, wanted", [
    ({}, None),  # this machine: whatever it is, the answer below
    ({"platform_machine": "x86_64", "platform_python_implementation": "CPython",
      "python_version": "3.11"}, True),
    ({"platform_machine": "AMD64", "platform_python_implementation": "CPython",
      "python_version": "3.9"}, True),
    ({"platform_machine": "arm64", "platform_python_implementation": "CPython",
      "python_version": "3.13"}, True),
    ({"platform_machine": "aarch64", "platform_python_implementation": "CPython",
      "python_version": "3.12"}, True),
    ({"platform_machine": "x86_64", "platform_python_implementation": "PyPy",
      "python_version": "3.10"}, False),
    ({"platform_machine": "i686", "platform_python_implementation": "CPython",
      "python_version": "3.11"}, False),
    ({"platform_machine": "armv7l", "platform_python_implementation": "CPython",
      "python_version": "3.11"}, False),
    ({"platform_machine": "x86_64", "platform_python_implementation": "CPython",
      "python_version": "3.15"}, False),
])
def test_numba_is_required_where_it_has_wheels(where, wanted):
    r = numba_requirement()
    assert str(r.specifier) == ">=0.57"
    if wanted is None:
        import platform

        wanted = (platform.python_implementation() == "CPython"
                  and platform.machine() in ("x86_64", "AMD64", "arm64", "aarch64")
                  and sys.version_info < (3, 15))
    assert r.marker.evaluate(where) is wanted


def test_extras_name_what_they_bring():
    def names(extra):
        return [r.name for r in setup_cfg("options.extras_require", extra)]
    assert names("progress") == ["tqdm"] and names("plot") == ["matplotlib"]
    assert names("fast") == ["numba"]
    assert {"tqdm", "matplotlib", "numba"} <= set(names("test"))  # so CI runs their tests
