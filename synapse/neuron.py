"""Neurons and connections, and the per-neuron reference implementation of LSTM-g.

The learning rule is LSTM-g: D. Monner and J. Reggia, "A generalized LSTM-like
training algorithm for second-order recurrent neural networks", Neural Networks
25 (2012) 70-83. Equation numbers in the comments are the paper's; the numbers
themselves are defined in the project's SEMANTICS.md.

Storage: one home per number
----------------------------
A :class:`Neuron` or :class:`Connection` holds no numbers itself. It is a handle
on a row of numpy arrays: ``neuron._s`` (a :class:`Units`) at row ``neuron._u``,
and ``connection._b`` (a :class:`Block`) at flat index ``connection._p``. A loose
neuron owns arrays of one row; when a :class:`~synapse.network.Network`
compiles, it allocates arrays for all its units and connections, *moves* every
value there and re-points the handles. The compiled engine and these objects
then read and write the same memory, so neither can go stale.

Traces are stored as follows (unit j, its input connection c = i->j, and
``j._G``, the units k after j whose connections j gates):

* ``Units.eb[j]``      e_j,bias, the bias's eligibility trace (eq. 17)
* ``Block.e[c]``       e_ji (eq. 17)
* ``c._X[t]``          x^k_ji for k = j._G[t] (eq. 18), when k has a self-connection;
                        without one eq. 18 has no memory and x^k_ji = f'_j e_ji T_kj
                        is derived from the stored factors instead (the slot is unused)
* ``j._XB[t]``         x^k_j,bias
* ``j._T[t]``          T_kj, the gating term of eq. 18/22 as it entered s_k(t)
* ``Block.g[c]``       the gain g_ji(t) that entered s_j(t)

A neuron's position in activation order decides what is "before" it: inside a
compiled network that is the network's order; outside one, creation order.
"""
from __future__ import annotations

import itertools

import numpy as np

from . import _check, rng
from . import squash as _squash

__all__ = ["Neuron", "Connection"]

_ids = itertools.count()
_FMAX = float(np.finfo(float).max)


def _bounded(s: float) -> float:
    """A state that overflowed, made finite: +-inf to +-max, nan (inf - inf) to 0.
    All engines do the same, so the state stays finite for any finite input."""
    return 0.0 if s != s else (_FMAX if s > 0 else -_FMAX)


_NO_TRACES = np.zeros(0)  # shared by every connection whose target gates nothing later


class Units:
    """Per-unit numbers of a set of units, one row per unit."""

    FIELDS = ("bias", "state", "old", "act", "deriv", "delta", "deltap", "eb", "selfw", "blearn")

    def __init__(self, n: int, owner=None, F: np.ndarray | None = None):
        # one (fields, n + 2) array (F, or a new one); each field is a row view. act and delta carry
        # sentinel slots past the last unit for branch-free indexing by the
        # engines: act_ext[n] = 1 (the gain of an ungated connection),
        # act_ext[n + 1] = 0 (an absent one), delta_ext[n] = 0 (padding).
        self.F = np.zeros((len(self.FIELDS), n + 2)) if F is None else F
        for i, f in enumerate(self.FIELDS):
            setattr(self, f, self.F[i, :n])
        if F is None:
            self.blearn[...] = 1.0  # the bias learns (0: held fixed)
        self.act_ext = self.F[self.FIELDS.index("act")]
        self.act_ext[n] = 1.0
        self.delta_ext = self.F[self.FIELDS.index("delta"), :n + 1]
        self.owner = owner  # the Network whose layout this is, or None for a loose unit
        self.self_block = Block(self.selfw, None, None)


class Block:
    """Per-connection numbers of a set of connections, as flat arrays.

    ``w`` weights, ``e`` eligibility traces, ``g`` the gains as last read. A
    compiled network keeps 2-D views of the same memory for its matrix products.
    """

    def __init__(self, w, e, g):
        self.w, self.e, self.g = w, e, g
        self.X = None  # a compiled block's extended traces, (rows, m, cols)


def _before(a: Neuron, b: Neuron) -> bool:
    """Whether unit a activates before unit b within one step."""
    if a._s is b._s and a._s.owner is not None:
        return a._u < b._u
    return a.ID < b.ID


def _touch(*neurons: Neuron) -> None:
    """Tell the networks holding these neurons that their structure changed."""
    for n in neurons:
        owner = n._s.owner
        if owner is not None:
            owner._structure_changed()
        for layer in list(n._layers):
            layer._structure_changed()


class Connection:
    """A weighted, optionally gated connection i -> j.

    Made by :meth:`Neuron.project`. ``weight`` and ``gain`` read the network's
    arrays; ``gain`` is 1 for an ungated connection and the gater's current
    activation for a gated one (eq. 14).
    """

    __slots__ = ("ID", "from_", "to", "gater", "_b", "_p", "_xl")

    def __init__(self, from_: Neuron, to: Neuron, weight: float = 0.0,
                 block: Block | None = None, index: int = 0):
        self.ID = next(_ids)
        self.from_ = from_
        self.to = to
        self.gater: Neuron | None = None
        if block is None:
            block, index = Block(np.array([weight]), np.zeros(1), np.ones(1)), 0
        self._b = block
        self._p = index
        self._xl = np.zeros(len(to._G)) if to._G else _NO_TRACES

    @property
    def _X(self) -> np.ndarray:
        """x^k_ji for k in to._G: the connection's own array, or a view of its block's."""
        if self._xl is not None:
            return self._xl
        X = self._b.X
        r, q = divmod(self._p, X.shape[2])
        return X[r, :len(self.to._G), q]

    @_X.setter
    def _X(self, value: np.ndarray) -> None:
        self._xl = value

    @property
    def weight(self) -> float:
        return float(self._b.w[self._p])

    @weight.setter
    def weight(self, value: float) -> None:
        self._b.w[self._p] = _check.number(value, "weight")
        if self.from_ is self.to:
            _touch(self.to)  # engines specialize on which units are self-connected

    @property
    def gain(self) -> float:
        return 1.0 if self.gater is None else self.gater.activation

    def __repr__(self) -> str:
        gate = f", gater={self.gater.ID}" if self.gater is not None else ""
        return f"Connection({self.from_.ID} -> {self.to.ID}, weight={self.weight:.6g}{gate})"


class _Links:
    """A neuron's connections: ``inputs`` (into it), ``projected`` (out of it),
    ``gated`` (the connections it gates); each a list in creation order."""

    __slots__ = ("inputs", "projected", "gated")

    def __init__(self):
        self.inputs: list[Connection] = []
        self.projected: list[Connection] = []
        self.gated: list[Connection] = []


def _unit_property(field: str, doc: str):
    def get(self):
        return float(getattr(self._s, field)[self._u])
    return property(get, doc=doc)


class Neuron:
    """A unit with a bias, a squash function, connections in and out, an
    optional self-connection, and the connections it gates.

    Parameters
    ----------
    squash : callable, default squash.LOGISTIC
        ``f(x, derivate=False)``, see :mod:`synapse.squash`.
    bias : float, optional
        Drawn uniformly from [-0.1, 0.1) when None.

    Examples
    --------
    >>> import synapse
    >>> from synapse import Neuron
    >>> synapse.seed(0)
    >>> a, b = Neuron(), Neuron(bias=0.0)
    >>> c = a.project(b, weight=2.0)
    >>> a.activate(1.0)
    1.0
    >>> round(b.activate(), 6)           # logistic(2 * 1)
    0.880797
    >>> b.propagate(0.5, target=0.0)     # one gradient step towards 0
    >>> round(c.weight, 6)
    1.559601
    """

    def __init__(self, squash=_squash.LOGISTIC, bias: float | None = None):
        self._squash = _check.squash_fn(squash)
        b = rng.uniform_weight() if bias is None else _check.number(bias, "bias")
        self.ID = next(_ids)
        self.label = None
        self._s = Units(1)
        self._u = 0
        self._s.bias[0] = b
        self._layers = set()  # the layers listing this neuron (they tell their networks)
        self.connections = _Links()
        self._out: dict[Neuron, Connection] = {}  # projected connections by target
        self._G: list[Neuron] = []  # later units whose connections this unit gates
        self._T = np.zeros(0)
        self._XB = np.zeros(0)
        self._gaters = None  # cache of _gater_info()
        self.selfconnection = Connection.__new__(Connection)
        sc = self.selfconnection
        sc.ID, sc.from_, sc.to, sc.gater = next(_ids), self, self, None
        sc._b, sc._p, sc._X = self._s.self_block, 0, None

    # ---- numbers (read through to the arrays) ----
    state = _unit_property("state", "s_j(t), the state (eq. 15).")
    old = _unit_property("old", "s_j(t-1), the state before the last activation.")
    activation = _unit_property("act", "y_j(t), the activation (eq. 16).")
    derivative = _unit_property("deriv", "f'_j(s_j(t)).")
    delta = _unit_property("delta", "delta_j, the last propagate's responsibility (eq. 23).")

    @property
    def bias(self) -> float:
        return float(self._s.bias[self._u])

    @bias.setter
    def bias(self, value: float) -> None:
        self._s.bias[self._u] = _check.number(value, "bias")

    @property
    def learn_bias(self) -> bool:
        """Whether training changes the bias (True by default; False holds it fixed)."""
        return bool(self._s.blearn[self._u])

    @learn_bias.setter
    def learn_bias(self, value: bool) -> None:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"learn_bias must be True or False, got {value!r}")
        self._s.blearn[self._u] = 1.0 if value else 0.0
        _touch(self)  # engines may specialize on it

    @property
    def squash(self):
        return self._squash

    @squash.setter
    def squash(self, f) -> None:
        self._squash = _check.squash_fn(f)
        _touch(self)

    def __repr__(self) -> str:
        return f"Neuron(ID={self.ID}, bias={self.bias:.6g}, squash={_squash.name_of(self._squash)})"

    # ---- structure ----
    def project(self, neuron: Neuron, weight: float | None = None) -> Connection:
        """Connect this neuron to ``neuron`` and return the connection.

        ``a.project(a)`` makes the self-connection (weight 1, or ``weight``).
        Projecting again to the same neuron returns the existing connection
        (with its weight replaced when ``weight`` is given).
        """
        if not isinstance(neuron, Neuron):
            raise TypeError(f"project expects a Neuron, got {type(neuron).__name__}")
        w = None if weight is None else _check.number(weight, "weight")
        if neuron is self:
            self.selfconnection.weight = 1.0 if w is None else w
            return self.selfconnection
        c = self._out.get(neuron)
        if c is not None:
            if w is not None:
                c.weight = w
            return c
        w = rng.uniform_weight() if w is None else w
        c = self._connect(neuron, Connection(self, neuron, w))
        _touch(self, neuron)
        return c

    def _connect(self, neuron: Neuron, c: Connection) -> Connection:
        """Register a new connection to ``neuron`` (no checks; the caller touches)."""
        self._out[neuron] = c
        self.connections.projected.append(c)
        neuron.connections.inputs.append(c)
        return c

    def gate(self, connection: Connection) -> None:
        """Let this neuron's activation multiply ``connection``'s signal (eq. 14).

        A connection has at most one gater: gating it again raises ValueError.
        """
        if not isinstance(connection, Connection):
            raise TypeError(f"gate expects a Connection, got {type(connection).__name__}")
        if connection.gater is not None:
            raise ValueError(f"connection {connection.from_.ID}->{connection.to.ID} is already "
                             f"gated by neuron {connection.gater.ID}; a connection has one gater")
        self._gate(connection)
        _touch(self, connection.to)

    def _gate(self, connection: Connection) -> None:
        """Gate a checked, ungated connection (the caller touches)."""
        connection.gater = self
        self.connections.gated.append(connection)
        k = connection.to
        if _before(self, k) and k not in self._G:
            _set_gated_units(self, self._G + [k])
        k._gaters = None

    def selfconnected(self) -> bool:
        """Whether the self-connection's weight is nonzero."""
        return self.selfconnection.weight != 0

    def connected(self, neuron: Neuron) -> Connection | None:
        """The connection between this neuron and ``neuron`` (either way), or None."""
        if neuron is self:
            return self.selfconnection if self.selfconnected() else None
        c = self._out.get(neuron)
        if c is not None:
            return c
        for c in self.connections.inputs:
            if c.from_ is neuron:
                return c
        return None

    # ---- state ----
    def clear(self) -> None:
        """Forget context: state, activation, traces and responsibilities to 0."""
        s, u = self._s, self._u
        for f in ("state", "old", "act", "deriv", "delta", "deltap", "eb"):
            getattr(s, f)[u] = 0.0
        self._T[:] = 0.0
        self._XB[:] = 0.0
        for c in self.connections.inputs:
            c._b.e[c._p] = 0.0
            c._b.g[c._p] = 1.0 if c.gater is None else 0.0
            c._X[:] = 0.0

    def reset(self) -> None:
        """clear(), then fresh random weights for the input connections and bias."""
        self.clear()
        for c in self.connections.inputs:
            c._b.w[c._p] = rng.uniform_weight()
        self._s.bias[self._u] = rng.uniform_weight()

    # ---- the step ----
    def activate(self, x: float | None = None) -> float:
        """Activate for one time step and return y_j(t).

        With ``x``, this is an input unit: its activation is ``x``.
        """
        s, u = self._s, self._u
        if x is not None:
            x = _check.number(x, "input")
            s.act[u] = x
            s.deriv[u] = 0.0
            s.bias[u] = 0.0  # input units have no bias (as in synaptic.js)
            return x
        decay = self.selfconnection.gain * s.selfw[u]  # g_jj(t) w_jj
        old = s.state[u]
        s.old[u] = old
        state = decay * old + s.bias[u]  # eq. 15, self and bias terms
        s.eb[u] = decay * s.eb[u] + 1.0  # eq. 17 for the bias (its input is 1)
        for c in self.connections.inputs:
            b, p = c._b, c._p
            g = 1.0 if c.gater is None else c.gater.activation  # eq. 14
            y = c.from_.activation
            b.g[p] = g
            state += g * b.w[p] * y  # eq. 15
            b.e[p] = decay * b.e[p] + g * y  # eq. 17
        if not -_FMAX <= state <= _FMAX:  # overflowed (inputs near the float limit)
            state = _bounded(state)
        s.state[u] = state
        y = float(self._squash(state))  # eq. 16
        s.act[u] = y
        s.deriv[u] = float(self._squash(state, True))
        # eq. 18: the extended traces of the units gating this one, now that the
        # values that entered s_j(t) are known
        for h, t, self_gated, gated in _gater_info(self):
            T = s.selfw[u] * old if self_gated else 0.0
            for c in gated:
                T += c._b.w[c._p] * c.from_.activation
            h._T[t] = T
            if s.selfw[u] == 0:
                continue  # no memory: x^k_ji = f'_j e_ji T_kj, derived in _learn
            coef = h._s.deriv[h._u] * T
            for c in h.connections.inputs:
                c._X[t] = decay * c._X[t] + coef * c._b.e[c._p]
            h._XB[t] = decay * h._XB[t] + coef * h._s.eb[h._u]
        return y

    def _responsibility(self, error: float | None = None) -> None:
        """eqs. 21-23: delta_j from the later units' deltas; ``error`` is an
        output's direct error term (t - y, or minus the cost's derivative)."""
        s, u = self._s, self._u
        fp = s.deriv[u]
        acc = 0.0
        for c in self.connections.projected:  # P_j: later units only (eq. 19)
            k = c.to
            if _before(self, k):
                acc += k._s.delta[k._u] * c._b.g[c._p] * c._b.w[c._p]
        deltap = fp * acc + (0.0 if error is None else error)  # eq. 21 (eq. 10 for outputs)
        accg = 0.0
        for t, k in enumerate(self._G):  # G_j (eq. 20)
            accg += k._s.delta[k._u] * self._T[t]
        s.deltap[u] = deltap
        s.delta[u] = deltap + fp * accg  # eqs. 22-23

    def _learn(self, rate: float) -> None:
        """eq. 24: change the input weights and the bias by ``rate`` times the gradient.

        For a gated unit k without a self-connection, eq. 18 has no memory:
        x^k_ji = f'_j e_ji T_kj, a product of stored numbers, so it is derived
        here rather than stored: its share joins delta^P_j as f'_j delta_k T_kj."""
        s, u = self._s, self._u
        dk = np.array([k._s.delta[k._u] for k in self._G])
        memory = np.array([k._s.selfw[k._u] != 0 for k in self._G], dtype=bool)
        dp = s.deltap[u] + s.deriv[u] * float(dk[~memory] @ self._T[~memory])
        dk = np.where(memory, dk, 0.0)
        for c in self.connections.inputs:
            c._b.w[c._p] += rate * (dp * c._b.e[c._p] + dk @ c._X)
        if s.blearn[u]:
            s.bias[u] += rate * (dp * s.eb[u] + dk @ self._XB)

    def propagate(self, rate: float = 0.1, target: float | None = None) -> None:
        """Compute this neuron's error responsibility and learn at ``rate``.

        With ``target``, the neuron is an output and its error is target - y
        (eq. 10). The later neurons must have propagated already. For an exact
        gradient step over many neurons use Layer.propagate or Network.propagate,
        which take every change from the weights as they were before the call.
        """
        rate = _check.number(rate, "rate")
        error = None if target is None else _check.number(target, "target") - self.activation
        self._responsibility(error)
        self._learn(rate)


def _set_gated_units(j: Neuron, G_new: list[Neuron]) -> None:
    """Give unit j a new list of gated later units, keeping each kept unit's traces.

    The new arrays are j's own until its network compiles again."""
    old = {k: t for t, k in enumerate(j._G)}

    def remap(vec):
        out = np.zeros(len(G_new))
        for t, k in enumerate(G_new):
            if k in old:
                out[t] = vec[old[k]]
        return out

    j._T = remap(j._T)
    j._XB = remap(j._XB)
    for c in j.connections.inputs:
        c._X = remap(c._X)
    for k in set(j._G) | set(G_new):
        k._gaters = None
    j._G = G_new


def _gater_info(k: Neuron):
    """For unit k: (h, t, self_gated, gated inputs) for each unit h before k that
    gates some of k's connections, where k = h._G[t]."""
    if k._gaters is None:
        groups: dict[Neuron, list] = {}
        sc = k.selfconnection
        if sc.gater is not None:
            groups.setdefault(sc.gater, [False, []])[0] = True
        for c in k.connections.inputs:
            if c.gater is not None:
                groups.setdefault(c.gater, [False, []])[1].append(c)
        k._gaters = [(h, h._G.index(k), sg, cs) for h, (sg, cs) in groups.items()
                     if _before(h, k)]
    return k._gaters
