"""What the benchmark measures, shared by the driver (bench.py) and the Python
workers (synapse_bench.py, torch_bench.py). synaptic_bench.js mirrors it.

Every worker runs ONE workload in its own process and prints one JSON line:

    {"engine": ..., "workload": ..., "results": {METRIC: {...}}, "info": {...}}

A time metric holds "median" (seconds) and "runs" (every repetition); the
memory metric holds "peak_mb", "baseline_mb" and "time_s". A per-step metric
also says how it was timed ("block", "warmup_steps", ...). Workers that
measure a fresh process (``*_fresh``) report one run each; the driver starts
them again and again and takes the median itself.
"""
from __future__ import annotations

import gc
import json
import statistics
import sys
import time

# name -> (architecture, layer sizes, what is measured)
WORKLOADS = {
    "xor": ("Perceptron", (2, 3, 1), "xor"),
    "xor_fresh": ("Perceptron", (2, 3, 1), "fresh xor"),
    "lstm_5_3_2": ("LSTM", (5, 3, 2), "step+batch"),
    "lstm_20_40_20": ("LSTM", (20, 40, 20), "step+build"),
    "lstm_20_40_20_fresh": ("LSTM", (20, 40, 20), "fresh build"),
    "perceptron_784_100_10": ("Perceptron", (784, 100, 10), "step+build+lists+fused"),
    "digits": ("Perceptron", (64, 64, 10), "digits"),
    "dsr": ("LSTM", (10, 8, 4), "dsr"),
    "lstm_100_100_20": ("LSTM", (100, 100, 20), "memory"),
}

XOR_ITERATIONS = 20000
XOR_RATE = 0.2
XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [[0.0], [1.0], [1.0], [0.0]]
XOR_ERROR = 1e-30          # a Trainer target error that is never reached: all iterations run
STEP_RATE = 0.1
MEMORY_STEPS = 100
SEED = 1

# Many streams at once: B sequences of T steps in one call.
BATCH_STREAMS = 64
BATCH_STEPS = 100

# The digits (scikit-learn's load_digits): the settings of the learning goals
# (a Perceptron(64, 64, 10) with SOFTMAX outputs, Adam at rate .03, batches of 32,
# shuffled every epoch; a fixed random quarter held out).
DIGITS_HIDDEN = 64
DIGITS_RATE = 0.03
DIGITS_BATCH = 32

# DSR at the LSTM-g paper's settings (docs/tasks.md) on LSTM(10, 8, 4) with
# memory cells whose bias is held at 0 (the wiring that meets the criterion).
DSR = {"targets": (2, 4, 7, 8), "distractors": (3, 5, 6, 9), "prompts": (0, 1), "length": 24}
DSR_ROUND = 1000           # trials between two checks
DSR_CRITERION = 0.95       # of DSR_ROUND fresh trials entirely right
DSR_MAX_TRIALS = 60000     # the paper's budget
# Batches: plain steps along the batch's mean gradient at DSR_BATCH times the
# one-stream rate (.1), so that each sequence moves the parameters as much as one
# stream's does. Picked on seed 1 (to the criterion): batch 16 at 1.6 in 57000
# trials, batch 4 at .4 in 40000 (slower in wall time), batch 8 at .4 and 64 at 3
# not within 60000; Adam (.003 to .03, batches 1 to 64) never.
DSR_BATCH = 16
DSR_BATCH_RATE = 1.6
DSR_SEEDS = (1, 2, 3, 4, 5)

# How long to warm up and how many blocks to time. The driver passes one of these
# to every worker (as --protocol JSON) so that all engines are timed the same way.
# "fresh" is how many fresh processes the driver starts for each fresh-process figure.
PROTOCOLS = {
    "full": {"warm_min": 5, "warm_time": 0.5, "block_time": 0.5, "repeats": 9,
             "min_repeats": 5, "budget": 30.0, "builds": 5, "min_builds": 5,
             "xor_repeats": 5, "min_xor_repeats": 5, "fresh": 5, "epochs": 7,
             "dsr_seeds": 5, "timing_demos": 3},
    "quick": {"warm_min": 3, "warm_time": 0.05, "block_time": 0.05, "repeats": 3,
              "min_repeats": 3, "budget": 5.0, "builds": 1, "min_builds": 1,
              "xor_repeats": 1, "min_xor_repeats": 1, "fresh": 1, "epochs": 2,
              "dsr_seeds": 1, "timing_demos": 1},
}


def input_index(i: int, n_in: int) -> int:
    """Step i's input is one-hot at this index."""
    return (7 * i) % n_in


def target_index(i: int, n_out: int) -> int:
    """Step i's target is one-hot at this index."""
    return (3 * i) % n_out


def batch_arrays(n_in: int, n_out: int):
    """(X, Y) of shapes (BATCH_STREAMS, BATCH_STEPS, n_in / n_out): stream b's
    step t is step 13 b + t of the one-stream pattern."""
    import numpy as np
    X = np.zeros((BATCH_STREAMS, BATCH_STEPS, n_in))
    Y = np.zeros((BATCH_STREAMS, BATCH_STEPS, n_out))
    for b in range(BATCH_STREAMS):
        for t in range(BATCH_STEPS):
            X[b, t, input_index(13 * b + t, n_in)] = 1.0
            Y[b, t, target_index(13 * b + t, n_out)] = 1.0
    return X, Y


now = time.perf_counter


def time_steps(block, start: int, p: dict) -> dict:
    """Per-step time of ``block(i0, n)`` (runs steps i0 .. i0+n-1).

    Warm up for at least p["warm_min"] steps and p["warm_time"] seconds, pick a
    block size of about p["block_time"] seconds (by doubling a trial block),
    then time p["repeats"] blocks (fewer, but at least p["min_repeats"], once
    p["budget"] seconds are spent).
    The result is the median block time divided by the block size."""
    i = start
    t0 = now()
    n = 0
    while n < p["warm_min"] or (now() - t0 < p["warm_time"] and n < 100000):
        block(i, 1)
        i += 1
        n += 1
    warm_mean = (now() - t0) / n
    size = 1                       # calibrate: double the block until it takes a while
    while True:
        t = now()
        block(i, size)
        i += size
        elapsed = now() - t
        if elapsed >= p["block_time"] / 4 or size >= 1000000:
            break
        size *= 2
    size = max(1, min(1000000, round(size * p["block_time"] / max(elapsed, 1e-9))))
    runs = []
    begun = now()
    for _ in range(p["repeats"]):
        gc.collect()
        t = now()
        block(i, size)
        runs.append((now() - t) / size)
        i += size
        if len(runs) >= p["min_repeats"] and now() - begun > p["budget"]:
            break
    return {"median": statistics.median(runs), "runs": runs, "block": size,
            "warmup_steps": n, "warmup_mean": warm_mean, "next_step": i}


def scaled(timing: dict, per: int) -> dict:
    """A per-call timing turned into a per-item one (``per`` items per call)."""
    out = dict(timing)
    out["median"] = timing["median"] / per
    out["runs"] = [r / per for r in timing["runs"]]
    out["warmup_mean"] = timing["warmup_mean"] / per
    out["per_call"] = per
    return out


def time_builds(build, p: dict) -> tuple[dict, object]:
    """Median time of ``build()`` (construction plus the first step), which
    returns the network it built; returns the timing and the last network."""
    runs = []
    net = None
    begun = now()
    for _ in range(p["builds"]):
        net = None
        gc.collect()
        t = now()
        net = build()
        runs.append(now() - t)
        if len(runs) >= p["min_builds"] and now() - begun > p["budget"]:
            break
    return {"median": statistics.median(runs), "runs": runs, "first": runs[0]}, net


def time_repeats(run, p: dict, first: bool = False) -> dict:
    """Median total time of ``run()``, which times itself and returns seconds
    (so that it can leave construction out). With ``first``, one more run
    comes before the timed ones, reported apart as "first" (the run that pays
    for compiling or loading kernels)."""
    runs = []
    out = {}
    if first:
        gc.collect()
        out["first"] = run()
    begun = now()
    for _ in range(p["xor_repeats"]):
        gc.collect()
        runs.append(run())
        if len(runs) >= p["min_xor_repeats"] and now() - begun > p["budget"]:
            break
    out.update(median=statistics.median(runs), runs=runs)
    return out


def summary(runs: list) -> dict:
    """A metric of repetitions timed elsewhere."""
    return {"median": statistics.median(runs), "runs": list(runs)}


def max_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (getrusage ru_maxrss)."""
    import resource
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":      # bytes there, kilobytes on Linux
        kb /= 1024
    return kb / 1024


def digits_data():
    """(X_train, y_train, X_test, y_test): load_digits scaled to [0, 1], a fixed
    random quarter held out."""
    import numpy as np
    from sklearn.datasets import load_digits
    d = load_digits()
    X, y = d.data / 16.0, d.target
    order = np.random.default_rng(0).permutation(len(X))
    test, train = order[:len(X) // 4], order[len(X) // 4:]
    return X[train], y[train], X[test], y[test]


def worker_args(argv=None):
    """The command line every Python worker takes: WORKLOAD [--protocol JSON | --quick]
    [--phases] [--block MODULE]."""
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=sorted(WORKLOADS))
    ap.add_argument("--protocol", help="timing protocol as JSON (default: the 'full' one)")
    ap.add_argument("--quick", action="store_true", help="the 'quick' protocol")
    ap.add_argument("--phases", action="store_true",
                    help="fresh workloads: import numba and load a trivial cached kernel "
                         "first, each timed apart")
    ap.add_argument("--block", action="append", default=[], metavar="MODULE",
                    help="make MODULE unimportable (e.g. scipy)")
    a = ap.parse_args(argv)
    for name in a.block:
        sys.modules[name] = None      # import raises ImportError
    if a.protocol:
        a.protocol = json.loads(a.protocol)
    else:
        a.protocol = PROTOCOLS["quick" if a.quick else "full"]
    return a


def emit(engine: str, workload: str, results: dict, info: dict) -> None:
    print(json.dumps({"engine": engine, "workload": workload, "results": results,
                      "info": info}), flush=True)
