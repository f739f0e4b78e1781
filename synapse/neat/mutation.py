"""Mutations: each changes a genome in place and keeps it well formed.

Every function takes the genome, the :class:`~synapse.neat.Config`, a
``random.Random`` (the population's; all draws happen in the parent process)
and, for structural changes, the population's
:class:`~synapse.neat.Innovations`. A structural mutation returns whether it
changed anything (a genome may have no room for it: no connection to split,
no pair left to connect).

>>> import random
>>> from synapse import neat
>>> from synapse.neat import mutation
>>> g = neat.Genome.minimal(2, 1, weights=[0.5, -0.5])
>>> inn = neat.Innovations(next_node=3, next_innovation=2)
>>> mutation.add_node(g, neat.Config(), random.Random(0), inn)
True
>>> g.hidden, g.enabled, len(g.conns)
(1, 3, 4)
"""
from __future__ import annotations

import random

from .config import Config
from .genome import HIDDEN, INPUT, OUTPUT, ConnectionGene, Genome, Innovations, NodeGene

__all__ = ["mutate", "add_node", "add_connection", "add_back_connection",
           "add_self_connection", "add_gate", "remove_gate", "change_squash",
           "toggle_connection", "perturb"]

_TRIES = 20  # random draws to find a free pair before giving up


def _clip(x: float, limit: float) -> float:
    return limit if x > limit else -limit if x < -limit else x


def _hidden_squash(config: Config, r: random.Random, names: tuple) -> str:
    return r.choice(names) if config.hidden_squash == "random" else config.hidden_squash


def add_node(g: Genome, config: Config, r: random.Random, innovations: Innovations,
             names: tuple = ("LOGISTIC",)) -> bool:
    """Split a random enabled connection a -> b (not a self-connection): it is
    disabled; a new hidden unit n (bias 0) gets a -> n with weight 1 and
    n -> b with the old weight and the old gater.

    The new unit's position: half-way between a and b when a -> b is forward,
    so both halves are forward; half-way between 0 and b when it is recurrent
    (then a -> n is recurrent and n -> b forward: the delay stays one step).
    A position depends on a's and b's alone, so a unit has one everywhere. Every
    genome splitting the same connection in one generation gets the same unit
    and innovation numbers."""
    candidates = [c for c in g.conns.values() if c.enabled and c.src != c.dst]
    if not candidates:
        return False
    c = candidates[r.randrange(len(candidates))]
    node, first, second = innovations.split(c.innovation, c.src, c.dst)
    if node in g.nodes or first in g.conns or second in g.conns:
        # this genome already has that unit (a re-enabled gene split again): a fresh one
        node = innovations.fresh_node()
        first = innovations.connection(c.src, node)
        second = innovations.connection(node, c.dst)
    rank = g.rank()
    a, b = g.nodes[c.src], g.nodes[c.dst]
    pos_a = 0.0 if a.kind == INPUT else 1.0 if a.kind == OUTPUT else a.pos
    pos_b = 1.0 if b.kind == OUTPUT else b.pos
    if rank[c.src] < rank[c.dst]:
        pos = (pos_a + pos_b) / 2
    else:  # recurrent: before b (a position that depends on a and b alone)
        pos = pos_b / 2
    if not 0.0 < pos < 1.0:  # positions exhausted by a long chain of splits
        pos = min(max(pos, 5e-324), 1.0 - 2 ** -53)
    c.enabled = False
    g.nodes[node] = NodeGene(node, HIDDEN, 0.0, _hidden_squash(config, r, names), pos)
    g.conns[first] = ConnectionGene(first, c.src, node, 1.0)
    g.conns[second] = ConnectionGene(second, node, c.dst, c.weight, True, c.gater)
    g.changed()
    return True


def _connect(g: Genome, config: Config, r: random.Random, innovations: Innovations,
             forward: bool) -> bool:
    rank = g.rank()
    sources = list(g.nodes)
    targets = [u for u, n in g.nodes.items() if n.kind != INPUT]
    existing = {(c.src, c.dst): c for c in g.conns.values()}
    for _ in range(_TRIES):
        s = sources[r.randrange(len(sources))]
        d = targets[r.randrange(len(targets))]
        if s == d or (rank[s] < rank[d]) != forward:
            continue
        old = existing.get((s, d))
        if old is not None:
            if old.enabled:
                continue
            old.enabled = True  # making it again re-enables the gene
        else:
            k = innovations.connection(s, d)
            g.conns[k] = ConnectionGene(k, s, d, r.gauss(0.0, config.weight_init))
        g.changed()
        return True
    return False


def add_connection(g: Genome, config: Config, r: random.Random,
                   innovations: Innovations) -> bool:
    """A new forward connection s -> d (s before d in activation order), weight
    drawn as a fresh one. A disabled gene for the pair is re-enabled instead."""
    return _connect(g, config, r, innovations, forward=True)


def add_back_connection(g: Genome, config: Config, r: random.Random,
                        innovations: Innovations) -> bool:
    """A new recurrent connection s -> d (d before s: it reads s one step late)."""
    return _connect(g, config, r, innovations, forward=False)


def add_self_connection(g: Genome, config: Config, r: random.Random,
                        innovations: Innovations) -> bool:
    """A self-connection on a hidden or output unit that has none (an enabled
    one), of weight ``config.self_weight`` (or drawn as a fresh one)."""
    free = [u for u, n in g.nodes.items() if n.kind != INPUT]
    r.shuffle(free)
    for u in free:
        k = innovations.connection(u, u)
        old = g.conns.get(k)
        if old is not None and old.enabled:
            continue
        if old is not None:
            old.enabled = True
        else:
            w = r.gauss(0.0, config.weight_init) if config.self_weight is None \
                else config.self_weight
            g.conns[k] = ConnectionGene(k, u, u, w)
        g.changed()
        return True
    return False


def add_gate(g: Genome, config: Config, r: random.Random, innovations: Innovations) -> bool:
    """A random hidden or output unit gates a random enabled, ungated connection."""
    free = [c for c in g.conns.values() if c.enabled and c.gater is None]
    gaters = [u for u, n in g.nodes.items() if n.kind != INPUT]
    if not free or not gaters:
        return False
    c = free[r.randrange(len(free))]
    c.gater = gaters[r.randrange(len(gaters))]
    g.changed()
    return True


def remove_gate(g: Genome, config: Config, r: random.Random,
                innovations: Innovations | None = None) -> bool:
    """Ungate a random gated connection."""
    gated = [c for c in g.conns.values() if c.gater is not None]
    if not gated:
        return False
    gated[r.randrange(len(gated))].gater = None
    g.changed()
    return True


def change_squash(g: Genome, config: Config, r: random.Random, names: tuple) -> bool:
    """Give a random hidden unit (or output unit, with ``mutate_output_squash``)
    another squash drawn from ``names``."""
    kinds = (HIDDEN, OUTPUT) if config.mutate_output_squash else (HIDDEN,)
    units = [n for n in g.nodes.values() if n.kind in kinds]
    if not units:
        return False
    n = units[r.randrange(len(units))]
    others = [s for s in names if s != n.squash]
    if not others:
        return False
    n.squash = others[r.randrange(len(others))]
    g.changed()
    return True


def toggle_connection(g: Genome, config: Config, r: random.Random,
                      innovations: Innovations | None = None) -> bool:
    """Enable a random disabled connection, or disable a random enabled one."""
    if not g.conns:
        return False
    c = g.conns[r.choice(sorted(g.conns))]
    c.enabled = not c.enabled
    g.changed()
    return True


def perturb(g: Genome, config: Config, r: random.Random) -> None:
    """Each weight (self-connections' too): with chance ``weight_replace`` a
    fresh draw, else with chance ``weight_rate`` plus normal(0, weight_power);
    each hidden and output bias likewise with the bias settings. Clipped to
    +-``weight_limit``."""
    limit = config.weight_limit
    rate, replace = config.weight_rate, config.weight_replace
    power, init = config.weight_power, config.weight_init
    for k in sorted(g.conns):
        c = g.conns[k]
        x = r.random()
        if x < replace:
            c.weight = _clip(r.gauss(0.0, init), limit)
        elif x < replace + rate:
            c.weight = _clip(c.weight + r.gauss(0.0, power), limit)
    rate, replace = config.bias_rate, config.bias_replace
    power, init = config.bias_power, config.bias_init
    for u in sorted(g.nodes):
        n = g.nodes[u]
        if n.kind == INPUT:
            continue
        x = r.random()
        if x < replace:
            n.bias = _clip(r.gauss(0.0, init), limit)
        elif x < replace + rate:
            n.bias = _clip(n.bias + r.gauss(0.0, power), limit)
    g.changed()


def mutate(g: Genome, config: Config, r: random.Random, innovations: Innovations,
           names: tuple) -> None:
    """One child's mutations: each structural mutation with its probability (in
    the order of :class:`Config`'s fields), then :func:`perturb`. ``names``
    are the squash names (``config.squash_names()``)."""
    if r.random() < config.add_node:
        add_node(g, config, r, innovations, names)
    if r.random() < config.add_connection:
        add_connection(g, config, r, innovations)
    if r.random() < config.add_back_connection:
        add_back_connection(g, config, r, innovations)
    if r.random() < config.add_self_connection:
        add_self_connection(g, config, r, innovations)
    if r.random() < config.add_gate:
        add_gate(g, config, r, innovations)
    if r.random() < config.remove_gate:
        remove_gate(g, config, r)
    if r.random() < config.change_squash:
        change_squash(g, config, r, names)
    if r.random() < config.toggle_connection:
        toggle_connection(g, config, r)
    perturb(g, config, r)
