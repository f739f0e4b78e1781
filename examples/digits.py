"""Handwritten digits: a softmax classifier trained with Adam in mini-batches.

    python examples/digits.py

Needs scikit-learn for the data (pip install scikit-learn): 1797 8x8 images of
the digits 0-9; a quarter is held out to test on. SYNAPSE_EXAMPLE_BUDGET=tiny
trains 2 epochs only (CI: the script still runs).
"""
import os
import sys

import numpy as np

try:
    from sklearn.datasets import load_digits
except ImportError:
    sys.exit("examples/digits.py needs scikit-learn for its data: pip install scikit-learn")

import synapse
from architect import Perceptron
from synapse import Trainer, cost, squash

TINY = os.environ.get("SYNAPSE_EXAMPLE_BUDGET") == "tiny"  # CI: a few seconds, to prove it runs
digits = load_digits()
X, y = digits.data / 16.0, digits.target          # pixels in [0, 1], classes 0-9
order = np.random.default_rng(0).permutation(len(X))
test, train = order[:len(X) // 4], order[len(X) // 4:]

synapse.seed(1)
net = Perceptron(64, 64, 10, output_squash=squash.SOFTMAX)   # one output per class
trainer = Trainer(net, cost=cost.CATEGORICAL_CROSS_ENTROPY)
result = trainer.train((X[train], np.eye(10)[y[train]]), optimizer="adam", rate=0.03,
                       batch_size=32, shuffle=True, iterations=2 if TINY else 30, error=0)

predicted = net.predict(X[test]).argmax(axis=1)   # the most probable class of each image
print(f"{result['iterations']} epochs in {result['time']:.2f}s, training error "
      f"{result['error']:.4f}")
print(f"held-out accuracy {np.mean(predicted == y[test]):.2%} of {len(test)} images")
