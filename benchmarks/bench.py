"""Side-by-side benchmark: synapse vs synaptic.js 1.1.4 (vs PyTorch), in one run.

    python benchmarks/bench.py                 # everything this machine can run
    python benchmarks/bench.py --markdown      # the README's tables
    python benchmarks/bench.py --quick --no-js --no-torch --only lstm_5_3_2

Every figure is the median of several repetitions (at least 5 in the full
protocol; --quick takes fewer, for a smoke test). Workloads (inputs one-hot
at 7i mod n_in, targets one-hot at 3i mod n_out for step i; a step is one
activate + one propagate at rate .1; build is construction plus the first
step; synapse_bench.py's docstring says exactly what each times):

    xor_fresh              Perceptron(2,3,1), 20000 iterations of Trainer.train
                           (rate .2, the 4 rows in order), as the first thing a
                           fresh process does: numba's cache warm (a cache
                           directory filled by one run before), cold (an empty
                           one: compiling), and warm without scipy importable;
                           and, once more each, with numba's import and first
                           call timed apart (--phases). synaptic.js: the first
                           Trainer run of a fresh node process
    xor                    the same in one process once warm (after a first
                           Trainer.train), and the same passes in one net.run
    lstm_5_3_2             LSTM(5,3,2) per step from Python; a sequence per
                           net.run; 64 sequences of 100 steps per net.run
                           (learning and not), per sequence-step
    lstm_20_40_20_fresh    LSTM(20,40,20) construct + first activate, fresh
                           process, cold and warm cache
    lstm_20_40_20          LSTM(20,40,20) per step and build
    perceptron_784_100_10  Perceptron(784,100,10) per step (arrays and Python
                           lists) and build, and a single fused pass
    digits                 one epoch of the digits (Adam, batch 32) vs PyTorch
    dsr                    DSR to its criterion: one stream vs batches
    lstm_100_100_20        LSTM(100,100,20) build + 100 steps: peak memory (the
                           peak resident set size of a worker process that runs
                           only that; interpreter and numpy included)
    demo_xor               `python -m synapse demo xor`, wall time from the
                           shell, cold (empty NUMBA_CACHE_DIR) and warm
    ctrl_c                 Ctrl-C while Trainer.train runs a billion passes on
                           the JIT: seconds from SIGINT to train's return
    demo_timing            `python -m synapse demo timing`, wall time, with
                           numba and with SYNAPSE_NO_JIT=1 (minutes: the
                           numpy engine is slow on small networks)

xor, lstm_5_3_2 and lstm_20_40_20 also run with SYNAPSE_NO_JIT=1 (the numpy
column; --no-numpy-only skips it).

Every engine and workload runs in its own worker process (synapse_bench.py,
synaptic_bench.js, torch_bench.py), one after the other, with the same timing
protocol: warm-up, then the median of several blocks of steps (per step =
block time / steps in the block), or the median of several builds / runs /
processes. synapse's workers get a NUMBA_CACHE_DIR of this run's own (made
warm by the first runs), so that nothing depends on what an earlier run left.

synaptic.js runs when `node` and `npm` are on the PATH: synaptic@1.1.4 is
installed into a temporary folder (removed afterwards) and run with its
optimizer on, its default. PyTorch runs when `import torch` works in this
interpreter (torch is never a dependency of synapse), on one thread, batch 1
unless a row says otherwise. Ratios are the other's time / synapse's time:
above 1, synapse is faster.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from common import (  # noqa: E402
    BATCH_STEPS,
    BATCH_STREAMS,
    DSR_BATCH,
    DSR_BATCH_RATE,
    MEMORY_STEPS,
    PROTOCOLS,
)

SYNAPTIC_VERSION = "1.1.4"
ENGINES = ("synapse", "numpy", "synaptic", "torch")
#: What each engine other than synapse runs.
RUNS_ON = {
    "synaptic": {"xor_fresh", "xor", "lstm_5_3_2", "lstm_20_40_20_fresh", "lstm_20_40_20",
                 "perceptron_784_100_10", "lstm_100_100_20"},
    "torch": {"xor", "lstm_5_3_2", "lstm_20_40_20", "perceptron_784_100_10", "digits",
              "lstm_100_100_20"},
    "numpy": {"xor", "lstm_5_3_2", "lstm_20_40_20"},
}
#: Workloads the driver runs itself (no worker of its own).
DRIVER = ("demo_xor", "ctrl_c", "demo_timing")
ORDER = ("xor_fresh", "xor", "lstm_5_3_2", "lstm_20_40_20_fresh", "lstm_20_40_20",
         "perceptron_784_100_10", "digits", "dsr", "lstm_100_100_20", *DRIVER)

#: The issue's figures for synaptic.js (seconds), used for a goal when synaptic.js
#: cannot run here.
REFERENCE = {("xor_fresh:first", "first_train"): 57e-3,
             ("lstm_5_3_2", "step"): 0.83e-6,
             ("lstm_20_40_20", "step"): 37.3e-3,
             ("perceptron_784_100_10", "step"): 30.5e-3}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ----------------------------------------------------------------- the rows
#
# A row: key, label, and where each engine's number is: (result name, metric),
# the result name being a workload or "workload:variant" for the fresh-process
# runs. Goals: ("vs", engine, x): that engine's time / synapse's >= x;
# ("within", (result, metric), x, what): synapse's / that synapse figure <= x;
# ("at_most", seconds); ("below_mb", megabytes).

def row(key, label, synapse=None, synaptic=None, torch=None, goals=(), kind="time",
        pair=None):
    return {"key": key, "label": label, "synapse": synapse, "synaptic": synaptic,
            "torch": torch, "goals": list(goals), "kind": kind, "pair": pair}


ROWS = [
    row("xor.fresh", "XOR Perceptron(2,3,1) 20000 its: first `Trainer.train` in a fresh "
        "process, numba's cache warm",
        ("xor_fresh:warm", "first_train"), ("xor_fresh:first", "first_train"),
        goals=[("vs", "synaptic", 1)]),
    row("xor.cold", "the same, cold cache (compiling)", ("xor_fresh:cold", "first_train"),
        ("xor_fresh:first", "first_train")),
    row("xor.process", "the same, whole process (start, import, train, exit)",
        ("xor_fresh:warm", "wall"), ("xor_fresh:first", "wall")),
    row("xor.warm", "XOR, `Trainer.train` once warm in the process", ("xor", "xor_trainer"),
        ("xor", "xor_trainer"), goals=[("vs", "synaptic", 1)]),
    row("xor.run", "XOR, the same passes in one `net.run` (warm)", ("xor", "xor_run"),
        ("xor", "xor_run"), ("xor", "xor_run"), goals=[("vs", "synaptic", 1)]),
    row("lstm_5_3_2.step", "LSTM(5,3,2) per step, `activate` + `propagate` from Python (arrays)",
        ("lstm_5_3_2", "step"), ("lstm_5_3_2", "step"), ("lstm_5_3_2", "step"),
        goals=[("vs", "synaptic", 1)]),
    row("lstm_5_3_2.seq", "LSTM(5,3,2) per step, a sequence per `net.run`",
        ("lstm_5_3_2", "seq"), ("lstm_5_3_2", "step"), goals=[("vs", "synaptic", 1)]),
    row("lstm_5_3_2.batch_learn", f"LSTM(5,3,2), {BATCH_STREAMS} sequences x {BATCH_STEPS} "
        "steps per `net.run`, learning: per sequence-step",
        ("lstm_5_3_2", "batch_learn"), ("lstm_5_3_2", "step"), ("lstm_5_3_2", "batch_learn"),
        goals=[("vs", "synaptic", 20), ("at_most", 0.04e-6)]),
    row("lstm_5_3_2.batch_run", "the same, not learning (synaptic.js: `activate` alone)",
        ("lstm_5_3_2", "batch_run"), ("lstm_5_3_2", "activate"), ("lstm_5_3_2", "batch_run"),
        goals=[("vs", "synaptic", 20)]),
    row("lstm_20_40_20.step", "LSTM(20,40,20) per step", ("lstm_20_40_20", "step"),
        ("lstm_20_40_20", "step"), ("lstm_20_40_20", "step"),
        goals=[("vs", "synaptic", 150), ("vs", "torch", 3)]),
    row("lstm_20_40_20.build", "LSTM(20,40,20) build (construct + first step, in process)",
        ("lstm_20_40_20", "build"), ("lstm_20_40_20", "build"), ("lstm_20_40_20", "build"),
        goals=[("at_most", 0.050)]),
    row("lstm_20_40_20.fresh", "LSTM(20,40,20) construct + first activate, fresh process, "
        "warm cache", ("lstm_20_40_20_fresh:warm", "build"),
        ("lstm_20_40_20_fresh:first", "build"), kind="pair",
        pair=("construct", "first_activate")),
    row("lstm_20_40_20.fresh_cold", "the same, cold cache", ("lstm_20_40_20_fresh:cold", "build"),
        ("lstm_20_40_20_fresh:first", "build"), kind="pair",
        pair=("construct", "first_activate")),
    row("perceptron.step", "Perceptron(784,100,10) per step, numpy arrays",
        ("perceptron_784_100_10", "step"), ("perceptron_784_100_10", "step"),
        ("perceptron_784_100_10", "step"),
        goals=[("vs", "synaptic", 250),
               ("within", ("perceptron_784_100_10", "fused"), 1.5, "the fused pass")]),
    row("perceptron.lists", "the same, inputs and targets as Python lists",
        ("perceptron_784_100_10", "step_lists"), ("perceptron_784_100_10", "step"),
        goals=[("vs", "synaptic", 250),
               ("within", ("perceptron_784_100_10", "step"), 1.3, "arrays")]),
    row("perceptron.fused", "a single fused pass for that network (reference; see notes)",
        ("perceptron_784_100_10", "fused")),
    row("perceptron.build", "Perceptron(784,100,10) build", ("perceptron_784_100_10", "build"),
        ("perceptron_784_100_10", "build"), ("perceptron_784_100_10", "build")),
    row("digits.epoch", "digits: one epoch, Perceptron(64,64,10) SOFTMAX, Adam, batch 32 "
        "(1348 rows)", ("digits", "epoch"), None, ("digits", "epoch"),
        goals=[("vs", "torch", 1)]),
    row("dsr.paper", "DSR LSTM(10,8,4) to its criterion: `Trainer.dsr` (one stream, learns "
        "on misses)", ("dsr", "dsr_paper")),
    row("dsr.one", "DSR: `train_sequences`, one stream (learns every step)",
        ("dsr", "dsr_one_stream")),
    row("dsr.batch", f"DSR: `train_sequences`, batches of {DSR_BATCH} (rate {DSR_BATCH_RATE})",
        ("dsr", "dsr_batch"),
        goals=[("within", ("dsr", "dsr_one_stream"), 1.0, "one stream"),
               ("within", ("dsr", "dsr_paper"), 1.0, "`Trainer.dsr`")]),
    row("mem", "LSTM(100,100,20) build + 100 steps, peak memory",
        ("lstm_100_100_20", "mem"), ("lstm_100_100_20", "mem"), ("lstm_100_100_20", "mem"),
        goals=[("below_mb", 300)], kind="mb"),
    row("mem.time", "LSTM(100,100,20) build + 100 steps, time",
        ("lstm_100_100_20", "mem_time"), ("lstm_100_100_20", "mem_time"),
        ("lstm_100_100_20", "mem_time")),
]

#: With and without numba: (label, synapse's figure, the numpy engine's).
NUMBA_ROWS = [
    ("XOR Perceptron(2,3,1), 20000 iterations (`Trainer.train`, warm)",
     ("xor", "xor_trainer"), ("numpy:xor", "xor_trainer")),
    ("XOR, the first `Trainer.train` in a fresh process", ("xor_fresh:warm", "first_train"),
     ("numpy:xor", "xor_trainer_first")),
    ("LSTM(5,3,2), one `activate` + `propagate`", ("lstm_5_3_2", "step"),
     ("numpy:lstm_5_3_2", "step")),
    (f"LSTM(5,3,2), {BATCH_STREAMS} x {BATCH_STEPS} per `net.run`, learning, per "
     "sequence-step", ("lstm_5_3_2", "batch_learn"), ("numpy:lstm_5_3_2", "batch_learn")),
    ("timing task demo (`python -m synapse demo timing`), wall", ("demo_timing", "jit"),
     ("demo_timing", "numpy")),
    ("LSTM(20,40,20), one step", ("lstm_20_40_20", "step"), ("numpy:lstm_20_40_20", "step")),
]


# ----------------------------------------------------------------- formatting

def fmt_time(s):
    if s is None:
        return "—"
    if s < 1e-6:
        return f"{s * 1e9:.3g} ns"
    if s < 1e-3:
        return f"{s * 1e6:.3g} µs"
    if s < 1:
        return f"{s * 1e3:.3g} ms"
    return f"{s:.3g} s"


def fmt_ratio(r):
    if r is None:
        return "—"
    return f"{r:.2g}x" if r < 10 else f"{r:.0f}x"


def number(results, engine, where):
    """The median (or peak MB) an engine reports at ``where``."""
    if where is None:
        return None
    res = results[engine].get(where[0])
    if res is None or "error" in res:
        return None
    m = res["results"].get("mem" if where[1] == "mem_time" else where[1])
    if m is None:
        return None
    if where[1] == "mem":
        return m["peak_mb"]
    if where[1] == "mem_time":
        return m["time_s"]
    return m["median"]


def cell(results, engine, r):
    where = r[engine]
    if where is None:
        return "—"
    res = results[engine].get(where[0])
    if res is not None and "error" in res:
        return res["error_short"]
    v = number(results, engine, where)
    if v is None:
        return "—"
    if r["kind"] == "mb":
        return f"{v:.0f} MB"
    if r["kind"] == "pair":
        a, b = (res["results"][k]["median"] for k in r["pair"])
        return f"{fmt_time(a)} + {fmt_time(b)}"
    seeds = res["results"].get(where[1], {}).get("seeds")
    if seeds:
        return f"{fmt_time(v)} ({sum(x['met'] for x in seeds)} of {len(seeds)} seeds met it)"
    return fmt_time(v)


def judge(results, r, syn):
    """[(text, met)] for a row's goals; met None when it cannot be judged."""
    out = []
    for g in r["goals"]:
        kind = g[0]
        if kind == "vs":
            name = {"synaptic": "synaptic.js", "torch": "PyTorch"}[g[1]]
            other = number(results, g[1], r[g[1]])
            note = ""
            if other is None and g[1] == "synaptic":
                other, note = REFERENCE.get(tuple(r["synaptic"])), " vs the issue's figure"
            if syn is None or other is None:
                out.append((f"≥ {g[2]}x {name}", None))
                continue
            ratio = other / syn
            met = ratio >= g[2]
            out.append((f"≥ {g[2]}x {name}: {'met' if met else 'NOT met'} "
                        f"({fmt_ratio(ratio)}{note})", met))
        elif kind == "within":
            ref = number(results, "synapse", g[1])
            if syn is None or ref is None:
                out.append((f"≤ {g[2]}x {g[3]}", None))
                continue
            ratio = syn / ref
            met = ratio <= g[2]
            missed = sum(not x["met"] for x in seeds_of(results, r["synapse"]))
            note = f"; the criterion not met on {missed} seeds" if missed else ""
            met = met and not missed
            out.append((f"≤ {g[2]}x {g[3]}: {'met' if met else 'NOT met'} ({ratio:.2f}x{note})",
                        met))
        elif kind == "at_most":
            if syn is None:
                out.append((f"≤ {fmt_time(g[1])}", None))
                continue
            met = syn <= g[1]
            out.append((f"≤ {fmt_time(g[1])}: {'met' if met else 'NOT met'}", met))
        else:
            if syn is None:
                out.append((f"< {g[1]} MB", None))
                continue
            met = syn < g[1]
            out.append((f"< {g[1]} MB: {'met' if met else 'NOT met'}", met))
    return out


def seeds_of(results, where):
    """The per-seed runs behind a synapse figure (DSR), or []."""
    res = results["synapse"].get(where[0]) if where else None
    if res is None or "error" in res:
        return []
    return res["results"].get(where[1], {}).get("seeds", [])


# ----------------------------------------------------------------- machine

def machine():
    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cores": os.cpu_count()}
    try:
        info["cores_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    info["cpu"] = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k.strip() == "model name":
                    info["cpu"] = v.strip()
                    break
    except OSError:
        pass
    try:
        import numpy
        info["numpy"] = numpy.__version__
    except ImportError:
        info["numpy"] = "not installed"
    for name in ("numba", "torch", "scipy"):
        info[name] = _version_of(name)
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


LOADS: list[float] = []


def note_load():
    try:
        LOADS.append(os.getloadavg()[0])
    except OSError:
        pass


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

class Run:
    """What one driver run shares: options, the numba cache directories, synaptic.js."""

    def __init__(self, args, protocol, synaptic_pkg):
        self.args, self.protocol, self.synaptic_pkg = args, protocol, synaptic_pkg
        self.cache_root = tempfile.mkdtemp(prefix="synapse-bench-numba-")
        self.warm_cache = os.path.join(self.cache_root, "warm")
        self.colds = 0

    def cold_cache(self):
        self.colds += 1
        return os.path.join(self.cache_root, f"cold{self.colds}")

    def env(self, cache=None, no_jit=False):
        env = dict(os.environ, NUMBA_CACHE_DIR=cache or self.warm_cache,
                   PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        env.pop("SYNAPSE_NO_JIT", None)
        if no_jit:
            env["SYNAPSE_NO_JIT"] = "1"
        return env

    def worker(self, engine, workload, flags=(), env=None, quiet=False):
        """Run one worker process; its JSON (plus "wall_s") or an error dict."""
        p = json.dumps(self.protocol)
        if engine in ("synapse", "numpy"):
            cmd = [sys.executable, os.path.join(HERE, "synapse_bench.py"), workload,
                   "--protocol", p, *flags]
            env = env or self.env(no_jit=engine == "numpy")
        elif engine == "torch":
            cmd = [sys.executable, os.path.join(HERE, "torch_bench.py"), workload, "--protocol", p]
        else:
            cmd = [shutil.which("node"), "--expose-gc", os.path.join(HERE, "synaptic_bench.js"),
                   "--synaptic", self.synaptic_pkg, workload, "--protocol", p]
        note_load()
        t = time.perf_counter()
        if not quiet:
            log(f"[{workload}] {engine} {' '.join(flags)} ...")
        try:
            r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env,
                               timeout=self.args.timeout, check=False)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {self.args.timeout:.0f} s",
                    "error_short": "timeout"}
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
        if not quiet:
            log(f"[{workload}] {engine} done in {took:.1f} s")
        return out

    def fresh(self, engine, workload, n, flags=(), cache="warm"):
        """n fresh processes of a ``*_fresh`` worker, gathered into one result:
        each number's median over the processes ("wall": the process's wall
        time from the driver). cache: "warm" (one discarded run first fills
        this run's warm cache), "cold" (an empty cache directory each) or None
        (synaptic.js)."""
        log(f"[{workload}] {engine} {' '.join(flags)} {cache or ''}: {n} fresh processes ...")
        if cache == "warm" and engine == "synapse":
            self.worker(engine, workload, ("--phases", *flags), quiet=True)
        runs = []
        for _ in range(n):
            env = None
            if engine == "synapse":
                env = self.env(self.cold_cache() if cache == "cold" else None)
            r = self.worker(engine, workload, flags, env=env, quiet=True)
            if "error" in r:
                return r
            r["results"]["wall"] = r["wall_s"]
            runs.append(r)
        results = {}
        for k, v in runs[0]["results"].items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                results[k] = {"median": statistics.median(x["results"][k] for x in runs),
                              "runs": [x["results"][k] for x in runs]}
            else:
                results[k] = v
        if "construct" in results and "first_activate" in results:
            builds = [x["results"]["construct"] + x["results"]["first_activate"] for x in runs]
            results["build"] = {"median": statistics.median(builds), "runs": builds}
        return {"engine": engine, "workload": workload, "results": results,
                "info": runs[0]["info"], "processes": n}


def run_fresh_workload(run, workload, results, js, n):
    if workload == "xor_fresh":
        results["synapse"]["xor_fresh:cold"] = run.fresh("synapse", workload, n, cache="cold")
        results["synapse"]["xor_fresh:warm"] = run.fresh("synapse", workload, n)
        results["synapse"]["xor_fresh:warm_phases"] = run.fresh("synapse", workload, n,
                                                                ("--phases",))
        results["synapse"]["xor_fresh:noscipy"] = run.fresh("synapse", workload, n,
                                                            ("--block", "scipy"))
        results["synapse"]["xor_fresh:noscipy_phases"] = run.fresh(
            "synapse", workload, n, ("--phases", "--block", "scipy"))
    else:
        results["synapse"][f"{workload}:cold"] = run.fresh("synapse", workload, n, cache="cold")
        results["synapse"][f"{workload}:warm"] = run.fresh("synapse", workload, n)
    if js:
        results["synaptic"][f"{workload}:first"] = run.fresh("synaptic", workload, n, cache=None)


# ----------------------------------------------------------------- driver-run workloads

def demo_wall(run, name, env):
    note_load()
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "synapse", "demo", name], cwd=ROOT,
                       capture_output=True, text=True, env=env, timeout=run.args.timeout,
                       check=False)
    took = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(f"demo {name} failed: {(r.stderr or r.stdout)[-800:]}")
    return took, r.stdout


def demo_xor(run, n):
    """`python -m synapse demo xor` from the shell: cold (empty cache) and warm."""
    log(f"[demo_xor] {n} cold and {n} warm ...")
    cold = [demo_wall(run, "xor", run.env(run.cold_cache()))[0] for _ in range(n)]
    demo_wall(run, "xor", run.env())  # fills the warm cache
    warm, last = [], ""
    for _ in range(n):
        took, last = demo_wall(run, "xor", run.env())
        warm.append(took)
    return {"engine": "synapse", "workload": "demo_xor", "info": {"output": last.strip()},
            "results": {"cold": {"median": statistics.median(cold), "runs": cold},
                        "warm": {"median": statistics.median(warm), "runs": warm}}}


def demo_timing(run, n):
    """`python -m synapse demo timing`: with numba (warm) and with SYNAPSE_NO_JIT=1."""
    log(f"[demo_timing] {n} with numba, {n} with numpy alone (minutes) ...")
    demo_wall(run, "timing", run.env())  # fills the warm cache
    jit, out_jit = [], ""
    for _ in range(n):
        took, out_jit = demo_wall(run, "timing", run.env())
        jit.append(took)
    nojit, out_np = [], ""
    for _ in range(n):
        took, out_np = demo_wall(run, "timing", run.env(no_jit=True))
        nojit.append(took)
    return {"engine": "synapse", "workload": "demo_timing",
            "info": {"jit_output": out_jit.strip()[-600:], "numpy_output": out_np.strip()[-600:]},
            "results": {"jit": {"median": statistics.median(jit), "runs": jit},
                        "numpy": {"median": statistics.median(nojit), "runs": nojit}}}


CTRL_C_CHILD = """
import sys
import synapse
from synapse import Trainer
from architect import Perceptron
XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]
synapse.seed(3)
Trainer(Perceptron(2, 4, 1)).train(XOR, iterations=2, shuffle=True)   # compiled first
net = Perceptron(2, 4, 1)
print("ready", flush=True)
result = Trainer(net).train(XOR, iterations=10**9, error=0, rate=0.05, shuffle=True)
print("returned", result.get("interrupted"), result["iterations"], flush=True)
"""


def ctrl_c(run, n):
    """Seconds from a SIGINT (sent 1 s into a billion-pass Trainer.train on the
    JIT) until train returns (tests/test_training_run.py's scenario)."""
    log(f"[ctrl_c] {n} interrupts ...")
    latencies = []
    for _ in range(n):
        note_load()
        child = subprocess.Popen([sys.executable, "-c", CTRL_C_CHILD], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, cwd=ROOT, env=run.env())
        try:
            if child.stdout.readline().strip() != "ready":
                raise RuntimeError("the Ctrl-C child did not start: "
                                   + child.communicate(timeout=60)[1][-800:])
            time.sleep(1.0)
            sent = time.monotonic()
            child.send_signal(signal.SIGINT)
            line = child.stdout.readline().strip()
            latencies.append(time.monotonic() - sent)
            child.communicate(timeout=60)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        if not line.startswith("returned True"):
            raise RuntimeError(f"the Ctrl-C child said {line!r}, not 'returned True ...'")
    return {"engine": "synapse", "workload": "ctrl_c", "info": {},
            "results": {"latency": {"median": statistics.median(latencies),
                                    "runs": latencies}}}


# ----------------------------------------------------------------- main

def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="workloads: " + ", ".join(ORDER))
    ap.add_argument("--quick", action="store_true", help="few repeats (a smoke test)")
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="run only these workloads (repeat or comma-separate)")
    ap.add_argument("--skip", action="append", metavar="NAME",
                    help="leave these workloads out (repeat or comma-separate)")
    ap.add_argument("--no-js", action="store_true", help="skip synaptic.js")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    ap.add_argument("--no-numpy-only", action="store_true",
                    help="skip the SYNAPSE_NO_JIT=1 runs (and the timing demo's)")
    ap.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    ap.add_argument("--json", metavar="PATH", help="also write every measurement here")
    ap.add_argument("--timeout", type=float, default=1800,
                    help="seconds allowed to each worker process (default 1800)")
    ap.add_argument("--synaptic-dir", metavar="DIR",
                    help="install synaptic.js here (kept, and reused when present) "
                         "instead of a temporary folder")
    a = ap.parse_args(argv)

    def names(items):
        out = []
        for item in items or []:
            out += [n.strip() for n in item.split(",") if n.strip()]
        for n in out:
            if n not in ORDER:
                ap.error(f"unknown workload {n!r}; expected one of {', '.join(ORDER)}")
        return out

    only, skip = names(a.only), names(a.skip)
    a.workloads = [w for w in ORDER if (not only or w in only) and w not in skip]
    return a


def main(argv=None):
    args = parse_args(argv)
    begun = time.perf_counter()
    protocol = PROTOCOLS["quick" if args.quick else "full"]
    info = machine()
    info["load_start"] = [round(x, 2) for x in os.getloadavg()]
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

    run = Run(args, protocol, synaptic_pkg)
    results = {e: {} for e in ENGINES}
    n = protocol["fresh"]
    try:
        for w in args.workloads:
            if w in ("xor_fresh", "lstm_20_40_20_fresh"):
                run_fresh_workload(run, w, results, bool(synaptic_pkg), n)
                continue
            if w in DRIVER:
                if w == "demo_timing" and args.no_numpy_only:
                    continue
                try:
                    how = {"demo_xor": demo_xor, "ctrl_c": ctrl_c, "demo_timing": demo_timing}
                    results["synapse"][w] = how[w](
                        run, protocol["timing_demos"] if w == "demo_timing" else n)
                except (RuntimeError, subprocess.SubprocessError, OSError) as e:
                    log(f"[{w}] failed: {e}")
                    results["synapse"][w] = {"error": str(e), "error_short": "failed"}
                continue
            results["synapse"][w] = run.worker("synapse", w)
            if synaptic_pkg and w in RUNS_ON["synaptic"]:
                results["synaptic"][w] = run.worker("synaptic", w)
            if not torch_why and w in RUNS_ON["torch"]:
                results["torch"][w] = run.worker("torch", w)
            if not args.no_numpy_only and w in RUNS_ON["numpy"]:
                results["numpy"][w] = run.worker("numpy", w)
    finally:
        if remove:
            shutil.rmtree(remove, ignore_errors=True)
        shutil.rmtree(run.cache_root, ignore_errors=True)
    info["load_end"] = [round(x, 2) for x in os.getloadavg()]
    info["load_during"] = LOADS

    report = build_report(args, info, results, js_why, torch_why, time.perf_counter() - begun)
    print(report["text"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": info, "protocol": protocol, "results": results,
                       "rows": report["rows"], "argv": sys.argv[1:]}, f, indent=1)
    failed = [w for w, r in results["synapse"].items() if "error" in r]
    return 1 if failed else 0


# ----------------------------------------------------------------- the report

def table(head, rows, markdown, right=()):
    if markdown:
        out = ["| " + " | ".join(head) + " |",
               "| " + " | ".join("---:" if i in right else "---" for i in range(len(head)))
               + " |"]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
        return out
    widths = [max(len(head[i]), *(len(r[i]) for r in rows)) if rows else len(head[i])
              for i in range(len(head))]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths)),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.rjust(w) if i in right else c.ljust(w)
                      for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    return out


def build_report(args, info, results, js_why, torch_why, total_s):
    md = args.markdown
    out, rows_out, goals = [], [], []
    main_rows = []
    for r in ROWS:
        syn = number(results, "synapse", r["synapse"])
        js = number(results, "synaptic", r["synaptic"])
        th = number(results, "torch", r["torch"])
        if syn is None and js is None and th is None:
            res = results["synapse"].get(r["synapse"][0]) if r["synapse"] else None
            if not (res and "error" in res):
                continue
        ratio = js / syn if js is not None and syn else None
        judged = judge(results, r, syn)
        goals += [(r["label"], text, met) for text, met in judged]
        main_rows.append([r["label"], cell(results, "synapse", r), cell(results, "synaptic", r),
                          fmt_ratio(ratio) if r["kind"] != "mb" or ratio is None
                          else f"{ratio:.1f}x", cell(results, "torch", r),
                          "; ".join(t for t, _ in judged)])
        rows_out.append({"key": r["key"], "label": r["label"], "synapse": syn, "synaptic": js,
                         "torch": th, "ratio": ratio,
                         "goals": [{"goal": t, "met": m} for t, m in judged]})
    out += table(["workload", "synapse", "synaptic.js", "ratio", "PyTorch", "goal"], main_rows,
                 md, right=(1, 2, 3, 4))

    numba_rows = []
    for label, jit, nojit in NUMBA_ROWS:
        a, b = number_any(results, jit), number_any(results, nojit)
        if a is None and b is None:
            continue
        numba_rows.append([label, fmt_time(a), fmt_time(b),
                           fmt_ratio(b / a) if a and b else "—"])
    if numba_rows:
        out += ["", "With and without numba (the numpy engine alone: SYNAPSE_NO_JIT=1):", ""]
        out += table(["workload", "with numba", "numpy only", "numba's gain"], numba_rows, md,
                     right=(1, 2, 3))

    fresh = fresh_table(results)
    if fresh:
        out += ["", "The first `Trainer.train` of a fresh process (XOR, 20000 iterations), "
                    "medians over the processes:", ""]
        out += table(["", "cache warm", "warm, no scipy", "cold"], fresh, md, right=(1, 2, 3))

    shell = []
    dx = results["synapse"].get("demo_xor")
    if dx and "error" not in dx:
        shell.append(["`python -m synapse demo xor`, cold (empty NUMBA_CACHE_DIR)",
                      fmt_time(dx["results"]["cold"]["median"]), "< 5 s: " + met_text(
                          dx["results"]["cold"]["median"] < 5)])
        shell.append(["`python -m synapse demo xor`, warm", fmt_time(
            dx["results"]["warm"]["median"]), "< 1.5 s: " + met_text(
            dx["results"]["warm"]["median"] < 1.5)])
        goals.append(("demo xor cold", shell[-2][2], dx["results"]["cold"]["median"] < 5))
        goals.append(("demo xor warm", shell[-1][2], dx["results"]["warm"]["median"] < 1.5))
    cc = results["synapse"].get("ctrl_c")
    if cc and "error" not in cc:
        lat = cc["results"]["latency"]
        shell.append(["Ctrl-C during `Trainer.train` (JIT): SIGINT to return",
                      f"{fmt_time(lat['median'])} (max {fmt_time(max(lat['runs']))})",
                      "< 1 s: " + met_text(max(lat["runs"]) < 1)])
        goals.append(("Ctrl-C latency", shell[-1][2], max(lat["runs"]) < 1))
    if shell:
        out += ["", "From the shell (wall time):", ""]
        out += table(["what", "time", "goal"], shell, md, right=(1,))

    m = info
    mach = (f"{m['cpu']}, {m.get('cores_usable', m['cores'])} cores; {m['platform']}; "
            f"Python {m['python']}, numpy {m['numpy']}, numba {m['numba']}, scipy {m['scipy']}; "
            f"torch {m['torch'] if not torch_why else torch_why}; synaptic.js "
            f"{m['synaptic'] + ' on node ' + m['node'] if 'synaptic' in m else js_why}")
    loads = m.get("load_during") or [0.0]
    load = (f"1-minute load average {m['load_start'][0]} at the start, {m['load_end'][0]} at "
            f"the end, {min(loads):.2f}-{max(loads):.2f} (median "
            f"{statistics.median(loads):.2f}) over the run")
    shown, skip = [], False            # the command, without where its JSON went
    for a in sys.argv[1:]:
        if skip or a.startswith("--json="):
            skip = False
        elif a == "--json":
            skip = True
        else:
            shown.append(a)
    cmd = " ".join(["python benchmarks/bench.py", *shown])
    out += ["", f"Machine: {mach}. Commit {m['commit']}, {datetime.date.today().isoformat()}; "
                f"{load}; protocol {'quick' if args.quick else 'full'}, {total_s:.0f} s "
                f"in all.", "",
            f"Reproduce: `{cmd}`."]
    out += ["", "```" if md else "details:"] + details(results) + (["```"] if md else [])
    if goals:
        out += ["", "goals:"]
        for label, text, met in goals:
            state = {True: "MET", False: "NOT MET", None: "not judged"}[met]
            out.append(f"- **{state}** {label}: {text}" if md else f"  {state:<10} {label}: {text}")
    return {"text": "\n".join(out), "rows": rows_out}


def met_text(met):
    return "met" if met else "NOT met"


def number_any(results, where):
    """A median from the synapse results, or the numpy engine's ("numpy:workload")."""
    name, m = where
    engine = "synapse"
    if name.startswith("numpy:"):
        engine, name = "numpy", name[len("numpy:"):]
    res = results[engine].get(name)
    if res is None or "error" in res:
        return None
    if m == "xor_trainer_first":
        got = res["results"].get("xor_trainer")
        return got.get("first") if got else None
    got = res["results"].get(m)
    return got["median"] if got else None


def fresh_table(results):
    """The first training of a fresh process, phase by phase."""
    syn = results["synapse"]
    cols = ("xor_fresh:warm_phases", "xor_fresh:noscipy_phases", None)
    plain = ("xor_fresh:warm", "xor_fresh:noscipy", "xor_fresh:cold")
    if not any(c in syn for c in cols + plain if c):
        return []

    def runs(name, k):
        res = syn.get(name) if name else None
        if res is None or "error" in res or k not in res["results"]:
            return None
        return res["results"][k]["runs"]

    def get(name, k):
        got = runs(name, k)
        return fmt_time(statistics.median(got)) if got else "—"

    def rest(name):  # the train call less its compile and its passes, process by process
        parts = [runs(name, k) for k in ("first_train", "compile", "passes")]
        if None in parts:
            return "—"
        return fmt_time(statistics.median(a - b - c for a, b, c in zip(*parts)))

    return [
        ["import numpy, synapse, architect", *(get(c, "import") for c in plain)],
        ["first `Trainer.train`, nothing before it", *(get(c, "first_train") for c in plain)],
        ["  of which checks and making the JIT engine (imports numba)", *map(rest, plain)],
        ["  of which `compile` (numba's compiler start-up, layout, kernels)",
         *(get(c, "compile") for c in plain)],
        ["  of which the 20000 passes (`time`)", *(get(c, "passes") for c in plain)],
        ["whole process, from the shell", *(get(c, "wall") for c in plain)],
        ["phase by phase (other processes): `import numpy`",
         *(get(c, "import_numpy") for c in cols)],
        ["  then `import numba`", *(get(c, "import_numba") for c in cols)],
        ["  then one call of a trivial cached numba function",
         *(get(c, "numba_first_call") for c in cols)],
        ["  then import synapse, architect", *(get(c, "import") for c in cols)],
        ["  then the first `Trainer.train`", *(get(c, "first_train") for c in cols)],
        ["    of which `compile` (layout, synapse's kernels from the cache)",
         *(get(c, "compile") for c in cols)],
    ]


def details(results):
    """One line per measurement: the median and how it was taken."""
    lines = []
    for engine in ENGINES:
        for name, res in results[engine].items():
            tag = f"{engine:<8} {name}"
            if "error" in res:
                lines.append(f"{tag}: {res['error'].splitlines()[0][:200]}")
                continue
            for k, m in res["results"].items():
                if not isinstance(m, dict):
                    continue
                if k == "mem":
                    lines.append(f"{tag} {k}: peak {m['peak_mb']:.1f} MB (before the library's "
                                 f"import {m['baseline_mb']:.1f} MB); build + {MEMORY_STEPS} "
                                 f"steps {fmt_time(m['time_s'])}")
                    continue
                if "median" not in m:
                    continue
                runs = m["runs"]
                text = (f"{tag} {k}: median {fmt_time(m['median'])} (min {fmt_time(min(runs))}, "
                        f"max {fmt_time(max(runs))}, {len(runs)} ")
                if "block" in m:
                    what = (f"calls of {m['per_call']} sequence-steps" if "per_call" in m
                            else "steps")
                    text += f"blocks of {m['block']} {what} after {m['warmup_steps']} warm-up)"
                elif res.get("processes"):
                    text += "fresh processes)"
                else:
                    text += "runs)"
                if "first" in m:
                    text += f"; first {fmt_time(m['first'])}"
                if "seeds" in m:
                    text += "; " + ", ".join(
                        f"seed {s['seed']}: {s['trials']} trials"
                        f"{'' if s['met'] else ' (not met: ' + format(s['success'], '.3f') + ')'}"
                        f", {s['train_s']:.1f} s + checks {s['check_s']:.1f} s"
                        for s in m["seeds"])
                lines.append(text)
            inf = res.get("info", {})
            for k in ("xor_outputs_trainer", "xor_outputs_run", "digits_accuracy", "engine",
                      "digits_first_epoch", "trainer_iterations", "dsr"):
                if k in inf:
                    lines.append(f"{tag} {k}: {inf[k]}")
            r = res.get("results", {})
            for k in ("engine", "numba_imported", "scipy_imported"):
                if k in r and not isinstance(r[k], dict):
                    lines.append(f"{tag} {k}: {r[k]}")
    return lines


if __name__ == "__main__":
    sys.exit(main())
