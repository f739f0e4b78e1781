"""Fit (sin x + 1) / 2 on [0, 2 pi) with a 1-12-1 perceptron.

    python examples/sine.py

SYNAPSE_EXAMPLE_BUDGET=tiny trains 5 iterations only (CI: the script still runs).
"""
import os

import numpy as np

import synapse
from architect import Perceptron
from synapse import Trainer, cost

TINY = os.environ.get("SYNAPSE_EXAMPLE_BUDGET") == "tiny"  # CI: a few seconds, to prove it runs
synapse.seed(1)
x = synapse.rng.generator().random(800) * 2 * np.pi
inputs, targets = x[:, None], (np.sin(x)[:, None] + 1) / 2   # a training set as two 2-D arrays

net = Perceptron(1, 12, 1)
result = Trainer(net).train((inputs, targets), iterations=5 if TINY else 2000, error=0.001,
                            cost=cost.MSE, shuffle=True, log=20)
print(f"error {result['error']:.6f} after {result['iterations']} iterations "
      f"({result['time']:.1f}s)")
for v in np.linspace(0, 2 * np.pi, 9):
    print(f"sin-fit({v:.2f}) = {net.activate([v])[0]:.3f}   target {(np.sin(v) + 1) / 2:.3f}")
