"""The first step of a network loaded from synaptic.js or neataptic.

Those libraries set a connection's gain when its gater activates, and a loaded
gain reads 1 until then; synapse's gain is the gater's activation, 0 before
it first activates. The two
agree from the second step on; :class:`LoadedGains` wraps the network's engine
for the first step and hands back to it after (see docs/differences.md)."""
from __future__ import annotations

import dataclasses
from contextlib import contextmanager

import numpy as np

from .. import store
from . import Engine, make_engine
from .base import run_streams

__all__ = ["LoadedGains", "loaded_gains"]


class LoadedGains:
    """The path of a network loaded from synaptic.js or neataptic, until its
    first step. There a gater sets its connections' gains when it activates,
    and a loaded gain reads 1 until then; so in the first step, a connection
    whose gater comes at or after its target reads 1 (here: the gater's
    previous activation). The first step runs on the same kind of path with
    those connections ungated; afterwards the network's own path takes over."""

    def __init__(self, net, inner: Engine, conns: np.ndarray, units: np.ndarray):
        self.net, self.inner = net, inner
        self.layout = inner.layout
        self.name = f"{inner.name} (loaded gains)"
        self.conns, self.units = conns, units
        self.layout.links.g[conns] = 1.0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    @contextmanager
    def _first(self):
        """A path that reads gain 1 on the late-gated connections."""
        L = self.layout
        st = L.structure
        if self.inner.name == "objects":  # the neuron objects read their gaters
            saved = [(st.connections[c], st.connections[c].gater) for c in self.conns]
            saved += [(st.neurons[k].selfconnection, st.neurons[k].selfconnection.gater)
                      for k in self.units]
            for c, _ in saved:
                c.gater = None
            try:
                yield self.inner
            finally:
                for c, g in saved:
                    c.gater = g
            return
        gater, self_gater = st.gater.copy(), st.self_gater.copy()
        gater[self.conns] = -1
        self_gater[self.units] = -1
        ungated = dataclasses.replace(L, structure=dataclasses.replace(
            st, gater=gater, self_gater=self_gater))
        yield make_engine(ungated, self.inner.name)

    def _done(self) -> None:
        net = self.net
        with net._lock:
            net._gains_pending = False
            if net._engine is self:
                net._engine = self.inner

    def activate(self, x: np.ndarray) -> np.ndarray:
        with self._first() as first:
            out = first.activate(x)
        self._done()
        return out

    def run(self, X, Y, rates, cost):
        if len(X) == 0:
            return self.inner.run(X, Y, rates, cost)
        with self._first() as first:
            head = first.run(X[:1], None if Y is None else Y[:1], rates[:1], cost)
        self._done()
        tail = self.inner.run(X[1:], None if Y is None else Y[1:], rates[1:], cost)
        return np.concatenate([head, tail])

    def predict(self, X):
        with self._first() as first:
            return first.predict(X)

    def run_batch(self, X, Y, rates, cost):
        """As the engines' run_batch (engine/base.py), with the first step's
        gains as loaded."""
        def first(S, X0):
            with self._first() as engine:
                engine.streams(S, X0)

        return run_streams(self.inner, X, Y, rates, cost, first)

    def train(self, *args):
        return None  # passes run row by row until the first step is done

    def bptt(self, S, X, Y, cost, D, *args):
        """Through time the first step cannot be split off: backpropagation
        through time reads the loaded gains as synapse does. On the network's
        own stream that is its first step: the loaded gains end there."""
        if S is self.layout.S:
            self._done()
        return self.inner.bptt(S, X, Y, cost, D, *args)

    def clear(self) -> None:
        self.inner.clear()
        self._done()


def loaded_gains(net, engine: Engine) -> Engine:
    """``engine``, wrapped for the first step when a connection is gated by a unit at
    or after its target (else as it is, and the network's gains are no longer pending)."""
    conns, units = store.late_gated(engine.layout)
    if len(conns) == 0 and len(units) == 0:
        net._gains_pending = False
        return engine
    return LoadedGains(net, engine, conns, units)
