"""NEAT balances a pole on a cart seeing only the cart's position and the pole's
angle: the velocities must be remembered, so the networks grow recurrent and
self-connections. Genomes are scored on a local process pool (one worker per CPU).

    python examples/neat_pole.py

SYNAPSE_EXAMPLE_BUDGET=tiny evolves 2 generations of 20 only (CI: the script still runs).
"""
import os

from synapse import neat

TINY = os.environ.get("SYNAPSE_EXAMPLE_BUDGET") == "tiny"  # CI: a few seconds, to prove it runs

if __name__ == "__main__":  # worker processes import this file: evolve only in the parent
    pop = neat.Population(2, 1, size=20 if TINY else 150, config=neat.Config.recurrent(),
                          seed=3)
    # a checkpoint every 10 generations: neat.Population.load("pole.json") resumes it
    net = pop.evolve(neat.tasks.single_pole_no_velocities, generations=2 if TINY else 500,
                     target=neat.tasks.POLE_STEPS, checkpoint="pole.json")
    g = pop.best_genome
    print(f"balanced {pop.best_fitness:.0f} steps after {pop.evaluations} evaluations with "
          f"{g.hidden} hidden units and {g.enabled} connections, "
          f"{sum(c.src == c.dst for c in g.conns.values() if c.enabled)} of them self-connections")
