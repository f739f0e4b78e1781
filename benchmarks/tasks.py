"""The long task runs: the LSTM-g paper's criteria, within 60000 sequences.

* DSR on LSTM(10, 8, 4) with the defaults (10 symbols, length 24, rate .1):
  success .95 on a block of 1000 trials.
* The Embedded Reber Grammar on LSTM(6, 7, 6): error .05 (a string's, the
  Trainer's rule; and the mean of 1000 strings).

synaptic.js 1.1.4 reaches DSR success .33 and ERG error 1.70 after 60000
sequences (seed 1). Run::

    python benchmarks/tasks.py all                       # every variant, seeds 1 2 3
    python benchmarks/tasks.py dsr --variant gated --seeds 1 2 3 4 5
    python benchmarks/tasks.py dsr --variant fixed --optimizer adam --rate .003

Variants (how a memory cell's bias enters it: ``LSTM(..., cell_bias=...)``):

* ``learnt``: synaptic.js's wiring: a learnt bias, ungated. Its exact
  eligibility trace grows like 1/(1 - forget gain); on length-24 sequences the
  learnt cell biases drive the cells into saturation and the network stops
  learning.
* ``fixed``: a bias of 0, held fixed (``learn_cell_bias=False``).
* ``gated``: the LSTM-g paper's wiring, where a bias is an input like any
  other: a constant unit projects to every cell with a learnt weight, gated by
  the cell's input gate, as the cell's other inputs are.
* ``synaptic``: synaptic.js's wiring and synaptic.js's task definitions (no
  clearing; ERG: next-symbol targets, learning only at arg-max misses,
  crosswise pairing).

The first three train on the tasks as the Trainer defines them (clear between
sequences; ERG: possible-next-symbol targets, learning at every step, standard
pairing).

Each run records the error of every sequence (a schedule) and prints the
Trainer's result, when each criterion was first met, the mean error of the
last 1000 sequences, and the fraction of 1000 fresh sequences predicted
entirely right afterwards (no learning). For ERG the run goes on past the
Trainer's stopping rule (one string at or below .05, which a lucky short
string can meet early) to show whether the mean error of 1000 strings gets
there too. At the end a table sums the runs up (``--markdown``: as markdown).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import synapse  # noqa: E402
from architect import LSTM  # noqa: E402
from synapse import Trainer, tasks  # noqa: E402

DSR = dict(targets=(2, 4, 7, 8), distractors=(3, 5, 6, 9), prompts=(0, 1), length=24)
VARIANTS = ("learnt", "fixed", "gated", "synaptic")
SIZES = {"dsr": (10, 8, 4), "erg": (6, 7, 6)}


def run(task: str, variant: str, sequences: int, seed: int, log: int, check: int,
        optimizer: str | None = None, rate: float | None = None) -> dict:
    """One run of ``task`` on the ``variant``'s LSTM; the Trainer's result with
    ``first`` (when each criterion was met), ``last1000`` and ``fresh``."""
    synapse.seed(seed)
    net = LSTM(*SIZES[task], cell_bias="learnt" if variant == "synaptic" else variant)
    errors: list[float] = []
    first: dict[str, int] = {}
    clear = variant != "synaptic"

    def record(info):
        errors.append(info["error"])
        k = info["iterations"]
        if task == "dsr" and k % 1000 == 0 and info["success"] >= 0.95:
            first.setdefault("block success >= .95", k)
        if task == "erg":
            if info["error"] <= 0.05:
                first.setdefault("one string <= .05", k)
            if k >= 1000 and k % 100 == 0 and np.mean(errors[-1000:]) <= 0.05:
                first.setdefault("mean of 1000 strings <= .05", k)
        if log and k % log == 0:
            extra = (f"success {info['success']:.3f}" if task == "dsr"
                     else f"mean error of the last 1000 {np.mean(errors[-1000:]):.4f}")
            print(f"  {k:6d} sequences, {info['time']:6.1f}s, {extra}", flush=True)

    schedule = {"every": 1, "do": record}
    trainer = Trainer(net)
    learning = {} if optimizer is None else {"optimizer": optimizer}
    if rate is not None:
        learning["rate"] = rate
    if task == "dsr":
        result = trainer.dsr(iterations=sequences, clear=clear, schedule=schedule, **DSR,
                             **learning)
        accuracy = tasks.fraction_right(net, lambda: tasks.dsr_trial(**DSR), check, clear)
    else:
        options = (dict(clear=False, targets="next", learn="miss", pairing="crosswise")
                   if variant == "synaptic" else {})
        # error=0: run on past the Trainer's rule to see the mean error of 1000 strings
        result = trainer.erg(iterations=sequences, error=0, log=0, schedule=schedule, **options,
                             **learning)
        grammar = tasks.ReberGrammar(options.get("pairing", "standard"))
        accuracy = tasks.fraction_right(net, lambda: grammar.sequence(grammar.generate()), check,
                                         clear)
    result.update(first=first, last1000=float(np.mean(errors[-1000:])), fresh=accuracy)
    return result


def _cell(r: dict, key: str) -> str:
    k = r["first"].get(key)
    return "no" if k is None else str(k)


def table(rows: list[tuple[str, str, int, dict]], markdown: bool) -> str:
    """The runs as a table: one row per task, variant and seed."""
    head = ["task", "variant", "seed", "criterion met at", "fresh right", "last 1000 error",
            "sequences", "s/1000 seq"]
    lines = []
    for task, variant, seed, r in rows:
        met = (_cell(r, "block success >= .95") if task == "dsr"
               else f"{_cell(r, 'mean of 1000 strings <= .05')} (one string: "
                    f"{_cell(r, 'one string <= .05')})")
        lines.append([task, variant, str(seed), met, f"{r['fresh']:.3f}", f"{r['last1000']:.4f}",
                      str(r["iterations"]), f"{r['time'] / r['iterations'] * 1e3:.2f}"])
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        out += ["| " + " | ".join(line) + " |" for line in lines]
        return "\n".join(out)
    widths = [max(len(x) for x in col) for col in zip(head, *lines)]
    return "\n".join("  ".join(x.ljust(w) for x, w in zip(line, widths))
                     for line in [head, *lines])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("task", choices=["dsr", "erg", "all"])
    parser.add_argument("--variant", choices=[*VARIANTS, "all"], default="all")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--sequences", type=int, default=60000, help="most trials/strings (60000)")
    parser.add_argument("--log", type=int, default=10000, help="progress every N sequences")
    parser.add_argument("--check", type=int, default=1000, help="fresh sequences to check after")
    parser.add_argument("--optimizer", default=None, help="e.g. adam (default: plain steps)")
    parser.add_argument("--rate", type=float, default=None, help="the task's rate (default .1)")
    parser.add_argument("--markdown", action="store_true", help="the summary as markdown")
    args = parser.parse_args(argv)
    rows = []
    for task in ("dsr", "erg"):
        if args.task not in (task, "all"):
            continue
        for variant in VARIANTS:
            if args.variant not in (variant, "all"):
                continue
            for seed in args.seeds:
                print(f"== {task.upper()} on LSTM{SIZES[task]}, variant {variant}, seed {seed}, "
                      f"at most {args.sequences} sequences", flush=True)
                start = time.perf_counter()
                r = run(task, variant, args.sequences, seed, args.log, args.check,
                        args.optimizer, args.rate)
                met = ("; ".join(f"{k} at {v}" for k, v in r["first"].items())
                       or "no criterion met")
                score = (f"success {r['success']:.3f}" if task == "dsr"
                         else f"error {r['error']:.4f}")
                print(f"{task.upper()} {variant} seed {seed}: {score} after {r['iterations']} "
                      f"sequences ({r['time']:.1f}s); {met}; mean error of the last 1000 "
                      f"{r['last1000']:.4f}; fresh sequences entirely right {r['fresh']:.3f}; "
                      f"total {time.perf_counter() - start:.1f}s", flush=True)
                rows.append((task, variant, seed, r))
    learning = (f"optimizer {args.optimizer}" if args.optimizer else "plain steps") + (
        f", rate {args.rate}" if args.rate is not None else "")
    print(f"\nSummary ({learning}, at most {args.sequences} sequences):")
    print(table(rows, args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
