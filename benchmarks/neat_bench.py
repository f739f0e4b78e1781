"""NEAT benchmarks (synapse.neat), all from this one process.

    python benchmarks/neat_bench.py                    # everything (tens of minutes)
    python benchmarks/neat_bench.py --quick            # a few seeds of each, a small scaling run
    python benchmarks/neat_bench.py --only xor pole

Sections:

xor      Evaluations to solve XOR (fitness 4 - summed squared error >= 3.9, the
         criterion of neat-python's example) over 20 seeds, population 150, at
         most 300 generations, against neat-python with its own XOR example
         configuration (examples/xor/config-feedforward of CodeReclaimers/
         neat-python, v2.0.0 = the installed version; reproduced below, value for
         value). Evaluations are counted alike: every genome scored, up to and
         including the generation that reaches the criterion. Time per
         evaluation: the run's wall time / its evaluations, and the time spent
         scoring (network creation and the four rows) / evaluations. Both in
         this process, serially. Time per step: the last seed's winner over
         10000 random rows (synapse: one net.run, and net.activate per row;
         neat-python: activate per row).
pole     Single-pole balancing (synapse.neat.tasks: Barto, Sutton and Anderson
         1983, Euler at 0.02 s, solved at 100000 steps) over 20 seeds, with the
         full state (default Config) and without velocities
         (Config.recurrent()), population 150, at most 500 generations.
         Published NEAT figures (Stanley and Miikkulainen 2002, Evolutionary
         Computation 10(2)) are for double-pole balancing, a different and
         harder task: 3,600 evaluations on average with velocities, 33,184
         without (their Tables 1 and 2); they are printed beside ours only as
         a scale.
dsr      Distracted Sequence Recall (2 targets, 2 distractors, 1 prompt, length 6;
         fitness: the fraction of steps right on 100 fixed trials, target:
         at least 95% of the trials entirely right) over 5 seeds, population
         100, Config.recurrent(add_gate=0.05, remove_gate=0.02): evolution alone
         (at most 200 generations) against evolution with each child refined by
         LSTM-g (Trainer.dsr, 50 trials, rate 0.1, learning at every step),
         compared in total network steps (scoring plus training).
scaling  One generation of 300 genomes, each scored by a task of about 1 s (a
         network run over a long fixed sequence), on a ProcessPoolExecutor with
         1 and with 2 workers, with the CPU time the workers got (from
         os.times of the ended pool) and the load average before each run.

Measured here (2 vCPUs shared with other sessions; python 3.11, numba JIT):

    XOR, 20 seeds        synapse.neat 20/20, median 5250 evaluations; neat-python 2.0.0
                         19/20, median 12450 (2.4x more). Time per evaluation: whole
                         run 78.8 us vs neat-python's 48.1 us; scoring alone 51.4 us
                         vs 13.1 us (goal of 10x lower missed: see the README). Per
                         network step of a winner: 0.2 us in net.run vs
                         neat-python's 3.2 us per activate (17x); 1.3 us per
                         net.activate call. (Rerun of --only xor at load 0.6.)
    single pole          full state 20/20, median 150 evaluations (the first
                         generation); no velocities 20/20, median 12975, mean 16448.
    DSR (1 prompt)       evolution alone 0/5 in 200 generations (1.2e7 network steps,
                         stuck at the memoryless optimum 0.928); with LSTM-g 5/5,
                         median 8.1e5 network steps (2.7e5 of them training).
    scaling              1 worker 265.6 s, 2 workers 132.2 s: 2.01x, the workers got
                         1.99 CPUs (rerun at load 0.69). Earlier runs with the other
                         core held by another session: 279 s and 273 s (1.01 CPUs):
                         the pool costs nothing measurable; the speed-up is bounded
                         by free CPUs.

Why scoring XOR is slower than neat-python's: each genome is a real Network. A
new structure (about 6% of the genomes a generation) is built and compiled
(store.build and the engine's plan: about 1 ms for five units); a known one is
reused, but clear() and run() still cost about 11 and 15 us, where neat-python's
pure-Python evaluator does four rows in about 26 us in all. Per network step
the compiled engine is far faster, which is what longer evaluations see.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from synapse import neat  # noqa: E402
from synapse.neat import population as _population  # noqa: E402

# neat-python's examples/xor/config-feedforward (v2.0.0, unchanged at the time of
# writing), every value as it is there.
NEAT_PYTHON_XOR_CONFIG = """
[NEAT]
fitness_criterion     = max
fitness_threshold     = 3.9
pop_size              = 150
reset_on_extinction   = False
no_fitness_termination         = False

[DefaultGenome]
activation_default      = sigmoid
activation_mutate_rate  = 0.0
activation_options      = sigmoid
aggregation_default     = sum
aggregation_mutate_rate = 0.0
aggregation_options     = sum
bias_init_mean          = 0.0
bias_init_stdev         = 1.0
bias_max_value          = 30.0
bias_min_value          = -30.0
bias_mutate_power       = 0.5
bias_mutate_rate        = 0.7
bias_replace_rate       = 0.1
compatibility_disjoint_coefficient = 1.0
compatibility_weight_coefficient   = 0.5
conn_add_prob           = 0.5
conn_delete_prob        = 0.5
enabled_default         = True
enabled_mutate_rate     = 0.01
feed_forward            = True
initial_connection      = full_direct
node_add_prob           = 0.2
node_delete_prob        = 0.2
num_hidden              = 0
num_inputs              = 2
num_outputs             = 1
response_init_mean      = 1.0
response_init_stdev     = 0.0
response_max_value      = 30.0
response_min_value      = -30.0
response_mutate_power   = 0.0
response_mutate_rate    = 0.0
response_replace_rate   = 0.0
weight_init_mean        = 0.0
weight_init_stdev       = 1.0
weight_max_value        = 30
weight_min_value        = -30
weight_mutate_power     = 0.5
weight_mutate_rate      = 0.8
weight_replace_rate     = 0.1
single_structural_mutation     = false
structural_mutation_surer      = default
bias_init_type                 = gaussian
response_init_type             = gaussian
weight_init_type               = gaussian
enabled_rate_to_true_add       = 0.0
enabled_rate_to_false_add      = 0.0

[DefaultSpeciesSet]
compatibility_threshold = 3.0

[DefaultStagnation]
species_fitness_func = max
max_stagnation       = 20
species_elitism      = 2

[DefaultReproduction]
elitism            = 2
survival_threshold = 0.2
min_species_size   = 2
"""

XOR_IN = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
XOR_OUT = [0.0, 1.0, 1.0, 0.0]
ROWS: list[list[str]] = []


def row(*cells) -> None:
    ROWS.append([str(c) for c in cells])
    print("  " + " | ".join(str(c) for c in cells), flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} us"


# ---------------------------------------------------------------- XOR
class _Timed:
    """Population._evaluate, timed (the scoring phase of each generation)."""

    seconds = 0.0

    def __init__(self):
        self.original = _population.Population._evaluate

    def __enter__(self):
        original = self.original

        def timed(pop, *args):
            start = time.perf_counter()
            try:
                return original(pop, *args)
            finally:
                _Timed.seconds += time.perf_counter() - start

        _population.Population._evaluate = timed
        return self

    def __exit__(self, *exc):
        _population.Population._evaluate = self.original


STEP_ROWS = np.random.default_rng(0).random((10000, 2))


def per_step(step, rows=STEP_ROWS) -> float:
    """Seconds per network step: the best of 3 passes over ``rows``."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        step(rows)
        best = min(best, (time.perf_counter() - start) / len(rows))
    return best


def xor_synapse(seeds):
    evals, solved, wall, scoring, total = [], 0, 0.0, 0.0, 0
    winner = None
    for seed in seeds:
        pop = neat.Population(2, 1, size=150, seed=seed)
        _Timed.seconds = 0.0
        start = time.perf_counter()
        with _Timed():
            winner = pop.evolve(neat.tasks.xor, generations=300, target=neat.tasks.XOR_TARGET,
                                executor="serial", log=False)
        wall += time.perf_counter() - start
        scoring += _Timed.seconds
        h = pop.history[-1]
        total += h["evaluations"]
        if h["best"] >= neat.tasks.XOR_TARGET:
            solved += 1
            evals.append(h["evaluations"])
        print(f"    synapse seed {seed}: {h['evaluations']} evaluations, "
              f"{pop.generation} generations, best {h['best']:.4f}", flush=True)
    run = per_step(winner.run)
    activate = per_step(lambda rows: [winner.activate(x) for x in rows])
    print(f"    synapse's last winner ({pop.best_genome}): {us(run)} per step in net.run, "
          f"{us(activate)} per net.activate", flush=True)
    return evals, solved, wall / total, scoring / total, run, activate


def xor_neat_python(seeds):
    import neat as neatpy

    with tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False) as fh:
        fh.write(NEAT_PYTHON_XOR_CONFIG)
        path = fh.name
    config = neatpy.Config(neatpy.DefaultGenome, neatpy.DefaultReproduction,
                           neatpy.DefaultSpeciesSet, neatpy.DefaultStagnation, path)
    os.unlink(path)
    count, scoring = [0], [0.0]

    def eval_genomes(genomes, config):  # neat-python's example's fitness, as it is there
        start = time.perf_counter()
        for _, genome in genomes:
            count[0] += 1
            genome.fitness = 4.0
            net = neatpy.nn.FeedForwardNetwork.create(genome, config)
            for xi, xo in zip(XOR_IN, XOR_OUT):
                output = net.activate(xi)
                genome.fitness -= (output[0] - xo) ** 2
        scoring[0] += time.perf_counter() - start

    evals, solved, wall, score_time, total = [], 0, 0.0, 0.0, 0
    winner = None
    for seed in seeds:
        count[0], scoring[0] = 0, 0.0
        pop = neatpy.Population(config, seed=seed)
        start = time.perf_counter()
        winner = pop.run(eval_genomes, 300)
        wall += time.perf_counter() - start
        score_time += scoring[0]
        total += count[0]
        if winner.fitness >= 3.9:
            solved += 1
            evals.append(count[0])
        print(f"    neat-python seed {seed}: {count[0]} evaluations, best {winner.fitness:.4f}",
              flush=True)
    net = neatpy.nn.FeedForwardNetwork.create(winner, config)
    activate = per_step(lambda rows: [net.activate(x) for x in rows.tolist()])
    print(f"    neat-python's last winner ({len(winner.nodes)} nodes, "
          f"{sum(c.enabled for c in winner.connections.values())} connections): "
          f"{us(activate)} per activate", flush=True)
    return evals, solved, wall / total, score_time / total, activate


def bench_xor(seeds):
    print(f"== XOR: evaluations to fitness 3.9, population 150, {len(seeds)} seeds", flush=True)
    ours = xor_synapse(seeds)
    try:
        theirs = xor_neat_python(seeds)
    except ImportError:
        theirs = None
    row("XOR", "library", "solved", "median evaluations", "time / evaluation (run)",
        "time / evaluation (scoring)", "time / step of a winner")
    row("XOR", "synapse.neat", f"{ours[1]}/{len(seeds)}", median(ours[0]), us(ours[2]),
        us(ours[3]), f"{us(ours[4])} (net.run), {us(ours[5])} (activate)")
    if theirs is None:
        row("XOR", "neat-python", "not installed", "", "", "", "")
        return
    row("XOR", "neat-python 2.0.0", f"{theirs[1]}/{len(seeds)}", median(theirs[0]),
        us(theirs[2]), us(theirs[3]), f"{us(theirs[4])} (activate)")
    row("XOR", "neat-python / synapse", "", f"{median(theirs[0]) / median(ours[0]):.2f}x",
        f"{theirs[2] / ours[2]:.2f}x", f"{theirs[3] / ours[3]:.2f}x",
        f"{theirs[4] / ours[4]:.1f}x (run), {theirs[4] / ours[5]:.1f}x (activate)")


# ---------------------------------------------------------------- pole balancing
def bench_pole(seeds, generations):
    tasks = [("single pole, full state", 4, neat.tasks.single_pole, neat.Config()),
             ("single pole, no velocities", 2, neat.tasks.single_pole_no_velocities,
              neat.Config.recurrent())]
    published = {4: "NEAT, double pole with velocities: 3,600 (mean)",
                 2: "NEAT, double pole without velocities: 33,184 (mean)"}
    print(f"== Pole balancing: 100000 steps, population 150, {len(seeds)} seeds, at most "
          f"{generations} generations", flush=True)
    results = []
    for name, n_in, fitness, config in tasks:
        evals, solved, start = [], 0, time.perf_counter()
        for seed in seeds:
            pop = neat.Population(n_in, 1, size=150, config=config, seed=seed)
            pop.evolve(fitness, generations=generations, target=neat.tasks.POLE_STEPS,
                       executor="serial", log=False)
            h = pop.history[-1]
            ok = h["best"] >= neat.tasks.POLE_STEPS
            solved += ok
            if ok:
                evals.append(h["evaluations"])
            print(f"    {name} seed {seed}: {'solved' if ok else 'not solved'} after "
                  f"{h['evaluations']} evaluations (best {h['best']:.0f} steps)", flush=True)
        results.append((name, n_in, solved, evals, time.perf_counter() - start))
    row("pole", "task", "solved", "median evaluations", "mean evaluations (run time)",
        "published, for scale")
    for name, n_in, solved, evals, seconds in results:
        row("pole", name, f"{solved}/{len(seeds)}", median(evals),
            f"{np.mean(evals):.0f} ({seconds:.0f} s)" if evals else f"- ({seconds:.0f} s)",
            published[n_in])


# ---------------------------------------------------------------- DSR
DSR = dict(targets=(1, 2), distractors=(3, 4), prompts=(0,), length=6)


def bench_dsr(seeds, generations):
    task = neat.tasks.DSR(trials=100, **DSR)
    backprop = {"task": "dsr", "targets": [1, 2], "distractors": [3, 4], "prompts": [0],
                "length": 6, "iterations": 50, "rate": 0.1, "learn": "always"}
    config = neat.Config.recurrent(add_gate=0.05, remove_gate=0.02)
    n_in, n_out = task.X.shape[2], task.Y.shape[2]
    print(f"== DSR {DSR}: {len(seeds)} seeds, population 100, at most {generations} "
          f"generations; total network steps to 95% of the trials right", flush=True)
    results = []
    for label, refine in (("evolution alone", None), ("evolution + LSTM-g", backprop)):
        steps_to, solved, spent = [], 0, []
        for seed in seeds:
            pop = neat.Population(n_in, n_out, size=100, config=config, seed=seed)
            best = pop.evolve(task, generations=generations, target=task.target,
                              executor="serial", backprop=refine, log=False)
            h = pop.history[-1]
            trained = sum(e.get("refinements", 0) for e in pop.history) * task.length
            steps = h["evaluations"] * task.steps + trained
            ok = h["best"] >= task.target
            success = task.success(best)
            solved += ok
            spent.append(steps)
            if ok:
                steps_to.append(steps)
            print(f"    {label} seed {seed}: {'solved' if ok else 'not solved'}, "
                  f"{pop.generation} generations, {steps:.3g} network steps "
                  f"({trained:.3g} training), best {h['best']:.4f}, trials right "
                  f"{success:.2f}", flush=True)
        results.append((label, solved, steps_to, spent))
    row("DSR", "method", "solved", "median steps to solve", "median steps spent", "")
    for label, solved, steps_to, spent in results:
        row("DSR", label, f"{solved}/{len(seeds)}",
            f"{median(steps_to):.3g}" if steps_to else "-", f"{median(spent):.3g}", "")


# ---------------------------------------------------------------- scaling
class Busy:
    """A fitness that takes about ``repeats`` runs of the network over a fixed
    sequence of 20000 steps (module-level: it travels to workers)."""

    def __init__(self, n_in: int, repeats: int):
        self.X = np.random.default_rng(0).random((20000, n_in))
        self.repeats = repeats

    def __call__(self, net) -> float:
        total = 0.0
        for _ in range(self.repeats):
            net.clear()
            total += float(net.run(self.X)[-1, 0])
        return total


def bench_scaling(size, seconds):
    print(f"== Scaling: one generation of {size} genomes, each scored in about {seconds} s",
          flush=True)
    probe = neat.Population(4, 1, size=2, seed=0)
    net = probe.genomes[0].network()
    busy = Busy(4, 1)
    busy(net)
    start = time.perf_counter()
    busy(net)
    once = time.perf_counter() - start
    busy = Busy(4, max(1, round(seconds / once)))
    times, cpu, loads = {}, {}, {}
    for workers in (1, 2):
        pop = neat.Population(4, 1, size=size, seed=0, config=neat.Config(chunks=size))
        loads[workers] = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        before = os.times()
        with ProcessPoolExecutor(workers) as pool:
            pool.submit(sum, [1]).result()  # the workers are up
            start = time.perf_counter()
            pop.evolve(busy, generations=1, executor=pool, log=False)
            times[workers] = time.perf_counter() - start
        after = os.times()  # the pool's workers have ended: their CPU time is counted
        cpu[workers] = (after.children_user + after.children_system
                        - before.children_user - before.children_system)
        print(f"    {workers} worker(s): {times[workers]:.1f} s "
              f"({times[workers] / size:.3f} s per genome), the workers had "
              f"{cpu[workers] / times[workers]:.2f} CPUs on average "
              f"(load before {loads[workers]:.2f})", flush=True)
    row("scaling", "workers", "seconds", "speed-up", "CPUs the workers got",
        "load average before")
    for workers in (1, 2):
        row("scaling", workers, f"{times[workers]:.1f}", f"{times[1] / times[workers]:.2f}x",
            f"{cpu[workers] / times[workers]:.2f}", f"{loads[workers]:.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a few seeds of each and a small scaling run")
    parser.add_argument("--only", nargs="+", choices=["xor", "pole", "dsr", "scaling"])
    args = parser.parse_args(argv)
    only = set(args.only or ["xor", "pole", "dsr", "scaling"])
    quick = args.quick
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"{'quick' if quick else 'full'} run", flush=True)
    start = time.perf_counter()
    if "xor" in only:
        bench_xor(range(3 if quick else 20))
    if "pole" in only:
        bench_pole(range(2 if quick else 20), 50 if quick else 500)
    if "dsr" in only:
        bench_dsr(range(1 if quick else 5), 10 if quick else 200)
    if "scaling" in only:
        bench_scaling(8 if quick else 300, 0.05 if quick else 1.0)
    print(f"\n== Results ({time.perf_counter() - start:.0f} s in all)")
    for cells in ROWS:
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
