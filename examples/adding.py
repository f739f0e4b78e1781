"""The adding problem (Hochreiter & Schmidhuber 1997): among T = 50 random
numbers two are marked; at the end, output their sum. Guessing 1 every time
has mean squared error 1/6; a network must carry the two numbers across the
sequence to do better. A GRU learns it by backpropagation through time.

    python examples/adding.py

SYNAPSE_EXAMPLE_BUDGET=tiny trains on 1000 sequences only (CI: the script still runs).
"""
import os

import numpy as np

import synapse
from architect import GRU
from synapse import Trainer, cost, datasets, optim, squash

TINY = os.environ.get("SYNAPSE_EXAMPLE_BUDGET") == "tiny"  # CI: a few seconds, to prove it runs
synapse.seed(1)
net = GRU(2, 16, 1, output_squash=squash.IDENTITY)
test = datasets.adding_problem(300, 50)            # (X, Y) pairs: targets NaN but at the end
X = np.stack([x for x, _ in test])
y = np.array([t[-1, 0] for _, t in test])

trainer, adam = Trainer(net, cost=cost.MSE), optim.Adam(net, lr=0.01)
seen, error = 0, 1.0
while seen < (1000 if TINY else 40000) and error > 0.01:
    trainer.train_sequences(datasets.adding_problem(500, 50), learning="bptt", gradient="cost",
                            optimizer=adam, rate=0.01, batch_size=16, iterations=1, error=0)
    seen += 500
    net.clear()
    error = float(np.mean((net.run(X)[:, -1, 0] - y) ** 2))   # 300 streams side by side
    print(f"{seen:6d} sequences   test MSE {error:.4f}   (baseline 0.1667)")
