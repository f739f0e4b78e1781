"""The settings of a NEAT run: mutation rates, speciation, selection.

Every field has a documented default; ``Config(add_node=0.1)`` changes one.
The defaults follow Stanley and Miikkulainen's NEAT (K. O. Stanley and
R. Miikkulainen, "Evolving neural networks through augmenting topologies",
*Evolutionary Computation* 10(2), 2002, 99-127) where it names a value, and add
the mutations of a gated neuron graph (back and self connections, gates,
squashes) at small rates.

>>> from synapse import neat
>>> config = neat.Config(add_node=0.1, threshold=2.5)
>>> config.add_node, config.threshold, config.crossover
(0.1, 2.5, 0.75)
>>> neat.Config.from_dict(config.to_dict()) == config
True
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from .. import _check
from .. import squash as _squash

__all__ = ["Config"]

_RATES = ("add_node", "add_connection", "add_back_connection", "add_self_connection",
          "add_gate", "remove_gate", "change_squash", "toggle_connection",
          "weight_rate", "weight_replace", "bias_rate", "bias_replace", "survival",
          "crossover", "interspecies", "disable_inherited", "initial_connection")
_POSITIVE = ("weight_init", "weight_power", "bias_init", "bias_power", "weight_limit",
             "threshold", "threshold_step", "threshold_min")
_NON_NEGATIVE = ("c_excess", "c_disjoint", "c_weight")
_COUNTS = {"elitism": 0, "min_species_size": 1, "stagnation": 1, "species_elitism": 0}


@dataclass
class Config:
    """The settings of a NEAT population (see :class:`synapse.neat.Population`).

    Structural mutations (each a probability per child, drawn independently):

    add_node : 0.03
        Split an enabled connection a -> b: it is disabled, and a new hidden
        unit n gets a -> n (weight 1) and n -> b (the old weight and gate).
    add_connection : 0.05
        A new forward connection (to a later unit in activation order).
    add_back_connection : 0.0
        A new recurrent connection to an earlier unit (read one step late).
    add_self_connection : 0.0
        A self-connection on a hidden or output unit (its weight evolves;
        LSTM-g never trains it).
    self_weight : 1.0
        The weight of a new self-connection: 1 keeps the unit's state as it is
        (LSTM's constant error carousel, and ``a.project(a)``'s default); None
        draws it as any new weight.
    add_gate, remove_gate : 0.0, 0.0
        Let a hidden or output unit gate an ungated connection; or ungate one.
    change_squash : 0.0
        Give a hidden unit (and an output unit with ``mutate_output_squash``)
        another squash from ``squashes``.
    toggle_connection : 0.0
        Enable a disabled connection, or disable an enabled one.

    Weights and biases (per gene, per child):

    weight_init, bias_init : 4.0, 4.0
        Standard deviation of a fresh weight or bias (normal, mean 0). NEAT
        steepens its sigmoid, 1 / (1 + e^(-4.9 x)); synapse's LOGISTIC is not
        steepened, so weights four to five times larger give the same curves.
    weight_rate, bias_rate : 0.2, 0.2
        Chance that a weight (bias) is perturbed by normal(0, power). Small
        enough that most children stay close to their parents (neat-python's
        example perturbs 0.8 of them).
    weight_power, bias_power : 1.0, 1.0
    weight_replace, bias_replace : 0.1, 0.1
        Chance that it is replaced by a fresh draw instead.
    weight_limit : 30.0
        Weights and biases are clipped to [-limit, limit].

    Speciation (compatibility distance, see :func:`synapse.neat.distance`):

    c_excess, c_disjoint, c_weight : 1.0, 1.0, 0.1
        (NEAT's 0.4 for weights about four times smaller.)
    threshold : 3.0
        Genomes closer than this to a species' representative join it.
    target_species : None
        When set, the threshold moves by ``threshold_step`` (never below
        ``threshold_min``) after each generation towards this many species.
    threshold_step, threshold_min : 0.3, 0.3

    Selection and reproduction:

    elitism : 1
        The best genomes of each species copied unchanged into the next generation.
    survival : 0.2
        The fraction of each species (its best, at least one) that may parent.
    min_species_size : 2
        Offspring a surviving species gets at least.
    stagnation : 15
        Generations without improvement after which a species is removed ...
    species_elitism : 2
        ... unless it is among this many species with the best fitness ever.
    crossover : 0.75
        Chance that a child has two parents (else one parent, copied); every
        child that is not an elite is then mutated.
    interspecies : 0.001
        Chance that the second parent comes from another species.
    disable_inherited : 0.75
        Chance that a gene disabled in either parent is disabled in the child.

    The network:

    initial_connection : 1.0
        The fraction of input -> output connections a first-generation genome
        has (1.0: all of them).
    squashes : None
        The names ``change_squash`` draws from: None means every name in
        ``synapse.squash.BY_NAME`` at the time evolution runs but SOFTMAX,
        which squashes a group of units and is refused here.
    hidden_squash, output_squash : "LOGISTIC", "LOGISTIC"
        The squash of a new hidden unit ("random": drawn from ``squashes``)
        and of the output units.
    mutate_output_squash : False
        Whether ``change_squash`` may change an output unit's squash.

    Distribution:

    chunks : None
        How many tasks a generation is cut into for an executor (None: four per
        local CPU). It changes the speed only, never the result.
    """

    add_node: float = 0.03
    add_connection: float = 0.05
    add_back_connection: float = 0.0
    add_self_connection: float = 0.0
    self_weight: float | None = 1.0
    add_gate: float = 0.0
    remove_gate: float = 0.0
    change_squash: float = 0.0
    toggle_connection: float = 0.0
    weight_init: float = 4.0
    weight_rate: float = 0.2
    weight_power: float = 1.0
    weight_replace: float = 0.1
    bias_init: float = 4.0
    bias_rate: float = 0.2
    bias_power: float = 1.0
    bias_replace: float = 0.1
    weight_limit: float = 30.0
    c_excess: float = 1.0
    c_disjoint: float = 1.0
    c_weight: float = 0.1
    threshold: float = 3.0
    target_species: int | None = None
    threshold_step: float = 0.3
    threshold_min: float = 0.3
    elitism: int = 1
    survival: float = 0.2
    min_species_size: int = 2
    stagnation: int = 15
    species_elitism: int = 2
    crossover: float = 0.75
    interspecies: float = 0.001
    disable_inherited: float = 0.75
    initial_connection: float = 1.0
    squashes: tuple | None = None
    hidden_squash: str = "LOGISTIC"
    output_squash: str = "LOGISTIC"
    mutate_output_squash: bool = False
    chunks: int | None = None

    def __post_init__(self) -> None:
        for name in _RATES:
            setattr(self, name, _check.fraction(getattr(self, name), f"Config.{name}"))
        for name in _POSITIVE:
            value = _check.number(getattr(self, name), f"Config.{name}")
            if value <= 0:
                raise ValueError(f"Config.{name} must be above 0, got {_check.came(value)}")
            setattr(self, name, value)
        for name in _NON_NEGATIVE:
            setattr(self, name, _check.non_negative(getattr(self, name), f"Config.{name}"))
        for name, minimum in _COUNTS.items():
            setattr(self, name, _check.count(getattr(self, name), f"Config.{name}",
                                             minimum=minimum))
        if self.weight_rate + self.weight_replace > 1:
            raise ValueError(f"Config.weight_rate + weight_replace must be at most 1, got "
                             f"{self.weight_rate} + {self.weight_replace}")
        if self.bias_rate + self.bias_replace > 1:
            raise ValueError(f"Config.bias_rate + bias_replace must be at most 1, got "
                             f"{self.bias_rate} + {self.bias_replace}")
        if self.self_weight is not None:
            self.self_weight = _check.number(self.self_weight, "Config.self_weight")
        if self.target_species is not None:
            self.target_species = _check.count(self.target_species, "Config.target_species",
                                               minimum=1)
        if self.chunks is not None:
            self.chunks = _check.count(self.chunks, "Config.chunks", minimum=1)
        if self.squashes is not None:
            if isinstance(self.squashes, str) or not isinstance(self.squashes, (list, tuple)):
                raise TypeError(f"Config.squashes must be a list of squash names or None, got "
                                f"{_check.came(self.squashes)}")
            if not self.squashes:
                raise ValueError("Config.squashes must name at least one squash")
            for name in self.squashes:
                if not isinstance(name, str):
                    raise TypeError(f"each of Config.squashes must be a squash name (str), got "
                                    f"{_check.came(name)}")
            self.squashes = tuple(self.squashes)
        for name in ("hidden_squash", "output_squash"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"Config.{name} must be a squash name (str), got "
                                f"{_check.came(getattr(self, name))}")
        self.mutate_output_squash = _check.flag(self.mutate_output_squash,
                                                "Config.mutate_output_squash")

    @classmethod
    def recurrent(cls, **changes) -> Config:
        """Settings for tasks that need memory: recurrent and self-connections
        grow (``add_back_connection`` 0.05, ``add_self_connection`` 0.1,
        ``add_node`` 0.05) and the threshold keeps about 10 species
        (``target_species`` 10); ``changes`` override any field. These are the
        settings ``benchmarks/neat_bench.py`` balances a pole with, seeing
        neither velocity.

        >>> from synapse import neat
        >>> c = neat.Config.recurrent(add_gate=0.05)
        >>> c.add_self_connection, c.target_species, c.add_gate
        (0.1, 10, 0.05)
        """
        settings: dict[str, Any] = dict(add_node=0.05, add_back_connection=0.05,
                                        add_self_connection=0.1, target_species=10)
        settings.update(changes)
        return cls(**settings)

    def squash_names(self) -> tuple:
        """The squash names ``change_squash`` may draw, read now.

        Every name must be in ``synapse.squash.BY_NAME`` (ValueError otherwise),
        and so must ``hidden_squash`` (unless "random") and ``output_squash``.

        >>> from synapse import neat
        >>> neat.Config(squashes=["TANH", "RELU"]).squash_names()
        ('TANH', 'RELU')
        """
        table = _squash.BY_NAME
        names = (tuple(n for n, f in table.items() if f is not _squash.SOFTMAX)
                 if self.squashes is None else self.squashes)
        for name in names:
            if name not in table:
                raise ValueError(f"Config.squashes names {name!r}, which is not in "
                                 f"synapse.squash.BY_NAME {sorted(table)}")
        for name in (*names, self.hidden_squash, self.output_squash):
            if table.get(name) is _squash.SOFTMAX:
                raise ValueError("SOFTMAX squashes a layer's units together, and a genome's "
                                 "units squash alone (and may gate); choose another squash")
        if self.hidden_squash != "random" and self.hidden_squash not in table:
            raise ValueError(f"Config.hidden_squash must be 'random' or a name in "
                             f"synapse.squash.BY_NAME {sorted(table)}, got "
                             f"{self.hidden_squash!r}")
        if self.output_squash not in table:
            raise ValueError(f"Config.output_squash must be a name in synapse.squash.BY_NAME "
                             f"{sorted(table)}, got {self.output_squash!r}")
        return names

    def to_dict(self) -> dict:
        """Every field, as JSON-ready values."""
        out: dict[str, Any] = dataclasses.asdict(self)
        if out["squashes"] is not None:
            out["squashes"] = list(out["squashes"])
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Config:
        """A Config from :meth:`to_dict`'s dict (unknown keys are a ValueError)."""
        fields = tuple(f.name for f in dataclasses.fields(cls))
        return cls(**_check.keys(data, "Config dict", optional=fields))
