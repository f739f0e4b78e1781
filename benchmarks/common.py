"""What the benchmark measures, shared by the driver (bench.py) and the Python
workers (synapse_bench.py, torch_bench.py). synaptic_bench.js mirrors it.

Every worker runs ONE workload in its own process and prints one JSON line:

    {"engine": ..., "workload": ..., "results": {METRIC: {...}}, "info": {...}}

A time metric holds "median" (seconds) and "runs"; the memory metric holds
"peak_mb", "baseline_mb" and "time_s".
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
    "lstm_5_3_2": ("LSTM", (5, 3, 2), "step"),
    "lstm_20_40_20": ("LSTM", (20, 40, 20), "step+build"),
    "perceptron_784_100_10": ("Perceptron", (784, 100, 10), "step+build"),
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

# How long to warm up and how many blocks to time. The driver passes one of these
# to every worker (as --protocol JSON) so that all engines are timed the same way.
PROTOCOLS = {
    "full": {"warm_min": 5, "warm_time": 0.5, "block_time": 0.5, "repeats": 9,
             "min_repeats": 5, "budget": 30.0, "builds": 5, "min_builds": 3,
             "xor_repeats": 5, "min_xor_repeats": 3},
    "quick": {"warm_min": 3, "warm_time": 0.05, "block_time": 0.05, "repeats": 3,
              "min_repeats": 3, "budget": 5.0, "builds": 1, "min_builds": 1,
              "xor_repeats": 1, "min_xor_repeats": 1},
}


def input_index(i: int, n_in: int) -> int:
    """Step i's input is one-hot at this index."""
    return (7 * i) % n_in


def target_index(i: int, n_out: int) -> int:
    """Step i's target is one-hot at this index."""
    return (3 * i) % n_out


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


def time_repeats(run, p: dict) -> dict:
    """Median total time of ``run()``, which times itself and returns seconds
    (so that it can leave construction out)."""
    runs = []
    begun = now()
    for _ in range(p["xor_repeats"]):
        gc.collect()
        runs.append(run())
        if len(runs) >= p["min_xor_repeats"] and now() - begun > p["budget"]:
            break
    return {"median": statistics.median(runs), "runs": runs}


def max_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (getrusage ru_maxrss)."""
    import resource
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":      # bytes there, kilobytes on Linux
        kb /= 1024
    return kb / 1024


def worker_args(argv=None):
    """The command line every Python worker takes: WORKLOAD [--protocol JSON | --quick]."""
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=sorted(WORKLOADS))
    ap.add_argument("--protocol", help="timing protocol as JSON (default: the 'full' one)")
    ap.add_argument("--quick", action="store_true", help="the 'quick' protocol")
    a = ap.parse_args(argv)
    if a.protocol:
        a.protocol = json.loads(a.protocol)
    else:
        a.protocol = PROTOCOLS["quick" if a.quick else "full"]
    return a


def emit(engine: str, workload: str, results: dict, info: dict) -> None:
    print(json.dumps({"engine": engine, "workload": workload, "results": results,
                      "info": info}), flush=True)
