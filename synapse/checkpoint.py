"""Checkpoints: everything a training run needs to go on exactly where it stopped.

A checkpoint is one JSON file holding

* the network, losslessly (``Network.to_json(state=True)``: weights, states,
  traces, extended traces, gains as read) and its gradient and engine choice;
* the state of synapse's random generator (``synapse.seed``'s), which loading
  restores, so a resumed shuffle draws what the uninterrupted run would have;
* an optimizer, if given: its class name and ``state_dict()``, restored by
  ``load_state_dict`` on a new one of that class (found in ``synapse.optim``,
  or among the ``optimizers`` passed to :func:`load`);
* a :class:`~synapse.Trainer`, if given: its options and ``position``, so that
  ``trainer.train(..., resume=True)`` goes on from the same pass.

A run stopped and resumed from a checkpoint ends with the same parameters,
bit for bit, as one that never stopped, on the same engine
(``tests/test_checkpoint.py`` checks it across processes).

>>> import os, tempfile, synapse
>>> from synapse import Trainer, checkpoint
>>> from architect import Perceptron
>>> synapse.seed(1)
>>> net = Perceptron(2, 3, 1)
>>> trainer = Trainer(net, rate=0.3)
>>> data = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]
>>> stop = {"every": 5, "do": lambda info: info["iterations"] == 10}
>>> trainer.train(data, iterations=20, shuffle=True, schedule=stop)["iterations"]
10
>>> path = os.path.join(tempfile.mkdtemp(), "run.json")
>>> checkpoint.save(path, net, trainer=trainer)
>>> restored = checkpoint.load(path)
>>> restored["trainer"].train(data, iterations=20, shuffle=True, resume=True)["iterations"]
20

Loading never executes anything from the file: classes are looked up in
fixed tables, numbers are checked, arrays are numeric.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from . import _check, rng, serialize
from . import cost as _cost
from .engine import CHOICES as engine_choices
from .network import Network
from .trainer import Trainer

__all__ = ["save", "load", "FORMAT"]

#: The checkpoint format this module writes (and the largest it reads).
FORMAT = 1

_TAGS = ("__ndarray__", "__tuple__", "__items__", "__float__")
#: numpy's bit generators a checkpoint may name
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
#: Trainer options that are plain values (numbers, text) or named library functions
_TRAINER_OPTIONS = ("rate", "iterations", "error", "cost", "cross_validate", "gradient")


# ---------------------------------------------------------------- plain values
def encode(x: Any, where: str = "state") -> Any:
    """``x`` as JSON values: numpy arrays, tuples, dicts with non-text keys and
    non-finite floats are tagged so that :func:`decode` gives them back.
    Anything else is a TypeError naming its place."""
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, numbers.Real):
        v = float(x)
        return v if math.isfinite(v) else {"__float__": repr(v)}
    if isinstance(x, np.ndarray):
        if x.dtype.kind not in "biuf":
            raise TypeError(f"{where} is an array of {x.dtype}; a checkpoint holds numbers only")
        return {"__ndarray__": [encode(v, where) for v in x.ravel().tolist()],
                "dtype": x.dtype.str, "shape": list(x.shape)}
    if isinstance(x, tuple):
        return {"__tuple__": [encode(v, f"{where}[{i}]") for i, v in enumerate(x)]}
    if isinstance(x, list):
        return [encode(v, f"{where}[{i}]") for i, v in enumerate(x)]
    if isinstance(x, dict):
        if all(isinstance(k, str) for k in x) and not any(k in _TAGS for k in x):
            return {k: encode(v, f"{where}.{k}") for k, v in x.items()}
        return {"__items__": [[encode(k, where), encode(v, f"{where}[{k!r}]")]
                              for k, v in x.items()]}
    raise TypeError(f"{where} holds {_check.came(x)}; a checkpoint holds numbers, text, "
                    f"lists, dicts and numpy arrays")


def decode(x: Any, where: str = "state") -> Any:
    """The inverse of :func:`encode`."""
    if isinstance(x, list):
        return [decode(v, f"{where}[{i}]") for i, v in enumerate(x)]
    if not isinstance(x, dict):
        return x
    if "__float__" in x:
        text = x["__float__"]
        if text not in ("nan", "inf", "-inf"):
            raise ValueError(f"{where}.__float__ must be 'nan', 'inf' or '-inf', got "
                             f"{_check.came(text)}")
        return float(text)
    if "__tuple__" in x:
        return tuple(decode(x["__tuple__"], where))
    if "__items__" in x:
        items = x["__items__"]
        if not isinstance(items, list) or not all(isinstance(p, list) and len(p) == 2
                                                  for p in items):
            raise TypeError(f"{where}.__items__ must be a list of [key, value] pairs")
        out = {}
        for k, v in items:
            k = decode(k, where)
            try:
                out[k] = decode(v, f"{where}[{k!r}]")
            except TypeError:  # an unhashable key
                raise TypeError(f"{where} has a key that cannot be a dict key: "
                                f"{_check.came(k)}") from None
        return out
    if "__ndarray__" in x:
        try:
            dtype = np.dtype(x.get("dtype"))
        except TypeError:
            raise ValueError(f"{where}.dtype is not a numpy dtype: "
                             f"{_check.came(x.get('dtype'))}") from None
        if dtype.kind not in "biuf":
            raise ValueError(f"{where}.dtype must be numeric, got {dtype}")
        shape = x.get("shape")
        if not isinstance(shape, list) or not all(isinstance(s, int) and s >= 0 for s in shape):
            raise ValueError(f"{where}.shape must be a list of sizes, got {_check.came(shape)}")
        values = decode(x["__ndarray__"], where)
        if not isinstance(values, list) or math.prod(shape) != len(values):
            raise ValueError(f"{where} holds {len(values) if isinstance(values, list) else 0} "
                             f"values for the shape {shape}")
        return np.array(values, dtype=dtype).reshape(shape)
    return {k: decode(v, f"{where}.{k}") for k, v in x.items()}


# ---------------------------------------------------------------- the parts
def _costs() -> dict:
    return {name: f for name, f in vars(_cost).items() if name.isupper() and callable(f)}


def _trainer_part(trainer: Trainer, net: Network) -> dict:
    if not isinstance(trainer, Trainer):
        raise TypeError(f"trainer must be a Trainer, got {_check.came(trainer)}")
    if trainer.network is not net:
        raise ValueError("the trainer trains another network than the one given")
    options: dict = {}
    unsaved = []
    costs = {id(f): name for name, f in _costs().items()}
    for key in _TRAINER_OPTIONS:
        value = getattr(trainer, key)
        if key == "cost" and value is not None:
            if id(value) not in costs:
                unsaved.append(key)
                continue
            value = costs[id(value)]
        elif key == "rate" and callable(value):
            unsaved.append(key)
            continue
        options[key] = encode(value, f"trainer.{key}")
    position = None if trainer.position is None else encode(trainer.position, "trainer.position")
    return {"options": options, "unsaved": unsaved, "position": position}


def _optimizer_part(optimizer) -> dict:
    for method in ("state_dict", "load_state_dict"):
        if not callable(getattr(optimizer, method, None)):
            raise TypeError(f"optimizer must have state_dict() and load_state_dict(), got "
                            f"{_check.came(optimizer)}")
    return {"class": type(optimizer).__name__,
            "state": encode(optimizer.state_dict(), "optimizer state")}


def save(path, net: Network, optimizer=None, trainer: Trainer | None = None) -> None:
    """Write a checkpoint of ``net`` (and ``optimizer``, ``trainer``) to ``path``,
    atomically (as ``Network.save``).

    Parameters
    ----------
    path : str or os.PathLike
    net : Network
    optimizer : object with ``state_dict()`` and ``load_state_dict(d)``, optional
        (default: the trainer's, if it trained with one)
    trainer : Trainer, optional
        It must train ``net``. Its options are saved when they are numbers,
        text or the library's own costs; a callable ``rate`` or a cost of your
        own is passed again to :func:`load` (``trainer_options``).

    Raises
    ------
    TypeError, ValueError
        For arguments of the wrong kind, a non-finite weight, or optimizer
        state that is not numbers, text, lists, dicts or numeric arrays;
        nothing is written then.
    """
    if optimizer is None and trainer is not None and isinstance(trainer, Trainer):
        optimizer = trainer.optimizer  # what Trainer.train last stepped with, if anything
    if not isinstance(net, Network):
        raise TypeError(f"checkpoint.save needs a Network, got {_check.came(net)}")
    layout = net._compiled()
    data = {"synapse_checkpoint": FORMAT,
            "network": net.to_json(state=True),
            "engine": {"optimize": net._optimize, "kind": net._engine_kind},
            "grad": encode(layout.grad.copy(), "grad"),
            "rng": encode(rng.generator().bit_generator.state, "rng"),
            "optimizer": None if optimizer is None else _optimizer_part(optimizer),
            "trainer": None if trainer is None else _trainer_part(trainer, net)}
    serialize.write_text(path, serialize.dumps(data, "the checkpoint"))


def _optimizer_classes(extra) -> dict:
    table: dict = {}
    try:
        from . import optim  # type: ignore[attr-defined]
    except ImportError:
        optim = None  # type: ignore[assignment]
    if optim is not None:
        for name, k in vars(optim).items():
            if isinstance(k, type) and callable(getattr(k, "load_state_dict", None)):
                table[name] = k
    if extra is not None:
        if not isinstance(extra, dict) or not all(isinstance(k, type) for k in extra.values()):
            raise TypeError(f"optimizers must map class names to classes, got "
                            f"{_check.came(extra)}")
        table.update(extra)
    return table


def _restore_rng(state: Any) -> None:
    if not isinstance(state, dict) or state.get("bit_generator") not in _BIT_GENERATORS:
        raise ValueError(f"checkpoint 'rng' must be the state of one of numpy's bit "
                         f"generators {list(_BIT_GENERATORS)}")
    g = rng.generator()
    if type(g.bit_generator).__name__ != state["bit_generator"]:
        bit_generator = getattr(np.random, state["bit_generator"])()
        try:
            bit_generator.state = state
        except (TypeError, ValueError, KeyError) as e:
            raise ValueError(f"checkpoint 'rng' is not a valid generator state: {e}") from None
        rng._generator = np.random.Generator(bit_generator)
        return
    before = g.bit_generator.state
    try:
        g.bit_generator.state = state
    except (TypeError, ValueError, KeyError) as e:
        g.bit_generator.state = before
        raise ValueError(f"checkpoint 'rng' is not a valid generator state: {e}") from None


def load(path, squashes=None, optimizers: dict | None = None,
         trainer_options: dict | None = None) -> dict:
    """Read a checkpoint written by :func:`save`, and restore synapse's random
    generator to its state then.

    Parameters
    ----------
    path : str or os.PathLike
    squashes : dict, optional
        Squash functions of your own, by name (as for ``Network.load``).
    optimizers : dict, optional
        Optimizer classes of your own, by class name (``synapse.optim``'s are
        known). The optimizer is rebuilt as ``cls(network)``, then
        ``load_state_dict``.
    trainer_options : dict, optional
        Trainer options the checkpoint could not hold (a callable ``rate``, a
        cost of your own), or any you want to replace.

    Returns
    -------
    dict
        ``{"network": Network, "optimizer": object or None, "trainer": Trainer
        or None}``; the trainer trains the network and ``train(...,
        resume=True)`` continues where the saved one stopped.

    Raises
    ------
    TypeError, ValueError
        For a file that is not a checkpoint or is malformed, an unknown
        optimizer class, or a trainer option that must be given again. The
        random generator is restored only once everything else has loaded.
    """
    data = serialize.parse(serialize.read_text(path), "checkpoint JSON")
    if not isinstance(data, dict) or "synapse_checkpoint" not in data:
        raise ValueError(f"{path} is not a synapse checkpoint (no 'synapse_checkpoint' key)")
    version = data["synapse_checkpoint"]
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= FORMAT:
        raise ValueError(f"checkpoint format {version!r} is not one this synapse reads "
                         f"(1 to {FORMAT})")
    for key in ("network", "engine", "grad", "rng", "optimizer", "trainer"):
        if key not in data:
            raise ValueError(f"checkpoint lacks the key {key!r}")
    net = Network.from_json(data["network"], squashes)
    layout = net._compiled()
    grad = decode(data["grad"], "grad")
    if not isinstance(grad, np.ndarray) or grad.shape != layout.grad.shape:
        raise ValueError(f"checkpoint 'grad' must be an array of shape {layout.grad.shape}")
    engine = data["engine"]
    if not isinstance(engine, dict):
        raise TypeError(f"checkpoint 'engine' must be an object, got {_check.came(engine)}")
    optimize = _check.flag(engine.get("optimize", True), "checkpoint engine.optimize")
    kind = engine.get("kind")
    if kind not in engine_choices:
        raise ValueError(f"checkpoint engine.kind must be 'numpy', 'jit' or null, got "
                         f"{_check.came(kind)}")
    try:
        net.set_optimize(optimize, engine=kind)
    except ValueError:  # the JIT, saved where numba ran, is not available here
        net.set_optimize(optimize)
    layout.grad[...] = grad

    optimizer = None
    if data["optimizer"] is not None:
        part = data["optimizer"]
        if not isinstance(part, dict) or not isinstance(part.get("class"), str):
            raise TypeError("checkpoint 'optimizer' must be {'class': name, 'state': ...}")
        table = _optimizer_classes(optimizers)
        cls = table.get(part["class"])
        if cls is None:
            raise ValueError(f"checkpoint optimizer class {part['class']!r} is unknown; "
                             f"known: {sorted(table)} (pass optimizers={{name: class}})")
        optimizer = cls(net)
        optimizer.load_state_dict(decode(part.get("state"), "optimizer state"))

    trainer = None
    if data["trainer"] is not None:
        trainer = _trainer(data["trainer"], net, trainer_options)
        if optimizer is not None and getattr(optimizer, "net", None) is net:
            trainer.optimizer = optimizer  # train(..., resume=True) goes on with its moments
    _restore_rng(data["rng"])
    return {"network": net, "optimizer": optimizer, "trainer": trainer}


def _trainer(part: Any, net: Network, given: dict | None) -> Trainer:
    if not isinstance(part, dict) or not isinstance(part.get("options"), dict):
        raise TypeError("checkpoint 'trainer' must be {'options': {...}, 'position': ...}")
    options = {k: decode(v, f"trainer.{k}") for k, v in part["options"].items()
               if k in _TRAINER_OPTIONS}
    if isinstance(options.get("cost"), str):
        costs = _costs()
        if options["cost"] not in costs:
            raise ValueError(f"checkpoint trainer cost {options['cost']!r} is unknown; known: "
                             f"{sorted(costs)}")
        options["cost"] = costs[options["cost"]]
    if given is not None:
        _check.keys(given, "trainer_options", optional=_TRAINER_OPTIONS)
        options.update(given)
    unsaved = part.get("unsaved", [])
    missing = [k for k in unsaved if k not in options] if isinstance(unsaved, list) else []
    if missing:
        raise ValueError(f"the checkpoint's trainer had options of your own it could not hold "
                         f"({missing}); pass them as trainer_options={{...}}")
    trainer = Trainer(net, **options)
    position = decode(part.get("position"), "trainer.position")
    if position is not None:
        if not isinstance(position, dict):
            raise TypeError("checkpoint trainer.position must be {'iterations', 'error'}")
        it = _check.count(position.get("iterations"), "trainer.position.iterations")
        error = position.get("error")
        error = None if error is None else _check.number(error, "trainer.position.error")
        trainer.position = {"iterations": it, "error": error}
    return trainer
