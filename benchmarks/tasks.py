"""The long task runs: the LSTM-g paper's criteria.

* DSR on LSTM(10, 8, 4) with the defaults (10 symbols, length 24, rate .1):
  block success .95 within 60000 trials.
* The Embedded Reber Grammar on LSTM(6, 7, 6): error .05 within 60000 strings.

synaptic.js 1.1.4 reaches DSR success .33 and ERG error 1.70 after 60000
sequences (seed 1). Run:

    python benchmarks/tasks.py dsr --sequences 60000 --seed 1
    python benchmarks/tasks.py erg --sequences 60000 --seed 1
    python benchmarks/tasks.py erg --synaptic        # synaptic.js's definition of the task

Each run prints progress, then the result and a check on fresh sequences
(no learning): the fraction of DSR trials / ERG strings predicted entirely
right.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import synapse
from architect import LSTM
from synapse import Trainer, tasks


def dsr_accuracy(net, n: int, targets, distractors, prompts, length: int, clear: bool) -> float:
    """Fraction of fresh DSR trials whose every step rounds right (no learning)."""
    right = 0
    for _ in range(n):
        X, Y = tasks.dsr_trial(targets, distractors, prompts, length)
        if clear:
            net.clear()
        right += all(np.array_equal(np.floor(net.activate(x) + 0.5), y) for x, y in zip(X, Y))
    return right / n


def erg_accuracy(net, n: int, grammar: tasks.ReberGrammar, clear: bool) -> float:
    """Fraction of fresh strings whose every prediction of the possible next
    symbols rounds right (no learning)."""
    right = 0
    for _ in range(n):
        X, Y = grammar.sequence(grammar.generate(), "possible")
        if clear:
            net.clear()
        right += all(np.array_equal(np.floor(net.activate(x) + 0.5), y) for x, y in zip(X, Y))
    return right / n


def run_dsr(args) -> dict:
    synapse.seed(args.seed)
    net = LSTM(10, 8, 4)
    net.set_optimize(not args.objects)
    clear = not args.synaptic
    result = Trainer(net).dsr(iterations=args.sequences, log=args.log, clear=clear)
    result["fresh"] = dsr_accuracy(net, args.check, (2, 4, 7, 8), (3, 5, 6, 9), (0, 1), 24, clear)
    return result


def run_erg(args) -> dict:
    synapse.seed(args.seed)
    net = LSTM(6, 7, 6)
    net.set_optimize(not args.objects)
    options = dict(clear=False, targets="next", pairing="crosswise") if args.synaptic else {}
    result = Trainer(net).erg(iterations=args.sequences, log=args.log, **options)
    grammar = tasks.ReberGrammar(options.get("pairing", "standard"), 6)
    result["fresh"] = erg_accuracy(net, args.check, grammar, not args.synaptic)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("task", choices=["dsr", "erg", "all"])
    parser.add_argument("--sequences", type=int, default=60000, help="most trials/strings (60000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log", type=int, default=1000, help="progress every N sequences")
    parser.add_argument("--check", type=int, default=1000, help="fresh sequences to check after")
    parser.add_argument("--synaptic", action="store_true",
                        help="synaptic.js's task definitions (no clearing; ERG: next-symbol "
                             "targets, crosswise pairing)")
    parser.add_argument("--objects", action="store_true", help="set_optimize(False)")
    args = parser.parse_args(argv)
    variant = "synaptic.js's definition" if args.synaptic else "ours"
    for name, run, field in (("dsr", run_dsr, "success"), ("erg", run_erg, "error")):
        if args.task not in (name, "all"):
            continue
        print(f"== {name.upper()} ({variant}), seed {args.seed}, at most {args.sequences} "
              f"sequences", flush=True)
        t0 = time.perf_counter()
        r = run(args)
        print(f"{name.upper()}: {field} {r[field]:.4f} after {r['iterations']} sequences, "
              f"error {r['error']:.4f}, {r['time']:.1f}s training "
              f"({r['time'] / r['iterations'] * 1e3:.2f} ms/sequence); "
              f"fresh sequences all right: {r['fresh']:.3f}; total {time.perf_counter() - t0:.1f}s",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
