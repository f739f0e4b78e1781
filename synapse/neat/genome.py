"""Genomes: node genes and connection genes with innovation numbers.

A genome is an arbitrary directed graph over units, as plain data:

* **node genes**: input units (ids ``0 .. n_in-1``), output units (ids
  ``n_in .. n_in+n_out-1``) and hidden units (ids from the population's
  counter). A hidden or output unit has a bias and a squash name (a key of
  ``synapse.squash.BY_NAME``). A hidden unit also has a *position* in (0, 1),
  fixed when it is created: inputs sit at 0, outputs at 1.
* **connection genes**: source, target, weight, enabled, and an optional gater
  (a hidden or output unit whose activation multiplies the connection, eq. 14
  of docs/equations.md). A gene from a unit to itself is the unit's
  self-connection. Each gene has an innovation number, the same for the same
  (source, target) pair everywhere in the population.

**Activation order.** The genome becomes a :class:`~synapse.network.Network`
with an input layer (ids in order), one hidden layer (hidden units sorted by
(position, id)) and an output layer (ids in order). A connection to a later
unit is read in the same step; a connection to the same or an earlier unit is
recurrent: it delivers the value of the previous step (docs/equations.md,
"Units, order and time"). Positions make this a property of the genes, the
same in every genome: a new unit splitting a forward connection a -> b sits
half-way between a and b, so both halves stay forward.

>>> from synapse import neat
>>> g = neat.Genome.minimal(2, 1, weights=[0.5, -0.5], biases=[0.25])
>>> [(c.innovation, c.src, c.dst, c.weight) for c in g.connections()]
[(0, 0, 2, 0.5), (1, 1, 2, -0.5)]
>>> net = g.network()
>>> round(float(net.activate([1, 0])[0]), 6)     # logistic(0.5 + 0.25)
0.679179
"""
from __future__ import annotations

from collections.abc import Iterable

from .. import _check

__all__ = ["Genome", "NodeGene", "ConnectionGene", "Innovations", "INPUT", "HIDDEN", "OUTPUT"]

INPUT, HIDDEN, OUTPUT = 0, 1, 2
_KINDS = {INPUT: "input", HIDDEN: "hidden", OUTPUT: "output"}


class NodeGene:
    """A unit: ``id``, ``kind`` (INPUT, HIDDEN or OUTPUT), ``bias``, ``squash``
    (a name in ``synapse.squash.BY_NAME``) and ``pos`` (its place in activation
    order among the hidden units: inputs 0, outputs 1)."""

    __slots__ = ("id", "kind", "bias", "squash", "pos")

    def __init__(self, id: int, kind: int, bias: float = 0.0, squash: str = "LOGISTIC",
                 pos: float = 0.5):
        self.id, self.kind, self.bias, self.squash, self.pos = id, kind, bias, squash, pos

    def copy(self) -> NodeGene:
        return NodeGene(self.id, self.kind, self.bias, self.squash, self.pos)

    def __repr__(self) -> str:
        return (f"NodeGene({self.id}, {_KINDS[self.kind]}, bias={self.bias:.4g}, "
                f"squash={self.squash}, pos={self.pos:.4g})")


class ConnectionGene:
    """A connection ``src -> dst`` with ``weight``, ``enabled`` and ``gater``
    (a unit id, or None), identified by its ``innovation`` number."""

    __slots__ = ("innovation", "src", "dst", "weight", "enabled", "gater")

    def __init__(self, innovation: int, src: int, dst: int, weight: float, enabled: bool = True,
                 gater: int | None = None):
        self.innovation, self.src, self.dst = innovation, src, dst
        self.weight, self.enabled, self.gater = weight, enabled, gater

    def copy(self) -> ConnectionGene:
        return ConnectionGene(self.innovation, self.src, self.dst, self.weight, self.enabled,
                              self.gater)

    def __repr__(self) -> str:
        gate = f", gater={self.gater}" if self.gater is not None else ""
        off = "" if self.enabled else ", disabled"
        return (f"ConnectionGene({self.innovation}: {self.src} -> {self.dst}, "
                f"weight={self.weight:.4g}{gate}{off})")


class Innovations:
    """The population's numbering of structural novelties.

    A connection (src, dst) gets one innovation number, the first time any
    genome makes it; every later genome making the same pair gets the same
    number. A split of connection X within one generation gives the same new
    unit (and the same two connections) to every genome that splits X in that
    generation (``new_generation`` forgets the splits).

    >>> from synapse.neat import Innovations
    >>> inn = Innovations(next_node=3)
    >>> inn.connection(0, 2), inn.connection(1, 2), inn.connection(0, 2)
    (0, 1, 0)
    >>> inn.split(0, 0, 2), inn.split(0, 0, 2)
    ((3, 2, 3), (3, 2, 3))
    """

    def __init__(self, next_node: int = 0, next_innovation: int = 0):
        self.next_node = next_node
        self.next_innovation = next_innovation
        self.pairs: dict[tuple[int, int], int] = {}
        self.splits: dict[int, tuple[int, int, int]] = {}

    def connection(self, src: int, dst: int) -> int:
        """The innovation number of the connection src -> dst."""
        key = (src, dst)
        number = self.pairs.get(key)
        if number is None:
            number = self.pairs[key] = self.next_innovation
            self.next_innovation += 1
        return number

    def split(self, innovation: int, src: int, dst: int) -> tuple[int, int, int]:
        """(new unit, innovation of src -> unit, innovation of unit -> dst) for a
        split of connection ``innovation`` (src -> dst) in this generation."""
        known = self.splits.get(innovation)
        if known is None:
            node = self.fresh_node()
            known = self.splits[innovation] = (node, self.connection(src, node),
                                               self.connection(node, dst))
        return known

    def fresh_node(self) -> int:
        node = self.next_node
        self.next_node += 1
        return node

    def new_generation(self) -> None:
        """Forget this generation's splits (connections keep their numbers)."""
        self.splits.clear()

    def to_dict(self) -> dict:
        return {"next_node": self.next_node, "next_innovation": self.next_innovation,
                "pairs": [[s, d, n] for (s, d), n in self.pairs.items()],
                "splits": [[k, *v] for k, v in self.splits.items()]}

    @classmethod
    def from_dict(cls, data: dict) -> Innovations:
        inn = cls(int(data["next_node"]), int(data["next_innovation"]))
        inn.pairs = {(int(s), int(d)): int(n) for s, d, n in data["pairs"]}
        inn.splits = {int(k): (int(a), int(b), int(c)) for k, a, b, c in data["splits"]}
        return inn


class Genome:
    """Node genes and connection genes (see the module's documentation).

    ``nodes`` maps unit id -> :class:`NodeGene`; ``conns`` maps innovation
    number -> :class:`ConnectionGene`. ``fitness`` is the last score (None
    before evaluation). Genomes are built by :meth:`minimal`, by mutation and
    crossover (:mod:`synapse.neat.mutation`, :mod:`synapse.neat.crossover`)
    and by :meth:`from_data`.
    """

    __slots__ = ("n_in", "n_out", "nodes", "conns", "fitness", "_plan")

    def __init__(self, n_in: int, n_out: int):
        self.n_in, self.n_out = n_in, n_out
        self.nodes: dict[int, NodeGene] = {}
        self.conns: dict[int, ConnectionGene] = {}
        self.fitness: float | None = None
        self._plan: tuple | None = None

    # ---- making ----
    @classmethod
    def minimal(cls, n_in: int, n_out: int, weights: Iterable[float] | None = None,
                biases: Iterable[float] | None = None, squash: str = "LOGISTIC",
                innovations: Innovations | None = None) -> Genome:
        """Inputs connected to every output (innovation numbers 0, 1, ... in
        (input, output) order unless ``innovations`` numbers them), with the
        given weights and biases (zeros when None)."""
        n_in = _check.count(n_in, "inputs", minimum=1)
        n_out = _check.count(n_out, "outputs", minimum=1)
        g = cls(n_in, n_out)
        for i in range(n_in):
            g.nodes[i] = NodeGene(i, INPUT, 0.0, "IDENTITY", 0.0)
        bs = [0.0] * n_out if biases is None else [float(b) for b in biases]
        if len(bs) != n_out:
            raise ValueError(f"biases must have {n_out} values, got {len(bs)}")
        for k in range(n_out):
            g.nodes[n_in + k] = NodeGene(n_in + k, OUTPUT, bs[k], squash, 1.0)
        pairs = [(i, n_in + k) for i in range(n_in) for k in range(n_out)]
        ws = [0.0] * len(pairs) if weights is None else [float(w) for w in weights]
        if len(ws) != len(pairs):
            raise ValueError(f"weights must have {len(pairs)} values, got {len(ws)}")
        for n, ((s, d), w) in enumerate(zip(pairs, ws)):
            number = n if innovations is None else innovations.connection(s, d)
            g.conns[number] = ConnectionGene(number, s, d, w)
        return g

    def copy(self) -> Genome:
        """An independent copy (without fitness)."""
        g = Genome(self.n_in, self.n_out)
        g.nodes = {k: v.copy() for k, v in self.nodes.items()}
        g.conns = {k: v.copy() for k, v in self.conns.items()}
        return g

    def changed(self) -> None:
        """Forget the cached network plan (call after editing genes by hand)."""
        self._plan = None

    # ---- reading ----
    def connections(self) -> list[ConnectionGene]:
        """The connection genes in innovation order."""
        return [self.conns[k] for k in sorted(self.conns)]

    def order(self) -> list[int]:
        """Unit ids in activation order: inputs, hidden by (position, id), outputs."""
        return sorted(self.nodes, key=self.rank().__getitem__)

    def rank(self) -> dict[int, tuple]:
        """Each unit's sort key in activation order (smaller activates first)."""
        return {n.id: (n.kind, n.pos if n.kind == HIDDEN else 0.0, n.id)
                for n in self.nodes.values()}

    @property
    def hidden(self) -> int:
        """How many hidden units."""
        return sum(n.kind == HIDDEN for n in self.nodes.values())

    @property
    def enabled(self) -> int:
        """How many enabled connection genes."""
        return sum(c.enabled for c in self.conns.values())

    def plan(self) -> tuple:
        """What a worker needs to build the network: ``(key, weights, biases)``.

        ``key`` is the structure, hashable, as unit indices in activation order:
        ``(n_in, n_out, squashes, links, selfs)`` with the squash names of the
        non-input units, ``links`` the (source, target, gater or -1) of each
        enabled connection between two units (innovation order) and ``selfs``
        the (unit, weight, gater or -1) of each enabled self-connection.
        ``weights`` (one per link) and ``biases`` (one per non-input unit) are
        the numbers evolution and training change. Cached until the genome
        changes (:meth:`changed`)."""
        if self._plan is None:
            order = self.order()
            index = {u: i for i, u in enumerate(order)}
            squashes = tuple(self.nodes[u].squash for u in order[self.n_in:])
            biases = tuple(self.nodes[u].bias for u in order[self.n_in:])
            links, weights, selfs = [], [], []
            for k in sorted(self.conns):
                c = self.conns[k]
                if not c.enabled:
                    continue
                gater = -1 if c.gater is None else index[c.gater]
                if c.src == c.dst:
                    selfs.append((index[c.src], c.weight, gater))
                else:
                    links.append((index[c.src], index[c.dst], gater))
                    weights.append(c.weight)
            key = (self.n_in, self.n_out, squashes, tuple(links), tuple(selfs))
            self._plan = (key, tuple(weights), biases)
        return self._plan

    def set_values(self, weights, biases) -> None:
        """Write back the numbers of :meth:`plan`'s order (Lamarckian inheritance
        of trained weights): one weight per enabled non-self connection in
        innovation order, one bias per non-input unit in activation order."""
        order = self.order()
        targets = [self.conns[k] for k in sorted(self.conns)
                   if self.conns[k].enabled and self.conns[k].src != self.conns[k].dst]
        if len(weights) != len(targets) or len(biases) != len(order) - self.n_in:
            raise ValueError(f"set_values needs {len(targets)} weights and "
                             f"{len(order) - self.n_in} biases, got {len(weights)} and "
                             f"{len(biases)}")
        for c, w in zip(targets, weights):
            c.weight = float(w)
        for u, b in zip(order[self.n_in:], biases):
            self.nodes[u].bias = float(b)
        self._plan = None

    def network(self):
        """The genome as a :class:`~synapse.network.Network` (a new one)."""
        from .evaluate import build

        key, weights, biases = self.plan()
        return build(key, weights, biases).net

    def check(self) -> None:
        """ValueError unless the genome is well formed: every connection between
        existing units, into a non-input unit, at most one gene per pair, and
        every gater a hidden or output unit."""
        ids = self.nodes
        kinds = [n.kind for n in ids.values()]
        if kinds.count(INPUT) != self.n_in or kinds.count(OUTPUT) != self.n_out:
            raise ValueError(f"genome needs {self.n_in} inputs and {self.n_out} outputs, has "
                             f"{kinds.count(INPUT)} and {kinds.count(OUTPUT)}")
        for u, n in ids.items():
            if n.id != u:
                raise ValueError(f"node gene {n!r} is filed under id {u}")
            if n.kind == HIDDEN and not 0.0 < n.pos < 1.0:
                raise ValueError(f"hidden unit {u} has position {n.pos}, not in (0, 1)")
        pairs = set()
        for k, c in self.conns.items():
            if c.innovation != k:
                raise ValueError(f"connection gene {c!r} is filed under {k}")
            if c.src not in ids or c.dst not in ids:
                raise ValueError(f"connection {k} joins a unit the genome lacks: {c!r}")
            if ids[c.dst].kind == INPUT:
                raise ValueError(f"connection {k} goes into input unit {c.dst}")
            if c.gater is not None and (c.gater not in ids or ids[c.gater].kind == INPUT):
                raise ValueError(f"connection {k} is gated by {c.gater}, not a hidden or "
                                 f"output unit of the genome")
            if (c.src, c.dst) in pairs:
                raise ValueError(f"two connection genes join {c.src} -> {c.dst}")
            pairs.add((c.src, c.dst))

    # ---- plain data ----
    def to_data(self) -> dict:
        """JSON-ready plain data (:meth:`from_data` reads it back exactly)."""
        return {"inputs": self.n_in, "outputs": self.n_out, "fitness": self.fitness,
                "nodes": [[n.id, n.kind, n.bias, n.squash, n.pos]
                          for n in sorted(self.nodes.values(), key=lambda n: n.id)],
                "connections": [[c.innovation, c.src, c.dst, c.weight, c.enabled, c.gater]
                                for c in self.connections()]}

    @classmethod
    def from_data(cls, data: dict) -> Genome:
        """A genome from :meth:`to_data`'s dict (checked with :meth:`check`)."""
        _check.keys(data, "genome data", required=("inputs", "outputs", "nodes", "connections"),
                    optional=("fitness",))
        g = cls(_check.count(data["inputs"], "genome inputs", minimum=1),
                _check.count(data["outputs"], "genome outputs", minimum=1))
        for i, row in enumerate(data["nodes"]):
            if not isinstance(row, (list, tuple)) or len(row) != 5 or row[1] not in _KINDS \
                    or not isinstance(row[3], str):
                raise ValueError(f"node gene {i} must be [id, kind 0/1/2, bias, squash name, "
                                 f"position], got {_check.came(row)}")
            u = _check.integer(row[0], "unit id", minimum=0)
            g.nodes[u] = NodeGene(u, int(row[1]), _check.number(row[2], "bias"), row[3],
                                  _check.number(row[4], "position"))
        for i, row in enumerate(data["connections"]):
            if not isinstance(row, (list, tuple)) or len(row) != 6:
                raise ValueError(f"connection gene {i} must be [innovation, source, target, "
                                 f"weight, enabled, gater or None], got {_check.came(row)}")
            k, s, d, w, on, gater = row
            k = _check.integer(k, "innovation", minimum=0)
            g.conns[k] = ConnectionGene(k, _check.integer(s, "source", minimum=0),
                                        _check.integer(d, "target", minimum=0),
                                        _check.number(w, "weight"), _check.flag(on, "enabled"),
                                        None if gater is None
                                        else _check.integer(gater, "gater", minimum=0))
        fitness = data.get("fitness")
        g.fitness = None if fitness is None else float(fitness)
        g.check()
        return g

    def __repr__(self) -> str:
        return (f"Genome({self.n_in} in, {self.hidden} hidden, {self.n_out} out, "
                f"{self.enabled}/{len(self.conns)} connections enabled, fitness={self.fitness})")
