"""Crossover: genes aligned by innovation number.

Matching genes (the same innovation number in both parents) are inherited
from either parent at random; disjoint and excess genes (in one parent only)
come from the fitter parent, whose units the child keeps. A gene disabled in
either parent is disabled in the child with probability
``config.disable_inherited``.

>>> import random
>>> from synapse import neat
>>> from synapse.neat.crossover import crossover
>>> a = neat.Genome.minimal(2, 1, weights=[1.0, 1.0]); a.fitness = 2.0
>>> b = neat.Genome.minimal(2, 1, weights=[5.0, 5.0]); b.fitness = 1.0
>>> child = crossover(a, b, neat.Config(), random.Random(1))
>>> sorted(child.conns) == sorted(a.conns), set(c.weight for c in child.connections()) <= {1.0, 5.0}
(True, True)
"""
from __future__ import annotations

import random

from .config import Config
from .genome import Genome

__all__ = ["crossover", "fitter"]


def fitter(a: Genome, b: Genome) -> tuple[Genome, Genome]:
    """(the fitter parent, the other). On equal fitness the one with fewer
    connection genes counts as fitter (the simpler network), then ``a``."""
    fa = -float("inf") if a.fitness is None else a.fitness
    fb = -float("inf") if b.fitness is None else b.fitness
    if fb > fa or (fb == fa and len(b.conns) < len(a.conns)):
        return b, a
    return a, b


def crossover(a: Genome, b: Genome, config: Config, r: random.Random) -> Genome:
    """A child of ``a`` and ``b`` (see the module's documentation)."""
    best, other = fitter(a, b)
    child = Genome(best.n_in, best.n_out)
    for u in sorted(best.nodes):
        unit = best.nodes[u]
        twin = other.nodes.get(u)
        child.nodes[u] = (twin if twin is not None and r.random() < 0.5 else unit).copy()
    off = config.disable_inherited
    for k in sorted(best.conns):
        mine = best.conns[k]
        theirs = other.conns.get(k)
        if theirs is None:
            gene = mine.copy()
        else:
            gene = (theirs if r.random() < 0.5 else mine).copy()
            if gene.gater is not None and gene.gater not in child.nodes:
                gene.gater = mine.gater  # the other parent's gater is not in the child
            if not (mine.enabled and theirs.enabled):
                gene.enabled = r.random() >= off
        child.conns[k] = gene
    return child
