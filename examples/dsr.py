"""Distracted Sequence Recall: remember two targets among distractors, recall them
in order when prompted.

    python examples/dsr.py

SYNAPSE_EXAMPLE_BUDGET=tiny runs 300 trials only (CI: the script still runs).
"""
import os

import numpy as np

import synapse
from architect import LSTM
from synapse import Trainer, tasks

TINY = os.environ.get("SYNAPSE_EXAMPLE_BUDGET") == "tiny"  # CI: a few seconds, to prove it runs
task = dict(targets=[2, 4], distractors=[3, 5], prompts=[0, 1], length=9)
synapse.seed(1)
net = LSTM(6, 3, 2)                  # one input per symbol, one output per target
result = Trainer(net).dsr(rate=0.17, iterations=300 if TINY else 250000, log=5000, **task)
print(f"success {result['success']:.3f} after {result['iterations']} trials "
      f"({result['time']:.1f}s)")

X, Y = tasks.dsr_trial(**task)       # a fresh trial, not trained on
net.clear()
outputs = np.array([net.activate(x) for x in X])
print("symbols:", X.argmax(axis=1).tolist())
print("targets at the prompts:", [task["targets"][i] for i in Y[-2:].argmax(axis=1)])
print("recalled:", [task["targets"][i] for i in outputs[-2:].argmax(axis=1)])
