"""NEAT evolves a network for XOR, then the winner is saved like any network.

    python examples/neat_xor.py

SYNAPSE_EXAMPLE_BUDGET=tiny evolves 3 generations only (CI: the script still runs).
"""
import os

from synapse import neat

TINY = os.environ.get("SYNAPSE_EXAMPLE_BUDGET") == "tiny"  # CI: a few seconds, to prove it runs

pop = neat.Population(2, 1, size=150, seed=1)      # 2 inputs, 1 output, 150 genomes
# XOR is scored in microseconds: sending genomes to worker processes would cost more
# than it saves, so score them here ("serial")
net = pop.evolve(neat.tasks.xor, generations=3 if TINY else 300,
                 target=neat.tasks.XOR_TARGET, executor="serial")
print(f"{pop.evaluations} evaluations, best fitness {pop.best_fitness:.4f}: {pop.best_genome}")
for x in ([0, 0], [0, 1], [1, 0], [1, 1]):
    print(x, "->", round(float(net.activate(x)[0]), 3))
net.save("neat_xor.json")                           # a Network: save, plot, export as any other
