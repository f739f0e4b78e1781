"""NEAT populations: evolution, determinism on every executor, checkpoints,
backprop refinement, and bad input (synapse/neat/population.py)."""
from __future__ import annotations

import json
import math
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from synapse import Trainer, neat, rng
from synapse.neat import evaluate

XOR_SET = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]
# every mutation, so that the networks sent to workers have every kind of gene
BUSY = dict(add_node=0.2, add_connection=0.3, add_back_connection=0.1, add_self_connection=0.1,
            add_gate=0.1, remove_gate=0.05, change_squash=0.1, toggle_connection=0.05)


def noisy_xor(net) -> float:
    """XOR's fitness plus a draw from synapse's generator (set per genome)."""
    return neat.tasks.xor(net) + 0.01 * float(rng.generator().random())


def run(executor, chunks=None, backprop=None, generations=4, fitness=noisy_xor):
    config = neat.Config(**BUSY, chunks=chunks)
    pop = neat.Population(2, 1, size=24, config=config, seed=11)
    pop.evolve(fitness, generations=generations, executor=executor, backprop=backprop,
               log=False)
    return pop


def state(pop) -> str:
    """Everything but the wall-clock times and the chunk size, as text."""
    data = pop.to_dict()
    data["config"].pop("chunks")  # how work was cut up, not what it gave
    for h in data["history"]:
        h.pop("time")
    return json.dumps(data, sort_keys=True)


BACKPROP = {"training_set": XOR_SET, "iterations": 3, "rate": 0.3, "shuffle": True}


def test_the_result_is_the_same_serial_on_threads_and_on_two_processes():
    serial = state(run("serial", backprop=BACKPROP))
    with ThreadPoolExecutor(3) as pool:
        assert state(run(pool, chunks=5, backprop=BACKPROP)) == serial
    with ProcessPoolExecutor(2) as pool:
        assert state(run(pool, chunks=7, backprop=BACKPROP)) == serial
    with ProcessPoolExecutor(1) as pool:
        assert state(run(pool, chunks=2, backprop=BACKPROP)) == serial


def test_the_result_is_the_same_on_a_local_dask_cluster():
    distributed = pytest.importorskip("dask.distributed")
    serial = state(run("serial", backprop=BACKPROP, fitness=neat.tasks.xor))
    with distributed.Client(processes=True, n_workers=2, threads_per_worker=1,
                            dashboard_address=None) as client:
        pop = run(client.get_executor(), chunks=6, backprop=BACKPROP, fitness=neat.tasks.xor)
    assert state(pop) == serial


def test_the_default_executor_is_a_process_pool_with_the_same_result():
    assert state(run(None, generations=2)) == state(run("serial", generations=2))


def test_a_resumed_checkpoint_gives_exactly_the_uninterrupted_run(tmp_path):
    path = tmp_path / "pop.json"
    whole = run("serial", generations=6, backprop=BACKPROP)
    first = run("serial", generations=3, backprop=BACKPROP)
    first.save(path)
    resumed = neat.Population.load(path)
    assert state(resumed) == state(first)
    resumed.evolve(noisy_xor, generations=3, executor="serial", backprop=BACKPROP, log=False)
    assert state(resumed) == state(whole)
    assert resumed.best.to_json() == whole.best.to_json()


def test_evolve_writes_a_checkpoint_every_n_generations(tmp_path):
    path = tmp_path / "run.json"
    pop = neat.Population(2, 1, size=10, seed=2)
    pop.evolve(neat.tasks.xor, generations=5, executor="serial", log=False,
               checkpoint=str(path), every=2)
    saved = json.loads(path.read_text())
    assert saved["generation"] == 5 and len(saved["history"]) == 5
    assert not (tmp_path / "run.json.tmp").exists()


def test_xor_is_solved_on_a_fixed_seed():
    pop = neat.Population(2, 1, size=150, seed=1)
    net = pop.evolve(neat.tasks.xor, generations=100, target=neat.tasks.XOR_TARGET,
                     executor="serial", log=False)
    assert pop.history[-1]["best"] >= 3.9 and pop.generation < 100
    assert neat.tasks.xor(net) == pytest.approx(pop.best_fitness, abs=1e-12)
    out = [float(net.activate(x)[0]) for x, _ in XOR_SET]
    assert [round(y) for y in out] == [0, 1, 1, 0]
    assert net.to_json()["neurons"]  # a real Network: it saves


def test_history_and_the_progress_line(capsys):
    pop = neat.Population(2, 1, size=12, seed=4)
    pop.evolve(neat.tasks.xor, generations=3, executor="serial")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0].startswith("generation 0 best ")
    assert all(f" evaluations {12 * (i + 1)} " in line for i, line in enumerate(lines))
    h = pop.history
    assert [e["generation"] for e in h] == [0, 1, 2]
    assert set(h[0]) == {"generation", "best", "mean", "species", "evaluations", "time"}
    scores = [g.fitness for g in pop.genomes]
    assert h[-1]["best"] == max(scores) and h[-1]["mean"] == pytest.approx(np.mean(scores))
    assert h[-1]["species"] == len(pop.species) == len({id(s) for s in pop.species})
    assert sum(s.size for s in pop.species) == 12 == len(pop.genomes)
    assert pop.best_fitness == max(e["best"] for e in h)


def test_the_target_stops_evolution():
    pop = neat.Population(2, 1, size=20, seed=0)
    pop.evolve(neat.tasks.xor, generations=50, target=-1.0, executor="serial", log=False)
    assert pop.generation == 1


def test_backprop_refines_each_child_and_the_genome_inherits_the_trained_weights():
    """Lamarckian: the genome's numbers are the trained network's, and its
    fitness is that of the trained network."""
    options = {"training_set": XOR_SET, "iterations": 20, "rate": 0.5}
    pop = neat.Population(2, 1, size=8, seed=3)
    pop.evolve(neat.tasks.xor, generations=1, executor="serial", backprop=options, log=False)
    assert pop.history[0]["refinements"] == 8 * 20
    for g in pop.genomes:
        net = g.network()
        assert neat.tasks.xor(net) == pytest.approx(g.fitness, abs=1e-12)
    # the refinement is what the Trainer does to the genome's network, from the same state
    first = neat.Population(2, 1, size=8, seed=3)
    g = first.genomes[0]
    key, w, b = g.plan()
    items = [(key, w, b, (12345, 6789))]
    (value, weights, biases, iterations), = evaluate.score(neat.tasks.xor, options, items)
    net = g.network()
    evaluate._set_state((12345, 6789))
    Trainer(net).train(XOR_SET, iterations=20, rate=0.5)
    net.clear()
    assert iterations == 20 and value == neat.tasks.xor(net)
    g.set_values(weights, biases)
    assert g.network().to_json()["connections"] == net.to_json()["connections"]


def test_a_dsr_refinement_by_task_name():
    task = neat.tasks.DSR(targets=(1,), distractors=(2,), prompts=(0,), length=3, trials=5)
    pop = neat.Population(3, 1, size=6, seed=0)
    pop.evolve(task, generations=1, executor="serial", log=False,
               backprop={"task": "dsr", "targets": [1], "distractors": [2], "prompts": [0],
                         "length": 3, "iterations": 7, "rate": 0.1})
    assert pop.history[0]["refinements"] == 6 * 7


def test_speciation_fitness_sharing_and_offspring_counts():
    pop = neat.Population(2, 1, size=30, seed=5, config=neat.Config(c_weight=2.0))
    pop.evolve(neat.tasks.xor, generations=1, executor="serial", log=False)
    alive = pop.species
    counts = pop._offspring(alive)
    assert sum(counts) == 30 and min(counts) >= min(2, 30 // len(alive))
    lowest = min(g.fitness for g in pop.genomes)
    shares = [np.mean([g.fitness - lowest for g in s.members]) for s in alive]
    order = np.argsort(shares)
    assert counts[order[-1]] >= counts[order[0]]  # the fitter species get more


def test_stagnant_species_are_removed_but_the_best_survive():
    config = neat.Config(stagnation=1, species_elitism=1, c_weight=5.0, threshold=0.5)
    pop = neat.Population(2, 1, size=20, seed=6, config=config)
    pop.evolve(neat.tasks.xor, generations=1, executor="serial", log=False)
    assert len(pop.species) > 2
    for s in pop.species:  # none has improved for 5 generations
        s.best, s.improved = s.fitness() + 1.0, -5
    champion = max(pop.species, key=lambda s: (s.best, -s.id))
    elite = max(champion.members, key=lambda g: g.fitness)
    first_new = pop._next_species
    pop._reproduce()
    # only the protected species is left; every other species is new, made of its children
    assert {s.id for s in pop.species} <= {champion.id} | set(range(first_new, 10 ** 6))
    assert any(g is elite for g in pop.genomes)  # its champion, copied unchanged


# ---------------------------------------------------------------- bad input
def test_bad_arguments_raise_before_anything_runs():
    with pytest.raises(ValueError, match="Population inputs must be a positive integer"):
        neat.Population(0, 1)
    with pytest.raises(TypeError, match="config must be a neat.Config"):
        neat.Population(2, 1, config={"add_node": 0.1})
    with pytest.raises(ValueError, match="Config.add_node must be between 0 and 1"):
        neat.Config(add_node=1.5)
    with pytest.raises(ValueError, match="Config.threshold must be above 0"):
        neat.Config(threshold=0)
    with pytest.raises(ValueError, match="weight_rate \\+ weight_replace must be at most 1"):
        neat.Config(weight_rate=0.95, weight_replace=0.1)
    with pytest.raises(ValueError, match="not in synapse.squash.BY_NAME"):
        neat.Population(2, 1, config=neat.Config(squashes=["NOPE"]))
    with pytest.raises(TypeError, match="Config.squashes must be a list"):
        neat.Config(squashes="TANH")
    pop = neat.Population(2, 1, size=4, seed=0)
    with pytest.raises(TypeError, match="fitness must be a callable"):
        pop.evolve(3.0)
    with pytest.raises(TypeError, match="executor must be a concurrent.futures.Executor"):
        pop.evolve(neat.tasks.xor, executor="threads")
    with pytest.raises(ValueError, match="backprop needs a 'training_set'"):
        pop.evolve(neat.tasks.xor, executor="serial", backprop={"iterations": 3})
    with pytest.raises(ValueError, match="backprop's task must be"):
        pop.evolve(neat.tasks.xor, executor="serial", backprop={"task": "mnist"})
    with pytest.raises(ValueError, match="generations must be a positive integer"):
        pop.evolve(neat.tasks.xor, generations=0)
    assert pop.generation == 0 and pop.history == [] and pop.evaluations == 0


def test_a_fitness_that_cannot_travel_to_processes_is_refused_at_once():
    pop = neat.Population(2, 1, size=4, seed=0)
    with ProcessPoolExecutor(1) as pool:
        with pytest.raises(TypeError, match="fitness must be picklable .* module-level"):
            pop.evolve(lambda net: 1.0, executor=pool, log=False)
    assert pop.evaluations == 0


def test_a_fitness_that_is_not_a_finite_number_is_refused():
    pop = neat.Population(2, 1, size=4, seed=0)
    with pytest.raises(ValueError, match="fitness of genome 0 must be a finite number, got "
                                         "float nan"):
        pop.evolve(lambda net: math.nan, executor="serial", log=False)
    with pytest.raises(TypeError, match="fitness of genome 0 must be a finite number"):
        pop.evolve(lambda net: "good", executor="serial", log=False)


def test_a_saved_file_of_another_kind_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ValueError, match="not a saved synapse.neat population"):
        neat.Population.load(path)
