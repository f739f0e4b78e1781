"""Side-by-side benchmark: synapse vs synaptic.js 1.1.4 (vs PyTorch), in one run.

    python benchmarks/bench.py                 # everything this machine can run
    python benchmarks/bench.py --markdown      # the README's table
    python benchmarks/bench.py --quick --no-js --no-torch --only lstm_5_3_2

Workloads (inputs one-hot at 7i mod n_in, targets one-hot at 3i mod n_out for
step i; a step is one activate + one propagate at rate .1; build is
construction plus the first step):

    xor                    Perceptron(2,3,1), 20000 iterations over the 4 rows at
                           rate .2, total time: Trainer.train, and net.run over
                           all 80000 rows in one call (synaptic.js: activate +
                           propagate per row, and its Trainer)
    lstm_5_3_2             LSTM(5,3,2) per step: activate + propagate from
                           Python, and the same steps a sequence per net.run
                           call (synaptic.js has no per-call cost: its step)
    lstm_20_40_20          LSTM(20,40,20) per step and build
    perceptron_784_100_10  Perceptron(784,100,10) per step and build
    lstm_100_100_20        LSTM(100,100,20) build + 100 steps: peak memory, as
                           the peak resident set size (getrusage ru_maxrss, or
                           node's process.resourceUsage().maxRSS) of a worker
                           process that runs only that; it includes the
                           interpreter and, for synapse, numpy

Every engine and workload runs in its own worker process (synapse_bench.py,
synaptic_bench.js, torch_bench.py), one after the other, with the same timing
protocol: warm-up, then the median of several blocks of steps (per step =
block time / steps in the block), or the median of several builds / XOR runs.

synaptic.js runs when `node` and `npm` are on the PATH: synaptic@1.1.4 is
installed into a temporary folder (removed afterwards) and run with its
optimizer on, its default. PyTorch runs when `import torch` works in this
interpreter (torch is never a dependency of synapse). Ratios are synaptic.js
time / synapse time: above 1, synapse is faster.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from common import MEMORY_STEPS, PROTOCOLS, WORKLOADS  # noqa: E402

SYNAPTIC_VERSION = "1.1.4"
ENGINES = ("synapse", "synaptic", "torch")

# The figures for synaptic.js, used for a goal when synaptic.js cannot run here.
REFERENCE = {"xor_run": 58e-3, "xor_trainer": 58e-3, "lstm_5_3_2.step": 12.3e-6,
             "lstm_5_3_2.seq": 12.3e-6,
             "lstm_20_40_20.step": 26e-3, "lstm_20_40_20.build": 1.6,
             "perceptron_784_100_10.step": 24.7e-3, "perceptron_784_100_10.build": 3.2}

# key, workload, metric in the worker's results, label, goal
#   goal: ("faster", x) synapse x times faster than synaptic.js;
#         ("at_most", seconds) / ("below_mb", megabytes) absolute; None: none
ROWS = [
    ("xor_run", "xor", "xor_run",
     "XOR Perceptron(2,3,1), 20000 its, total (one `run` over all rows)", ("faster", 1)),
    ("xor_trainer", "xor", "xor_trainer",
     "XOR Perceptron(2,3,1), 20000 its, total (`Trainer.train`)", ("faster", 1)),
    ("lstm_5_3_2.step", "lstm_5_3_2", "step", "LSTM(5,3,2) per step", ("faster", 1)),
    ("lstm_5_3_2.seq", "lstm_5_3_2", "seq",
     "LSTM(5,3,2) per step, a sequence per `run` call", ("faster", 1)),
    ("lstm_20_40_20.step", "lstm_20_40_20", "step", "LSTM(20,40,20) per step",
     ("faster", 100)),
    ("lstm_20_40_20.build", "lstm_20_40_20", "build", "LSTM(20,40,20) build",
     ("at_most", 0.050)),
    ("perceptron_784_100_10.step", "perceptron_784_100_10", "step",
     "Perceptron(784,100,10) per step", ("faster", 200)),
    ("perceptron_784_100_10.build", "perceptron_784_100_10", "build",
     "Perceptron(784,100,10) build", None),
    ("lstm_100_100_20.mem", "lstm_100_100_20", "mem",
     "LSTM(100,100,20) build + 100 steps, peak memory", ("below_mb", 300)),
    ("lstm_100_100_20.time", "lstm_100_100_20", "mem",
     "LSTM(100,100,20) build + 100 steps, time", None),
]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ----------------------------------------------------------------- formatting

def fmt_time(s):
    if s is None:
        return "—"
    if s < 1e-6:
        return f"{s * 1e9:.0f} ns"
    if s < 1e-3:
        return f"{s * 1e6:.3g} us"
    if s < 1:
        return f"{s * 1e3:.3g} ms"
    return f"{s:.3g} s"


def fmt_mb(mb):
    return "—" if mb is None else f"{mb:.0f} MB"


def fmt_ratio(r):
    if r is None:
        return "—"
    return f"{r:.3g}x" if r < 1000 else f"{r:.0f}x"


def value(res, key, workload, metric):
    """(number, cell text) of one engine's result for a row; number None if missing."""
    if res is None:
        return None, "—"
    if "error" in res:
        return None, res["error_short"]
    m = res["results"].get(metric)
    if m is None:
        return None, "—"
    if metric == "mem":
        if key.endswith(".mem"):
            return m["peak_mb"], fmt_mb(m["peak_mb"])
        return m["time_s"], fmt_time(m["time_s"])
    return m["median"], fmt_time(m["median"])


def goal_text(key, goal, syn, js):
    """(text, met) for a row; met None when it cannot be judged."""
    if goal is None:
        return "", None
    kind, x = goal
    if syn is None:
        return {"faster": f">= {x}x", "at_most": f"<= {fmt_time(x)}",
                "below_mb": f"< {x} MB"}[kind], None
    if kind == "faster":
        base, note = js, ""
        if base is None:
            base, note = REFERENCE.get(key), " vs the issue's figure"
        if base is None:
            return f">= {x}x", None
        r = base / syn
        met = r >= x
        return f">= {x}x: {'met' if met else 'not met'} ({fmt_ratio(r)}{note})", met
    if kind == "at_most":
        met = syn <= x
        return f"<= {fmt_time(x)}: {'met' if met else 'not met'}", met
    met = syn < x
    return f"< {x} MB: {'met' if met else 'not met'}", met


# ----------------------------------------------------------------- machine

def machine():
    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cores": os.cpu_count()}
    try:
        info["cores_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    try:
        cpu, phys = None, set()
        pid = core = None
        with open("/proc/cpuinfo") as f:
            for line in f:
                k, _, v = line.partition(":")
                k, v = k.strip(), v.strip()
                if k == "model name" and cpu is None:
                    cpu = v
                elif k == "physical id":
                    pid = v
                elif k == "core id":
                    core = v
                elif not k and pid is not None:
                    phys.add((pid, core))
        if pid is not None:
            phys.add((pid, core))
        info["cpu"] = cpu or platform.processor() or "?"
        if phys:
            info["physical_cores"] = len(phys)
    except OSError:
        info["cpu"] = platform.processor() or "?"
    try:
        import numpy
        info["numpy"] = numpy.__version__
    except ImportError:
        info["numpy"] = "not installed"
    info["numba"] = _version_of("numba")
    info["torch"] = _version_of("torch")
    try:
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    try:
        info["commit"] = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
            text=True, timeout=10, check=False).stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        info["commit"] = "?"
    return info


def _version_of(name):
    if importlib.util.find_spec(name) is None:
        return "not installed"
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:  # noqa: BLE001 - installed without metadata
        return "installed"


# ----------------------------------------------------------------- synaptic.js

def setup_synaptic(args):
    """Path of an installed synaptic package, a folder to remove afterwards (or
    None), and a note on why synaptic.js does not run (or None)."""
    if args.no_js:
        return None, None, "--no-js"
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return None, None, "node or npm not found"
    if args.synaptic_dir:
        prefix, remove = os.path.abspath(args.synaptic_dir), None
    else:
        prefix = tempfile.mkdtemp(prefix="synaptic-bench-")
        remove = prefix
    pkg = os.path.join(prefix, "node_modules", "synaptic")
    try:
        if _synaptic_version(pkg) != SYNAPTIC_VERSION:
            log(f"installing synaptic@{SYNAPTIC_VERSION} into {prefix} ...")
            r = subprocess.run([npm, "install", "--prefix", prefix, "--no-audit", "--no-fund",
                                "--loglevel=error", f"synaptic@{SYNAPTIC_VERSION}"],
                               capture_output=True, text=True, timeout=600, check=False)
            if r.returncode != 0:
                raise RuntimeError(f"npm install failed: {r.stderr.strip()[-500:]}")
        got = _synaptic_version(pkg)
        if got != SYNAPTIC_VERSION:
            raise RuntimeError(f"expected synaptic {SYNAPTIC_VERSION}, found {got}")
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        if remove:
            shutil.rmtree(remove, ignore_errors=True)
        return None, None, str(e)
    return pkg, remove, None


def _synaptic_version(pkg):
    try:
        with open(os.path.join(pkg, "package.json")) as f:
            return json.load(f).get("version")
    except (OSError, ValueError):
        return None


# ----------------------------------------------------------------- workers

def run_worker(engine, workload, protocol, args, synaptic_pkg):
    p = json.dumps(protocol)
    if engine == "synapse":
        cmd = [sys.executable, os.path.join(HERE, "synapse_bench.py"), workload, "--protocol", p]
    elif engine == "torch":
        cmd = [sys.executable, os.path.join(HERE, "torch_bench.py"), workload, "--protocol", p]
    else:
        cmd = [shutil.which("node"), "--expose-gc", os.path.join(HERE, "synaptic_bench.js"),
               "--synaptic", synaptic_pkg, workload, "--protocol", p]
    t = time.perf_counter()
    log(f"[{workload}] {engine} ...")
    try:
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                           timeout=args.timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.timeout:.0f} s", "error_short": "timeout"}
    took = time.perf_counter() - t
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
    if r.returncode != 0 or not lines:
        tail = (r.stderr.strip() or r.stdout.strip())[-1500:]
        how = f"exit code {r.returncode}" if r.returncode else "no result printed"
        if r.returncode < 0 or r.returncode == 137:
            how += " (killed: out of memory?)"
        log(f"[{workload}] {engine} failed ({how}):\n{tail}")
        return {"error": f"{how}: {tail}", "error_short": "failed"}
    out = json.loads(lines[-1])
    out["wall_s"] = took
    log(f"[{workload}] {engine} done in {took:.1f} s")
    return out


def describe(key, metric, engine, res):
    """One detail line: the median and how it was measured."""
    if res is None:
        return None
    if "error" in res:
        return f"{key:<28} {engine:<8} {res['error'].splitlines()[0][:200]}"
    m = res["results"].get(metric)
    if m is None:
        return None
    if metric == "mem":
        if key.endswith(".mem"):
            return (f"{key:<28} {engine:<8} peak {m['peak_mb']:.1f} MB "
                    f"(before the library's import: {m['baseline_mb']:.1f} MB; {m['how']}); "
                    f"build + {MEMORY_STEPS} steps took {fmt_time(m['time_s'])}")
        return f"{key:<28} {engine:<8} median {fmt_time(m['time_s'])} (one run)"
    runs = m["runs"]
    text = (f"{key:<28} {engine:<8} median {fmt_time(m['median'])} "
            f"(min {fmt_time(min(runs))}, max {fmt_time(max(runs))}, {len(runs)} ")
    if metric == "step":
        text += (f"blocks of {m['block']} steps after {m['warmup_steps']} warm-up steps "
                 f"of {fmt_time(m['warmup_mean'])} on average)")
    elif metric == "build":
        text += f"builds; the first {fmt_time(m['first'])})"
    else:
        text += "runs)"
    return text


# ----------------------------------------------------------------- main

def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="workloads: " + ", ".join(WORKLOADS))
    ap.add_argument("--quick", action="store_true", help="few repeats (a smoke test)")
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="run only these workloads (repeat or comma-separate)")
    ap.add_argument("--no-js", action="store_true", help="skip synaptic.js")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--json", metavar="PATH", help="also write every measurement here")
    ap.add_argument("--timeout", type=float, default=1800,
                    help="seconds allowed to each worker process (default 1800)")
    ap.add_argument("--synaptic-dir", metavar="DIR",
                    help="install synaptic.js here (kept, and reused when present) "
                         "instead of a temporary folder")
    a = ap.parse_args(argv)
    names = []
    for item in a.only or []:
        names += [n.strip() for n in item.split(",") if n.strip()]
    for n in names:
        if n not in WORKLOADS:
            ap.error(f"unknown workload {n!r}; expected one of {', '.join(WORKLOADS)}")
    a.workloads = [w for w in WORKLOADS if not names or w in names]
    return a


def main(argv=None):
    args = parse_args(argv)
    begun = time.perf_counter()
    protocol = PROTOCOLS["quick" if args.quick else "full"]
    info = machine()
    synaptic_pkg, remove, js_why = setup_synaptic(args)
    if synaptic_pkg:
        info["node"] = subprocess.run([shutil.which("node"), "--version"], capture_output=True,
                                      text=True, check=False).stdout.strip()
        info["synaptic"] = SYNAPTIC_VERSION
    else:
        log(f"synaptic.js skipped: {js_why}")
    if args.no_torch:
        torch_why = "--no-torch"
    elif importlib.util.find_spec("torch") is None:
        torch_why = "torch not installed"
    else:
        torch_why = None
    if torch_why:
        log(f"PyTorch skipped: {torch_why}")

    results = {e: {} for e in ENGINES}
    try:
        for w in args.workloads:
            results["synapse"][w] = run_worker("synapse", w, protocol, args, None)
            if synaptic_pkg:
                results["synaptic"][w] = run_worker("synaptic", w, protocol, args, synaptic_pkg)
            if not torch_why:
                results["torch"][w] = run_worker("torch", w, protocol, args, None)
    finally:
        if remove:
            shutil.rmtree(remove, ignore_errors=True)

    report = build_report(args, info, results, protocol, js_why, torch_why,
                          time.perf_counter() - begun)
    print(report["text"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": info, "protocol": protocol, "results": results,
                       "rows": report["rows"], "argv": sys.argv[1:]}, f, indent=1)
    failed = [w for w, r in results["synapse"].items() if "error" in r]
    return 1 if failed else 0


def build_report(args, info, results, protocol, js_why, torch_why, total_s):
    rows = []
    details = []
    for key, workload, metric, label, goal in ROWS:
        if workload not in args.workloads:
            continue
        res = {e: results[e].get(workload) for e in ENGINES}
        if not any(r and "error" not in r and metric in r["results"] for r in res.values()):
            continue
        syn, syn_cell = value(res["synapse"], key, workload, metric)
        js, js_cell = value(res["synaptic"], key, workload, metric)
        th, th_cell = value(res["torch"], key, workload, metric)
        if metric == "xor_trainer" and res["synapse"] and "error" not in res["synapse"] \
                and syn is None:
            syn_cell = "no synapse.Trainer"
        ratio = js / syn if js is not None and syn else None
        gtext, met = goal_text(key, goal, syn, js)
        rows.append({"key": key, "label": label, "synapse": syn, "synaptic": js, "torch": th,
                     "ratio": ratio, "goal": gtext, "met": met,
                     "cells": [label, syn_cell, js_cell, fmt_ratio(ratio), gtext, th_cell]})
        for e in ENGINES:
            line = describe(key, metric, e, res[e]) if key != "lstm_100_100_20.time" else None
            if line:
                details.append(line)
    for e in ENGINES:
        for w, r in results[e].items():
            info_ = r.get("info", {})
            if "trainer_iterations" in info_ and info_["trainer_iterations"] != 20000:
                details.append(f"note: {e} Trainer stopped after {info_['trainer_iterations']} "
                               f"iterations, not 20000")
            for k in ("xor_outputs_run", "xor_outputs_trainer"):
                if k in info_:
                    details.append(f"{e:<8} XOR outputs after training ({k[12:]}): {info_[k]}")
            if info_.get("optimized") is False:
                details.append(f"note: {e} {w} ran without its optimizer")

    head = ["workload", "synapse", "synaptic.js", "ratio", "goal", "PyTorch"]
    out = []
    m = info
    mach = (f"{m['cpu']}, {m.get('cores_usable', m['cores'])} cores usable"
            f"{' (' + str(m['physical_cores']) + ' physical)' if 'physical_cores' in m else ''}"
            f"; {m['platform']}; Python {m['python']}, numpy {m['numpy']}, "
            f"numba {m['numba']}; torch {m['torch'] if not torch_why else torch_why}; "
            f"synaptic.js {m['synaptic'] + ' on node ' + m['node'] if 'synaptic' in m else js_why}")
    shown, skip = [], False            # the command, without where its JSON went
    for a in sys.argv[1:]:
        if skip or a.startswith("--json="):
            skip = False
        elif a == "--json":
            skip = True
        else:
            shown.append(a)
    cmd = " ".join(["python benchmarks/bench.py", *shown])
    if args.markdown:
        out.append("| " + " | ".join(head) + " |")
        out.append("| " + " | ".join(["---"] + ["---:"] * 3 + ["---", "---:"]) + " |")
        for r in rows:
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in r["cells"]) + " |")
        out.append("")
        out.append(f"Machine: {mach}. Commit {m['commit']}, "
                   f"{datetime.date.today().isoformat()}, load average at start "
                   f"{m.get('load_average', '?')}.")
        out.append("")
        out.append(f"Reproduce: `{cmd}`. Ratio = synaptic.js time / synapse time "
                   f"(memory: synaptic.js peak / synapse peak). Peak memory is the worker "
                   f"process's peak resident set size (ru_maxrss), interpreter included.")
        out.append("")
        out.append("```")
        out += details
        out.append("```")
    else:
        out.append("machine: " + mach)
        out.append(f"commit {m['commit']}; protocol {'quick' if args.quick else 'full'}; "
                   f"load average at start {m.get('load_average', '?')}; total {total_s:.0f} s")
        out.append("")
        out += details
        out.append("")
        widths = [max(len(head[i]), *(len(r["cells"][i]) for r in rows)) if rows
                  else len(head[i]) for i in range(len(head))]
        out.append("  ".join(h.ljust(w) for h, w in zip(head, widths)))
        out.append("  ".join("-" * w for w in widths))
        for r in rows:
            out.append("  ".join(c.ljust(w) if i in (0, 4) else c.rjust(w)
                                 for i, (c, w) in enumerate(zip(r["cells"], widths))))
        out.append("")
        out.append("ratio = synaptic.js / synapse (above 1: synapse is faster or smaller)")
    goals = [r for r in rows if r["goal"]]
    if goals:
        out.append("")
        out.append("goals:")
        for r in goals:
            state = {True: "MET", False: "NOT MET", None: "not judged"}[r["met"]]
            if args.markdown:
                out.append(f"- **{state}** {r['label']}: {r['goal']}")
            else:
                out.append(f"  {state:<10} {r['label']}: {r['goal']}")
    return {"text": "\n".join(out), "rows": [{k: v for k, v in r.items() if k != "cells"}
                                             for r in rows]}


if __name__ == "__main__":
    sys.exit(main())
