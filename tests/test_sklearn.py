"""synapse.sklearn: NetworkClassifier and NetworkRegressor as scikit-learn
estimators (scikit-learn's own check suite), what they build and train, their
randomness, and their use by model selection over processes and a Dask cluster."""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import synapse
from architect import Perceptron
from synapse import Trainer, cost, squash
from synapse.engine import jit

pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits, load_iris  # noqa: E402
from sklearn.metrics import r2_score  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    KFold,
    cross_val_score,
    cross_validate,
)
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from synapse.sklearn import NetworkClassifier, NetworkRegressor  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def smooth(n=80, seed=0):
    """Two smooth targets of two inputs."""
    g = np.random.default_rng(seed)
    X = g.uniform(-1, 1, (n, 2))
    return X, np.column_stack([np.sin(2 * X[:, 0]) + X[:, 1], X[:, 0] * X[:, 1]])


# ---------------------------------------------------------------- scikit-learn's checks
# With numba, the whole suite (about 110 checks) runs in about 4 s: the default
# epochs (100) train fast enough and still pass check_classifiers_train (accuracy
# above 0.83) and check_regressors_train (R^2 above 0.5). No check is expected to fail.
@parametrize_with_checks([NetworkClassifier(), NetworkRegressor()])
def test_scikit_learn_checks(estimator, check):
    check(estimator)


# ---------------------------------------------------------------- importing
def run(body: str) -> subprocess.CompletedProcess:
    """``body`` in a fresh Python process that imports this worktree's synapse."""
    code = f"import sys\nsys.path.insert(0, {ROOT!r})\n" + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)


def test_without_scikit_learn_the_core_works_and_the_module_names_the_extra():
    done = run("""
        sys.modules["sklearn"] = None          # as if scikit-learn were not installed
        import synapse, architect
        synapse.seed(0)
        print(architect.Perceptron(2, 3, 1).activate([0, 1]).shape)
        try:
            import synapse.sklearn
        except ImportError as e:
            print(e)
        """)
    assert done.returncode == 0, done.stderr
    shape, message = done.stdout.splitlines()
    assert shape == "(1,)"
    assert message.startswith("synapse.sklearn needs scikit-learn: pip install synapse[sklearn]")


def test_importing_synapse_does_not_import_scikit_learn():
    done = run("""
        import synapse, architect, synapse.plot
        print("sklearn" in sys.modules)
        """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


# ---------------------------------------------------------------- what a fit builds
def test_the_classifier_is_synapse_s_perceptron_trained_by_synapse_s_trainer():
    X, y = iris()
    clf = NetworkClassifier(hidden=(5, 4), rate=0.02, batch_size=16, epochs=7,
                            random_state=3).fit(X, y)
    net = clf.network_
    assert [layer.size for layer in net.layers.hidden] == [5, 4]
    assert net.layers.output.list[0].squash is squash.SOFTMAX
    assert net.layers.hidden[0].list[0].squash is squash.TANH
    # the same network and training, by hand
    synapse.seed(3)
    hand = Perceptron(4, 5, 4, 3, output_squash=squash.SOFTMAX, hidden_squash=squash.TANH,
                      init="glorot")
    result = Trainer(hand).train((X, np.eye(3)[y]), optimizer="adam", rate=0.02,
                                 batch_size=16, iterations=7, error=0.0, shuffle=True,
                                 cost=cost.CATEGORICAL_CROSS_ENTROPY)
    assert np.array_equal(net.parameters(), hand.parameters())
    assert clf.history_ == result["history"] and clf.n_iter_ == 7 == len(clf.history_)
    assert clf.loss_ == result["history"][-1]
    proba = clf.predict_proba(X)
    assert np.allclose(proba, hand.predict(X), rtol=0, atol=1e-12)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert np.array_equal(clf.predict(X), proba.argmax(axis=1))


def test_two_classes_make_one_logistic_output_the_probability_of_the_second():
    X, y = iris()
    labels = np.where(y == 0, "setosa", "other")
    clf = NetworkClassifier(epochs=20, random_state=0).fit(X, labels)
    assert clf.classes_.tolist() == ["other", "setosa"]
    assert clf.network_.outputs() == 1
    assert clf.network_.layers.output.list[0].squash is squash.LOGISTIC
    p = clf.network_.predict(X)[:, 0]
    assert np.allclose(clf.predict_proba(X), np.column_stack([1 - p, p]))
    assert np.allclose(clf.predict_log_proba(X), np.log(clf.predict_proba(X)))
    assert clf.score(X, labels) == 1.0  # setosa is linearly separable


def test_another_output_squash_is_read_as_scores():
    X, y = iris()
    clf = NetworkClassifier(squash="logistic", epochs=30, random_state=0).fit(X, y)
    out = clf.network_.predict(X)
    assert clf.network_.layers.output.list[0].squash is squash.LOGISTIC
    assert np.allclose(clf.predict_proba(X), out / out.sum(axis=1, keepdims=True))
    assert clf.score(X, y) > 0.85


def test_the_reported_cost_changes_the_history_not_the_learning():
    X, y = iris()
    categorical = NetworkClassifier(epochs=5, random_state=1).fit(X, y)  # the default
    summed = NetworkClassifier(epochs=5, random_state=1, cost=cost.CROSS_ENTROPY).fit(X, y)
    assert np.allclose(summed.network_.parameters(), categorical.network_.parameters(),
                       rtol=0, atol=1e-12)
    # summed one-vs-rest cross-entropy is at least the categorical one
    assert all(a > b > 0 for a, b in zip(summed.history_, categorical.history_))


def test_an_error_reached_stops_early():
    X, y = iris()
    clf = NetworkClassifier(epochs=200, error=0.5, rate=0.05, random_state=0).fit(X, y)
    assert clf.n_iter_ < 200 and clf.loss_ <= 0.5 < clf.history_[-2]


def test_verbose_prints_every_so_many_epochs(capsys):
    X, y = iris()
    NetworkClassifier(epochs=30, verbose=10, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [["iterations", "10"], ["iterations", "20"],
                                                    ["iterations", "30"]]


# ---------------------------------------------------------------- regression
def test_several_targets_are_learnt_by_one_network():
    X, Y = smooth()
    reg = NetworkRegressor(hidden=(16,), epochs=150, rate=0.02, random_state=0).fit(X, Y)
    assert reg.n_outputs_ == 2 and reg.network_.outputs() == 2
    assert reg.network_.layers.output.list[0].squash is squash.IDENTITY
    pred = reg.predict(X)
    assert pred.shape == (80, 2)
    assert r2_score(Y[:, 0], pred[:, 0]) > 0.95 and r2_score(Y[:, 1], pred[:, 1]) > 0.8
    column = NetworkRegressor(epochs=5, random_state=0).fit(X, Y[:, :1])
    assert column.predict(X).shape == (80, 1)
    assert NetworkRegressor(epochs=5, random_state=0).fit(X, Y[:, 0]).predict(X).shape == (80,)


def test_standardised_targets_make_the_fit_blind_to_their_scale():
    X, Y = smooth()
    reg = NetworkRegressor(epochs=20, random_state=4).fit(X, Y)
    far = NetworkRegressor(epochs=20, random_state=4).fit(X, 5000 + 300 * Y)
    assert np.allclose(far.y_mean_, 5000 + 300 * Y.mean(axis=0))
    assert np.allclose(far.y_scale_, 300 * Y.std(axis=0))
    assert np.allclose(far.network_.parameters(), reg.network_.parameters(), atol=1e-9)
    assert np.allclose(far.predict(X), 5000 + 300 * reg.predict(X))
    assert np.allclose(far.history_, reg.history_)


def test_unscaled_targets_are_learnt_as_they_are():
    X, Y = smooth()
    reg = NetworkRegressor(epochs=30, scale_targets=False, random_state=0).fit(X, Y[:, 0])
    assert reg.y_mean_.tolist() == [0.0] and reg.y_scale_.tolist() == [1.0]
    assert np.allclose(reg.predict(X), reg.network_.predict(X)[:, 0])
    constant = NetworkRegressor(epochs=3, random_state=0).fit(X, np.full(80, 7.0))
    assert constant.y_scale_.tolist() == [1.0]
    assert np.allclose(constant.predict(X), 7.0 + constant.network_.predict(X)[:, 0])


# ---------------------------------------------------------------- randomness
def test_a_random_state_makes_the_fit_independent_of_what_ran_before():
    X, y = iris()
    synapse.seed(0)
    a = NetworkClassifier(epochs=5, random_state=7).fit(X, y)
    synapse.seed(1)
    synapse.rng.generator().random(100)
    b = NetworkClassifier(epochs=5, random_state=7).fit(X, y)
    c = NetworkClassifier(epochs=5, random_state=8).fit(X, y)
    assert np.array_equal(a.network_.parameters(), b.network_.parameters())
    assert not np.allclose(a.network_.parameters(), c.network_.parameters())


def test_a_random_state_leaves_the_library_s_generator_where_it_was():
    X, y = iris()
    synapse.seed(5)
    NetworkClassifier(epochs=3, random_state=0).fit(X, y)
    after = synapse.rng.generator().random(3)
    synapse.seed(5)
    assert np.array_equal(after, synapse.rng.generator().random(3))


def test_random_state_n_is_synapse_seed_n_and_none_draws_from_the_library():
    X, y = iris()
    seeded = NetworkClassifier(epochs=4, random_state=11).fit(X, y)
    synapse.seed(11)
    unseeded = NetworkClassifier(epochs=4).fit(X, y)
    assert np.array_equal(seeded.network_.parameters(), unseeded.network_.parameters())
    rs = np.random.RandomState(0)
    one, two = (NetworkClassifier(epochs=2, random_state=rs).fit(X, y) for _ in range(2))
    assert not np.allclose(one.network_.parameters(), two.network_.parameters())
    again = NetworkClassifier(epochs=2, random_state=np.random.RandomState(0)).fit(X, y)
    assert np.array_equal(again.network_.parameters(), one.network_.parameters())


# ---------------------------------------------------------------- bad hyperparameters
@pytest.mark.parametrize("params, error, words", [
    ({"hidden": "16"}, TypeError, "hidden must be a tuple of layer sizes"),
    ({"hidden": (16, 0)}, ValueError, "hidden layer sizes must be a positive integer"),
    ({"hidden_squash": "sigmoidal"}, ValueError, "hidden_squash must be a squash function or"),
    ({"squash": 3}, TypeError, "squash must be a callable"),
    ({"epochs": 0}, ValueError, "epochs must be a positive integer"),
    ({"batch_size": 2.5}, ValueError, "batch_size must be a positive integer"),
    ({"optimizer": 3}, TypeError, "optimizer must be a name"),
    ({"optimizer": "adamw"}, ValueError, "adamw"),
    ({"rate": "fast"}, TypeError, "rate"),
    ({"init": "zeros"}, ValueError, "Perceptron init must be"),
    ({"random_state": -1}, ValueError, "random_state must be a non-negative integer"),
    ({"random_state": "seed"}, TypeError, "random_state must be an integer, None or"),
    ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
])
def test_a_bad_hyperparameter_is_refused_at_fit_and_nothing_changes(params, error, words):
    X, y = iris()
    clf = NetworkClassifier(**{"epochs": 2, **params})
    synapse.seed(2)
    with pytest.raises(error, match=words):
        clf.fit(X, y)
    assert not hasattr(clf, "network_") and clf.get_params()[next(iter(params))] == \
        next(iter(params.values()))
    if "random_state" not in params:  # the seeded ones are refused before any draw
        return
    drawn = synapse.rng.generator().random()
    synapse.seed(2)
    assert drawn == synapse.rng.generator().random()


def test_one_class_and_multi_output_labels_are_refused():
    X, y = iris()
    with pytest.raises(ValueError, match="at least two classes in y, got one class: \\[0\\]"):
        NetworkClassifier().fit(X[:50], y[:50])
    with pytest.raises(ValueError, match="y should be a 1d array, got an array of shape"):
        NetworkClassifier().fit(X, np.eye(3)[y])


# ---------------------------------------------------------------- model selection
def test_cross_validation_on_iris_and_a_pipeline_on_digits():
    X, y = load_iris(return_X_y=True)
    scores = cross_val_score(NetworkClassifier(random_state=0), X, y, cv=5)
    assert scores.mean() > 0.95 and scores.min() >= 0.9
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), NetworkClassifier(hidden=(32,), epochs=30,
                                                             random_state=0))
    scores = cross_val_score(pipe, X[:600], y[:600], cv=3)
    assert scores.mean() > 0.83
    assert pipe.fit(X[:600], y[:600]).score(X[600:900], y[600:900]) > 0.85


def test_a_pipeline_scales_the_inputs_a_bare_network_cannot_use():
    X, Y = smooth(120)
    far = X * [1000.0, 0.001]  # the same information on scales far from 1
    pipe = make_pipeline(StandardScaler(), NetworkRegressor(epochs=150, random_state=0))
    bare = NetworkRegressor(epochs=150, random_state=0)
    assert pipe.fit(far, Y[:, 0]).score(far, Y[:, 0]) > 0.9
    assert bare.fit(far, Y[:, 0]).score(far, Y[:, 0]) < 0.8


GRID = {"hidden": [(2,), (16,)], "rate": [0.001, 0.03]}


def grid_search(n_jobs: int) -> GridSearchCV:
    X, y = load_iris(return_X_y=True)  # unscaled: the grid's settings score far apart
    search = GridSearchCV(NetworkClassifier(epochs=30, random_state=0), GRID, cv=3,
                          n_jobs=n_jobs)
    return search.fit(X, y)


def test_a_grid_search_over_two_processes_equals_the_serial_one():
    serial, parallel = grid_search(1), grid_search(2)
    assert serial.best_params_ == parallel.best_params_ == {"hidden": (16,), "rate": 0.03}
    scores = serial.cv_results_["mean_test_score"]
    assert np.array_equal(scores, parallel.cv_results_["mean_test_score"])
    assert scores.min() < 0.5 < 0.9 < scores.max()  # the grid tells the settings apart
    # fitted networks pickle back from the worker processes, equal to ours
    X, y = iris()
    back = cross_validate(NetworkClassifier(epochs=10, random_state=0), X, y, n_jobs=2,
                          cv=KFold(3, shuffle=True, random_state=0), return_estimator=True)
    here = cross_validate(NetworkClassifier(epochs=10, random_state=0), X, y, n_jobs=1,
                          cv=KFold(3, shuffle=True, random_state=0), return_estimator=True)
    for a, b in zip(back["estimator"], here["estimator"]):
        assert np.array_equal(a.network_.parameters(), b.network_.parameters())


def test_threads_take_turns_on_the_generator_and_fit_as_the_serial_run():
    import joblib

    X, y = load_iris(return_X_y=True)

    def fitted(n_jobs):
        run = cross_validate(NetworkClassifier(epochs=20, random_state=0), X, y, n_jobs=n_jobs,
                             cv=KFold(6, shuffle=True, random_state=0), return_estimator=True)
        return [e.network_.parameters() for e in run["estimator"]]

    serial = fitted(1)
    # without the lock, a fit's draws come from another's generator about 4 times in 5
    for _ in range(3):
        with joblib.parallel_backend("threading"):
            threaded = fitted(3)
        assert all(np.array_equal(a, b) for a, b in zip(serial, threaded))


def test_a_grid_search_over_a_local_dask_cluster_equals_the_serial_one():
    distributed = pytest.importorskip("dask.distributed")
    import joblib

    serial = grid_search(1)
    with distributed.Client(processes=True, n_workers=2, threads_per_worker=1,
                            dashboard_address=None) as client:
        with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
            spread = grid_search(-1)
        workers = client.run(os.getpid)
    assert spread.best_params_ == serial.best_params_
    assert np.array_equal(spread.cv_results_["mean_test_score"],
                          serial.cv_results_["mean_test_score"])
    assert len(workers) == 2 and os.getpid() not in workers.values()
    assert len(tasks.data) >= 12  # 4 settings x 3 folds ran on the cluster


def test_a_fitted_estimator_pickles_and_clones():
    X, y = iris()
    clf = NetworkClassifier(epochs=5, random_state=0).fit(X, y)
    back = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(back.predict_proba(X), clf.predict_proba(X))
    fresh = clone(clf)
    assert not hasattr(fresh, "network_") and fresh.get_params() == clf.get_params()


@pytest.mark.skipif(not jit.available(), reason="needs the JIT engine")
def test_the_default_costs_are_the_ones_the_compiled_kernels_train_whole_passes_with():
    X, y = iris()
    clf = NetworkClassifier(epochs=1, random_state=0).fit(X, y)
    reg = NetworkRegressor(epochs=1, random_state=0).fit(X, X[:, 0])
    assert clf.network_._can_train_passes(None, cost.CATEGORICAL_CROSS_ENTROPY)
    assert reg.network_._can_train_passes(None, cost.MSE)
    binary = NetworkClassifier(epochs=1, random_state=0).fit(X, y == 0)
    assert binary.network_._can_train_passes(None, cost.CROSS_ENTROPY)


def test_the_readme_example_prints_what_its_comments_say(capsys):
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        section = fh.read().split("\n## scikit-learn\n", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    said = [line.split("# ")[-1] for line in code.splitlines() if line.startswith("print(")]
    assert capsys.readouterr().out.splitlines() == said == ["0.973", "(4,)"]
    assert namespace["net"].layers.hidden[0].size == 4
