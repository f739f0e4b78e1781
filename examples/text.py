"""A character-level language model: the vanilla recurrent network
h(t) = tanh(W x(t) + U h(t-1) + b) with a softmax over the next character,
trained by backpropagation through time on the opening of Lewis Carroll's
Alice's Adventures in Wonderland (1865, public domain; synapse/data/alice.txt),
sampling text as it learns.

    python examples/text.py

SYNAPSE_EXAMPLE_BUDGET=tiny trains 2 passes only (CI: the script still runs).
"""
import os

import numpy as np

import synapse
from architect import Elman
from synapse import Trainer, cost, datasets, squash

TINY = os.environ.get("SYNAPSE_EXAMPLE_BUDGET") == "tiny"  # CI: a few seconds, to prove it runs
synapse.seed(1)
text = " ".join(datasets.alice().lower().split())
chars = sorted(set(text))
one_hot = np.eye(len(chars))
codes = np.array([chars.index(c) for c in text])

# sequences of 50 characters: input one character, target the next
seqs = [(one_hot[codes[i:i + 50]], one_hot[codes[i + 1:i + 51]])
        for i in range(0, len(codes) - 51, 50)]
net = Elman(len(chars), 60, len(chars), hidden_squash=squash.TANH,
            output_squash=squash.SOFTMAX, init="glorot")
g = np.random.default_rng(0)


def sample(n=80, prompt="alice "):
    """Feed the prompt, then each drawn character back in."""
    drawn = []

    def draw(p):
        k = g.choice(len(chars), p=p / p.sum())
        drawn.append(chars[k])
        return one_hot[k]

    net.clear()
    net.generate(one_hot[[chars.index(c) for c in prompt]], n, feedback=draw)
    return prompt + "".join(drawn[:-1])


def show(info):
    print(f"pass {info['iterations']:3d}  cross-entropy {info['error']:.3f}  {sample()!r}")


result = Trainer(net, cost=cost.CATEGORICAL_CROSS_ENTROPY).train_sequences(
    seqs, learning="bptt", optimizer="adam", rate=[0.01, 0.005, 0.002], clip=5.0,
    shuffle=True, iterations=2 if TINY else 120, error=0,
    schedule={"every": 1 if TINY else 20, "do": show})
print(f"{result['iterations']} passes in {result['time']:.1f}s; {sample(200)!r}")
