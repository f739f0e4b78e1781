"""The demos of ``python -m synapse demo NAME``.

Each demo builds a network, trains it with progress lines (or a progress bar,
``progress=True``; by default when stdout is a terminal), and ends with a
summary: iterations, error, time and a few sample outputs. The time is the
training's; compiling the kernels on first use (numba caches them on disk) is
reported apart. Each takes a seed (every random draw follows it), can save a
picture (``plot=FILE``: the training curve and the network, needs matplotlib),
and returns the numbers it summarized.

>>> from synapse import demos
>>> sorted(demos.DEMOS)
['adding', 'digits', 'dsr', 'erg', 'hopfield', 'mackey', 'neat-xor', 'sin', 'text', 'timing', 'xor']
"""
from __future__ import annotations

import importlib.util
import time
from typing import Any

import numpy as np

from . import Trainer, cost, rng, sequence_demos, tasks
from . import seed as _seed
from ._demo_output import save_plot as _save_plot
from ._demo_output import show_bar as _bar
from ._demo_output import summary as _summary


def _compiled(result: dict) -> None:
    """Say how long the warm-up took, when it took long enough to notice."""
    if result.get("compile", 0.0) >= 0.05:
        print(f"  compiled in {result['compile']:.1f} s before training (first use only: "
              f"numba caches it on disk; not in the time below)", flush=True)


def xor(seed: int = 1, progress: bool | None = None, plot: str | None = None) -> dict:
    """XOR on a Perceptron(2, 3, 1)."""
    from architect import Perceptron

    _seed(seed)
    bar = _bar(progress)
    net = Perceptron(2, 3, 1)
    print("XOR on Perceptron(2, 3, 1), rate 0.2, until MSE <= 0.005", flush=True)
    result = Trainer(net).xor(log=0 if bar else 250, progress=bar)
    _compiled(result)
    for x in ([0, 0], [0, 1], [1, 0], [1, 1]):
        print(f"  {x} -> {net.activate(x)[0]:.4f}")
    _save_plot(plot, net, result)
    _summary(iterations=result["iterations"], error=f"{result['error']:.5f}",
             time=f"{result['time']:.3g}s")  # XOR takes milliseconds
    return result


def sin(seed: int = 1, progress: bool | None = None, plot: str | None = None) -> dict:
    """Perceptron(1, 12, 1) fits (sin x + 1) / 2 from 800 samples."""
    from architect import Perceptron

    _seed(seed)
    bar = _bar(progress)
    x = rng.generator().random(800) * 2 * np.pi
    data = (x[:, None], (np.sin(x)[:, None] + 1) / 2)
    net = Perceptron(1, 12, 1)
    print("(sin x + 1)/2 on Perceptron(1, 12, 1), 800 samples, until MSE <= 0.001", flush=True)
    result = Trainer(net).train(data, iterations=2000, error=0.001, cost=cost.MSE,
                                log=0 if bar else 10, progress=bar)
    _compiled(result)
    for v in (0.0, np.pi / 2, np.pi, 3 * np.pi / 2):
        print(f"  x={v:.3f}: {net.activate([v])[0]:.4f} (target {(np.sin(v) + 1) / 2:.4f})")
    _save_plot(plot, net, result)
    _summary(iterations=result["iterations"], error=f"{result['error']:.6f}",
             time=f"{result['time']:.2f}s")
    return result


_DSR: dict[str, Any] = dict(targets=[2, 4], distractors=[3, 5], prompts=[0, 1], length=9)


def dsr(seed: int = 1, progress: bool | None = None, plot: str | None = None) -> dict:
    """Distracted Sequence Recall on LSTM(6, 3, 2): 2 targets, 2 distractors, length 9."""
    from architect import LSTM

    _seed(seed)
    bar = _bar(progress)
    net = LSTM(6, 3, 2)
    print("Distracted Sequence Recall on LSTM(6, 3, 2): targets [2, 4], distractors [3, 5], "
          "prompts [0, 1], length 9, rate 0.17, until 95% of a block of 1000 trials is right",
          flush=True)
    result = Trainer(net).dsr(rate=0.17, iterations=250000, log=0 if bar else 1000,
                              progress=bar, **_DSR)
    _compiled(result)
    X, Y = tasks.dsr_trial(**_DSR)
    net.clear()
    out = net.run(X)
    symbols = X.argmax(axis=1).tolist()
    print(f"  a fresh trial: symbols {symbols}")
    print(f"  targets at the prompts {Y[-2:].argmax(axis=1).tolist()}, "
          f"outputs {np.round(out[-2:], 2).tolist()}")
    _save_plot(plot, net, result)
    _summary(iterations=result["iterations"], success=f"{result['success']:.3f}",
             error=f"{result['error']:.4f}", time=f"{result['time']:.1f}s")
    return result


def erg(seed: int = 1, progress: bool | None = None, plot: str | None = None) -> dict:
    """The Embedded Reber Grammar on LSTM(6, 7, 6)."""
    from architect import LSTM

    _seed(seed)
    bar = _bar(progress)
    net = LSTM(6, 7, 6)  # the cells' biases held at 0, the default (see the README)
    print("Embedded Reber Grammar on LSTM(6, 7, 6), rate 0.1: predict the possible next "
          "symbols until a string's error <= 0.05", flush=True)
    result = Trainer(net).erg(iterations=60000, log=0 if bar else 1000, progress=bar)
    _compiled(result)
    grammar = tasks.ReberGrammar()
    string = result["generate"]()
    X, _ = grammar.sequence(string)
    net.clear()
    out = net.run(X)
    guesses = ["".join(s for s, y in zip(grammar.SYMBOLS, row) if y >= 0.5) for row in out]
    print(f"  a fresh string {string} (grammatical: {result['test'](string)})")
    print("  predicted next: " + " ".join(f"{a}->{g or '?'}" for a, g in zip(string, guesses)))
    result["fresh"] = tasks.fraction_right(net, lambda: grammar.sequence(grammar.generate()), 100)
    _save_plot(plot, net, result)
    _summary(iterations=result["iterations"], error=f"{result['error']:.4f}",
             fresh_strings_entirely_right=f"{result['fresh']:.2f}", time=f"{result['time']:.1f}s")
    return result


def timing(seed: int = 1, progress: bool | None = None, plot: str | None = None) -> dict:
    """The timing task on LSTM(2, 7, 1)."""
    from architect import LSTM

    _seed(seed)
    bar = _bar(progress)
    net = LSTM(2, 7, 1)
    print("Timing task on LSTM(2, 7, 1): 4000 training samples, 500 test samples", flush=True)
    result = Trainer(net).timing_task(train_samples=4000, test_samples=500,
                                      log=0 if bar else 10, progress=bar)
    train, test = result["train"], result["test"]
    _compiled(train)
    _save_plot(plot, net, train)
    _summary(iterations=train["iterations"], error=f"{train['error']:.5f}",
             test_error=f"{test['error']:.5f}", time=f"{train['time'] + test['time']:.1f}s")
    return result


#: The digits demo's network and training (picked by ``benchmarks/learning.py digits --sweep``).
DIGITS_HIDDEN, DIGITS_RATE, DIGITS_BATCH, DIGITS_EPOCHS = 64, 0.03, 32, 30


def digits_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's handwritten digits, pixels scaled to [0, 1], a fixed random
    quarter held out: ``(X_train, y_train, X_test, y_test)``, classes as 0-9.

    Raises ImportError, saying how to install it, without scikit-learn."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("the digits demo needs scikit-learn (its data set): "
                          "pip install scikit-learn") from None
    d = load_digits()
    X, y = d.data / 16.0, d.target
    order = np.random.default_rng(0).permutation(len(X))  # the same split for every seed
    test, train = order[:len(X) // 4], order[len(X) // 4:]
    return X[train], y[train], X[test], y[test]


def digits(seed: int = 1, progress: bool | None = None, plot: str | None = None,
           epochs: int = DIGITS_EPOCHS) -> dict:
    """Handwritten digits (scikit-learn's 8x8 images) on a SOFTMAX Perceptron, Adam."""
    from architect import Perceptron

    from . import squash

    X, y, X_test, y_test = digits_data()
    _seed(seed)
    bar = _bar(progress)
    net = Perceptron(64, DIGITS_HIDDEN, 10, output_squash=squash.SOFTMAX)
    print(f"Handwritten digits: {len(X)} 8x8 images to train on, {len(X_test)} held out; "
          f"Perceptron(64, {DIGITS_HIDDEN}, 10) with SOFTMAX outputs, Adam at rate "
          f"{DIGITS_RATE}, mini-batches of {DIGITS_BATCH}, {epochs} epochs", flush=True)
    result = Trainer(net, cost=cost.CATEGORICAL_CROSS_ENTROPY).train(
        (X, np.eye(10)[y]), optimizer="adam", rate=DIGITS_RATE, batch_size=DIGITS_BATCH,
        shuffle=True, iterations=epochs, error=0, log=0 if bar else 5, progress=bar)
    _compiled(result)
    predicted = net.predict(X_test).argmax(axis=1)
    accuracy = float(np.mean(predicted == y_test))
    print(f"  held-out accuracy {accuracy:.2%} ({int(np.sum(predicted == y_test))} of "
          f"{len(y_test)})")
    for k in range(3):  # a few held-out images and what the network says they are
        rows = ["".join(" .:#"[min(3, int(v * 4))] for v in X_test[k, r * 8:(r + 1) * 8])
                for r in range(8)]
        print(f"  image {k}: digit {y_test[k]}, predicted {predicted[k]}")
        for line in rows:
            print(f"    {line}")
    result["accuracy"] = accuracy
    _save_plot(plot, net, result)
    _summary(epochs=result["iterations"], error=f"{result['error']:.4f}",
             test_accuracy=f"{accuracy:.4f}", time=f"{result['time']:.2f}s")
    return result


def hopfield(seed: int = 1, progress: bool | None = None, plot: str | None = None) -> dict:
    """A 64-unit Hopfield network recalls 6 stored patterns from 10% noise."""
    from architect import Hopfield

    _seed(seed)
    g = rng.generator()
    net = Hopfield(64)
    patterns = g.integers(0, 2, size=(6, 64))
    start = time.perf_counter()
    net.learn(patterns)
    print("Hopfield(64): 6 random patterns stored by Hebb's rule; each fed back with 6 of its "
          "64 bits flipped", flush=True)

    def grid(bits):
        return ["".join("#" if b else "." for b in bits[r * 8:(r + 1) * 8]) for r in range(8)]

    recalled = 0
    for k, p in enumerate(patterns):
        probe = p.copy()
        probe[g.choice(64, 6, replace=False)] ^= 1
        out = net.feed(probe)
        ok = out == p.tolist()
        recalled += ok
        print(f"  pattern {k}: probe -> recalled ({'exact' if ok else 'WRONG'}, "
              f"{net.sweeps} sweeps, energy {net.energy(probe):.2f} -> {net.energy(out):.2f})")
        for a, b in zip(grid(probe), grid(out)):
            print(f"    {a}   {b}")
    elapsed = time.perf_counter() - start
    _save_plot(plot, net, None)
    _summary(recalled=f"{recalled}/6", time=f"{elapsed:.2f}s")
    return {"recalled": recalled, "time": elapsed}


def neat_xor(seed: int = 1, progress: bool | None = None, plot: str | None = None) -> dict:
    """NEAT evolves a network for XOR (population 150); a line per generation.

    ``progress`` is taken for the command line's sake: evolution reports a line
    per generation either way. ``plot`` draws the winner."""
    from . import neat

    print("NEAT on XOR: population 150, fitness 4 - summed squared error, until 3.9 "
          "(scored in this process: XOR is too quick to send to workers)", flush=True)
    start = time.perf_counter()
    pop = neat.Population(2, 1, size=150, seed=seed)
    net = pop.evolve(neat.tasks.xor, generations=300, target=neat.tasks.XOR_TARGET,
                     executor="serial")
    best = pop.best_genome
    assert net is not None and best is not None  # a generation was scored
    elapsed = time.perf_counter() - start
    for x in ([0, 0], [0, 1], [1, 0], [1, 1]):
        print(f"  {x} -> {net.activate(x)[0]:.4f}")
    print("the winner:", flush=True)
    net.summary()
    if plot is None and importlib.util.find_spec("matplotlib") is not None:
        print("  (--plot FILE draws it)", flush=True)
    _save_plot(plot, net, None)
    _summary(generations=pop.generation, evaluations=pop.evaluations,
             fitness=f"{pop.best_fitness:.4f}", hidden=best.hidden,
             connections=best.enabled, time=f"{elapsed:.2f}s")
    return {"generations": pop.generation, "evaluations": pop.evaluations,
            "fitness": pop.best_fitness, "time": elapsed, "network": net}


#: name -> (function, one-line description)
DEMOS = {f.__name__.replace("_", "-"): (f, (f.__doc__ or f.__name__).splitlines()[0])
         for f in (xor, sin, dsr, erg, timing, digits, hopfield, *sequence_demos.DEMOS, neat_xor)}
