"""``python -m synapse``: help, errors, and the demos.

Two runs go through a real ``python -m synapse`` process (help, and the
hopfield demo); the rest call its ``main`` in this process, which is the same
code without a fresh interpreter's start-up."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from synapse import demos
from synapse.__main__ import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMES = ["xor", "sin", "dsr", "erg", "timing", "digits", "hopfield"]


def cli(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "synapse", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def in_process(capsys, *args):
    """``main(args)`` here: (exit status, stdout, stderr), as the process would give."""
    try:
        status = main(list(args))
    except SystemExit as e:
        status = e.code
    out = capsys.readouterr()
    return status, out.out, out.err


def test_help_lists_every_demo(capsys):
    r = cli("--help")
    assert r.returncode == 0
    for name in NAMES:
        assert f"\n  {name} " in r.stdout
    assert "python -m synapse demo xor" in r.stdout
    status, out, _ = in_process(capsys, "demo", "--help")
    assert status == 0 and "--seed" in out and all(n in out for n in NAMES)


@pytest.mark.parametrize("args, says", [
    ((), "required"), (("demo",), "required"), (("demo", "mnist"), "invalid choice: 'mnist'"),
    (("dem", "xor"), "invalid choice: 'dem'"), (("demo", "xor", "--seed", "x"), "invalid int"),
    (("demo", "hopfield", "--seed", "-1"), "non-negative integer"),
    (("demo", "xor", "extra"), "unrecognized arguments"), (("--fast",), "")])
def test_bad_arguments_one_line_exit_2(capsys, args, says):
    status, out, err = in_process(capsys, *args)
    assert status == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("python -m synapse")
    assert "error:" in lines[0] and says in lines[0]


def test_demo_xor_shows_progress_and_a_summary(capsys):
    status, out, err = in_process(capsys, "demo", "xor")
    assert status == 0, err
    lines = out.splitlines()
    assert any(line.startswith("iterations 250 error") for line in lines)  # progress
    summary = lines[-1]
    assert summary.startswith("-- summary: iterations ")
    error = float(summary.split("error ")[1].split(",")[0])
    assert error <= 0.005
    assert sum(line.strip().startswith("[") and "->" in line for line in lines) == 4


def test_demo_hopfield_recalls_every_pattern():
    r = cli("demo", "hopfield", "--seed", "1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1].startswith("-- summary: recalled 6/6")
    assert r.stdout.count("(exact,") == 6


def test_demos_are_seeded(capsys):
    a = demos.hopfield(seed=3)
    out_a = capsys.readouterr().out
    b = demos.hopfield(seed=3)
    out_b = capsys.readouterr().out
    assert a["recalled"] == b["recalled"]
    strip = [line for line in out_a.splitlines() if "time" not in line]
    assert strip == [line for line in out_b.splitlines() if "time" not in line]


def test_demo_sin_in_process(capsys):
    assert main(["demo", "sin"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("-- summary: iterations ")
    assert float(out[-1].split("error ")[1].split(",")[0]) <= 0.001


@pytest.mark.slow
@pytest.mark.parametrize("name", ["dsr", "erg", "timing"])
def test_long_demos(name):
    r = cli("demo", name, timeout=1800)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1].startswith("-- summary: iterations ")


def test_demo_xor_saves_its_plot(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "xor.png"
    status, out, err = in_process(capsys, "demo", "xor", "--plot", str(path))
    assert status == 0, err
    assert f"saved the plot to {path}" in out
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 30_000


def test_plot_without_matplotlib_is_a_usage_error(capsys, monkeypatch, tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    status, out, err = in_process(capsys, "demo", "xor", "--plot", str(tmp_path / "x.png"))
    assert status == 2 and out == ""
    assert "--plot needs matplotlib: pip install synapse[plot]" in err


def test_progress_bar_on_request_and_off_when_piped(capsys):
    pytest.importorskip("tqdm")
    status, out, err = in_process(capsys, "demo", "xor", "--progress")
    assert status == 0
    assert "iterations 250 error" not in out  # the bar replaces the progress lines
    assert "training:" in err and "it/s" in err and "error" in err
    # captured output is no terminal: lines, no bar
    status, out, err = in_process(capsys, "demo", "xor")
    assert "iterations 250 error" in out and "it/s" not in err
    status, out, err = in_process(capsys, "demo", "xor", "--no-progress")
    assert "iterations 250 error" in out and "it/s" not in err


def test_demo_reports_the_compile_apart(capsys):
    result = demos.xor(seed=1)
    out = capsys.readouterr().out
    assert result["compile"] >= 0 and result["time"] > 0
    summary_time = float(out.splitlines()[-1].split("time ")[1].rstrip("s"))
    assert summary_time == pytest.approx(result["time"], rel=0.006)  # 3 significant digits
    assert ("compiled in" in out) == (result["compile"] >= 0.05)


def test_demo_digits_classifies_the_held_out_quarter(capsys):
    """A SOFTMAX Perceptron(64, 64, 10), Adam, batches of 32: after 10 epochs at
    least 95% of the 449 held-out images right (the full 30 epochs: the slow
    test below, and benchmarks/learning.py)."""
    pytest.importorskip("sklearn")
    result = demos.digits(seed=1, epochs=10)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Handwritten digits: 1348 8x8 images to train on, 449 held out")
    assert [line.split()[1] for line in lines if line.startswith("iterations ")] == ["5", "10"]
    summary = lines[-1]
    assert summary.startswith("-- summary: epochs 10, error ")
    assert float(summary.split("test_accuracy ")[1].split(",")[0]) == round(
        result["accuracy"], 4) >= 0.95
    assert sum("predicted" in line for line in lines) == 3


@pytest.mark.slow
def test_demo_digits_reaches_97_percent():
    pytest.importorskip("sklearn")
    r = cli("demo", "digits")
    assert r.returncode == 0, r.stderr
    summary = r.stdout.splitlines()[-1]
    assert summary.startswith("-- summary: epochs 30, error ")
    assert float(summary.split("test_accuracy ")[1].split(",")[0]) >= 0.97


def test_demo_digits_without_scikit_learn(capsys, monkeypatch):
    """The command line says what to install (a usage error); the function raises
    ImportError with the same advice."""
    import importlib.util
    import sys

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "sklearn" else real(name, *a))
    status, out, err = in_process(capsys, "demo", "digits")
    assert status == 2 and out == ""
    assert "demo digits needs scikit-learn" in err and "pip install scikit-learn" in err
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # import fails
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        demos.digits()
