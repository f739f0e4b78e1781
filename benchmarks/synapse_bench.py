"""Benchmark worker for synapse: runs one workload, prints one JSON line.

    python benchmarks/synapse_bench.py lstm_20_40_20 [--quick | --protocol JSON]

It imports synapse and architect from this working tree (the folder above
benchmarks/), not from an installed copy. bench.py runs it once per workload
(and the ``*_fresh`` workloads once per fresh process it wants timed). Which
engine runs is synapse's own choice; ``SYNAPSE_NO_JIT=1`` in the environment
makes it numpy's, and ``NUMBA_CACHE_DIR`` says where numba keeps its kernels.

Workloads (see common.py for the shared constants):

    xor                    Perceptron(2,3,1), 20000 iterations over the 4 rows at
                           rate .2: ``Trainer.train`` (its first call in this
                           process apart, then the median of the next ones),
                           and the same passes in one ``net.run`` over all
                           80000 rows
    xor_fresh              the first ``Trainer.train`` of a fresh process: the
                           call's wall time, with its ``compile`` (laying out,
                           loading or compiling the kernels) and ``time`` (the
                           passes); the import of synapse timed apart. With
                           --phases, first ``import numpy``, ``import numba``
                           and one call of a trivial cached numba function
                           (numba's own start-up: its import, then its
                           compiler and cache machinery), each timed apart, so
                           the train call is left with synapse's own kernels
    lstm_5_3_2             LSTM(5,3,2) per step: activate + propagate from
                           Python (numpy arrays), and the same steps a sequence
                           per ``net.run``; then 64 sequences of 100 steps in
                           one ``net.run`` on a (64, 100, 5) array, learning
                           (targets and a rate) and not: per sequence-step
    lstm_20_40_20          LSTM(20,40,20) per step and build (construction plus
                           the first step, in this process after a first build)
    lstm_20_40_20_fresh    construct, then the first activate, of a fresh process
    perceptron_784_100_10  Perceptron(784,100,10) per step, inputs and targets as
                           numpy arrays and as Python lists; build; and the
                           single fused pass (see ``fused_pass``)
    digits                 one epoch of the digits (common.DIGITS_*): a
                           ``Trainer.train`` call of one pass over 1348 rows,
                           Adam, batches of 32, shuffled
    dsr                    DSR to its criterion: one stream against batches (see
                           ``dsr_runs``)
    lstm_100_100_20        LSTM(100,100,20) build + 100 steps: peak memory
"""
from __future__ import annotations

import os
import sys
import time

T_START = time.perf_counter()
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from common import (  # noqa: E402
    BATCH_STEPS,
    BATCH_STREAMS,
    DIGITS_BATCH,
    DIGITS_HIDDEN,
    DIGITS_RATE,
    DSR,
    DSR_BATCH,
    DSR_BATCH_RATE,
    DSR_CRITERION,
    DSR_MAX_TRIALS,
    DSR_ROUND,
    DSR_SEEDS,
    MEMORY_STEPS,
    SEED,
    STEP_RATE,
    WORKLOADS,
    XOR_ERROR,
    XOR_ITERATIONS,
    XOR_RATE,
    XOR_X,
    XOR_Y,
    batch_arrays,
    digits_data,
    emit,
    input_index,
    max_rss_mb,
    now,
    scaled,
    summary,
    target_index,
    time_builds,
    time_repeats,
    time_steps,
    worker_args,
)


def main(argv=None):
    a = worker_args(argv)
    baseline = max_rss_mb()
    phases = {}
    if a.phases:
        t = now()
        import numpy  # noqa: F401 - timed on its own, used below as np
        phases["import_numpy"] = now() - t
        t = now()
        import numba
        phases["import_numba"] = now() - t
        t = now()
        _trivial_kernel(numba)
        phases["numba_first_call"] = now() - t
    t = now()
    import numpy as np

    import synapse
    from architect import LSTM, Perceptron
    imported = now() - t
    arch, sizes, kind = WORKLOADS[a.workload]
    ctor = {"LSTM": LSTM, "Perceptron": Perceptron}[arch]
    p = a.protocol
    info = {"synapse": getattr(synapse, "__version__", "?"),
            "synapse_file": os.path.dirname(synapse.__file__),
            "numpy": np.__version__, "no_jit": bool(os.environ.get("SYNAPSE_NO_JIT")),
            "blocked": a.block, "numba_cache_dir": os.environ.get("NUMBA_CACHE_DIR")}
    results = {}

    def new_net():
        synapse.seed(SEED)
        return ctor(*sizes)

    if kind.startswith("fresh"):
        results["import"] = imported
        results.update(phases)
        if kind == "fresh xor":
            data = [{"input": x, "output": y} for x, y in zip(XOR_X, XOR_Y)]
            t = now()
            net = new_net()
            results["construct"] = now() - t
            t = now()
            r = synapse.Trainer(net).train(data, iterations=XOR_ITERATIONS, rate=XOR_RATE,
                                           error=XOR_ERROR, shuffle=False)
            results["first_train"] = now() - t
            results["compile"] = r["compile"]
            results["passes"] = r["time"]
            info["trainer_iterations"] = int(r["iterations"])
        else:
            t = now()
            net = new_net()
            results["construct"] = now() - t
            t = now()
            net.activate(np.eye(sizes[0])[0])
            results["first_activate"] = now() - t
        results["engine"] = type(net._path()).__name__
        results["numba_imported"] = sys.modules.get("numba") is not None
        results["scipy_imported"] = sys.modules.get("scipy") is not None
        results["since_start"] = now() - T_START
        emit("synapse", a.workload, results, info)
        return

    if kind == "xor":
        xor(synapse, new_net, np, p, info, results)
        emit("synapse", a.workload, results, info)
        return
    if kind == "digits":
        digits(synapse, Perceptron, np, p, info, results)
        emit("synapse", a.workload, results, info)
        return
    if kind == "dsr":
        dsr_runs(synapse, LSTM, np, p, info, results)
        emit("synapse", a.workload, results, info)
        return

    n_in, n_out = sizes[0], sizes[-1]
    X = [row.copy() for row in np.eye(n_in)]
    Y = [row.copy() for row in np.eye(n_out)]

    def stepper(net, X=X, Y=Y):
        activate, propagate = net.activate, net.propagate

        def block(i0, n):
            for i in range(i0, i0 + n):
                activate(X[input_index(i, n_in)])
                propagate(STEP_RATE, Y[target_index(i, n_out)])
        return block

    if kind == "memory":
        t = now()
        net = new_net()
        stepper(net)(0, MEMORY_STEPS)
        elapsed = now() - t
        results["mem"] = {"peak_mb": max_rss_mb(), "baseline_mb": baseline,
                          "time_s": elapsed, "how": "ru_maxrss of the worker process"}
        emit("synapse", a.workload, results, info)
        return

    if "build" in kind:
        def build():
            net = new_net()
            stepper(net)(0, 1)
            return net
        results["build"], net = time_builds(build, p)
        start = 1
    else:
        net = new_net()
        start = 0
    info["engine"] = type(net._path()).__name__
    results["step"] = time_steps(stepper(net), start, p)
    if "lists" in kind:
        XL = [row.tolist() for row in X]
        YL = [row.tolist() for row in Y]
        results["step_lists"] = time_steps(stepper(net, XL, YL), results["step"]["next_step"], p)
    if "fused" in kind:
        results["fused"] = fused_pass(net, np, p)
    if "batch" in kind:
        def sequence(i0, n):
            xs = np.array([X[input_index(i, n_in)] for i in range(i0, i0 + n)])
            ys = np.array([Y[target_index(i, n_out)] for i in range(i0, i0 + n)])
            net.run(xs, ys, rate=STEP_RATE)
        results["seq"] = time_steps(sequence, 0, p)
        XB, YB = batch_arrays(n_in, n_out)
        per = BATCH_STREAMS * BATCH_STEPS
        results["batch_learn"] = scaled(time_steps(
            lambda i0, n: [net.run(XB, YB, rate=STEP_RATE) for _ in range(n)], 0, p), per)
        results["batch_run"] = scaled(time_steps(
            lambda i0, n: [net.run(XB) for _ in range(n)], 0, p), per)
    emit("synapse", a.workload, results, info)


def _trivial_kernel(numba):
    """Compile (or load from numba's cache) and call a one-line function: what
    numba costs before any kernel of synapse's."""
    import numpy as np

    @numba.njit(cache=True)
    def add_one(x):
        return x + 1.0

    add_one(np.float64(1.0))


# ----------------------------------------------------------------- XOR

def xor(synapse, new_net, np, p, info, results):
    X = np.array(XOR_X)
    Y = np.array(XOR_Y)
    XX, YY = np.tile(X, (XOR_ITERATIONS, 1)), np.tile(Y, (XOR_ITERATIONS, 1))
    data = [{"input": x, "output": y} for x, y in zip(XOR_X, XOR_Y)]

    def run_trainer():
        net = new_net()
        t = now()
        r = synapse.Trainer(net).train(data, iterations=XOR_ITERATIONS, rate=XOR_RATE,
                                       error=XOR_ERROR, shuffle=False)
        elapsed = now() - t
        info["trainer_iterations"] = int(r["iterations"])
        info["xor_outputs_trainer"] = [round(float(net.activate(x)[0]), 3) for x in XOR_X]
        return elapsed

    results["xor_trainer"] = time_repeats(run_trainer, p, first=True)

    def run_primitive():  # every pass in one call: no return to Python per row
        net = new_net()
        t = now()
        net.run(XX, YY, rate=XOR_RATE)
        elapsed = now() - t
        info["xor_outputs_run"] = [round(float(net.activate(x)[0]), 3) for x in X]
        return elapsed

    if not os.environ.get("SYNAPSE_NO_JIT"):   # numpy alone: the Trainer's figure is enough
        results["xor_run"] = time_repeats(run_primitive, p, first=True)


# ----------------------------------------------------------------- the fused pass

def fused_pass(net, np, p):
    """The time of a single fused pass for Perceptron(784,100,10): one
    matrix-vector product ``W @ x`` over the hidden layer's 100x784 weights
    (numpy, which calls BLAS), plus one numba loop ``W[j, i] += d[j] * x[i]``
    over the same block (the learning step's outer product, added in place).
    It reads the 100x784 block once forward and reads and writes it once to
    learn: the least memory traffic of a step of this network. Everything
    else a step does (the 10x100 output block, the squashes, the errors, the
    traces, the checks, Python's calls) is left out. Needs numba; the loop is
    this benchmark's own, compiled before timing."""
    try:
        import numba
    except ImportError:
        return None
    n_in, n_hidden = 784, 100

    @numba.njit(cache=False, fastmath=False)
    def rank1(W, d, x):
        for j in range(W.shape[0]):
            dj = d[j]
            for i in range(W.shape[1]):
                W[j, i] += dj * x[i]

    rng = np.random.default_rng(0)
    W = rng.uniform(-0.1, 0.1, (n_hidden, n_in))
    d = rng.uniform(-1e-6, 1e-6, n_hidden)
    h = np.empty(n_hidden)
    X = [row.copy() for row in np.eye(n_in)]
    rank1(W, d, X[0])

    def block(i0, n):
        for i in range(i0, i0 + n):
            x = X[input_index(i, n_in)]
            np.dot(W, x, out=h)
            rank1(W, d, x)

    return time_steps(block, 0, p)


# ----------------------------------------------------------------- digits

def digits(synapse, Perceptron, np, p, info, results):
    """Epochs of the digits; each epoch is one ``Trainer.train`` call (one pass,
    Adam continuing its moments, shuffled), timed by wall clock around the
    call (so its input checks count) and by the result's ``time`` (the passes)."""
    from synapse import Trainer, cost, squash
    Xtr, ytr, Xte, yte = digits_data()
    Ytr = np.eye(10)[ytr]
    synapse.seed(SEED)
    net = Perceptron(64, DIGITS_HIDDEN, 10, output_squash=squash.SOFTMAX)
    trainer = Trainer(net, cost=cost.CATEGORICAL_CROSS_ENTROPY)
    walls, passes = [], []
    first = None
    for epoch in range(p["epochs"] + 1):
        t = now()
        r = trainer.train((Xtr, Ytr), optimizer="adam", rate=DIGITS_RATE,
                          batch_size=DIGITS_BATCH, shuffle=True, iterations=1, error=0)
        wall = now() - t
        if epoch == 0:
            first = {"wall": wall, "compile": r["compile"], "passes": r["time"]}
            continue
        walls.append(wall)
        passes.append(r["time"])
    results["epoch"] = summary(walls)
    results["epoch"]["first"] = first["wall"]
    results["epoch_passes"] = summary(passes)
    info["digits_first_epoch"] = first
    info["digits_rows"] = len(Xtr)
    info["digits_accuracy"] = float(np.mean(net.predict(Xte).argmax(axis=1) == yte))
    info["digits_epochs"] = p["epochs"] + 1
    info["engine"] = type(net._path()).__name__


# ----------------------------------------------------------------- DSR

def dsr_runs(synapse, LSTM, np, p, info, results):
    """DSR at the paper's settings (common.DSR) on LSTM(10, 8, 4) with fixed
    cell biases, to one criterion for every way of training: after each round
    of DSR_ROUND fresh training trials, DSR_ROUND fresh trials are checked
    (``net.run`` on all of them at once, nothing learnt) and training stops
    once DSR_CRITERION of them are entirely right (every output rounds to its
    target), or after DSR_MAX_TRIALS trials. Three ways, each from the same
    seed:

    - ``paper``: ``Trainer.dsr`` (one stream, learning only at the steps whose
      rounded outputs miss, rate .1: the paper's and synaptic.js's rule),
      DSR_ROUND trials per call;
    - ``one_stream``: ``Trainer.train_sequences`` with ``batch_size=1``: one
      stream, learning at every step (rate .1, plain steps), in the engine's
      own loop;
    - ``batch``: ``Trainer.train_sequences`` with ``batch_size=DSR_BATCH``
      sequences in lockstep, learning at every step: plain steps along their
      mean gradient at rate DSR_BATCH_RATE (DSR_BATCH times .1).

    The times are the training calls' wall time; the checks are timed apart.
    """
    from synapse import Trainer, tasks

    def draw(n):
        X, Y = zip(*(tasks.dsr_trial(**DSR) for _ in range(n)))
        return np.array(X), np.array(Y)

    def check(net):
        X, Y = draw(DSR_ROUND)
        net.clear()
        out = net.run(X)
        net.clear()
        return float(np.mean(np.all(np.floor(out + 0.5) == Y, axis=(1, 2))))

    def train_round(way, trainer):
        if way == "paper":
            trainer.dsr(iterations=DSR_ROUND, rate=0.1, success=1.0, **DSR)
            return
        X, Y = draw(DSR_ROUND)
        seqs = list(zip(X, Y))
        if way == "one_stream":
            trainer.train_sequences(seqs, rate=0.1, iterations=1, error=0)
        else:
            trainer.train_sequences(seqs, batch_size=DSR_BATCH, rate=DSR_BATCH_RATE,
                                    iterations=1, error=0)

    seeds = DSR_SEEDS[:p["dsr_seeds"]]
    runs = {}
    for way in ("paper", "one_stream", "batch"):
        rows = []
        for seed in seeds:
            synapse.seed(seed)
            net = LSTM(10, 8, 4, learn_cell_bias=False)
            trainer = Trainer(net)
            train_s = check_s = 0.0
            trials, success = 0, 0.0
            while trials < DSR_MAX_TRIALS:
                t = now()
                train_round(way, trainer)
                train_s += now() - t
                trials += DSR_ROUND
                t = now()
                success = check(net)
                check_s += now() - t
                if success >= DSR_CRITERION:
                    break
            rows.append({"seed": seed, "met": success >= DSR_CRITERION, "trials": trials,
                         "success": success, "train_s": train_s, "check_s": check_s,
                         "per_trial_s": train_s / trials})
            print(f"dsr {way} seed {seed}: {rows[-1]}", file=sys.stderr, flush=True)
        runs[way] = rows
        results[f"dsr_{way}"] = summary([r["train_s"] for r in rows])
        results[f"dsr_{way}"]["seeds"] = rows
        results[f"dsr_{way}_per_trial"] = summary([r["per_trial_s"] for r in rows])
    info["dsr"] = {"batch": DSR_BATCH, "batch_rate": DSR_BATCH_RATE, "round": DSR_ROUND,
                   "criterion": DSR_CRITERION, "max_trials": DSR_MAX_TRIALS}


if __name__ == "__main__":
    main()
