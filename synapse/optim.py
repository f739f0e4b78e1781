"""Optimizers: what a step does with the gradient.

An optimizer acts on ``net.parameters()`` (a writable view of every learnable
number) and ``net.grad`` (the derivative of the error, shaped alike): each
:meth:`~Optimizer.step` moves the parameters against the gradient, by the rule
of its reference, and :meth:`~Optimizer.zero_grad` clears the gradient for the
next. Gradients come from ``net.backward(target)`` (or the Trainer, which
averages them over a mini-batch).

Every rule is one module-level function, ``f(hyper, P, g, state, t)``, that
updates ``P`` and ``state`` in place with whole-array operations (no loop over
the parameters): ``hyper`` is the float array of the optimizer's
hyperparameters (its slots are named in ``HYPER``), ``P`` the parameters,
``g`` the gradient (only read), ``state`` a 2-D float array with one row per
moment (``ROWS``), ``t`` the number of this step, counted from 1. An optimizer
object holds ``kind`` (its index in ``UPDATES``), ``hyper``, ``state`` and
``t``; :func:`update` dispatches on ``kind``. The compiled engines call the
same rules on the same arrays.

>>> import numpy as np, synapse
>>> from synapse import optim
>>> from architect import Perceptron
>>> synapse.seed(0)
>>> net = Perceptron(2, 3, 1)
>>> opt = optim.Adam(net, lr=0.01)
>>> before = net.parameters().copy()
>>> _ = net.activate([1, 0]); opt.zero_grad(); net.backward([1]); opt.step()
>>> bool(np.all(np.abs(net.parameters() - before) <= 0.01 + 1e-12))   # Adam moves each by ~lr
True
"""
from __future__ import annotations

import math
from typing import Any, Callable, ClassVar

import numpy as np

from . import _check

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "Rprop", "make", "update", "sgd_update",
           "rmsprop_update", "adam_update", "rprop_update", "UPDATES", "ROWS", "HYPER",
           "SGD_KIND", "RMSPROP_KIND", "ADAM_KIND", "RPROP_KIND", "NAMES"]

SGD_KIND, RMSPROP_KIND, ADAM_KIND, RPROP_KIND = 0, 1, 2, 3

#: The slots of each kind's ``hyper`` array, in order (flags are 0.0 or 1.0).
HYPER = (
    ("lr", "momentum", "dampening", "nesterov", "weight_decay"),
    ("lr", "alpha", "eps", "weight_decay", "momentum", "centered"),
    ("lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"),
    ("lr", "etaminus", "etaplus", "step_min", "step_max", "weight_decay"),
)

#: The rows of each kind's ``state`` array: SGD [momentum buffer]; RMSprop [mean
#: square, mean gradient (centered), momentum buffer]; Adam [first moment, second
#: moment, largest second moment (amsgrad)]; Rprop [previous gradient, step size].
ROWS = (1, 3, 3, 2)


# ---------------------------------------------------------------- the rules
def sgd_update(hyper: np.ndarray, P: np.ndarray, g: np.ndarray, state: np.ndarray,
               t: int) -> None:
    """One SGD step, as ``torch.optim.SGD`` documents it.

    With d = g + weight_decay * P: when momentum is not 0, the buffer b
    becomes d at the first step and momentum * b + (1 - dampening) * d after;
    the direction is then d + momentum * b (Nesterov; Sutskever et al. 2013 as
    PyTorch formulates it) or b; finally P -= lr * direction.
    hyper: (lr, momentum, dampening, nesterov, weight_decay); state: [b].
    """
    lr, momentum, dampening, nesterov, weight_decay = (hyper[0], hyper[1], hyper[2], hyper[3],
                                                       hyper[4])
    d = g + weight_decay * P if weight_decay != 0.0 else g  # L2 decay; g is only read
    if momentum != 0.0:
        b = state[0]
        if t == 1:
            b[:] = d
        else:
            b[:] = momentum * b + (1.0 - dampening) * d
        if nesterov != 0.0:
            d = d + momentum * b
        else:
            d = b
    P -= lr * d


def rmsprop_update(hyper: np.ndarray, P: np.ndarray, g: np.ndarray, state: np.ndarray,
                   t: int) -> None:
    """One RMSprop step (Tieleman & Hinton 2012, lecture 6.5), as ``torch.optim.RMSprop``
    documents it.

    With d = g + weight_decay * P: v = alpha * v + (1 - alpha) * d^2; centered,
    also m = alpha * m + (1 - alpha) * d and v~ = v - m^2 (floored at 0 against
    rounding), else v~ = v; a = sqrt(v~) + eps. Without momentum
    P -= lr * d / a; with it, b = momentum * b + d / a and P -= lr * b.
    hyper: (lr, alpha, eps, weight_decay, momentum, centered); state: [v, m, b].
    """
    lr, alpha, eps, weight_decay, momentum, centered = (hyper[0], hyper[1], hyper[2], hyper[3],
                                                        hyper[4], hyper[5])
    d = g + weight_decay * P if weight_decay != 0.0 else g  # L2 decay; g is only read
    v = state[0]
    v[:] = alpha * v + (1.0 - alpha) * (d * d)
    if centered != 0.0:
        m = state[1]
        m[:] = alpha * m + (1.0 - alpha) * d
        a = np.sqrt(np.maximum(v - m * m, 0.0)) + eps
    else:
        a = np.sqrt(v) + eps
    if momentum != 0.0:
        b = state[2]
        b[:] = momentum * b + d / a
        P -= lr * b
    else:
        P -= lr * (d / a)


def adam_update(hyper: np.ndarray, P: np.ndarray, g: np.ndarray, state: np.ndarray,
                t: int) -> None:
    """One Adam step (Kingma & Ba 2015, Algorithm 1), as ``torch.optim.Adam`` documents it.

    With d = g + weight_decay * P (L2, added to the gradient as torch.optim.Adam
    does; not AdamW's decoupled decay): m = beta1 * m + (1 - beta1) * d,
    v = beta2 * v + (1 - beta2) * d^2, and with the bias corrections
    c1 = 1 - beta1^t, c2 = 1 - beta2^t:
    P -= (lr / c1) * m / (sqrt(v) / sqrt(c2) + eps), which is
    lr * m^ / (sqrt(v^) + eps) with m^ = m / c1, v^ = v / c2. With amsgrad
    (Reddi et al. 2018, as torch), the largest v so far replaces v there.
    hyper: (lr, beta1, beta2, eps, weight_decay, amsgrad); state: [m, v, vmax].
    """
    lr, beta1, beta2, eps, weight_decay, amsgrad = (hyper[0], hyper[1], hyper[2], hyper[3],
                                                    hyper[4], hyper[5])
    d = g + weight_decay * P if weight_decay != 0.0 else g  # L2 decay; g is only read
    m = state[0]
    v = state[1]
    m[:] = beta1 * m + (1.0 - beta1) * d
    v[:] = beta2 * v + (1.0 - beta2) * (d * d)
    c1 = 1.0 - beta1 ** t
    c2 = 1.0 - beta2 ** t
    if amsgrad != 0.0:
        vmax = state[2]
        vmax[:] = np.maximum(vmax, v)
        denominator = np.sqrt(vmax) / math.sqrt(c2) + eps
    else:
        denominator = np.sqrt(v) / math.sqrt(c2) + eps
    P -= (lr / c1) * m / denominator


def rprop_update(hyper: np.ndarray, P: np.ndarray, g: np.ndarray, state: np.ndarray,
                 t: int) -> None:
    """One Rprop step (Riedmiller & Braun 1993), the variant ``torch.optim.Rprop``
    implements (without weight-backtracking, also called Rprop-minus).

    At the first step every step size s starts at lr. Then per parameter, with
    d = g + weight_decay * P (weight_decay is an addition; torch's Rprop has
    none, and 0 gives torch's rule) and p the previous (kept) gradient:
    where d * p > 0, s = min(s * etaplus, step_max); where d * p < 0,
    s = max(s * etaminus, step_min) and d is taken as 0 (no move now, and no
    sign change is seen at the next step); else s stays (clamped to
    [step_min, step_max]). Then P -= s * sign(d) and p = d.
    hyper: (lr, etaminus, etaplus, step_min, step_max, weight_decay);
    state: [p, s].
    """
    lr, etaminus, etaplus, step_min, step_max, weight_decay = (hyper[0], hyper[1], hyper[2],
                                                               hyper[3], hyper[4], hyper[5])
    d = g + weight_decay * P if weight_decay != 0.0 else g  # L2 decay; g is only read
    previous = state[0]
    size = state[1]
    if t == 1:
        size[:] = lr
    product = d * previous
    factor = np.where(product > 0.0, etaplus, np.where(product < 0.0, etaminus, 1.0))
    size[:] = np.minimum(np.maximum(size * factor, step_min), step_max)
    d = np.where(product < 0.0, 0.0, d)
    P -= size * np.sign(d)
    previous[:] = d


#: The rule of each kind, indexed by ``kind``.
UPDATES = (sgd_update, rmsprop_update, adam_update, rprop_update)


def update(kind: int, hyper: np.ndarray, P: np.ndarray, g: np.ndarray, state: np.ndarray,
           t: int) -> None:
    """Apply the rule ``UPDATES[kind]``: one step, in place on ``P`` and ``state``."""
    if kind == SGD_KIND:
        sgd_update(hyper, P, g, state, t)
    elif kind == RMSPROP_KIND:
        rmsprop_update(hyper, P, g, state, t)
    elif kind == ADAM_KIND:
        adam_update(hyper, P, g, state, t)
    elif kind == RPROP_KIND:
        rprop_update(hyper, P, g, state, t)
    else:
        raise ValueError(f"optimizer kind must be 0, 1, 2 or 3, got {kind!r}")


# ---------------------------------------------------------------- checks
def _pair(x: Any, what: str) -> tuple[float, float]:
    if isinstance(x, (str, bytes, dict)) or not hasattr(x, "__len__"):
        raise TypeError(f"{what} must be a pair of numbers, got {_check.came(x)}")
    if len(x) != 2:
        raise ValueError(f"{what} must be a pair of numbers, got {len(x)} of them")
    return _check.number(x[0], f"{what}[0]"), _check.number(x[1], f"{what}[1]")


def _arrays(net: Any) -> tuple[np.ndarray, np.ndarray]:
    """The network's parameters and gradient, checked to be what an optimizer steps."""
    try:
        P, g = net.parameters(), net.grad
    except AttributeError:
        raise TypeError(f"an optimizer needs a Network, got {_check.came(net)}") from None
    if not (isinstance(P, np.ndarray) and isinstance(g, np.ndarray) and P.ndim == 1
            and P.dtype == np.float64 and g.shape == P.shape and g.dtype == np.float64):
        raise TypeError(f"an optimizer needs a Network (parameters() and grad: float arrays "
                        f"of one shape), got {_check.came(net)}")
    return P, g


# ---------------------------------------------------------------- the objects
class Optimizer:
    """What the optimizers share; make one of :class:`SGD`, :class:`RMSprop`,
    :class:`Adam` or :class:`Rprop`.

    Attributes
    ----------
    net : Network
        The network whose parameters it steps.
    kind : int
        The index of its rule in ``UPDATES``.
    hyper : numpy.ndarray
        Its hyperparameters, in the slots ``HYPER[kind]`` names.
    state : numpy.ndarray
        Its moments, shape (``ROWS[kind]``, number of parameters).
    t : int
        The steps taken.
    """

    kind: int = -1

    def __init__(self, net: Any, **options: Any):
        P, _ = _arrays(net)
        self.net = net
        self.hyper = self._hyper(**options)
        self._options = self._normal(options)
        self.state = np.zeros((ROWS[self.kind], P.size))
        self.t = 0

    #: subclasses: the constructor's options, checked, as the ``hyper`` array
    _hyper: ClassVar[Callable[..., np.ndarray]]

    @classmethod
    def _normal(cls, options: dict) -> dict:
        out = {}
        for k, v in options.items():
            out[k] = [float(x) for x in v] if isinstance(v, (tuple, list, np.ndarray)) else (
                bool(v) if isinstance(v, (bool, np.bool_)) else float(v))
        return out

    def __repr__(self) -> str:
        text = ", ".join(f"{k}={tuple(v) if isinstance(v, list) else v!r}"
                         for k, v in self._options.items())
        return f"{type(self).__name__}({text})"

    @property
    def n_params(self) -> int:
        """The number of parameters it was made (or loaded) for."""
        return self.state.shape[1]

    @property
    def lr(self) -> float:
        """The learning rate (settable: a finite number at least 0)."""
        return float(self.hyper[0])

    @lr.setter
    def lr(self, value: float) -> None:
        value = _check.non_negative(value, "lr")
        self.hyper[0] = value
        self._options["lr"] = value

    def options(self) -> dict:
        """The hyperparameters, as the constructor takes them."""
        return {k: list(v) if isinstance(v, list) else v for k, v in self._options.items()}

    def _current(self) -> tuple[np.ndarray, np.ndarray]:
        P, g = _arrays(self.net)
        if P.size != self.n_params:
            raise ValueError(
                f"the network's structure changed since this {type(self).__name__} was made: it "
                f"has {P.size} parameters now, the optimizer {self.n_params}; make a new "
                f"optimizer (or load a state of the right size)")
        return P, g

    def step(self) -> None:
        """Move the parameters one step against ``net.grad``, by the rule.

        Raises
        ------
        ValueError
            When the network's number of parameters changed since the
            optimizer was made (nothing changes then).
        """
        P, g = self._current()
        self.t += 1
        update(self.kind, self.hyper, P, g, self.state, self.t)

    def zero_grad(self) -> None:
        """Set ``net.grad`` to 0 (before accumulating the next gradient)."""
        self.net.zero_grad()

    def state_dict(self) -> dict:
        """Everything needed to continue exactly: plain lists and numbers (JSON-able).

        Keys: ``optimizer`` (the class name), ``options`` (the constructor's
        hyperparameters), ``t`` (steps taken) and ``state`` (one list per moment).
        """
        return {"optimizer": type(self).__name__, "options": self.options(), "t": self.t,
                "state": self.state.tolist()}

    def load_state_dict(self, state: dict) -> None:
        """Continue from a :meth:`state_dict`: hyperparameters, step count and moments.

        Raises
        ------
        TypeError, ValueError
            For anything but a state dict of this optimizer's class whose moments
            fit the network's current parameters (nothing changes then).
        """
        d = _check.keys(state, "optimizer state", ("optimizer", "options", "t", "state"))
        name = type(self).__name__
        if d["optimizer"] != name:
            raise ValueError(f"optimizer state is of {d['optimizer']!r}, not {name!r}")
        options = _check.keys(d["options"], f"{name} options", (), HYPER_OPTIONS[self.kind])
        hyper = self._hyper(**options)
        t = _check.count(d["t"], "optimizer state t")
        moments = _check.array(d["state"], "optimizer state")
        P, _ = _arrays(self.net)
        shape = (ROWS[self.kind], P.size)
        if moments.shape != shape:
            raise ValueError(f"optimizer state must have shape {shape} for this network, got "
                             f"{moments.shape}")
        _check.finite(moments.ravel(), "optimizer state")
        self.hyper = hyper
        self._options = self._normal(options)
        self.t = t
        self.state = moments


class SGD(Optimizer):
    """Stochastic gradient descent, with momentum, Nesterov momentum and weight decay.

    The rule is PyTorch's ``torch.optim.SGD`` (see :func:`sgd_update`):
    ``SGD(net, lr)`` is exactly ``propagate``'s plain step, P -= lr * grad.

    Parameters
    ----------
    net : Network
    lr : float, default 0.1
        The learning rate, at least 0.
    momentum : float, default 0
        At least 0.
    nesterov : bool, default False
        Nesterov momentum (needs momentum > 0 and dampening 0).
    weight_decay : float, default 0
        L2 penalty: weight_decay * P is added to the gradient.
    dampening : float, default 0
        The share of the gradient left out of the momentum buffer, from 0 to 1.

    Raises
    ------
    TypeError, ValueError
        For options of the wrong type or value.

    Examples
    --------
    >>> import numpy as np, synapse
    >>> from synapse import optim
    >>> from architect import Perceptron
    >>> synapse.seed(0)
    >>> net = Perceptron(2, 2, 1)
    >>> opt = optim.SGD(net, lr=0.5, momentum=0.9)
    >>> P = net.parameters().copy()
    >>> net.grad[:] = 1.0; opt.step(); opt.step()      # buffer 1, then 0.9 + 1
    >>> np.allclose(net.parameters(), P - 0.5 * (1 + 1.9))
    True
    """

    kind = SGD_KIND

    def __init__(self, net: Any, lr: float = 0.1, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0, dampening: float = 0.0):
        super().__init__(net, lr=lr, momentum=momentum, nesterov=nesterov,
                         weight_decay=weight_decay, dampening=dampening)

    @classmethod
    def _hyper(cls, lr: float = 0.1, momentum: float = 0.0, nesterov: bool = False,
               weight_decay: float = 0.0, dampening: float = 0.0) -> np.ndarray:
        lr = _check.non_negative(lr, "lr")
        momentum = _check.non_negative(momentum, "momentum")
        nesterov = _check.flag(nesterov, "nesterov")
        weight_decay = _check.non_negative(weight_decay, "weight_decay")
        dampening = _check.fraction(dampening, "dampening")
        if nesterov and (momentum <= 0.0 or dampening != 0.0):
            raise ValueError(f"nesterov needs momentum > 0 and dampening 0, got momentum "
                             f"{momentum} and dampening {dampening}")
        return np.array([lr, momentum, dampening, float(nesterov), weight_decay])


class RMSprop(Optimizer):
    """RMSprop (Tieleman & Hinton 2012), as PyTorch's ``torch.optim.RMSprop`` defines it.

    Each step divides the gradient by the root of a running mean of its
    squares (see :func:`rmsprop_update`).

    Parameters
    ----------
    net : Network
    lr : float, default 0.01
    alpha : float, default 0.99
        The smoothing constant of the running means, from 0 to 1.
    eps : float, default 1e-8
        Added to the root, at least 0.
    weight_decay : float, default 0
        L2 penalty added to the gradient.
    momentum : float, default 0
        Momentum on the scaled step, at least 0.
    centered : bool, default False
        Divide by the root of the running variance (mean square minus squared mean).

    Examples
    --------
    >>> import numpy as np, synapse
    >>> from synapse import optim
    >>> from architect import Perceptron
    >>> synapse.seed(0)
    >>> net = Perceptron(2, 2, 1)
    >>> opt = optim.RMSprop(net, lr=0.01, alpha=0.99, eps=0.0)
    >>> P = net.parameters().copy()
    >>> net.grad[:] = 3.0; opt.step()             # 3 / sqrt(0.01 * 9) = 10
    >>> np.allclose(net.parameters(), P - 0.1)
    True
    """

    kind = RMSPROP_KIND

    def __init__(self, net: Any, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        super().__init__(net, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                         momentum=momentum, centered=centered)

    @classmethod
    def _hyper(cls, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
               weight_decay: float = 0.0, momentum: float = 0.0,
               centered: bool = False) -> np.ndarray:
        lr = _check.non_negative(lr, "lr")
        alpha = _check.fraction(alpha, "alpha")
        eps = _check.non_negative(eps, "eps")
        weight_decay = _check.non_negative(weight_decay, "weight_decay")
        momentum = _check.non_negative(momentum, "momentum")
        centered = _check.flag(centered, "centered")
        return np.array([lr, alpha, eps, weight_decay, momentum, float(centered)])


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), bias-corrected, as PyTorch's ``torch.optim.Adam`` defines it.

    ``weight_decay`` is an L2 penalty added to the gradient (as torch.optim.Adam,
    not AdamW). See :func:`adam_update`.

    Parameters
    ----------
    net : Network
    lr : float, default 0.001
    betas : pair of float, default (0.9, 0.999)
        The decay rates of the first and second moments, each in [0, 1).
    eps : float, default 1e-8
        Added to the root of the second moment, at least 0.
    weight_decay : float, default 0
    amsgrad : bool, default False
        Divide by the largest second moment so far (Reddi et al. 2018).

    Examples
    --------
    >>> import numpy as np, synapse
    >>> from synapse import optim
    >>> from architect import Perceptron
    >>> synapse.seed(0)
    >>> net = Perceptron(2, 2, 1)
    >>> opt = optim.Adam(net, lr=0.001, eps=0.0)
    >>> P = net.parameters().copy()
    >>> net.grad[:] = -5.0; opt.step()            # the first step is lr * sign
    >>> np.allclose(net.parameters(), P + 0.001)
    True
    """

    kind = ADAM_KIND

    def __init__(self, net: Any, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False):
        super().__init__(net, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)

    @classmethod
    def _hyper(cls, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
               eps: float = 1e-8, weight_decay: float = 0.0,
               amsgrad: bool = False) -> np.ndarray:
        lr = _check.non_negative(lr, "lr")
        beta1, beta2 = _pair(betas, "betas")
        for i, beta in enumerate((beta1, beta2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"betas[{i}] must be in [0, 1), got {beta!r}")
        eps = _check.non_negative(eps, "eps")
        weight_decay = _check.non_negative(weight_decay, "weight_decay")
        amsgrad = _check.flag(amsgrad, "amsgrad")
        return np.array([lr, beta1, beta2, eps, weight_decay, float(amsgrad)])


class Rprop(Optimizer):
    """Resilient backpropagation (Riedmiller & Braun 1993), the variant
    PyTorch's ``torch.optim.Rprop`` implements.

    Each parameter has its own step size, grown by ``etas[1]`` while its
    gradient keeps its sign and shrunk by ``etas[0]`` when the sign flips; the
    step uses only the gradient's sign. Meant for full-batch gradients. See
    :func:`rprop_update`.

    Parameters
    ----------
    net : Network
    lr : float, default 0.01
        The initial step size, at least 0.
    etas : pair of float, default (0.5, 1.2)
        (etaminus, etaplus), with 0 < etaminus < 1 < etaplus.
    step_sizes : pair of float, default (1e-6, 50)
        The smallest and largest step size, 0 <= min <= max.
    weight_decay : float, default 0
        L2 penalty added to the gradient (an addition: torch's Rprop has none).

    Examples
    --------
    >>> import numpy as np, synapse
    >>> from synapse import optim
    >>> from architect import Perceptron
    >>> synapse.seed(0)
    >>> net = Perceptron(2, 2, 1)
    >>> opt = optim.Rprop(net, lr=0.01)
    >>> P = net.parameters().copy()
    >>> net.grad[:] = 7.0; opt.step(); opt.step()    # 0.01, then 0.01 * 1.2
    >>> np.allclose(net.parameters(), P - 0.01 - 0.012)
    True
    """

    kind = RPROP_KIND

    def __init__(self, net: Any, lr: float = 0.01, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50.0), weight_decay: float = 0.0):
        super().__init__(net, lr=lr, etas=etas, step_sizes=step_sizes,
                         weight_decay=weight_decay)

    @classmethod
    def _hyper(cls, lr: float = 0.01, etas: tuple[float, float] = (0.5, 1.2),
               step_sizes: tuple[float, float] = (1e-6, 50.0),
               weight_decay: float = 0.0) -> np.ndarray:
        lr = _check.non_negative(lr, "lr")
        etaminus, etaplus = _pair(etas, "etas")
        if not 0.0 < etaminus < 1.0 < etaplus:
            raise ValueError(f"etas must satisfy 0 < etas[0] < 1 < etas[1], got "
                             f"({etaminus!r}, {etaplus!r})")
        step_min, step_max = _pair(step_sizes, "step_sizes")
        if not 0.0 <= step_min <= step_max:
            raise ValueError(f"step_sizes must satisfy 0 <= step_sizes[0] <= step_sizes[1], got "
                             f"({step_min!r}, {step_max!r})")
        weight_decay = _check.non_negative(weight_decay, "weight_decay")
        return np.array([lr, etaminus, etaplus, step_min, step_max, weight_decay])


#: The constructor options of each kind (what a state dict's ``options`` may hold).
HYPER_OPTIONS = (
    ("lr", "momentum", "nesterov", "weight_decay", "dampening"),
    ("lr", "alpha", "eps", "weight_decay", "momentum", "centered"),
    ("lr", "betas", "eps", "weight_decay", "amsgrad"),
    ("lr", "etas", "step_sizes", "weight_decay"),
)

#: The names :func:`make` takes, and what each makes.
NAMES = {"sgd": "plain or momentum SGD", "momentum": "SGD with momentum (0.9 unless given)",
         "nesterov": "SGD with Nesterov momentum (0.9 unless given)", "rmsprop": "RMSprop",
         "adam": "Adam", "rprop": "Rprop"}


def make(optimizer: str | Optimizer, net: Any, **options: Any) -> Optimizer:
    """An optimizer for ``net``, from a name or an optimizer object.

    Parameters
    ----------
    optimizer : str or Optimizer
        A name (any case): "sgd", "momentum", "nesterov", "rmsprop", "adam" or
        "rprop", made with ``options``; "momentum" and "nesterov" are SGD with
        ``momentum`` 0.9 unless ``options`` give it (None counts as not given).
        Or an optimizer already made for ``net``, returned as it is.
    net : Network
    **options
        The constructor's keyword arguments (``lr``, ``weight_decay``, ...).

    Returns
    -------
    Optimizer

    Raises
    ------
    TypeError
        For an optimizer that is neither a name nor an optimizer object, or an
        option the optimizer does not take.
    ValueError
        For an unknown name, a bad option value, options given with an object,
        or an object made for another network.

    Examples
    --------
    >>> import synapse
    >>> from synapse import optim
    >>> from architect import Perceptron
    >>> net = Perceptron(2, 2, 1)
    >>> optim.make("nesterov", net, lr=0.05)
    SGD(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.0, dampening=0.0)
    >>> opt = optim.Adam(net)
    >>> optim.make(opt, net) is opt
    True
    """
    if isinstance(optimizer, Optimizer):
        if options:
            raise ValueError(f"an optimizer object takes no options here (its own are set "
                             f"when it is made), got {sorted(options)}")
        if optimizer.net is not net:
            raise ValueError(f"this {type(optimizer).__name__} was made for another network")
        return optimizer
    if not isinstance(optimizer, str):
        raise TypeError(f"optimizer must be a name ({', '.join(map(repr, NAMES))}) or an "
                        f"optimizer object, got {_check.came(optimizer)}")
    name = _check.choice(optimizer.lower(), "optimizer", tuple(NAMES))
    if name in ("momentum", "nesterov"):
        if options.get("momentum") is None:
            options["momentum"] = 0.9
        if name == "nesterov":
            options["nesterov"] = True
        name = "sgd"
    cls = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "rprop": Rprop}[name]
    return cls(net, **options)
