"""Sequence learning against PyTorch and the literature, in one run.

    python benchmarks/sequences.py             # 3 seeds per configuration (about 15 min)
    python benchmarks/sequences.py --quick     # 1 seed, small budgets (a smoke run)

1. **The adding problem** (Hochreiter & Schmidhuber 1997; synapse.datasets,
   T = 50): LSTM(2, 16, 1) trained by LSTM-g and by BPTT, GRU(2, 16, 1) by
   BPTT, against ``torch.nn.LSTM(2, 16)`` and ``torch.nn.GRU(2, 16)`` with a
   ``Linear(16, 1)`` on the last step, all with Adam (lr 0.01) on batches of
   16 fresh sequences, one thread. Every 500 sequences the mean squared error
   on 300 fixed test sequences is measured (not timed); a run stops when it
   is at or below 0.01 (always answering 1 scores 1/6) or after the budget.
   Reported: sequences to reach 0.01, training time to get there, and time
   per sequence; the median over seeds (each seed: its own initial weights
   and its own stream of training sequences, the same for every library).
2. **Mackey-Glass** (tau 17, one sample per time unit): the demo's four
   networks (NARX, GRU, LSTM, Liquid; synapse.sequence_demos), trained by
   BPTT on 2000 samples, then NRMSE of one-step and 84-step closed-loop
   forecasts on the next 2000; the median over seeds. Beside them, an echo
   state network (400 tanh units, spectral radius 0.8, ridge-regression
   readout; a reference written here in numpy, not part of synapse) on the
   very same split and protocol, and the published figures.

torch runs in float32 (its default); synapse computes in float64.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import synapse  # noqa: E402
from synapse import Trainer, cost, datasets, optim, sequence_demos, squash  # noqa: E402

T, HIDDEN, LR, BATCH, CHUNK, TARGET = 50, 16, 0.01, 16, 500, 0.01


# ---------------------------------------------------------------- adding: synapse
def adding_synapse(kind: str, learning: str, seed: int, budget: int) -> dict:
    from architect import GRU, LSTM

    synapse.seed(seed)
    if kind == "gru":
        net = GRU(2, HIDDEN, 1, output_squash=squash.IDENTITY)
    else:
        net = LSTM(2, HIDDEN, 1)
        net.layers.output.set(squash=squash.IDENTITY)
    test = datasets.adding_problem(300, T, seed=99)
    X = np.stack([x for x, _ in test])
    y = np.array([t[-1, 0] for _, t in test])
    trainer, opt = Trainer(net, cost=cost.MSE), optim.Adam(net, lr=LR)
    stream = np.random.default_rng(seed)
    seen, spent, error = 0, 0.0, 1.0
    while seen < budget:
        chunk = datasets.adding_problem(CHUNK, T, seed=int(stream.integers(1 << 31)))
        r = trainer.train_sequences(chunk, learning=learning, gradient="cost", optimizer=opt,
                                    rate=LR, batch_size=BATCH, iterations=1, error=0)
        seen += CHUNK
        spent += r["time"]
        net.clear()
        error = float(np.mean((net.run(X)[:, -1, 0] - y) ** 2))
        if error <= TARGET:
            break
    return {"sequences": seen, "time": spent, "error": error, "solved": error <= TARGET,
            "per_sequence": spent / seen, "parameters": net.parameters().size}


# ---------------------------------------------------------------- adding: torch
def adding_torch(kind: str, seed: int, budget: int) -> dict:
    import torch
    from torch import nn

    torch.set_num_threads(1)
    torch.manual_seed(seed)

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = (nn.LSTM if kind == "lstm" else nn.GRU)(2, HIDDEN, batch_first=True)
            self.out = nn.Linear(HIDDEN, 1)

        def forward(self, x):
            h, _ = self.rnn(x)
            return self.out(h[:, -1]).squeeze(-1)

    model = Model()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    test = datasets.adding_problem(300, T, seed=99)
    Xt = torch.tensor(np.stack([x for x, _ in test]), dtype=torch.float32)
    yt = torch.tensor([t[-1, 0] for _, t in test], dtype=torch.float32)
    stream = np.random.default_rng(seed)
    seen, spent, error = 0, 0.0, 1.0
    while seen < budget:
        chunk = datasets.adding_problem(CHUNK, T, seed=int(stream.integers(1 << 31)))
        X = torch.tensor(np.stack([x for x, _ in chunk]), dtype=torch.float32)
        y = torch.tensor([t[-1, 0] for _, t in chunk], dtype=torch.float32)
        start = time.perf_counter()
        for k in range(0, CHUNK, BATCH):
            opt.zero_grad()
            loss = ((model(X[k:k + BATCH]) - y[k:k + BATCH]) ** 2).mean()
            loss.backward()
            opt.step()
        spent += time.perf_counter() - start
        seen += CHUNK
        with torch.no_grad():
            error = float(((model(Xt) - yt) ** 2).mean())
        if error <= TARGET:
            break
    return {"sequences": seen, "time": spent, "error": error, "solved": error <= TARGET,
            "per_sequence": spent / seen,
            "parameters": sum(p.numel() for p in model.parameters())}


ADDING = {
    "synapse LSTM, LSTM-g": lambda s, b: adding_synapse("lstm", "lstm-g", s, b),
    "synapse LSTM, BPTT": lambda s, b: adding_synapse("lstm", "bptt", s, b),
    "synapse GRU, BPTT": lambda s, b: adding_synapse("gru", "bptt", s, b),
    "torch nn.LSTM": lambda s, b: adding_torch("lstm", s, b),
    "torch nn.GRU": lambda s, b: adding_torch("gru", s, b),
}


# ---------------------------------------------------------------- Mackey-Glass
def esn_reference(train: np.ndarray, test: np.ndarray, seed: int, units: int = 400,
                  radius: float = 0.8, ridge: float = 1e-10) -> tuple[float, float]:
    """An echo state network (Jaeger 2001) on the same split and protocol as the
    synapse networks: input x(t), readout trained by ridge regression to give
    x(t + 1), the first 100 states discarded; forecasts as in
    sequence_demos.forecast_errors (reading 100 true values from a zero state,
    then closed loop)."""
    g = np.random.default_rng(seed)
    W = g.uniform(-1, 1, (units, units)) * (g.random((units, units)) < 0.05)
    W *= radius / max(abs(np.linalg.eigvals(W)))
    w_in, bias = g.uniform(-0.5, 0.5, units), g.uniform(-0.2, 0.2, units)

    def states(series, h):
        out = np.empty((len(series), units))
        for t, v in enumerate(series):
            h = np.tanh(W @ h + w_in * v + bias)
            out[t] = h
        return out, h

    H, _ = states(train[:-1], np.zeros(units))
    A, b = H[100:], train[101:]
    A1 = np.hstack([A, np.ones((len(A), 1))])
    w = np.linalg.solve(A1.T @ A1 + ridge * np.eye(units + 1), A1.T @ b)
    var = float(np.var(test))
    Ht, _ = states(test[:-1], np.zeros(units))
    one = sequence_demos.nrmse(Ht[100:] @ w[:-1] + w[-1], test[101:], var)
    preds, truth = [], []
    for s in range(0, len(test) - 184, 90):
        _, h = states(test[s:s + 100], np.zeros(units))
        v = float(h @ w[:-1] + w[-1])
        for _ in range(83):
            h = np.tanh(W @ h + w_in * v + bias)
            v = float(h @ w[:-1] + w[-1])
        preds.append(v)
        truth.append(test[s + 183])
    return one, sequence_demos.nrmse(preds, truth, var)


def mackey_glass(seed: int, quick: bool) -> dict:
    synapse.seed(seed)
    train, test = sequence_demos.mackey_glass_split()
    seqs = sequence_demos.mackey_glass_sequences(train)
    rows = {}
    for name, (net, passes, lr) in sequence_demos.mackey_glass_nets().items():
        passes = max(2, passes // 20) if quick else passes
        r = Trainer(net, cost=cost.MSE).train_sequences(
            seqs, learning="bptt", gradient="cost", optimizer="adam", rate=lr, batch_size=4,
            shuffle=True, iterations=passes, error=0)
        one, far, _ = sequence_demos.forecast_errors(net, test)
        rows[name] = {"nrmse1": one, "nrmse84": far, "time": r["time"], "passes": passes}
    start = time.perf_counter()
    one, far = esn_reference(train, test, seed)
    rows["ESN(400), numpy reference"] = {"nrmse1": one, "nrmse84": far,
                                         "time": time.perf_counter() - start, "passes": 1}
    return rows


# ---------------------------------------------------------------- report
def median(values):
    return statistics.median(values) if values else float("nan")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1 seed and small budgets")
    p.add_argument("--seeds", type=int, default=None, help="seeds per configuration")
    p.add_argument("--budget", type=int, default=None, help="most sequences per run")
    p.add_argument("--only", choices=("adding", "mackey"), default=None)
    a = p.parse_args(argv)
    seeds = list(range(1, 1 + (a.seeds or (1 if a.quick else 3))))
    budget = a.budget or (1000 if a.quick else 60000)
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    print(f"synapse {synapse.__version__}, numpy {np.__version__}"
          + (f", torch {__import__('torch').__version__}" if have_torch else ", no torch")
          + f"; seeds {seeds}", flush=True)

    if a.only in (None, "adding"):
        print(f"\n== The adding problem, T = {T}: Adam {LR}, batches of {BATCH}, until test "
              f"MSE <= {TARGET} (budget {budget} sequences)", flush=True)
        table = []
        for name, run in ADDING.items():
            if name.startswith("torch") and not have_torch:
                continue
            runs = []
            for s in seeds:
                r = run(s, budget)
                runs.append(r)
                print(f"  {name:<22} seed {s}: {r['sequences']:6d} sequences, "
                      f"{r['time']:6.1f}s, MSE {r['error']:.4f}"
                      f"{'' if r['solved'] else ' (not solved)'}", flush=True)
            solved = [r for r in runs if r["solved"]]
            table.append((name, runs[0]["parameters"], len(solved), len(runs),
                          median([r["sequences"] for r in solved]),
                          median([r["time"] for r in solved]),
                          median([1000 * r["per_sequence"] for r in runs])))
        print(f"\n{'adding, T = 50':<24}{'params':>7}{'solved':>8}{'sequences':>11}"
              f"{'time (s)':>10}{'ms/seq':>8}")
        for name, params, ok, n, sq, tm, per in table:
            print(f"{name:<24}{params:>7}{f'{ok}/{n}':>8}{sq:>11.0f}{tm:>10.1f}{per:>8.2f}")
        print("(sequences and time: medians over the seeds that reached the target; ms/seq: "
              "training time per sequence, median over all seeds)", flush=True)

    if a.only in (None, "mackey"):
        print("\n== Mackey-Glass, tau = 17: train on 2000 samples, test on the next 2000; "
              "NRMSE", flush=True)
        results: dict = {}
        for s in seeds:
            for name, r in mackey_glass(s, a.quick).items():
                results.setdefault(name, []).append(r)
                print(f"  {name:<26} seed {s}: 1 step {r['nrmse1']:.2e}, 84 steps "
                      f"{r['nrmse84']:.2e} ({r['time']:.1f}s)", flush=True)
        print(f"\n{'Mackey-Glass':<28}{'NRMSE 1':>10}{'NRMSE 84':>10}{'time (s)':>10}")
        for name, runs in results.items():
            print(f"{name:<28}{median([r['nrmse1'] for r in runs]):>10.2e}"
                  f"{median([r['nrmse84'] for r in runs]):>10.2e}"
                  f"{median([r['time'] for r in runs]):>10.1f}")
        print("published NRMSE84 (tau = 17), other set-ups:")
        for what, value in sequence_demos.LITERATURE:
            print(f"  {value:.2e}  {what}")
        print("(medians over the seeds)", flush=True)


if __name__ == "__main__":
    main()
