"""The demos of ``python -m synapse demo NAME``.

Each demo builds a network, trains it with progress lines, and ends with a
summary: iterations, error, time and a few sample outputs. Each takes a seed
(every random draw follows it) and returns the numbers it summarized.

>>> from synapse import demos
>>> sorted(demos.DEMOS)
['dsr', 'erg', 'hopfield', 'neat-xor', 'sin', 'timing', 'xor']
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from . import Trainer, cost, rng, tasks
from . import seed as _seed


def _summary(**fields) -> None:
    print("-- summary: " + ", ".join(f"{k} {v}" for k, v in fields.items()), flush=True)


def xor(seed: int = 1) -> dict:
    """XOR on a Perceptron(2, 3, 1)."""
    from architect import Perceptron

    _seed(seed)
    net = Perceptron(2, 3, 1)
    print("XOR on Perceptron(2, 3, 1), rate 0.2, until MSE <= 0.005", flush=True)
    result = Trainer(net).xor(log=250)
    for x in ([0, 0], [0, 1], [1, 0], [1, 1]):
        print(f"  {x} -> {net.activate(x)[0]:.4f}")
    _summary(iterations=result["iterations"], error=f"{result['error']:.5f}",
             time=f"{result['time']:.2f}s")
    return result


def sin(seed: int = 1) -> dict:
    """Perceptron(1, 12, 1) fits (sin x + 1) / 2 from 800 samples."""
    from architect import Perceptron

    _seed(seed)
    x = rng.generator().random(800) * 2 * np.pi
    data = (x[:, None], (np.sin(x)[:, None] + 1) / 2)
    net = Perceptron(1, 12, 1)
    print("(sin x + 1)/2 on Perceptron(1, 12, 1), 800 samples, until MSE <= 0.001", flush=True)
    result = Trainer(net).train(data, iterations=2000, error=0.001, cost=cost.MSE, log=10)
    for v in (0.0, np.pi / 2, np.pi, 3 * np.pi / 2):
        print(f"  x={v:.3f}: {net.activate([v])[0]:.4f} (target {(np.sin(v) + 1) / 2:.4f})")
    _summary(iterations=result["iterations"], error=f"{result['error']:.6f}",
             time=f"{result['time']:.2f}s")
    return result


_DSR: dict[str, Any] = dict(targets=[2, 4], distractors=[3, 5], prompts=[0, 1], length=9)


def dsr(seed: int = 1) -> dict:
    """Distracted Sequence Recall on LSTM(6, 3, 2): 2 targets, 2 distractors, length 9."""
    from architect import LSTM

    _seed(seed)
    net = LSTM(6, 3, 2)
    print("Distracted Sequence Recall on LSTM(6, 3, 2): targets [2, 4], distractors [3, 5], "
          "prompts [0, 1], length 9, rate 0.17, until 95% of a block of 1000 trials is right",
          flush=True)
    result = Trainer(net).dsr(rate=0.17, iterations=250000, log=1000, **_DSR)
    X, Y = tasks.dsr_trial(**_DSR)
    net.clear()
    out = net.run(X)
    symbols = X.argmax(axis=1).tolist()
    print(f"  a fresh trial: symbols {symbols}")
    print(f"  targets at the prompts {Y[-2:].argmax(axis=1).tolist()}, "
          f"outputs {np.round(out[-2:], 2).tolist()}")
    _summary(iterations=result["iterations"], success=f"{result['success']:.3f}",
             error=f"{result['error']:.4f}", time=f"{result['time']:.1f}s")
    return result


def erg(seed: int = 1) -> dict:
    """The Embedded Reber Grammar on LSTM(6, 7, 6)."""
    from architect import LSTM

    _seed(seed)
    net = LSTM(6, 7, 6, learn_cell_bias=False)  # cells' biases held at 0 (see the README)
    print("Embedded Reber Grammar on LSTM(6, 7, 6), rate 0.1: predict the possible next "
          "symbols until a string's error <= 0.05", flush=True)
    result = Trainer(net).erg(iterations=60000, log=1000)
    grammar = tasks.ReberGrammar()
    string = result["generate"]()
    X, _ = grammar.sequence(string)
    net.clear()
    out = net.run(X)
    guesses = ["".join(s for s, y in zip(grammar.SYMBOLS, row) if y >= 0.5) for row in out]
    print(f"  a fresh string {string} (grammatical: {result['test'](string)})")
    print("  predicted next: " + " ".join(f"{a}->{g or '?'}" for a, g in zip(string, guesses)))
    result["fresh"] = tasks.fraction_right(net, lambda: grammar.sequence(grammar.generate()), 100)
    _summary(iterations=result["iterations"], error=f"{result['error']:.4f}",
             fresh_strings_entirely_right=f"{result['fresh']:.2f}", time=f"{result['time']:.1f}s")
    return result


def timing(seed: int = 1) -> dict:
    """The timing task on LSTM(2, 7, 1)."""
    from architect import LSTM

    _seed(seed)
    net = LSTM(2, 7, 1)
    print("Timing task on LSTM(2, 7, 1): 4000 training samples, 500 test samples", flush=True)
    result = Trainer(net).timing_task(train_samples=4000, test_samples=500, log=10)
    train, test = result["train"], result["test"]
    _summary(iterations=train["iterations"], error=f"{train['error']:.5f}",
             test_error=f"{test['error']:.5f}", time=f"{train['time'] + test['time']:.1f}s")
    return result


def hopfield(seed: int = 1) -> dict:
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
    _summary(recalled=f"{recalled}/6", time=f"{elapsed:.2f}s")
    return {"recalled": recalled, "time": elapsed}


def neat_xor(seed: int = 1) -> dict:
    """NEAT evolves a network for XOR (population 150) and draws the winner."""
    from . import neat

    print("NEAT on XOR: population 150, fitness 4 - summed squared error, until 3.9 "
          "(scored in this process: XOR is too quick to send to workers)", flush=True)
    start = time.perf_counter()
    pop = neat.Population(2, 1, size=150, seed=seed)
    net = pop.evolve(neat.tasks.xor, generations=300, target=neat.tasks.XOR_TARGET,
                     executor="serial")
    elapsed = time.perf_counter() - start
    for x in ([0, 0], [0, 1], [1, 0], [1, 1]):
        print(f"  {x} -> {net.activate(x)[0]:.4f}")
    best = pop.best_genome
    try:  # the plot helpers and matplotlib are optional
        import matplotlib
        matplotlib.use("Agg")
        from . import plot  # type: ignore[attr-defined]
        drawing = plot.network(net)
        figure = getattr(drawing, "figure", drawing)
        figure.savefig("neat-xor.png")
        print("  the winner is drawn in neat-xor.png")
    except ImportError:
        pass
    _summary(generations=pop.generation, evaluations=pop.evaluations,
             fitness=f"{pop.best_fitness:.4f}", hidden=best.hidden,
             connections=best.enabled, time=f"{elapsed:.2f}s")
    return {"generations": pop.generation, "evaluations": pop.evaluations,
            "fitness": pop.best_fitness, "time": elapsed, "network": net}


#: name -> (function, one-line description)
DEMOS = {f.__name__.replace("_", "-"): (f, (f.__doc__ or f.__name__).splitlines()[0])
         for f in (xor, sin, dsr, erg, timing, hopfield, neat_xor)}
