"""Neurons and connections, and the per-neuron reference implementation of LSTM-g.

The learning rule is LSTM-g: D. Monner and J. Reggia, "A generalized LSTM-like
training algorithm for second-order recurrent neural networks", Neural Networks
25 (2012) 70-83. Equation numbers in the comments are the paper's; docs/equations.md
states each one as this library computes it.

Storage: one home per number
----------------------------
A :class:`Neuron` or :class:`Connection` holds no numbers itself. It is a handle
on rows of numpy arrays: ``neuron._units`` (a :class:`~synapse.store.Units`) at
row ``neuron._u``, and ``connection._links`` (a :class:`~synapse.store.Links`)
at index ``connection._c``. A loose neuron owns arrays of one row; when a
:class:`~synapse.network.Network` compiles, it lays out arrays for all its
units and connections (:mod:`synapse.store`), *moves* every value there and
re-points the handles. The engines and these objects then read and write the
same memory, so neither can go stale.

Traces are stored as follows (unit j, its input connection c = i->j, and
``j._G``, the units k after j whose connections j gates):

* ``Units.eb[j]``      e_j,bias, the bias's eligibility trace (eq. 17)
* ``Links.e[c]``       e_ji (eq. 17)
* ``c._X[j._xslot[t]]``  x^k_ji for k = j._G[t] (eq. 18), when k has a self-connection;
                        without one eq. 18 has no memory and x^k_ji = f'_j e_ji T_kj
                        is derived from the stored factors instead (no slot)
* ``j._XB[t]``         x^k_j,bias
* ``j._T[t]``          T_kj, the gating term of eqs. 18 and 22 as it entered s_k(t)
* ``Links.g[c]``       the gain g_ji(t) that entered s_j(t)

A neuron's position in activation order decides what is "before" it: inside a
compiled network that is the network's order; outside one, creation order.
"""
from __future__ import annotations

import itertools
import weakref

import numpy as np

from . import _check, rng
from . import squash as _squash
from .store import Links, Units

__all__ = ["Neuron", "Connection"]

_ids = itertools.count()
_FMAX = float(np.finfo(float).max)


def _bounded(s: float) -> float:
    """A state that overflowed, made finite: +-inf to +-max, nan (inf - inf) to 0.
    All engines do the same, so the state stays finite for any finite input."""
    return 0.0 if s != s else (_FMAX if s > 0 else -_FMAX)


_NO_TRACES = np.zeros(0)  # shared by every connection whose target gates nothing later


def _before(a: Neuron, b: Neuron) -> bool:
    """Whether unit a activates before unit b within one step."""
    if a._units is b._units and a._units.owner is not None:
        return a._u < b._u
    return a.ID < b.ID


def _touch(*neurons: Neuron) -> None:
    """Tell the networks holding these neurons that their structure changed."""
    for n in neurons:
        owner = n._units.owner
        if owner is not None:
            owner._structure_changed()
        for layer in list(n._layers):
            layer._structure_changed()


class Connection:
    """A weighted, optionally gated connection i -> j.

    Made by :meth:`Neuron.project`. ``weight`` and ``gain`` read the network's
    arrays; ``gain`` is 1 for an ungated connection and the gater's current
    activation for a gated one (eq. 14). ``learns`` (default True) says whether
    training changes the weight.
    """

    __slots__ = ("ID", "from_", "to", "gater", "_learns", "_links", "_c", "_xl")

    def __init__(self, from_: Neuron, to: Neuron, weight: float = 0.0,
                 links: Links | None = None, index: int = 0):
        self.ID = next(_ids)
        self.from_ = from_
        self.to = to
        self.gater: Neuron | None = None
        self._learns = True
        if links is None:
            links, index = Links.loose(np.array([weight])), 0
        self._links = links
        self._c = index
        self._xl: np.ndarray | None = np.zeros(len(to._G)) if to._G else _NO_TRACES

    @property
    def _X(self) -> np.ndarray:
        """x^k_ji for the units k that ``to`` gates: the connection's own array
        (one slot per gated unit), or in a compiled network a view of the
        layout's (one slot per gated unit with memory; see ``to._xslot``)."""
        if self._xl is not None:
            return self._xl
        L, c = self._links, self._c
        first, stride = L.xfirst[c], L.xstride[c]
        return L.X[first:first + self.to._nmem * stride:stride]

    @_X.setter
    def _X(self, value: np.ndarray) -> None:
        self._xl = value

    @property
    def weight(self) -> float:
        return float(self._links.V[self._links.w_at[self._c]])

    @weight.setter
    def weight(self, value: float) -> None:
        self._links.V[self._links.w_at[self._c]] = _check.number(value, "weight")
        if self.from_ is self.to:
            _touch(self.to)  # engines specialize on which units are self-connected

    @property
    def learns(self) -> bool:
        """Whether training changes the weight (a self-connection's never does)."""
        return self._learns and self.from_ is not self.to

    @learns.setter
    def learns(self, value: bool) -> None:
        value = _check.flag(value, "learns")
        if self.from_ is self.to:
            raise ValueError("a self-connection's weight is fixed; it never learns")
        self._learns = value
        _touch(self.to)

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
        return float(getattr(self._units, field)[self._u])
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
        self.label: str | None = None
        self._units = Units.loose(b)
        self._u = 0
        self._learn_bias = True
        self._layers: set = set()  # the layers listing this neuron (they tell their networks)
        self.connections = _Links()
        self._out: dict[Neuron, Connection] = {}  # projected connections by target
        self._G: list[Neuron] = []  # later units whose connections this unit gates
        self._T = np.zeros(0)       # T_kj for k in _G (eq. 18)
        self._XB = np.zeros(0)      # x^k_j,bias for k in _G (eq. 18)
        self._xslot = np.zeros(0, dtype=np.int64)  # each k's slot in an input's _X (-1: none)
        self._nmem = 0              # gated units with memory (their slots in a compiled _X)
        self._gaters: list | None = None  # cache of _gater_info()
        self._group: list[Neuron] | None = None  # a SOFTMAX unit's group (in a network)
        self.selfconnection = Connection.__new__(Connection)
        sc = self.selfconnection
        sc.ID, sc.from_, sc.to, sc.gater, sc._learns = next(_ids), self, self, None, False
        sc._links, sc._c, sc._xl = self._units.self_links, 0, _NO_TRACES

    # ---- numbers (read through to the arrays) ----
    state = _unit_property("state", "s_j(t), the state (eq. 15).")
    old = _unit_property("old", "s_j(t-1), the state before the last activation.")
    activation = _unit_property("act", "y_j(t), the activation (eq. 16).")
    derivative = _unit_property("deriv", "f'_j(s_j(t)).")
    delta = _unit_property("delta", "delta_j, the last propagate's responsibility (eq. 23).")

    @property
    def bias(self) -> float:
        u = self._units
        return float(u.V[u.bias_at[self._u]])

    @bias.setter
    def bias(self, value: float) -> None:
        u = self._units
        u.V[u.bias_at[self._u]] = _check.number(value, "bias")

    @property
    def learn_bias(self) -> bool:
        """Whether training changes the bias (True by default; False holds it fixed)."""
        return self._learn_bias

    @learn_bias.setter
    def learn_bias(self, value: bool) -> None:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"learn_bias must be True or False, got {value!r}")
        self._learn_bias = bool(value)
        _touch(self)  # a learning bias is a parameter: the layout changes

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
            _add_gated_unit(self, k)
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
        s, u = self._units, self._u
        for f in ("state", "old", "act", "deriv", "delta", "deltap", "eb"):
            getattr(s, f)[u] = 0.0
        self._T[:] = 0.0
        self._XB[:] = 0.0
        for c in self.connections.inputs:
            c._links.e[c._c] = 0.0
            c._links.g[c._c] = 1.0 if c.gater is None else 0.0
            c._X[:] = 0.0

    def reset(self) -> None:
        """clear(), then fresh random weights for the input connections and bias.

        Only what learns is drawn: a connection that does not learn and a bias
        held fixed (``learn_bias=False``) keep their values, as in
        :meth:`Network.initialize`.
        """
        self.clear()
        for c in self.connections.inputs:
            if c.learns:
                c._links.V[c._links.w_at[c._c]] = rng.uniform_weight()
        if self.learn_bias:
            self.bias = rng.uniform_weight()

    def _restore(self, state: float, old: float, activation: float) -> None:
        """Set the state numbers (as a saved network had them)."""
        s, u = self._units, self._u
        s.state[u], s.old[u], s.act[u] = state, old, activation

    # ---- the step ----
    def activate(self, x: float | None = None) -> float:
        """Activate for one time step and return y_j(t).

        With ``x``, this is an input unit: its activation is ``x``.
        """
        s, u = self._units, self._u
        if x is not None:
            x = _check.number(x, "input")
            s.act[u] = x
            s.deriv[u] = 0.0
            s.V[s.bias_at[u]] = 0.0  # input units have no bias (as in synaptic.js)
            return x
        selfw = s.selfw[u]
        decay = self.selfconnection.gain * selfw  # g_jj(t) w_jj
        old = s.state[u]
        s.old[u] = old
        state = decay * old + s.V[s.bias_at[u]]  # eq. 15, self and bias terms
        s.eb[u] = decay * s.eb[u] + 1.0  # eq. 17 for the bias (its input is 1)
        for c in self.connections.inputs:
            L, i = c._links, c._c
            g = 1.0 if c.gater is None else c.gater.activation  # eq. 14
            y = c.from_.activation
            L.g[i] = g
            state += g * L.V[L.w_at[i]] * y  # eq. 15
            L.e[i] = decay * L.e[i] + g * y  # eq. 17
        if not -_FMAX <= state <= _FMAX:  # overflowed (inputs near the float limit)
            state = _bounded(state)
        s.state[u] = state
        if self._group is None:
            y = float(self._squash(state))  # eq. 16
            s.act[u] = y
            s.deriv[u] = float(self._squash(state, True))
        elif self is self._group[-1]:  # eq. 16 for a SOFTMAX group, once all its states exist
            states = np.array([m.state for m in self._group])
            ys, ds = self._squash(states), self._squash(states, True)
            for m, ym, dm in zip(self._group, ys.tolist(), ds.tolist()):
                m._units.act[m._u], m._units.deriv[m._u] = ym, dm
            y = s.act[u]
        else:
            y = s.act[u]  # not yet: the group's last unit sets every activation
        # eq. 18: the extended traces of the units gating this one, now that the
        # values that entered s_j(t) are known
        for h, t, self_gated, gated in _gater_info(self):
            T = selfw * old if self_gated else 0.0
            for c in gated:
                T += c._links.V[c._links.w_at[c._c]] * c.from_.activation
            h._T[t] = T
            if selfw == 0:
                continue  # no memory: x^k_ji = f'_j e_ji T_kj, derived in _learn
            coef = h._units.deriv[h._u] * T
            slot = h._xslot[t]
            for c in h.connections.inputs:
                X = c._X
                X[slot] = decay * X[slot] + coef * c._links.e[c._c]
            h._XB[t] = decay * h._XB[t] + coef * h._units.eb[h._u]
        return y

    def _responsibility(self, error: float | None = None) -> None:
        """eqs. 21-23: delta_j from the later units' deltas; ``error`` is an
        output's direct error term (t - y, or minus the cost's derivative)."""
        s, u = self._units, self._u
        fp = s.deriv[u]
        acc = 0.0
        for c in self.connections.projected:  # P_j: later units only (eq. 19)
            k = c.to
            if _before(self, k):
                L, i = c._links, c._c
                acc += k._units.delta[k._u] * L.g[i] * L.V[L.w_at[i]]
        if self._group is not None:
            self._softmax_responsibility(acc, error)
            return
        deltap = fp * acc + (0.0 if error is None else error)  # eq. 21 (eq. 10 for outputs)
        accg = 0.0
        for t, k in enumerate(self._G):  # G_j (eq. 20)
            accg += k._units.delta[k._u] * self._T[t]
        s.deltap[u] = deltap
        s.delta[u] = deltap + fp * accg  # eqs. 22-23

    def _softmax_responsibility(self, acc: float, error: float | None) -> None:
        """eq. 21 through a SOFTMAX group's Jacobian: delta_j = y_j (a_j - sum_i y_i a_i)
        (+ the output's own error term), where a_j = sum over k in P_j of
        delta_k g_kj w_kj. The group's units keep a_j and their error until the
        first of them (the last to propagate) has both for all."""
        s, u = self._units, self._u
        s.deltap[u] = acc
        s.delta[u] = 0.0 if error is None else error
        group = self._group
        assert group is not None  # only SOFTMAX units in a network come here
        if self is not group[0]:
            return
        y = np.array([m.activation for m in group])
        a = np.array([m._units.deltap[m._u] for m in group])
        e = np.array([m._units.delta[m._u] for m in group])
        d = y * (a - float(y @ a)) + e
        for m, dm in zip(group, d.tolist()):
            m._units.deltap[m._u] = m._units.delta[m._u] = dm  # a SOFTMAX unit gates nothing

    def _learn(self, rate: float, grad: np.ndarray | None = None) -> None:
        """eq. 24: change the input weights and the bias by ``rate`` times the
        gradient's opposite (the ascent direction of -error). With ``grad`` (a
        compiled network's gradient array), add it there instead, at each
        learning number's slot.

        For a gated unit k without a self-connection, eq. 18 has no memory:
        x^k_ji = f'_j e_ji T_kj, a product of stored numbers, so it is derived
        here rather than stored: its share joins delta^P_j as f'_j delta_k T_kj."""
        s, u = self._units, self._u
        dk = np.array([k._units.delta[k._u] for k in self._G])
        memory = np.array([k._units.selfw[k._u] != 0 for k in self._G], dtype=bool)
        dp = s.deltap[u] + s.deriv[u] * float(dk[~memory] @ self._T[~memory])
        dk = np.where(memory, dk, 0.0)
        dx = np.zeros(len(self._xslot))  # the same deltas, by slot in an input's _X
        dx[self._xslot[memory]] = dk[memory]
        for c in self.connections.inputs:
            if c._learns:
                L, i, X = c._links, c._c, c._X
                into = L.V if grad is None else grad
                into[L.w_at[i]] += rate * (dp * L.e[i] + dx[:len(X)] @ X)
        if self._learn_bias:
            into = s.V if grad is None else grad
            into[s.bias_at[u]] += rate * (dp * s.eb[u] + dk @ self._XB)

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


_ROOM: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # buffers made by _grown


def _grown(vec: np.ndarray) -> np.ndarray:
    """``vec`` with a 0 appended, in amortized constant time: a longer view of the
    buffer ``vec`` fronts when this function made that buffer with room to spare
    (the caller then drops ``vec``), else a copy into a buffer twice as long."""
    n = len(vec)
    buf = _ROOM.get(id(vec.base))  # a buffer this function made, with room
    if (buf is not None and id(buf) == id(vec.base) and n < len(buf)
            and vec.ctypes.data == buf.ctypes.data):
        out = buf[:n + 1]
        out[n] = 0.0
        return out
    buf = np.zeros(max(4, 2 * (n + 1)))
    buf[:n] = vec
    _ROOM[id(buf)] = buf
    return buf[:n + 1]


def _add_gated_unit(j: Neuron, k: Neuron) -> None:
    """Append k to j's gated units, keeping every trace. When j's arrays hold one
    slot per gated unit in order (always, once j has gated something since it
    last compiled), the arrays grow in place: gating n connections costs time
    linear in n and in j's inputs, not their product times n."""
    n = len(j._G)
    if not (len(j._T) == len(j._XB) == n and np.array_equal(j._xslot, np.arange(n))):
        _set_gated_units(j, j._G + [k])
        return
    j._T, j._XB = _grown(j._T), _grown(j._XB)
    for c in j.connections.inputs:
        X = c._X
        if len(X) == n:
            c._X = _grown(X)
        else:  # an input made before j gated its last unit
            out = np.zeros(n + 1)
            out[:min(len(X), n)] = X[:n]
            c._X = out
    j._xslot = np.arange(n + 1)
    j._G.append(k)


def _set_gated_units(j: Neuron, G_new: list[Neuron]) -> None:
    """Give unit j a new list of gated later units, keeping each kept unit's traces.

    The new arrays are j's own until its network compiles again."""
    old = {k: t for t, k in enumerate(j._G)}
    kept = [(t, old[k]) for t, k in enumerate(G_new) if k in old]
    new_t = np.array([t for t, _ in kept], dtype=np.int64)
    old_t = np.array([t for _, t in kept], dtype=np.int64)

    def remap(vec, slots):
        out = np.zeros(len(G_new))
        at = slots[old_t]
        ok = (at >= 0) & (at < len(vec))
        out[new_t[ok]] = vec[at[ok]]
        return out

    every = np.arange(len(j._G))
    j._T = remap(j._T, every)
    j._XB = remap(j._XB, every)
    for c in j.connections.inputs:
        c._X = remap(c._X, j._xslot)
    j._xslot = np.arange(len(G_new))  # j's own arrays: a slot for every gated unit
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
