"""scikit-learn estimators: a synapse Perceptron behind ``fit`` and ``predict``.

:class:`NetworkClassifier` and :class:`NetworkRegressor` build an
``architect.Perceptron`` sized to the data and train it with
:meth:`synapse.Trainer.train`, so ``GridSearchCV``, ``cross_val_score``,
``Pipeline`` and the rest of scikit-learn take them as they take any of its own
estimators (both pass ``sklearn.utils.estimator_checks.check_estimator``).

Needs scikit-learn (``pip install synapse[sklearn]``); the rest of synapse
never imports it.

>>> from sklearn.datasets import load_iris
>>> from synapse.sklearn import NetworkClassifier
>>> X, y = load_iris(return_X_y=True)
>>> clf = NetworkClassifier(hidden=(8,), epochs=100, random_state=0).fit(X, y)
>>> clf.classes_.tolist(), clf.network_.outputs()
([0, 1, 2], 3)
>>> bool(clf.score(X, y) > 0.9)
True

What a fit does
---------------
* **The network**: ``Perceptron(n_features, *hidden, n_outputs)``, hidden
  layers squashed by ``hidden_squash``, weights drawn by ``init``. A classifier
  has one LOGISTIC output for two classes and one SOFTMAX output per class for
  more; a regressor one IDENTITY output per target.
* **The learning step** is eq. 10's t - y (``docs/equations.md``), which is the
  exact gradient of the log-loss for those classifier outputs (binary
  cross-entropy for LOGISTIC, categorical for SOFTMAX) and of the squared error
  for IDENTITY outputs (up to a constant factor). ``gradient="cost"`` follows
  the gradient of ``cost`` instead.
* **The reported error** (``history_``, and the early stop at ``error``) is
  ``cost``: by default the classifier's log-loss (``cost.CROSS_ENTROPY`` for
  two classes, ``cost.CATEGORICAL_CROSS_ENTROPY`` for more) and ``cost.MSE``
  for a regressor; the compiled kernels compute all three, so training runs
  whole passes in one call.
* **Targets of a regressor** are standardised (``scale_targets=True``): the
  network learns (y - mean) / std, and ``predict`` maps its outputs back, so
  targets of any scale train at the same rate. The reported error is then in
  standard deviations squared.
* **Randomness**: an integer ``random_state`` makes the fit draw its weights
  and its shuffles from ``synapse.seed(random_state)``'s generator, swapped in
  for the fit and the library's own put back after it, so the fit is the same
  whatever else ran before and the generator of the program carries on as if
  the fit had not happened. ``None`` draws from the library's generator as it
  is (``synapse.seed(n)`` before ``fit`` makes that reproducible too). Fits in
  one process take a lock around the generator: threads fit one at a time,
  while processes (joblib's default, ``n_jobs=2``) or a Dask cluster fit side
  by side.

Not supported: sample weights (``fit`` takes none), ``partial_fit`` and
``warm_start``, multi-label or multi-output classification, sparse input.
"""
from __future__ import annotations

import numbers
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted
except ImportError as e:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError("synapse.sklearn needs scikit-learn: pip install synapse[sklearn] "
                      f"(or pip install scikit-learn); importing it failed: {e}") from None

try:  # scikit-learn 1.6 and later
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # pragma: no cover - scikit-learn 1.3 to 1.5
    def _validate_data(estimator, X="no_validation", y="no_validation", reset=True,
                       **check_params):
        return estimator._validate_data(X, y, reset=reset, **check_params)

from architect.perceptron import Perceptron

from . import _check, rng
from . import cost as _cost
from . import squash as _squash
from .trainer import Trainer

__all__ = ["NetworkClassifier", "NetworkRegressor"]

#: Held while a fit draws from (and may swap) synapse's generator.
_GENERATOR_LOCK = threading.RLock()


@contextmanager
def _drawing_from(random_state: Any) -> Iterator[None]:
    """Everything inside draws from the generator ``random_state`` stands for:
    ``synapse.seed(random_state)``'s for an integer, one seeded from a
    ``numpy.random.RandomState``'s next draw, the library's own for None. The
    library's generator is put back afterwards, whatever happened inside."""
    if random_state is None:
        seed = None
    elif isinstance(random_state, np.random.RandomState):
        seed = int(random_state.randint(np.iinfo(np.int32).max))
    elif isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        seed = int(random_state)
        if seed < 0:
            raise ValueError(f"random_state must be a non-negative integer, None or a "
                             f"numpy.random.RandomState, got {_check.came(random_state)}")
    else:
        raise TypeError(f"random_state must be an integer, None or a numpy.random.RandomState, "
                        f"got {_check.came(random_state)}")
    with _GENERATOR_LOCK:
        if seed is None:
            yield
            return
        kept = rng.generator()
        rng.seed(seed)
        try:
            yield
        finally:
            rng._generator = kept


def _squash_of(f: Any, what: str):
    """A squash function from itself or its name (any case: "tanh", "RELU")."""
    if isinstance(f, str):
        found = _squash.BY_NAME.get(f.upper())
        if found is None:
            raise ValueError(f"{what} must be a squash function or one of the names "
                             f"{sorted(_squash.BY_NAME)}, got {_check.came(f)}")
        return found
    return _check.squash_fn(f, what)


def _hidden_sizes(hidden: Any) -> tuple[int, ...]:
    """The hidden layers' sizes: a count, or a tuple (list) of them, () for none."""
    if isinstance(hidden, numbers.Number) and not isinstance(hidden, bool):
        return (_check.count(hidden, "hidden", minimum=1),)
    if not isinstance(hidden, (tuple, list)):
        raise TypeError(f"hidden must be a tuple of layer sizes (or one size), "
                        f"got {_check.came(hidden)}")
    return tuple(_check.count(h, "hidden layer sizes", minimum=1) for h in hidden)


class _NetworkEstimator(BaseEstimator):
    """What the classifier and the regressor share: the hyperparameters, the fit
    and the batch prediction. Subclasses say how targets become outputs."""

    _default_squash: Any = None

    def __init__(self, hidden=(16,), *, hidden_squash="tanh", squash=None, optimizer="adam",
                 rate=0.01, batch_size=32, epochs=100, error=0.0, shuffle=True, init="glorot",
                 momentum=0.0, weight_decay=0.0, clip=None, cost=None, gradient="delta",
                 random_state=None, verbose=0, progress=False):
        self.hidden = hidden
        self.hidden_squash = hidden_squash
        self.squash = squash
        self.optimizer = optimizer
        self.rate = rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.error = error
        self.shuffle = shuffle
        self.init = init
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.clip = clip
        self.cost = cost
        self.gradient = gradient
        self.random_state = random_state
        self.verbose = verbose
        self.progress = progress

    def _train(self, X: np.ndarray, Y: np.ndarray, output_squash, cost) -> None:
        """Build the network for (X, Y), train it, and set the fitted attributes."""
        hidden = _hidden_sizes(self.hidden)
        hidden_squash = _squash_of(self.hidden_squash, "hidden_squash")
        output_squash = (output_squash if self.squash is None
                         else _squash_of(self.squash, "squash"))
        epochs = _check.count(self.epochs, "epochs", minimum=1)
        batch_size = _check.count(self.batch_size, "batch_size", minimum=1)
        verbose = _check.count(self.verbose, "verbose")
        if self.optimizer is not None and not isinstance(self.optimizer, str):
            raise TypeError(f"optimizer must be a name ('adam', 'sgd', ...) or None, "
                            f"got {_check.came(self.optimizer)}")
        with _drawing_from(self.random_state):
            net = Perceptron(X.shape[1], *hidden, Y.shape[1], output_squash=output_squash,
                             hidden_squash=hidden_squash, init=self.init)
            result = Trainer(net).train(
                (X, Y), optimizer=self.optimizer, rate=self.rate, batch_size=batch_size,
                iterations=epochs, error=self.error, shuffle=self.shuffle,
                momentum=self.momentum, weight_decay=self.weight_decay, clip=self.clip,
                cost=self.cost if self.cost is not None else cost, gradient=self.gradient,
                log=verbose, progress=self.progress)
        net.clear()
        self.network_ = net
        self.history_ = list(result["history"])
        self.n_iter_ = int(result["iterations"])
        self.loss_ = float(result["error"])

    def _outputs(self, X) -> np.ndarray:
        """The network's outputs for X, validated as at fit (same feature count)."""
        check_is_fitted(self)
        X = _validate_data(self, X, reset=False, dtype=np.float64)
        return self.network_.predict(X)


class NetworkClassifier(ClassifierMixin, _NetworkEstimator):
    """A synapse Perceptron as a scikit-learn classifier.

    Two classes: one LOGISTIC output, the probability of ``classes_[1]``. More:
    one SOFTMAX output per class, their probabilities. Labels may be of any
    kind scikit-learn takes (integers, strings...).

    Parameters
    ----------
    hidden : tuple of int, default (16,)
        The hidden layers' sizes (one int: one layer; (): none).
    hidden_squash : str or callable, default "tanh"
        The hidden layers' squash: a name of ``synapse.squash`` (any case) or the
        function.
    squash : str or callable, optional
        The output layer's squash. None: LOGISTIC for two classes, SOFTMAX for
        more. Another squash's outputs are read as scores: ``predict_proba``
        clips them at 0 and divides each row by its sum (for two classes, clips
        the one output to [0, 1]).
    optimizer : str or None, default "adam"
        As in :meth:`synapse.Trainer.train`: "sgd", "momentum", "nesterov",
        "rmsprop", "adam", "rprop", or None for synaptic.js's plain steps.
    rate : float, default 0.01
        The learning rate (a list or a callable schedule works as in ``train``).
    batch_size : int, default 32
        Rows averaged per step (1: online).
    epochs : int, default 100
        The most passes over the training set (``train``'s ``iterations``).
    error : float, default 0.0
        Stop early once an epoch's mean ``cost`` is at or below it (0: run every
        epoch).
    shuffle : bool, default True
        Visit the rows in a fresh random order each epoch.
    init : {"glorot", "he", "uniform"} or None, default "glorot"
        How the weights are drawn (``Network.initialize``; None: synaptic.js's).
    momentum, weight_decay, clip
        As in ``train``: SGD's momentum, L2 weight decay, the largest gradient
        norm (None: no clipping).
    cost : callable, optional
        The reported error (``history_``, ``error``): None is the log-loss
        (``cost.CROSS_ENTROPY`` for two classes, ``cost.CATEGORICAL_CROSS_ENTROPY``
        for more), computed by the compiled kernels.
    gradient : {"delta", "cost"}, default "delta"
        The learning step: eq. 10's t - y (the log-loss gradient for the
        default outputs) or the exact gradient of ``cost``.
    random_state : int, numpy.random.RandomState or None
        Seeds the weights and the shuffles; see the module's notes.
    verbose : int, default 0
        Print the error every ``verbose`` epochs (0: never).
    progress : bool, default False
        A progress bar while training (tqdm).

    Attributes
    ----------
    classes_ : ndarray
        The labels, sorted.
    n_features_in_ : int
    feature_names_in_ : ndarray
        Only when X had column names (a DataFrame).
    network_ : synapse.Network
        The trained Perceptron.
    history_ : list of float
        Each epoch's error.
    n_iter_ : int
        Epochs run.
    loss_ : float
        The last epoch's error.

    Raises
    ------
    TypeError, ValueError
        From ``fit``, for a bad hyperparameter or data (scikit-learn's checks),
        or a single class.

    Examples
    --------
    >>> import numpy as np
    >>> from synapse.sklearn import NetworkClassifier
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 10)
    >>> y = np.array(["no", "yes", "yes", "no"] * 10)
    >>> clf = NetworkClassifier(hidden=(8,), rate=0.05, epochs=200, random_state=1).fit(X, y)
    >>> clf.predict([[0, 1], [1, 1]]).tolist()
    ['yes', 'no']
    >>> clf.predict_proba([[0, 1]]).shape
    (1, 2)
    """

    def fit(self, X, y) -> NetworkClassifier:
        """Train a fresh network on X (n, features) and the labels y (n,).

        Returns
        -------
        self
        """
        X, y = _validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)  # labels, not continuous numbers
        classes, codes = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"NetworkClassifier needs at least two classes in y, got one "
                             f"class: {classes.tolist()}")
        self.classes_ = classes
        if len(classes) == 2:
            Y = codes.reshape(-1, 1).astype(float)
            output_squash, log_loss = _squash.LOGISTIC, _cost.CROSS_ENTROPY
        else:
            Y = np.eye(len(classes))[codes]
            output_squash, log_loss = _squash.SOFTMAX, _cost.CATEGORICAL_CROSS_ENTROPY
        self._train(X, Y, output_squash, log_loss)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Each class's probability for each row of X: shape (n, classes)."""
        out = self._outputs(X)
        if len(self.classes_) == 2:
            p = np.clip(out[:, 0], 0.0, 1.0)
            return np.column_stack([1.0 - p, p])
        out = np.clip(out, 0.0, None)
        total = out.sum(axis=1, keepdims=True)
        flat = total[:, 0] <= 0.0
        out[flat], total[flat] = 1.0, out.shape[1]
        return out / total

    def predict_log_proba(self, X) -> np.ndarray:
        """The logarithm of :meth:`predict_proba` (-inf for a probability of 0)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X) -> np.ndarray:
        """The most probable class of each row of X: shape (n,)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class NetworkRegressor(RegressorMixin, _NetworkEstimator):
    """A synapse Perceptron as a scikit-learn regressor, one output per target.

    Takes y of shape (n,) (predicts shape (n,)) or (n, targets) (predicts
    (n, targets)): several targets are learnt by one network.

    Parameters
    ----------
    scale_targets : bool, default True
        Learn standardised targets, (y - mean) / std per column (a constant
        column keeps std 1), and map the outputs back in ``predict``.
    squash : str or callable, optional
        The output layer's squash; None: IDENTITY.
    cost : callable, optional
        The reported error: None is ``cost.MSE`` (of the standardised targets
        when ``scale_targets``).
    hidden, hidden_squash, optimizer, rate, batch_size, epochs, error, shuffle, init, \
momentum, weight_decay, clip, gradient, random_state, verbose, progress
        As for :class:`NetworkClassifier`.

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray
        Only when X had column names.
    n_outputs_ : int
        Targets learnt.
    y_mean_, y_scale_ : ndarray of shape (n_outputs_,)
        What the targets were standardised by (0 and 1 without ``scale_targets``).
    network_, history_, n_iter_, loss_
        As for :class:`NetworkClassifier`.

    Examples
    --------
    >>> import numpy as np
    >>> from synapse.sklearn import NetworkRegressor
    >>> X = np.linspace(-1, 1, 50).reshape(-1, 1)
    >>> y = 1000 + 300 * X[:, 0] ** 2
    >>> reg = NetworkRegressor(hidden=(8,), rate=0.02, epochs=300, random_state=0).fit(X, y)
    >>> bool(reg.score(X, y) > 0.95), reg.predict(X[:2]).shape
    (True, (2,))
    """

    def __init__(self, hidden=(16,), *, hidden_squash="tanh", squash=None, optimizer="adam",
                 rate=0.01, batch_size=32, epochs=100, error=0.0, shuffle=True, init="glorot",
                 momentum=0.0, weight_decay=0.0, clip=None, cost=None, gradient="delta",
                 scale_targets=True, random_state=None, verbose=0, progress=False):
        super().__init__(hidden, hidden_squash=hidden_squash, squash=squash,
                         optimizer=optimizer, rate=rate, batch_size=batch_size, epochs=epochs,
                         error=error, shuffle=shuffle, init=init, momentum=momentum,
                         weight_decay=weight_decay, clip=clip, cost=cost, gradient=gradient,
                         random_state=random_state, verbose=verbose, progress=progress)
        self.scale_targets = scale_targets

    def fit(self, X, y) -> NetworkRegressor:
        """Train a fresh network on X (n, features) and the targets y (n,) or
        (n, targets).

        Returns
        -------
        self
        """
        X, y = _validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        Y = np.asarray(y, dtype=np.float64)
        self._one_target = Y.ndim == 1
        Y = Y.reshape(len(Y), -1)
        if _check.flag(self.scale_targets, "scale_targets"):
            mean, std = Y.mean(axis=0), Y.std(axis=0)
            scale = np.where(std > 0.0, std, 1.0)
        else:
            mean, scale = np.zeros(Y.shape[1]), np.ones(Y.shape[1])
        self.n_outputs_ = Y.shape[1]
        self.y_mean_, self.y_scale_ = mean, scale
        self._train(X, (Y - mean) / scale, _squash.IDENTITY, _cost.MSE)
        return self

    def predict(self, X) -> np.ndarray:
        """The targets for each row of X: shape (n,) after a fit on 1-D y, else
        (n, targets)."""
        out = self._outputs(X) * self.y_scale_ + self.y_mean_
        return out[:, 0] if self._one_target else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _more_tags(self) -> dict:  # scikit-learn before 1.6
        return {"multioutput": True}
