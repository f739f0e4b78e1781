"""Species: genomes grouped by compatibility distance.

The distance between two genomes (Stanley and Miikkulainen 2002, eq. 1) is

    delta = c_excess * E / N + c_disjoint * D / N + c_weight * W

over their connection genes aligned by innovation number: E genes lie past
the other genome's last innovation (excess), D genes are missing from the
other genome below it (disjoint), N is the larger genome's number of
connection genes (1 when both have fewer than 20, as in the paper), and W is
the mean difference of the matching genes: the weight difference, plus 1 when
their gaters differ, averaged together with the bias differences of the
hidden and output units both genomes have.

>>> from synapse import neat
>>> a = neat.Genome.minimal(2, 1, weights=[1.0, 1.0])
>>> b = neat.Genome.minimal(2, 1, weights=[1.5, 0.0])
>>> round(neat.distance(a, b, neat.Config()), 6)      # 0.1 * (0.5 + 1.0 + 0) / 3
0.05
"""
from __future__ import annotations

import random

from .config import Config
from .genome import INPUT, Genome

__all__ = ["Species", "distance", "speciate"]


def distance(a: Genome, b: Genome, config: Config) -> float:
    """The compatibility distance (see the module's documentation)."""
    ca, cb = a.conns, b.conns
    if len(ca) > len(cb):
        ca, cb = cb, ca
    diff = 0.0
    matching = 0
    for k, x in ca.items():
        y = cb.get(k)
        if y is not None:
            matching += 1
            d = x.weight - y.weight
            diff += (d if d > 0 else -d) + (x.gater != y.gater)
    apart = len(ca) + len(cb) - 2 * matching
    if config.c_excess == config.c_disjoint or not ca:
        genes = config.c_excess * apart
    else:
        last = max(ca)
        excess = sum(k > last for k in cb)
        genes = config.c_excess * excess + config.c_disjoint * (apart - excess)
    na, nb = a.nodes, b.nodes
    if len(na) > len(nb):
        na, nb = nb, na
    shared = matching
    for u, unit in na.items():
        if unit.kind != INPUT:
            twin = nb.get(u)
            if twin is not None:
                d = unit.bias - twin.bias
                diff += d if d > 0 else -d
                shared += 1
    n = len(cb)
    n = 1 if n < 20 else n
    return genes / n + (config.c_weight * diff / shared if shared else 0.0)


class Species:
    """A species: ``id``, ``members`` (genomes of the current generation),
    ``representative`` (the genome new ones are compared with), ``created``
    (the generation it appeared in), ``best`` (its best fitness ever) and
    ``improved`` (the generation of that best)."""

    __slots__ = ("id", "members", "representative", "created", "best", "improved")

    def __init__(self, id: int, representative: Genome, created: int):
        self.id = id
        self.representative = representative
        self.members: list[Genome] = []
        self.created = created
        self.best: float | None = None
        self.improved = created

    @property
    def size(self) -> int:
        return len(self.members)

    def fitness(self) -> float:
        """The members' best fitness now (-inf before evaluation)."""
        return max((g.fitness for g in self.members if g.fitness is not None),
                   default=-float("inf"))

    def __repr__(self) -> str:
        return (f"Species({self.id}, {self.size} members, best={self.best}, "
                f"created={self.created}, improved={self.improved})")


def speciate(genomes: list[Genome], species: list[Species], config: Config, threshold: float,
             generation: int, next_id: int) -> tuple[list[Species], int]:
    """Place each genome (in order) in the first species (in id order) whose
    representative is closer than ``threshold``, or found a new species with it
    as representative. Returns (the species that have members, the next id).
    Existing species keep their representatives; the caller picks new ones
    before the next call."""
    for s in species:
        s.members = []
    alive = list(species)
    for g in genomes:
        for s in alive:
            if distance(g, s.representative, config) < threshold:
                s.members.append(g)
                break
        else:
            s = Species(next_id, g, generation)
            next_id += 1
            s.members.append(g)
            alive.append(s)
    return [s for s in alive if s.members], next_id


def pick_representatives(species: list[Species], r: random.Random) -> None:
    """Each species' representative for the next speciation: a random member."""
    for s in species:
        s.representative = s.members[r.randrange(len(s.members))]
