"""Checkpoints: a training run stopped, saved, loaded in a fresh process and
resumed ends with the same parameters, bit for bit, as one that never stopped."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from conftest import ENGINES

import synapse
from architect import LSTM, Perceptron
from synapse import Network, Trainer, checkpoint, cost

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: A stand-in for synapse.optim's optimizers: state_dict / load_state_dict, a
#: class name, built as cls(network). Written to a module so a fresh process
#: can import it.
STAND_IN = '''
import numpy as np


class Momentum:
    """Heavy-ball steps on net.grad: the state a real optimizer keeps."""

    def __init__(self, net, lr=0.1, momentum=0.9):
        self.net, self.lr, self.momentum = net, lr, momentum
        self.velocity = np.zeros_like(net.parameters())
        self.steps = 0

    def step(self):
        self.velocity = self.momentum * self.velocity + self.net.grad
        self.net.parameters()[...] -= self.lr * self.velocity
        self.steps += 1

    def state_dict(self):
        return {"lr": self.lr, "momentum": self.momentum, "velocity": self.velocity.copy(),
                "steps": self.steps, "betas": (0.9, 0.999), "by_id": {0: float("inf")}}

    def load_state_dict(self, d):
        self.lr, self.momentum, self.steps = d["lr"], d["momentum"], d["steps"]
        self.velocity = d["velocity"].copy()
        assert d["betas"] == (0.9, 0.999) and d["by_id"] == {0: float("inf")}
'''


def run_script(tmp_path, body: str) -> str:
    """Run ``body`` in a fresh Python process (this worktree's synapse); its stdout."""
    script = tmp_path / "script.py"
    script.write_text(f"import sys\nsys.path[:0] = [{ROOT!r}, {str(tmp_path)!r}]\n"
                      + textwrap.dedent(body))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=dict(os.environ), timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def data():
    g = np.random.default_rng(0)
    X = g.uniform(-1, 1, (12, 2))
    return X, (X[:, :1] * X[:, 1:] > 0).astype(float)


def make(engine):
    synapse.seed(21)
    net = LSTM(2, 3, 1)
    if engine == "objects":
        net.set_optimize(False)
    else:
        net.set_optimize(True, engine=engine)
    return net


OPTIONS = {"iterations": 40, "shuffle": True, "rate": [0.3, 0.1], "error": 0.0}


@pytest.mark.parametrize("engine", [e for e in ENGINES if e != "objects"])
def test_a_run_resumed_in_a_fresh_process_ends_bit_for_bit_where_an_uninterrupted_one_does(
        engine, tmp_path):
    X, Y = data()
    whole = make(engine)
    done = Trainer(whole).train((X, Y), **OPTIONS)
    assert done["iterations"] == 40

    net = make(engine)
    trainer = Trainer(net)
    stop = {"every": 13, "do": lambda info: info["iterations"] == 13}
    assert trainer.train((X, Y), schedule=stop, **OPTIONS)["iterations"] == 13
    assert trainer.position["iterations"] == 13
    checkpoint.save(tmp_path / "ck.json", net, trainer=trainer)
    synapse.seed(999)  # the resuming process draws nothing from this one's generator

    out = run_script(tmp_path, f"""
        import numpy as np
        from synapse import checkpoint
        ck = checkpoint.load({str(tmp_path / 'ck.json')!r})
        net, trainer = ck["network"], ck["trainer"]
        g = np.random.default_rng(0)
        X = g.uniform(-1, 1, (12, 2))
        Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
        result = trainer.train((X, Y), resume=True, **{OPTIONS!r})
        print(result["iterations"], net._path().name, net.parameters().tobytes().hex())
    """)
    iterations, path, params = out.split()
    assert int(iterations) == 40 and path == engine
    resumed = np.frombuffer(bytes.fromhex(params), dtype=float)
    np.testing.assert_array_equal(resumed, whole.parameters())
    # and without the generator's state the shuffles would differ
    with pytest.raises(ValueError, match="a synapse checkpoint: read it with"):
        Network.load(tmp_path / "ck.json")
    again = checkpoint.load(tmp_path / "ck.json")
    synapse.seed(5)
    again["trainer"].train((X, Y), resume=True, **OPTIONS)
    assert not np.array_equal(again["network"].parameters(), whole.parameters())


def test_an_optimizers_state_resumes_in_a_fresh_process(tmp_path):
    (tmp_path / "standin.py").write_text(STAND_IN)
    sys.path.insert(0, str(tmp_path))
    try:
        from standin import Momentum
    finally:
        sys.path.remove(str(tmp_path))
    X, Y = data()

    def steps(net, opt, rows):
        for x, y in rows:
            net.activate(x)
            net.zero_grad()
            net.backward(y)
            opt.step()

    rows = list(zip(X, Y)) * 3
    synapse.seed(4)
    whole = Perceptron(2, 4, 1)
    steps(whole, Momentum(whole, lr=0.05), rows)

    synapse.seed(4)
    net = Perceptron(2, 4, 1)
    opt = Momentum(net, lr=0.05)
    steps(net, opt, rows[:17])
    checkpoint.save(tmp_path / "ck.json", net, optimizer=opt)
    out = run_script(tmp_path, f"""
        import numpy as np
        from synapse import checkpoint
        from standin import Momentum
        ck = checkpoint.load({str(tmp_path / 'ck.json')!r}, optimizers={{"Momentum": Momentum}})
        net, opt = ck["network"], ck["optimizer"]
        assert type(opt) is Momentum and opt.net is net and opt.steps == 17 and opt.lr == 0.05
        g = np.random.default_rng(0)
        X = g.uniform(-1, 1, (12, 2))
        Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
        for x, y in (list(zip(X, Y)) * 3)[17:]:
            net.activate(x)
            net.zero_grad()
            net.backward(y)
            opt.step()
        print(net.parameters().tobytes().hex())
    """)
    np.testing.assert_array_equal(np.frombuffer(bytes.fromhex(out), dtype=float),
                                  whole.parameters())
    with pytest.raises(ValueError, match="optimizer class 'Momentum' is unknown"):
        checkpoint.load(tmp_path / "ck.json")


def test_loading_restores_the_random_generator(tmp_path):
    net = Perceptron(2, 2, 1)
    synapse.seed(3)
    synapse.rng.generator().random(5)
    checkpoint.save(tmp_path / "ck.json", net)
    expected = synapse.rng.generator().random(4)
    synapse.seed(77)
    ck = checkpoint.load(tmp_path / "ck.json")
    np.testing.assert_array_equal(synapse.rng.generator().random(4), expected)
    assert ck["optimizer"] is None and ck["trainer"] is None
    assert ck["network"].to_json(state=True) == net.to_json(state=True)


def test_trainer_options_are_kept_and_functions_of_your_own_asked_for(tmp_path):
    net = Perceptron(2, 2, 1)
    t = Trainer(net, rate=[0.2, 0.1], iterations=7, error=0.01, cost=cost.CROSS_ENTROPY,
                cross_validate={"test_size": 0.25, "test_error": 0.02}, gradient="cost")
    checkpoint.save(tmp_path / "ck.json", net, trainer=t)
    back = checkpoint.load(tmp_path / "ck.json")["trainer"]
    assert (back.rate, back.iterations, back.error, back.cost, back.cross_validate,
            back.gradient) == ([0.2, 0.1], 7, 0.01, cost.CROSS_ENTROPY,
                               {"test_size": 0.25, "test_error": 0.02}, "cost")
    assert back.position is None

    def my_rate(iteration, error):
        return 0.1

    t = Trainer(net, rate=my_rate)
    checkpoint.save(tmp_path / "ck.json", net, trainer=t)
    with pytest.raises(ValueError, match=r"could not hold \(\['rate'\]\).*trainer_options"):
        checkpoint.load(tmp_path / "ck.json")
    back = checkpoint.load(tmp_path / "ck.json", trainer_options={"rate": my_rate})["trainer"]
    assert back.rate is my_rate


def test_resume_needs_a_position():
    net = Perceptron(2, 2, 1)
    with pytest.raises(ValueError, match="resume=True needs a position"):
        Trainer(net).train(data(), resume=True)
    with pytest.raises(TypeError, match="resume"):
        Trainer(net).train(data(), resume="yes")


def test_bad_arguments_and_files(tmp_path):
    net = Perceptron(2, 2, 1)
    path = tmp_path / "ck.json"
    with pytest.raises(TypeError, match="needs a Network"):
        checkpoint.save(path, "net")
    with pytest.raises(ValueError, match="trains another network"):
        checkpoint.save(path, net, trainer=Trainer(Perceptron(2, 2, 1)))
    with pytest.raises(TypeError, match="state_dict"):
        checkpoint.save(path, net, optimizer=object())

    class Odd:
        def state_dict(self):
            return {"f": print}

        def load_state_dict(self, d):
            pass

    with pytest.raises(TypeError, match=r"optimizer state\.f holds builtin_function"):
        checkpoint.save(path, net, optimizer=Odd())
    assert not path.exists()
    net.save(path)  # a network file is no checkpoint
    with pytest.raises(ValueError, match="not a synapse checkpoint"):
        checkpoint.load(path)
    checkpoint.save(path, net)
    good = json.loads(path.read_text())
    for key, value, exc, fragment in [
            ("synapse_checkpoint", 99, ValueError, "format 99"),
            ("rng", {"bit_generator": "os.system"}, ValueError, "bit generators"),
            ("rng", {"bit_generator": "PCG64", "state": 5}, ValueError, "not a valid"),
            ("grad", [1, 2], ValueError, "grad"),
            ("engine", {"kind": "gpu"}, ValueError, "engine.kind"),
            ("optimizer", {"class": 3}, TypeError, "optimizer"),
            ("trainer", {"options": {"rate": "fast"}}, TypeError, "rate")]:
        bad = dict(good, **{key: value})
        path.write_text(json.dumps(bad))
        state = synapse.rng.generator().bit_generator.state
        with pytest.raises(exc, match=fragment):
            checkpoint.load(path)
        assert synapse.rng.generator().bit_generator.state == state  # nothing restored


def test_encode_and_decode_plain_values():
    value = {"a": np.arange(6, dtype=np.int32).reshape(2, 3), "b": (1, 2.5, None),
             "c": {1: [float("nan"), -float("inf")]}, "__tuple__": "escaped", "d": [True, "x"],
             "e": np.float32(0.5), "f": np.array([1e-300, -0.0])}
    text = json.dumps(checkpoint.encode(value), allow_nan=False)
    back = checkpoint.decode(json.loads(text))
    assert back["a"].dtype == np.int32 and back["a"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert back["b"] == (1, 2.5, None) and back["__tuple__"] == "escaped"
    assert np.isnan(back["c"][1][0]) and back["c"][1][1] == -np.inf
    assert back["e"] == 0.5 and back["f"].tolist() == [1e-300, -0.0]
    with pytest.raises(ValueError, match="numeric"):
        checkpoint.decode({"__ndarray__": [1], "dtype": "O", "shape": [1]})
    with pytest.raises(ValueError, match="values for the shape"):
        checkpoint.decode({"__ndarray__": [1, 2], "dtype": "<f8", "shape": [3]})


@pytest.mark.parametrize("engine", [e for e in ENGINES if e != "objects"])
def test_a_run_with_adam_in_mini_batches_resumes_bit_for_bit_in_a_fresh_process(
        engine, tmp_path):
    """The Trainer's own optimizer (its moments and step count) travels in the
    checkpoint with the network, the generator and the position."""
    X, Y = data()
    options = dict(OPTIONS, optimizer="adam", rate=0.01, batch_size=4, clip=5.0)
    whole = make(engine)
    Trainer(whole).train((X, Y), **options)

    net = make(engine)
    trainer = Trainer(net)
    stop = {"every": 13, "do": lambda info: info["iterations"] == 13}
    assert trainer.train((X, Y), schedule=stop, **options)["iterations"] == 13
    checkpoint.save(tmp_path / "ck.json", net, trainer=trainer)  # its optimizer too
    out = run_script(tmp_path, f"""
        import numpy as np
        from synapse import checkpoint
        ck = checkpoint.load({str(tmp_path / 'ck.json')!r})
        net, trainer = ck["network"], ck["trainer"]
        assert trainer.optimizer is ck["optimizer"] and ck["optimizer"].t > 0
        g = np.random.default_rng(0)
        X = g.uniform(-1, 1, (12, 2))
        Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
        result = trainer.train((X, Y), resume=True, **{options!r})
        print(result["iterations"], net.parameters().tobytes().hex())
    """)
    iterations, params = out.split()
    assert int(iterations) == 40
    np.testing.assert_array_equal(np.frombuffer(bytes.fromhex(params), dtype=float),
                                  whole.parameters())
