"""Type hints reach a user's type checker: both packages ship ``py.typed``, and
mypy sees what the public calls return. mypy comes with the ``dev`` extra; CI
runs this module again after installing it."""
from __future__ import annotations

import importlib.resources
import os
import textwrap

import pytest

USER_CODE = textwrap.dedent("""
    import numpy as np
    from architect import LSTM, Perceptron
    from synapse import Network, Trainer

    net = Perceptron(2, 3, 1)
    reveal_type(net.activate([0.0, 1.0]))
    reveal_type(net.run(np.zeros((4, 2))))
    reveal_type(net.predict(np.zeros((4, 2))))
    reveal_type(net.parameters())
    reveal_type(Network.from_json(net.to_json()))
    reveal_type(Trainer(net).train([([0.0, 1.0], [1.0])], iterations=1))
    reveal_type(LSTM(2, 2, 1).clone())
""")


@pytest.mark.parametrize("package", ["synapse", "architect"])
def test_both_packages_ship_py_typed(package):
    assert importlib.resources.files(package).joinpath("py.typed").is_file()


def test_mypy_sees_what_the_public_calls_return(tmp_path, monkeypatch):
    api = pytest.importorskip("mypy.api", reason="mypy comes with the dev extra")
    script = tmp_path / "user.py"
    script.write_text(USER_CODE)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    monkeypatch.setenv("MYPYPATH", root)  # however the project was installed
    stdout, stderr, _ = api.run([str(script), "--no-incremental", "--cache-dir", os.devnull])
    revealed = [line.split("Revealed type is ", 1)[1].strip('"')
                for line in stdout.splitlines() if "Revealed type is" in line]
    assert len(revealed) == 7, stdout + stderr
    for kind in revealed[:4]:
        assert kind.startswith("numpy.ndarray"), (kind, stdout)
    assert revealed[4] == "synapse.network.Network", stdout
    assert "dict[" in revealed[5], stdout
    assert revealed[6] == "architect.lstm.LSTM", stdout
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert not errors, "\n".join(errors)
