"""Scoring genomes: the part that runs in workers.

A worker receives plain data, never a pickled Network: for each genome the
``(key, weights, biases)`` of :meth:`Genome.plan <synapse.neat.Genome.plan>`
and a random state drawn by the parent. It builds (or reuses) the network,
refines it with LSTM-g when asked, scores it, and returns plain numbers.

**Reuse.** Building a network (neuron objects, then the compiled layout) costs
far more than scoring a small one, and a population holds many genomes of one
structure. Each process keeps the networks it built, by structure
(:data:`CACHE_SIZE` of them, least recently used first out); a genome of a
known structure gets that network with its own weights and biases written
into :meth:`Network.parameters` and its state cleared, so it computes exactly
what a fresh network would. A fitness function may activate, clear and train
the network it gets; if it changes the structure (a projection, a gate, a
squash), the change is detected and the network is rebuilt next time.

**Randomness.** Before each genome, ``synapse.rng.generator()`` is set to a
state the parent drew for that genome, so a fitness function (or the Trainer)
that draws from it gives the same numbers on any executor and with any number
of workers. The generator's state is restored when the batch is done.

**Threads.** The generator and the networks are shared by a process's
threads, so a process scores one batch at a time (a lock): a thread pool
gives the same result as any other executor, but no speed-up. Use processes
(or Dask workers with one thread each) to score in parallel.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from .. import rng
from .. import squash as _squash
from ..layer import Layer
from ..network import Network
from ..neuron import Neuron
from ..trainer import Trainer

__all__ = ["build", "network_for", "score", "CACHE_SIZE", "TASKS"]

#: How many built networks each process keeps.
CACHE_SIZE = 256

#: The Trainer methods ``backprop={"task": ...}`` may name ("train" takes a
#: ``training_set``; the others are the built-in tasks of docs/tasks.md).
TASKS = ("train", "xor", "dsr", "erg", "timing_task")


class Built:
    """A network built from a plan, and where its numbers live."""

    __slots__ = ("net", "links", "units", "n_in", "wslot", "bslot", "params")

    def __init__(self, net, links, units, n_in):
        self.net, self.links, self.units, self.n_in = net, links, units, n_in
        self.wslot: np.ndarray | None = None
        self.bslot: np.ndarray | None = None
        self.params: np.ndarray | None = None

    def locate(self) -> None:
        """Find each weight's and bias's slot in ``parameters()``: where the
        layout put it (``Links.w_at``, ``Units.bias_at``, as ``initialize`` reads)."""
        params = self.net.parameters()  # lays the network out; the handles point there
        wslot = [int(c._links.w_at[c._c]) for c in self.links]
        bslot = [int(n._units.bias_at[n._u]) for n in self.units[self.n_in:]]
        if max(wslot + bslot, default=-1) < len(params):  # every number learns (the usual case)
            self.wslot = np.array(wslot, dtype=np.intp)
            self.bslot = np.array(bslot, dtype=np.intp)
        self.params = params

    def load(self, weights, biases) -> None:
        """Write a genome's weights and biases."""
        if self.wslot is not None and self.params is not None:
            self.params[self.wslot] = weights
            self.params[self.bslot] = biases
            return
        for c, w in zip(self.links, weights):
            c.weight = w
        for n, b in zip(self.units[self.n_in:], biases):
            n.bias = b

    def values(self) -> tuple[list[float], list[float]]:
        """The weights and biases as they are now (after training)."""
        if self.wslot is not None and self.params is not None:
            return self.params[self.wslot].tolist(), self.params[self.bslot].tolist()
        return ([c.weight for c in self.links], [n.bias for n in self.units[self.n_in:]])

    def intact(self) -> bool:
        """Whether the layout is still the one located (no structural change since)."""
        return self.params is not None and np.shares_memory(self.net.parameters(), self.params)


def _squash_of(name: str):
    f = _squash.BY_NAME.get(name)
    if f is None:
        raise ValueError(f"genome names squash {name!r}, which is not in "
                         f"synapse.squash.BY_NAME {sorted(_squash.BY_NAME)}")
    return f


def build(key: tuple, weights, biases) -> Built:
    """A new network for a plan (see :meth:`Genome.plan`): an input layer, one
    hidden layer (if any hidden unit) and an output layer, in activation order.

    >>> from synapse.neat import Genome
    >>> from synapse.neat.evaluate import build
    >>> key, w, b = Genome.minimal(2, 1, weights=[1.0, 2.0]).plan()
    >>> built = build(key, w, b)
    >>> float(built.net.activate([1, 1])[0]) == float(1 / (1 + np.exp(-3.0)))
    True
    """
    n_in, n_out, squashes, links, selfs = key
    units = [Neuron(bias=0.0) for _ in range(n_in)]
    units += [Neuron(_squash_of(name), bias=float(b)) for name, b in zip(squashes, biases)]
    n_hidden = len(squashes) - n_out
    layers = []
    for lo, hi in ((0, n_in), (n_in, n_in + n_hidden), (n_in + n_hidden, len(units))):
        layer = Layer()
        for u in units[lo:hi]:
            layer.add(u)
        layers.append(layer)
    made = [units[s].project(units[d], float(w)) for (s, d, _), w in zip(links, weights)]
    for (u, w, gater) in selfs:
        c = units[u].project(units[u], float(w))
        if gater >= 0:
            units[gater].gate(c)
    for c, (_, _, gater) in zip(made, links):
        if gater >= 0:
            units[gater].gate(c)
    net = Network(input=layers[0], hidden=[layers[1]] if n_hidden else None, output=layers[2])
    built = Built(net, made, units, n_in)
    built.locate()
    net.clear()
    return built


_CACHE: OrderedDict = OrderedDict()
_LOCK = threading.Lock()  # one batch at a time per process (see the module's documentation)


def network_for(key: tuple, weights, biases) -> Built:
    """The network for a plan: a cached one of the same structure with these
    numbers written in and its state cleared, or a new one."""
    built = _CACHE.get(key)
    if built is not None and built.intact():
        _CACHE.move_to_end(key)
        built.load(weights, biases)
        built.net.clear()
        built.net.zero_grad()
        return built
    built = build(key, weights, biases)
    _CACHE[key] = built
    if len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return built


def _set_state(state: tuple[int, int]) -> None:
    generator = rng.generator()
    bits = generator.bit_generator
    if isinstance(bits, np.random.PCG64):
        bits.state = {"bit_generator": "PCG64", "state": {"state": state[0], "inc": state[1]},
                      "has_uint32": 0, "uinteger": 0}
    else:  # pragma: no cover - synapse.seed always makes a PCG64
        rng.seed(state[0] % 2 ** 63)


def refine(net: Network, backprop: dict) -> int:
    """Train ``net`` with LSTM-g as ``backprop`` says; returns the iterations run.

    ``backprop`` holds :meth:`Trainer.train` options, with the set under
    ``"training_set"``; or ``"task"`` names a built-in task of the Trainer
    (``"dsr"``, ...) and the rest are that task's options."""
    options = dict(backprop)
    task = options.pop("task", "train")
    trainer = Trainer(net)
    if task == "train":
        data = options.pop("training_set")
        result = trainer.train(data, **options)
    else:
        result = getattr(trainer, task)(**options)
    if task == "timing_task":
        return int(result["train"]["iterations"])
    return int(result["iterations"])


def score(fitness: Callable[[Network], Any], backprop: dict | None, items: list) -> list:
    """Score a batch: for each ``(key, weights, biases, state)`` build the
    network, refine it (with ``backprop``), and call ``fitness(net)``.

    Returns one ``(fitness value, weights, biases, iterations)`` per item; the
    weights and biases are the refined ones (None without ``backprop``)."""
    out = []
    with _LOCK:
        saved = rng.generator().bit_generator.state
        try:
            for key, weights, biases, state in items:
                built = network_for(key, weights, biases)
                _set_state(state)
                refined = None
                iterations = 0
                if backprop is not None:
                    iterations = refine(built.net, backprop)
                    refined = built.values()
                    built.net.clear()
                value = fitness(built.net)
                out.append((value, *(refined or (None, None)), iterations))
        finally:
            rng.generator().bit_generator.state = saved
    return out
