"""The object path: a network stepped neuron by neuron, by the reference
implementation in :mod:`synapse.neuron` (``set_optimize(False)``)."""
from __future__ import annotations

import numpy as np

from ..store import Layout
from .base import PythonLoops, quiet
from .numpy_engine import BorrowsNumpy


class ObjectsEngine(PythonLoops, BorrowsNumpy):
    """Steps the neuron objects in activation order; reads and writes the layout
    through their handles."""

    name = "objects"

    def __init__(self, layout: Layout):
        self.layout = layout
        st = layout.structure
        self.inputs = st.neurons[:st.n_inputs]
        self.others = st.neurons[st.n_inputs:]
        self.outputs = st.neurons[st.outputs]

    @quiet
    def activate(self, x: np.ndarray) -> np.ndarray:
        if not np.isfinite(x).all():
            raise ValueError(f"inputs must be finite, got {x.tolist()}")
        for n, v in zip(self.inputs, x.tolist()):
            n.activate(v)
        for n in self.others:
            n.activate()
        return self.layout.units.act[self.layout.structure.outputs].copy()

    def _responsibilities(self, errors: np.ndarray) -> None:
        out = self.outputs
        n_out = len(out)
        for i, n in enumerate(reversed(self.others)):
            n._responsibility(float(errors[n_out - 1 - i]) if i < n_out else None)

    @quiet
    def propagate(self, rate: float, errors: np.ndarray) -> None:
        self._responsibilities(errors)
        for n in self.others:
            n._learn(rate)

    @quiet
    def accumulate_gradient(self, errors: np.ndarray) -> None:
        self._responsibilities(errors)
        for n in self.others:
            n._learn(-1.0, self.layout.grad)

    @quiet
    def streams(self, S: np.ndarray, X: np.ndarray) -> None:
        """Each stream in turn, through the network's own row (restored after)."""
        own = self.layout.S
        saved = own.copy()
        for b in range(len(S)):
            own[0] = S[b]
            self.activate(X[b])
            S[b] = own[0]
        own[...] = saved

    @quiet
    def stream_gradient(self, S: np.ndarray, Y: np.ndarray, cost, D: np.ndarray) -> None:
        own = self.layout.S
        saved = own.copy()
        grad = self.layout.grad
        kept = grad.copy()
        total = np.zeros_like(D)  # D may be grad itself, which is put back below
        for b in range(len(S)):
            own[0] = S[b]
            grad[...] = 0.0
            self.backward(Y[b], cost)
            total += grad
            S[b] = own[0]
        own[...] = saved
        grad[...] = kept
        D += total

    def bptt(self, S: np.ndarray, X: np.ndarray, Y: np.ndarray, cost, D: np.ndarray,
             scale: float) -> np.ndarray:
        """Backpropagation through time: the numpy engine's walk, on the same layout."""
        return self.numpy().bptt(S, X, Y, cost, D, scale)

    def clear(self) -> None:
        for n in self.layout.structure.neurons:
            n.clear()
