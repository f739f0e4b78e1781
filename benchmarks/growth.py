"""How memory and planning time grow with a network's size (issue: hostile input).

    python benchmarks/growth.py            # every family at every size (a few minutes)
    python benchmarks/growth.py --quick    # small sizes, one run each (seconds)
    python benchmarks/growth.py --only chain
    python benchmarks/growth.py --gc off   # Python's cyclic collector off while timing

Families (each at a size, then twice and four times it, or more):

    fanout   the hostile file: F inputs, a hidden layer of F units whose first
             unit gates the F connections input i -> output i, outputs
             self-connected (F = 800 was a 0.42 MB file that allocated 4.1 GB)
    fanin    the same, with the gater reading every input: F^2 stored extended
             traces (x4 per doubling is what this network has: bytes per stored
             number is what to watch)
    liquid   Liquid(10, pool, 10, connections=4 pool, gates=2 pool), every pool
             unit self-connected (every gating relation has memory)
    chain    n one-unit layers, each projecting to the next
    chainfan the same, with the input also projecting to every layer (a block
             per layer from one source layer)

For each (family, size, engine) a worker process loads the network's JSON
file ("load": parse, build the neurons, lay out the arrays), activates it once
("first": the engine plans, then steps) and propagates once, then reports the
layout's bytes ("arena": V and S; "B/thing": per unit, connection, relation and
stored extended trace), the worker's peak resident set size ("rss MB": Linux's
VmHWM, else getrusage's ru_maxrss; it includes the interpreter, numpy, numba
and the file's text) and how far it rose above the worker's size after warming
up and reading the file ("rss+": the peak is reset there), and the median times of
``--runs`` fresh loads in that worker ("step ms": one propagate + activate).
"build" is constructing the network through Layer and Neuron calls, in this
process (median of the same number of runs). The growth per doubling of the
size, from the smallest to the largest, is printed at the end. With ``--gc off``
the cyclic garbage collector is off during every timed part: its passes over
a heap of hundreds of thousands of objects add a share that grows slightly
faster than the heap (the rest of the time is the library's own).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

import synapse  # noqa: E402
from architect import Liquid  # noqa: E402
from synapse import ConnectionType, Layer, Network  # noqa: E402

SIZES = {
    "fanout": (800, 1600, 3200),
    "fanin": (200, 400, 800),
    "liquid": (500, 1000, 2000),
    "chain": (1000, 2000, 4000, 8000),
    "chainfan": (1000, 2000, 4000, 8000),
}
QUICK = {
    "fanout": (100, 200, 400),
    "fanin": (50, 100, 200),
    "liquid": (100, 200, 400),
    "chain": (250, 500, 1000),
    "chainfan": (250, 500, 1000),
}


# ---------------------------------------------------------------- families
def fanout(F: int, gater_reads_all: bool = False) -> Network:
    synapse.seed(0)
    inp, hid, out = Layer(F), Layer(F), Layer(F)
    inp.project(hid, ConnectionType.ONE_TO_ONE)
    gater = hid.list[0]
    if gater_reads_all:
        for n in inp.list[1:]:
            n.project(gater)
    gated = inp.project(out, ConnectionType.ONE_TO_ONE)
    for c in gated.list:
        gater.gate(c)
    out.project(out)
    return Network(input=inp, hidden=[hid], output=out)


def liquid(pool: int) -> Network:
    synapse.seed(0)
    net = Liquid(10, pool, 10, connections=4 * pool, gates=2 * pool)
    for n in net.layers.hidden[0].list:
        n.project(n, 0.5)
    return net


def chain(n: int, fan: bool = False) -> Network:
    layers = [Layer(1) for _ in range(n)]
    for a, b in zip(layers, layers[1:]):
        a.project(b, weights=0.5)
    if fan:
        for b in layers[2:]:
            layers[0].project(b, weights=0.25)
    return Network(input=layers[0], hidden=layers[1:-1], output=layers[-1])


BUILD = {
    "fanout": fanout,
    "fanin": lambda F: fanout(F, gater_reads_all=True),
    "liquid": liquid,
    "chain": chain,
    "chainfan": lambda n: chain(n, fan=True),
}


# ---------------------------------------------------------------- the worker
def _status_mb(field: str) -> float | None:
    """A field of /proc/self/status in MB (Linux), or None."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _rss_mb() -> float:
    """The peak resident set size of this process so far. Linux's VmHWM is this
    process's own (ru_maxrss carries the parent's peak over fork and exec)."""
    peak = _status_mb("VmHWM")
    return peak if peak is not None else \
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _reset_peak() -> float:
    """Start the peak over from the current size (Linux: clear_refs 5); returns it."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        pass
    return _rss_mb()


def worker(path: str, engine: str, runs: int, collect: bool = True) -> dict:
    """Load + first activate + propagate, ``runs`` times; memory from the first."""
    if not collect:
        gc.disable()
    warm = Network.from_json(chain(3).to_json())  # imports, compiled kernels
    warm.set_optimize(True, engine)
    warm.activate([0.5])
    warm.propagate(0.1, [0.0])
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    base = _reset_peak()
    load, first, step, out = [], [], [], {}
    for r in range(runs):
        t0 = time.perf_counter()
        net = Network.from_json(text)  # parse, build the neurons, lay out the arrays
        t1 = time.perf_counter()
        net.set_optimize(True, engine)
        x = np.linspace(-1.0, 1.0, net.inputs())
        net.activate(x)  # the engine plans, then steps once
        t2 = time.perf_counter()
        net.propagate(0.1, np.zeros(net.outputs()))
        net.activate(x)
        t3 = time.perf_counter()
        load.append(t1 - t0)
        first.append(t2 - t1)
        step.append(t3 - t2)
        if r == 0:
            L = net._compiled()
            st = L.structure
            out = {"N": st.n_units, "C": len(st.connections), "R": len(st.rel_j),
                   "X": L.rows.total - L.rows.X, "bytes": L.V.nbytes + L.S.nbytes,
                   "rss": _rss_mb() - base, "peak": _rss_mb(), "engine": net._path().name}
        del net
    out.update(load=statistics.median(load), first=statistics.median(first),
               step=statistics.median(step))
    return out


# ---------------------------------------------------------------- the driver
def measure(family: str, size: int, engines, runs: int, tmp: str, collect: bool) -> list[dict]:
    builds = []
    for _ in range(runs):
        net = None
        gc.collect()
        if not collect:
            gc.disable()
        t0 = time.perf_counter()
        net = BUILD[family](size)
        builds.append(time.perf_counter() - t0)
        gc.enable()
    path = os.path.join(tmp, f"{family}_{size}.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(net.to_json(), fh)
    file_mb = os.path.getsize(path) / 1e6
    rows = []
    for engine in engines:
        r = subprocess.run([sys.executable, __file__, "--worker", path, engine, str(runs),
                            "on" if collect else "off"],
                           capture_output=True, text=True, check=False)
        if r.returncode != 0:
            raise RuntimeError(f"{family} {size} {engine}: {r.stderr[-2000:]}")
        row = json.loads(r.stdout.strip().splitlines()[-1])
        row.update(family=family, size=size, build=statistics.median(builds), file_mb=file_mb,
                   asked=engine)
        rows.append(row)
        print(_line(row), flush=True)
    return rows


HEAD = (f"{'family':9} {'size':>6} {'engine':6} {'file MB':>7} {'units':>6} {'conns':>6} "
        f"{'rels':>6} {'traces':>7} {'arena':>10} {'B/thing':>7} {'rss MB':>7} {'rss+':>6} "
        f"{'build s':>7} {'load s':>7} {'first s':>7} {'step ms':>7}")


def _line(r: dict) -> str:
    things = r["N"] + r["C"] + r["R"] + r["X"]
    return (f"{r['family']:9} {r['size']:>6} {r['engine']:6} {r['file_mb']:7.2f} {r['N']:>6} "
            f"{r['C']:>6} {r['R']:>6} {r['X']:>7} {r['bytes']:>10} {r['bytes'] / things:7.1f} "
            f"{r['peak']:7.1f} {r['rss']:6.1f} {r['build']:7.3f} {r['load']:7.3f} "
            f"{r['first']:7.3f} {1e3 * r['step']:7.2f}")


def _growth(rows: list[dict]) -> str:
    """Geometric mean of the ratio per doubling of the size, for each column."""
    rows = sorted(rows, key=lambda r: r["size"])
    doublings = np.log2(rows[-1]["size"] / rows[0]["size"])
    parts = []
    for key, name in (("bytes", "memory"), ("rss", "rss+"), ("build", "build"),
                      ("load", "load"), ("first", "planning")):
        a, b = rows[0][key], rows[-1][key]
        if a > 0 and b > 0:
            parts.append(f"{name} x{(b / a) ** (1 / doublings):.2f}")
    return f"    {rows[0]['family']} on {rows[0]['engine']}, per doubling: " + ", ".join(parts)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes, one run each")
    p.add_argument("--only", choices=sorted(BUILD), action="append")
    p.add_argument("--runs", type=int, default=None, help="timed runs per point (median)")
    p.add_argument("--engines", default="numpy,jit")
    p.add_argument("--gc", choices=("on", "off"), default="on",
                   help="Python's cyclic garbage collector while timing (default on)")
    p.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        path, engine, runs, collect = args.worker
        print(json.dumps(worker(path, engine, int(runs), collect == "on")))
        return 0
    from synapse.engine import jit
    engines = [e for e in args.engines.split(",") if e != "jit" or jit.available()]
    sizes = QUICK if args.quick else SIZES
    runs = args.runs or (1 if args.quick else 3)
    print(HEAD)
    summary = []
    with tempfile.TemporaryDirectory() as tmp:
        for family in args.only or list(BUILD):
            rows = [r for size in sizes[family]
                    for r in measure(family, size, engines, runs, tmp, args.gc == "on")]
            for engine in engines:
                summary.append(_growth([r for r in rows if r["asked"] == engine]))
    print(f"\nGrowth per doubling of the size (x2.0 is linear; garbage collector {args.gc}):")
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
