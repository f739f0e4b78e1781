"""Benchmark worker for synapse: runs one workload, prints one JSON line.

    python benchmarks/synapse_bench.py lstm_20_40_20 [--quick | --protocol JSON]

It imports synapse and architect from this working tree (the folder above
benchmarks/), not from an installed copy. bench.py runs it once per workload.
"""
from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import numpy as np  # noqa: E402
from common import (  # noqa: E402
    MEMORY_STEPS,
    SEED,
    STEP_RATE,
    WORKLOADS,
    XOR_ERROR,
    XOR_ITERATIONS,
    XOR_RATE,
    XOR_X,
    XOR_Y,
    emit,
    input_index,
    max_rss_mb,
    now,
    target_index,
    time_builds,
    time_repeats,
    time_steps,
    worker_args,
)


def main(argv=None):
    a = worker_args(argv)
    baseline = max_rss_mb()
    import synapse
    from architect import LSTM, Perceptron
    arch, sizes, kind = WORKLOADS[a.workload]
    ctor = {"LSTM": LSTM, "Perceptron": Perceptron}[arch]
    p = a.protocol
    info = {"synapse": getattr(synapse, "__version__", "?"),
            "synapse_file": os.path.dirname(synapse.__file__),
            "numpy": np.__version__,
            "set_optimize": hasattr(synapse.Network, "set_optimize")}
    results = {}

    def new_net():
        synapse.seed(SEED)
        return ctor(*sizes)

    if kind == "xor":
        X = np.array(XOR_X)
        Y = np.array(XOR_Y)

        XX, YY = np.tile(X, (XOR_ITERATIONS, 1)), np.tile(Y, (XOR_ITERATIONS, 1))

        def run_primitive():  # every pass in one call: no return to Python per row
            net = new_net()
            t = now()
            net.run(XX, YY, rate=XOR_RATE)
            elapsed = now() - t
            info["xor_outputs_run"] = [round(float(net.activate(x)[0]), 3) for x in X]
            return elapsed

        results["xor_run"] = time_repeats(run_primitive, p)
        Trainer = getattr(synapse, "Trainer", None)
        if Trainer is not None:
            data = [{"input": x, "output": y} for x, y in zip(XOR_X, XOR_Y)]

            def run_trainer():
                net = new_net()
                t = now()
                r = Trainer(net).train(data, iterations=XOR_ITERATIONS, rate=XOR_RATE,
                                       error=XOR_ERROR, shuffle=False)
                elapsed = now() - t
                info["trainer_iterations"] = int(r["iterations"])
                info["xor_outputs_trainer"] = [round(float(net.activate(x)[0]), 3)
                                               for x in XOR_X]
                return elapsed

            results["xor_trainer"] = time_repeats(run_trainer, p)
        emit("synapse", a.workload, results, info)
        return

    n_in, n_out = sizes[0], sizes[-1]
    X = [row.copy() for row in np.eye(n_in)]
    Y = [row.copy() for row in np.eye(n_out)]

    def stepper(net):
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
    results["step"] = time_steps(stepper(net), start, p)
    if a.workload == "lstm_5_3_2":  # the same steps, a whole sequence per call
        def sequence(i0, n):
            xs = np.array([X[input_index(i, n_in)] for i in range(i0, i0 + n)])
            ys = np.array([Y[target_index(i, n_out)] for i in range(i0, i0 + n)])
            net.run(xs, ys, rate=STEP_RATE)
        results["seq"] = time_steps(sequence, 0, p)
    emit("synapse", a.workload, results, info)


if __name__ == "__main__":
    main()
