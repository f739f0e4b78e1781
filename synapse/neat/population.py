"""The population: evaluation on any executor, selection, reproduction, checkpoints.

One generation: (1) make the next population from the last evaluated one
(stagnant species removed, offspring shared among species by fitness sharing,
elites copied, children by crossover and mutation, then speciation); (2) score
every genome, on an executor or in this process; (3) record and print a line.

Every random draw happens here, in the parent process, from one
``random.Random``; workers only score. So the result for a seed is the same
on every executor and with any number of workers.
"""
from __future__ import annotations

import json
import math
import os
import pickle
import random
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, Callable

from .. import _check, serialize
from ..network import Network
from . import evaluate
from .config import Config
from .crossover import crossover
from .genome import INPUT, Genome, Innovations
from .mutation import mutate
from .species import Species, pick_representatives, speciate

__all__ = ["Population"]

_FORMAT = "synapse.neat.Population"
_LINE = ("generation {generation} best {best:.6g} mean {mean:.6g} species {species} "
         "evaluations {evaluations} time {time:.3g}s")  # XOR generations take milliseconds


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _check_backprop(backprop) -> dict | None:
    if backprop is None:
        return None
    if not isinstance(backprop, dict):
        raise TypeError(f"backprop must be None or a dict of Trainer options, got "
                        f"{_check.came(backprop)}")
    task = backprop.get("task", "train")
    _check.choice(task, "backprop's task", evaluate.TASKS)
    if task == "train" and "training_set" not in backprop:
        raise ValueError("backprop needs a 'training_set' (or a 'task' naming one of the "
                         "Trainer's built-in tasks)")
    return dict(backprop)


def _fit(g: Genome) -> float:
    """An evaluated genome's fitness."""
    if g.fitness is None:  # pragma: no cover - every genome is scored before it is read
        raise RuntimeError("a genome was read before it was scored")
    return g.fitness


def _picklable(x, what: str) -> None:
    """TypeError unless ``x`` can travel to a worker process."""
    try:
        pickle.dumps(x)
    except Exception as e:
        raise TypeError(f"{what} must be picklable to be scored in worker processes (a "
                        f"module-level function, or an instance of a module-level class), "
                        f"got {_check.came(x)}: {e}") from None


class Population:
    """A NEAT population of genomes with ``n_in`` inputs and ``n_out`` outputs.

    Parameters
    ----------
    n_in, n_out : int
        The networks' inputs and outputs.
    size : int, default 150
        Genomes per generation.
    config : Config, optional
        The settings (``Config()``'s defaults when None).
    seed : int, optional
        Seeds the population's random generator; None draws a seed from the
        operating system (the run can still be checkpointed and resumed).

    Attributes
    ----------
    generation : int
        How many generations have been evaluated.
    genomes : list of Genome
        The current generation.
    species : list of Species
        The current generation's species.
    best : Network or None
        The best genome ever evaluated, as a new network (None before evolving).
    best_genome : Genome or None
    history : list of dict
        One entry per generation: ``generation`` (numbered from 0), ``best`` and
        ``mean`` fitness of that generation, ``species``, ``evaluations``
        (fitness calls so far, in all), ``time`` (seconds that generation took:
        reproduction and evaluation), and with backprop ``refinements`` (the
        Trainer's iterations that generation).

    Examples
    --------
    >>> from synapse import neat
    >>> pop = neat.Population(2, 1, size=30, seed=1)
    >>> best = pop.evolve(neat.tasks.xor, generations=3, executor="serial", log=False)
    >>> pop.generation, len(pop.history), best.inputs(), best.outputs()
    (3, 3, 2, 1)
    >>> pop.history[-1]["evaluations"]
    90
    """

    def __init__(self, n_in: int, n_out: int, size: int = 150, config: Config | None = None,
                 seed: int | None = None):
        self.n_in = _check.count(n_in, "Population inputs", minimum=1)
        self.n_out = _check.count(n_out, "Population outputs", minimum=1)
        self.size = _check.count(size, "Population size", minimum=2)
        if config is None:
            config = Config()
        if not isinstance(config, Config):
            raise TypeError(f"config must be a neat.Config or None, got {_check.came(config)}")
        self.config = config
        if seed is not None:
            seed = _check.integer(seed, "seed", minimum=0)
        self.rng = random.Random(seed)
        self.generation = 0
        self.evaluations = 0
        self.threshold = config.threshold
        self.history: list[dict] = []
        self.best_genome: Genome | None = None
        self.innovations = Innovations(next_node=self.n_in + self.n_out)
        self.genomes: list[Genome] = []
        self.species: list[Species] = []
        self._next_species = 0
        self._evaluated = False
        self._first()

    # ---- the first generation ----
    def _first(self) -> None:
        config, r = self.config, self.rng
        config.squash_names()  # every name known, or a ValueError now
        for _ in range(self.size):  # Genome.minimal numbers the connections (s, d) in order
            g = Genome.minimal(self.n_in, self.n_out, squash=config.output_squash,
                               innovations=self.innovations)
            for k in sorted(g.conns):
                c = g.conns[k]
                c.weight = r.gauss(0.0, config.weight_init)
                c.enabled = config.initial_connection >= 1.0 or r.random() < \
                    config.initial_connection
            for u in sorted(g.nodes):
                if g.nodes[u].kind != INPUT:
                    g.nodes[u].bias = r.gauss(0.0, config.bias_init)
            g.changed()
            self.genomes.append(g)
        self.species, self._next_species = speciate(self.genomes, [], config, self.threshold,
                                                    0, self._next_species)

    # ---- reading ----
    @property
    def best(self) -> Network | None:
        return None if self.best_genome is None else self.best_genome.network()

    @property
    def best_fitness(self) -> float | None:
        return None if self.best_genome is None else self.best_genome.fitness

    def __repr__(self) -> str:
        return (f"Population({self.n_in} in, {self.n_out} out, size={self.size}, "
                f"generation={self.generation}, species={len(self.species)}, "
                f"best={self.best_fitness})")

    # ---- one generation ----
    def _offspring(self, alive: list[Species]) -> list[int]:
        """How many children each species gets: in proportion to its members'
        mean fitness (fitness sharing), shifted so the worst genome counts 0;
        at least ``min_species_size`` each where the population allows; the
        total is exactly ``size`` (largest remainders first)."""
        lowest = min(_fit(g) for s in alive for g in s.members)
        shares = [sum(_fit(g) - lowest for g in s.members) / len(s.members) for s in alive]
        total = sum(shares)
        n = self.size
        if total <= 0:
            shares, total = [1.0] * len(alive), float(len(alive))
        raw = [n * x / total for x in shares]
        counts = [int(math.floor(x)) for x in raw]
        order = sorted(range(len(alive)), key=lambda i: (-(raw[i] - counts[i]), i))
        for i in order[:n - sum(counts)]:
            counts[i] += 1
        least = min(self.config.min_species_size, n // len(alive))
        for i in range(len(alive)):
            while counts[i] < least:  # take from the largest
                j = max(range(len(alive)), key=lambda j: (counts[j], -j))
                counts[j] -= 1
                counts[i] += 1
        return counts

    def _reproduce(self) -> None:
        config, r = self.config, self.rng
        names = config.squash_names()
        gen = self.generation  # the generation being made
        for s in self.species:
            top = s.fitness()
            if s.best is None or top > s.best:
                s.best, s.improved = top, gen - 1
        ranked = sorted(self.species, key=lambda s: (-(s.best or 0.0), s.id))
        protected = {s.id for s in ranked[:config.species_elitism]}
        alive = [s for s in self.species
                 if s.id in protected or gen - 1 - s.improved < config.stagnation]
        if not alive:
            alive = ranked[:1]
        counts = self._offspring(alive)
        parents_of = []
        for s in alive:
            members = sorted(s.members, key=lambda g: -_fit(g))  # stable: ties keep order
            keep = max(1, int(math.ceil(config.survival * len(members))))
            parents_of.append(members[:keep])
        self.innovations.new_generation()
        children: list[Genome] = []
        for k, n in enumerate(counts):
            parents = parents_of[k]
            elites = min(config.elitism, n, len(parents))
            children += parents[:elites]
            for _ in range(n - elites):
                mother = parents[r.randrange(len(parents))]
                if r.random() < config.crossover:
                    if len(alive) > 1 and r.random() < config.interspecies:
                        others = parents_of[(k + 1 + r.randrange(len(alive) - 1)) % len(alive)]
                        father = others[r.randrange(len(others))]
                    else:
                        father = parents[r.randrange(len(parents))]
                    child = crossover(mother, father, config, r)
                else:
                    child = mother.copy()
                mutate(child, config, r, self.innovations, names)
                children.append(child)
        pick_representatives(alive, r)
        self.genomes = children
        self.species, self._next_species = speciate(children, alive, config, self.threshold,
                                                    gen, self._next_species)
        if config.target_species is not None:
            if len(self.species) < config.target_species:
                self.threshold = max(config.threshold_min, self.threshold - config.threshold_step)
            elif len(self.species) > config.target_species:
                self.threshold += config.threshold_step

    def _chunks(self, executor) -> int:
        return self.config.chunks or (1 if executor is None else 4 * _cpus())

    def _evaluate(self, fitness, executor: Executor | None, backprop: dict | None) -> int:
        """Score every genome; returns the Trainer's iterations (with backprop)."""
        r = self.rng
        items = []
        for g in self.genomes:
            key, weights, biases = g.plan()
            state = (r.getrandbits(128), r.getrandbits(128) | 1)
            items.append((key, weights, biases, state))
        n = len(items)
        parts = min(n, self._chunks(executor))
        bounds = [n * i // parts for i in range(parts + 1)]
        batches = [items[bounds[i]:bounds[i + 1]] for i in range(parts)]
        if executor is None:
            results = [x for b in batches for x in evaluate.score(fitness, backprop, b)]
        else:
            futures = [executor.submit(evaluate.score, fitness, backprop, b) for b in batches]
            results = [x for f in futures for x in f.result()]
        refinements = 0
        for i, (g, (value, weights, biases, iterations)) in enumerate(zip(self.genomes,
                                                                         results)):
            value = _check.number(value, f"fitness of genome {i}")
            if weights is not None:
                g.set_values(weights, biases)  # Lamarckian: the trained numbers are inherited
            g.fitness = value
            refinements += iterations
        self.evaluations += n
        return refinements

    # ---- evolution ----
    def evolve(self, fitness: Callable[[Network], float], generations: int = 100,
               target: float | None = None, executor: Any = None, backprop: dict | None = None,
               *, log: bool = True, checkpoint: str | None = None,
               every: int = 10) -> Network | None:
        """Evolve for up to ``generations`` more generations; returns :attr:`best`.

        Parameters
        ----------
        fitness : callable
            ``fitness(net) -> float``, higher is better, a finite number. It gets
            a cleared :class:`~synapse.network.Network` (one per genome; see
            :mod:`synapse.neat.evaluate` on reuse) and may activate, run or
            train it. To run in other processes it must be picklable: a
            module-level function, or an instance of a module-level class.
            Randomness inside it should come from ``synapse.rng.generator()``,
            which is set, per genome, to a state drawn by the population.
        generations : int
            How many generations to evaluate at most.
        target : float, optional
            Stop after the first generation whose best fitness reaches it.
        executor : Executor, "serial" or None
            Where genomes are scored: any ``concurrent.futures.Executor`` (a
            ``ProcessPoolExecutor``, dask's ``Client.get_executor()``...); None
            makes a local ``ProcessPoolExecutor`` with one worker per CPU for
            this call; "serial" scores in this process (best for a fast fitness,
            where sending work to processes costs more than it saves). Each
            generation goes out in ``config.chunks`` tasks. The result for a
            seed is the same on every executor. A thread pool gives it too, but
            no speed-up: a process scores one batch at a time
            (:mod:`synapse.neat.evaluate`).
        backprop : dict, optional
            Refine each genome's network with LSTM-g before scoring it:
            :meth:`Trainer.train <synapse.trainer.Trainer.train>` options with
            the data under ``"training_set"`` (``{"training_set": data,
            "iterations": 50, "rate": 0.1}``), or ``"task"`` naming a built-in
            task of the Trainer (``"dsr"``, ``"xor"``, ``"erg"``,
            ``"timing_task"``) with its options. The refined weights and biases
            are written back into the genome (Lamarckian inheritance).
        log : bool
            Print one line per generation.
        checkpoint : str, optional
            A path: :meth:`save` there every ``every`` generations and at the end.

        Raises
        ------
        TypeError, ValueError
            For a bad argument (before anything runs), or a fitness that is not
            a finite number.
        """
        fitness = _check.function(fitness, "fitness", "fitness(net) -> float")
        generations = _check.count(generations, "generations", minimum=1)
        if target is not None:
            target = _check.number(target, "target")
        backprop = _check_backprop(backprop)
        log = _check.flag(log, "log")
        every = _check.count(every, "every", minimum=1)
        if checkpoint is not None and not isinstance(checkpoint, (str, os.PathLike)):
            raise TypeError(f"checkpoint must be a path or None, got {_check.came(checkpoint)}")
        owned = None
        if executor is None:
            executor = owned = ProcessPoolExecutor(max_workers=_cpus())
        elif executor == "serial":
            executor = None
        elif not isinstance(executor, Executor):
            raise TypeError(f"executor must be a concurrent.futures.Executor, 'serial' or "
                            f"None, got {_check.came(executor)}")
        if isinstance(executor, ProcessPoolExecutor):
            _picklable(fitness, "fitness")
            _picklable(backprop, "backprop")
        try:
            for _ in range(generations):
                start = time.perf_counter()
                if self._evaluated:
                    self._reproduce()
                refinements = self._evaluate(fitness, executor, backprop)
                self._evaluated = True
                reached = self._record(time.perf_counter() - start, refinements, backprop, log)
                self.generation += 1
                if checkpoint is not None and self.generation % every == 0:
                    self.save(checkpoint)
                if target is not None and reached >= target:
                    break
        finally:
            if owned is not None:
                owned.shutdown()
        if checkpoint is not None:
            self.save(checkpoint)
        return self.best

    def _record(self, seconds: float, refinements: int, backprop, log: bool) -> float:
        scores = [_fit(g) for g in self.genomes]
        top = max(range(len(scores)), key=lambda i: (scores[i], -i))
        champion = self.genomes[top]
        if self.best_genome is None or scores[top] > _fit(self.best_genome):
            self.best_genome = champion.copy()
            self.best_genome.fitness = champion.fitness
        entry = {"generation": self.generation, "best": scores[top],
                 "mean": sum(scores) / len(scores), "species": len(self.species),
                 "evaluations": self.evaluations, "time": seconds}
        if backprop is not None:
            entry["refinements"] = refinements
        self.history.append(entry)
        if log:
            print(_LINE.format(**entry), flush=True)
        return scores[top]

    # ---- checkpoints ----
    def to_dict(self) -> dict:
        """Everything the population is, as JSON-ready data (see :meth:`save`)."""
        index = {id(g): i for i, g in enumerate(self.genomes)}
        version, state, gauss = self.rng.getstate()
        return {
            "format": _FORMAT, "version": 1,
            "inputs": self.n_in, "outputs": self.n_out, "size": self.size,
            "config": self.config.to_dict(),
            "generation": self.generation, "evaluations": self.evaluations,
            "threshold": self.threshold, "evaluated": self._evaluated,
            "rng": [version, list(state), gauss],
            "innovations": self.innovations.to_dict(),
            "genomes": [g.to_data() for g in self.genomes],
            "species": [{"id": s.id, "created": s.created, "best": s.best,
                         "improved": s.improved,
                         "members": [index[id(g)] for g in s.members],
                         "representative": (index[id(s.representative)]
                                            if id(s.representative) in index
                                            else s.representative.to_data())}
                        for s in self.species],
            "next_species": self._next_species,
            "best": None if self.best_genome is None else self.best_genome.to_data(),
            "history": [dict(h) for h in self.history],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Population:
        """A population from :meth:`to_dict`'s data."""
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError(f"not a saved synapse.neat population (format "
                             f"{data.get('format') if isinstance(data, dict) else data!r})")
        pop = cls.__new__(cls)
        pop.n_in, pop.n_out, pop.size = data["inputs"], data["outputs"], data["size"]
        pop.config = Config.from_dict(data["config"])
        pop.generation, pop.evaluations = data["generation"], data["evaluations"]
        pop.threshold, pop._evaluated = data["threshold"], data["evaluated"]
        version, state, gauss = data["rng"]
        pop.rng = random.Random()
        pop.rng.setstate((version, tuple(state), gauss))
        pop.innovations = Innovations.from_dict(data["innovations"])
        pop.genomes = [Genome.from_data(g) for g in data["genomes"]]
        pop.species = []
        for d in data["species"]:
            rep = d["representative"]
            rep = pop.genomes[rep] if isinstance(rep, int) else Genome.from_data(rep)
            s = Species(d["id"], rep, d["created"])
            s.best, s.improved = d["best"], d["improved"]
            s.members = [pop.genomes[i] for i in d["members"]]
            pop.species.append(s)
        pop._next_species = data["next_species"]
        pop.best_genome = None if data["best"] is None else Genome.from_data(data["best"])
        pop.history = list(data["history"])
        return pop

    def save(self, path) -> None:
        """Write the population to ``path`` as JSON, atomically, as
        ``Network.save`` writes (:func:`synapse.serialize.write_text`).
        :meth:`load` resumes it exactly: evolving on gives the same genomes,
        numbers and history as never having stopped."""
        serialize.write_text(path, serialize.dumps(self.to_dict(), "the population"))

    @classmethod
    def load(cls, path) -> Population:
        """A population saved by :meth:`save`."""
        with open(path, encoding="utf-8") as fh:
            return cls.from_dict(json.load(fh))
