"""The benchmark script runs and reports a median. No timing is asserted."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "benchmarks", "bench.py")


def test_bench_quick_lstm_5_3_2_prints_a_median():
    r = subprocess.run(
        [sys.executable, BENCH, "--quick", "--no-js", "--no-torch", "--no-numpy-only",
         "--only", "lstm_5_3_2"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    for metric in ("step", "batch_learn", "batch_run"):
        m = re.search(rf"synapse\s+lstm_5_3_2 {metric}: median ([0-9.]+) (ns|µs|ms|s)\b",
                      r.stdout)
        assert m, r.stdout + r.stderr
        assert float(m.group(1)) > 0
    assert re.search(r"LSTM\(5,3,2\) per step, `activate` \+ `propagate` from Python \(arrays\)"
                     r"\s+[0-9.]+ (ns|µs|ms|s)", r.stdout), r.stdout
