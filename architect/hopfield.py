"""A Hopfield network built from the library's neurons."""
from __future__ import annotations

import numpy as np

from synapse import ConnectionType, Layer, LayerConnection, Network, _check, rng, squash


def _patterns(values, size: int, what: str) -> np.ndarray:
    """``values`` as a 0/1 float array whose last axis has ``size`` entries.

    Numbers (or booleans) only: numpy would read "1" and "0" as numbers."""
    try:
        arr = np.array(values)
    except ValueError:  # ragged
        arr = None
    if arr is None or arr.dtype.kind not in "biuf":
        came = "lists of unequal lengths" if arr is None else f"values of dtype {arr.dtype}"
        raise TypeError(f"{what} must hold 0/1 numbers, got {came}")
    arr = arr.astype(float)
    if arr.shape[-1:] != (size,):
        raise ValueError(f"{what} must have {size} values each, got shape {arr.shape}")
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError(f"{what} must hold only 0 and 1")
    return arr


def _view(a: Layer, b: Layer, kind: ConnectionType, conns: list) -> LayerConnection:
    """A LayerConnection over existing connections, made without connecting
    anything (nor drawing a random number)."""
    view = LayerConnection.__new__(LayerConnection)
    view.from_, view.to, view.selfconnection, view.type = a, b, a is b, kind
    view.list = conns
    view.connections = {c.ID: c for c in conns}
    view.gatedfrom = []
    return view


class Hopfield(Network):
    """``Hopfield(size)``: a Hopfield network of ``size`` binary threshold units.

    Structure. The output layer is the Hopfield pool: ``size`` HLIM units
    (activation 1 when the state is above 0, else 0) projecting ALL_TO_ELSE to
    each other. The input layer holds the probe: input unit i projects to pool
    unit i with a *clamp* weight larger than any pool unit's total recurrent
    input, so one :meth:`activate` with inputs ±1 sets the pool to a pattern,
    and with inputs 0 lets the pool run free.

    :meth:`learn` stores 0/1 patterns by the Hebbian rule, in one shot: with
    s = 2x - 1 and w_ij = (1/size) sum over patterns of s_i s_j (i != j), the
    pool's weights are 2 w_ij and unit i's bias is -sum_j w_ij, which makes the
    0/1 units follow the classical ±1 dynamics s_i = sign(sum_j w_ij s_j).
    :meth:`feed` loads a probe and updates the units one at a time, in random
    order (drawn from ``synapse.seed``'s generator), until a sweep over all of
    them changes nothing; :meth:`energy` never rises along the way. A unit whose
    field is exactly 0 (a tie) turns off, as HLIM(0) = 0; that keeps the energy
    and still converges.

    Examples
    --------
    >>> import synapse
    >>> from architect import Hopfield
    >>> synapse.seed(0)
    >>> net = Hopfield(8)
    >>> net.learn([[1, 1, 1, 1, 0, 0, 0, 0], [1, 0, 1, 0, 1, 0, 1, 0]])
    >>> net.feed([1, 1, 1, 0, 0, 0, 0, 0])     # one bit off the first pattern
    [1, 1, 1, 1, 0, 0, 0, 0]
    """

    def __init__(self, size: int):
        size = _check.count(size, "Hopfield size", minimum=1)
        probe = Layer(size)
        pool = Layer(size).set(squash=squash.HLIM, bias=0)
        self._clamp = probe.project(pool, ConnectionType.ONE_TO_ONE, weights=1.0)
        self._recurrent = pool.project(pool, ConnectionType.ALL_TO_ELSE, weights=0.0)
        super().__init__(input=probe, output=pool)
        #: sweeps the last :meth:`feed` took, and whether it ended in a stable state
        self.sweeps = 0
        self.stable = True

    #: plain attributes that copies and files carry (see ``Network.clone``)
    _saved_attributes = ("sweeps", "stable")

    @property
    def size(self) -> int:
        return self.layers.output.size

    def _relink(self) -> None:
        """Find the clamp and the recurrent connections again in the layers (for
        a copy or a loaded file, whose constructor does not run), as they are
        now: a changed squash, an added neuron and changed weights are kept."""
        probe, pool = self.layers.input, self.layers.output
        members = set(pool.list)
        self._clamp = _view(probe, pool, ConnectionType.ONE_TO_ONE,
                            [c for n in probe.list for c in n.connections.projected
                             if c.to in members])
        self._recurrent = _view(pool, pool, ConnectionType.ALL_TO_ELSE,
                                [c for n in pool.list for c in n.connections.projected
                                 if c.to in members and c.to is not n])
        self.__dict__.setdefault("sweeps", 0)
        self.__dict__.setdefault("stable", True)

    def learn(self, patterns) -> None:
        """Store ``patterns`` (a list of 0/1 vectors), replacing what was stored.

        Raises ValueError or TypeError (changing nothing) for anything but a
        non-empty list of 0/1 vectors of length ``size``.
        """
        P = _patterns(patterns, self.size, "Hopfield patterns")
        if P.ndim != 2 or len(P) == 0:
            raise ValueError(f"Hopfield patterns must be a non-empty list of vectors, "
                             f"got shape {P.shape}")
        S = 2.0 * P - 1.0
        w = S.T @ S / self.size  # Hebb's rule on ±1 units
        np.fill_diagonal(w, 0.0)
        weights, bias = 2.0 * w, -w.sum(axis=1)
        index = {n: i for i, n in enumerate(self.layers.output.list)}
        for c in self._recurrent.list:
            c.weight = float(weights[index[c.to], index[c.from_]])
        for n, b in zip(self.layers.output.list, bias):
            n.bias = float(b)
        clamp = 1.0 + float(np.max(np.abs(weights).sum(axis=1) + np.abs(bias)))
        for c in self._clamp.list:
            c.weight = clamp

    def feed(self, pattern, max_sweeps: int = 100) -> list:
        """Recall from ``pattern``: the 0/1 state the pool settles in.

        The pool starts at ``pattern``; then each sweep updates every unit once,
        one at a time in a fresh random order, each reading the others' current
        values. It stops after a sweep that changes nothing, or after
        ``max_sweeps`` sweeps (then ``self.stable`` is False).
        """
        x = _patterns(pattern, self.size, "Hopfield pattern")
        if x.ndim != 1:
            raise ValueError(f"Hopfield pattern must be one vector, got shape {x.shape}")
        max_sweeps = _check.count(max_sweeps, "max_sweeps", minimum=1)
        self.clear()
        self.activate(2.0 * x - 1.0)  # the clamp sets the pool to the probe
        self.layers.input.activate(np.zeros(self.size))  # then let it run free
        pool = self.layers.output.list
        generator = rng.generator()
        self.stable = False
        self.sweeps = 0
        while self.sweeps < max_sweeps and not self.stable:
            self.sweeps += 1
            self.stable = True
            for i in generator.permutation(len(pool)):
                before = pool[i].activation
                if pool[i].activate() != before:
                    self.stable = False
        return [int(n.activation) for n in pool]

    def energy(self, pattern) -> float:
        """E(x) = -1/2 sum_{i != j} W_ij x_i x_j - sum_i b_i x_i for a 0/1 state x,
        from the pool's current weights W and biases b. Asynchronous updates
        never raise it, and stored patterns sit in its minima."""
        x = _patterns(pattern, self.size, "Hopfield pattern")
        if x.ndim != 1:
            raise ValueError(f"Hopfield pattern must be one vector, got shape {x.shape}")
        pool = self.layers.output.list
        index = {n: i for i, n in enumerate(pool)}
        W = np.zeros((self.size, self.size))
        for c in self._recurrent.list:
            W[index[c.to], index[c.from_]] = c.weight
        b = np.array([n.bias for n in pool])
        return float(-0.5 * x @ W @ x - b @ x)
