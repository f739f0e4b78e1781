"""NEAT: neuroevolution of augmenting topologies over synapse's gated neuron graph.

NEAT (K. O. Stanley and R. Miikkulainen, "Evolving neural networks through
augmenting topologies", *Evolutionary Computation* 10(2), 2002, 99-127)
evolves networks from minimal ones: genomes with innovation numbers, species
by compatibility distance, fitness sharing, stagnation, elitism, crossover of
aligned genes. Here a genome is a graph of synapse's units, so mutations also
add recurrent and self-connections, gates, and change squashes; every genome
becomes a real :class:`~synapse.network.Network` (any engine, save, plot or
export works on the winner), and children can be refined by LSTM-g before
they are scored (``backprop``), inheriting the trained weights.

Modules: :mod:`.config` (settings), :mod:`.genome` (genes), :mod:`.mutation`,
:mod:`.crossover`, :mod:`.species`, :mod:`.population` (the loop),
:mod:`.evaluate` (what workers run) and :mod:`.tasks` (XOR, pole balancing,
Distracted Sequence Recall).

Evaluation goes to any ``concurrent.futures.Executor`` (a process pool, or a
Dask cluster through ``Client.get_executor()``), or stays in this process with
``executor="serial"``. Every random draw happens in the parent, so a seed
gives the same run on any executor and any number of workers.

>>> from synapse import neat
>>> pop = neat.Population(2, 1, size=50, seed=3)
>>> net = pop.evolve(neat.tasks.xor, generations=2, executor="serial", log=False)
>>> len(pop.history), pop.history[-1]["evaluations"], net.inputs()
(2, 100, 2)
"""
from . import tasks
from .config import Config
from .crossover import crossover
from .genome import ConnectionGene, Genome, Innovations, NodeGene
from .mutation import mutate
from .population import Population
from .species import Species, distance

__all__ = ["Population", "Config", "Genome", "NodeGene", "ConnectionGene", "Innovations",
           "Species", "distance", "crossover", "mutate", "tasks"]
