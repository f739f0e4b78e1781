"""The timing task: after a pulse, output 0.5 for as long as the second input says.

    python examples/timing.py

SYNAPSE_EXAMPLE_BUDGET=tiny trains 2 iterations on 300 samples only (CI: the script
still runs).
"""
import os

import synapse
from architect import LSTM
from synapse import Trainer

TINY = os.environ.get("SYNAPSE_EXAMPLE_BUDGET") == "tiny"  # CI: a few seconds, to prove it runs
synapse.seed(0)
net = LSTM(2, 7, 1)
train, test, iterations = (300, 100, 2) if TINY else (4000, 500, 200)
result = Trainer(net).timing_task(train_samples=train, test_samples=test, iterations=iterations,
                                  log=10)
print(f"train: {result['train']['iterations']} iterations, error {result['train']['error']:.5f}")
print(f"test error {result['test']['error']:.5f}")
