"""The Embedded Reber Grammar: predict which symbols may come next.

    python examples/erg.py

SYNAPSE_EXAMPLE_BUDGET=tiny trains on 100 strings only (CI: the script still runs).
"""
import os

import synapse
from architect import LSTM
from synapse import Trainer, tasks

TINY = os.environ.get("SYNAPSE_EXAMPLE_BUDGET") == "tiny"  # CI: a few seconds, to prove it runs
synapse.seed(1)
net = LSTM(6, 7, 6)                  # memory cells' biases held at 0 (the default): see the README
result = Trainer(net).erg(iterations=100 if TINY else 60000, log=1000)
print(f"error {result['error']:.4f} after {result['iterations']} strings ({result['time']:.1f}s)")

grammar = tasks.ReberGrammar()
string = result["generate"]()
X, Y = grammar.sequence(string)      # one-hot inputs; targets: every symbol allowed next
net.clear()
for symbol, x in zip(string, X):
    y = net.activate(x)
    print(symbol, "-> may follow:", "".join(s for s, v in zip(grammar.SYMBOLS, y) if v >= 0.5))
print("B P T X S E have a unit each; V, as in synaptic.js, reads as the all-zero input.")
