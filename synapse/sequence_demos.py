"""The sequence demos of ``python -m synapse demo NAME``: a character-level
language model, Mackey-Glass forecasting and the adding problem, on data from
:mod:`synapse.datasets`. Each takes ``size`` ("full", or "tiny" for a run of a
few seconds that only proves it works) besides the demos' usual seed,
progress and plot, prints what it measures and returns the numbers.
"""
from __future__ import annotations

import numpy as np

from . import Trainer, _check, cost, datasets, optim, rng, squash
from . import seed as _seed
from ._demo_output import save_plot as _save
from ._demo_output import show_bar as _show
from ._demo_output import summary as _summary

#: Known sizes of a demo run.
SIZES = ("full", "tiny")


# ---------------------------------------------------------------- text
def clean_text(text: str) -> str:
    """Lower case, one space for any run of white space."""
    return " ".join(text.lower().split())


def text(seed: int = 1, progress: bool | None = None, plot: str | None = None,
         size: str = "full") -> dict:
    """A character-level language model (Elman RNN, softmax) learns Alice in Wonderland."""
    from architect import Elman
    size = _check.choice(size, "size", SIZES)

    _seed(seed)
    bar = _show(progress)
    words = clean_text(datasets.alice())
    chars = sorted(set(words))
    index = {c: i for i, c in enumerate(chars)}
    one_hot = np.eye(len(chars))
    codes = np.array([index[c] for c in words])
    length = 50
    seqs = [(one_hot[codes[i:i + length]], one_hot[codes[i + 1:i + length + 1]])
            for i in range(0, len(codes) - 1, length)]
    seqs = [(X[:len(Y)], Y) for X, Y in seqs]
    hidden = 60
    net = Elman(len(chars), hidden, len(chars), hidden_squash=squash.TANH,
                output_squash=squash.SOFTMAX, init="glorot")
    passes = 3 if size == "tiny" else 120
    print(f"Character-level language model: Elman({len(chars)}, {hidden}, {len(chars)}), "
          f"h = tanh(W x + U h(t-1) + b), softmax outputs, on the first {len(words)} characters "
          f"of Alice's Adventures in Wonderland ({len(seqs)} sequences of {length}); BPTT, "
          f"Adam, {passes} passes. Cross-entropy in nats per character (uniform guess: "
          f"{np.log(len(chars)):.2f})", flush=True)
    g = rng.generator()

    def sample(n: int = 80, prompt: str = "alice ") -> str:
        chosen: list[str] = []

        def draw(y):
            k = int(g.choice(len(chars), p=y / y.sum()))
            chosen.append(chars[k])
            return one_hot[k]

        net.clear()
        net.generate(one_hot[[index[c] for c in prompt]], n, feedback=draw)
        return prompt + "".join(chosen[:-1])

    def every(info):
        print(f"  pass {info['iterations']:4d}  cross-entropy {info['error']:.3f}  "
              f"sample: {sample()!r}", flush=True)

    result = Trainer(net, cost=cost.CATEGORICAL_CROSS_ENTROPY).train_sequences(
        seqs, learning="bptt", optimizer="adam", rate=[0.01, 0.005, 0.002], clip=5.0, shuffle=True,
        iterations=passes, error=0, progress=bar,
        schedule={"every": max(1, passes // 6), "do": every})
    result["sample"] = sample(160)
    print(f"  after training: {result['sample']!r}", flush=True)
    _save(plot, net, result)
    _summary(passes=result["iterations"], cross_entropy=f"{result['error']:.3f}",
             time=f"{result['time']:.1f}s")
    return result


# ---------------------------------------------------------------- Mackey-Glass
#: Published 84-step-ahead errors on Mackey-Glass, tau = 17 (see the README).
LITERATURE = (
    ("echo state network, 1000 units, 3000 steps (Jaeger & Haas 2004)", 10 ** -4.2),
    ("echo state network, 400 units, 3000 steps (Jaeger 2001)", 2.8e-4),
    ("local models + SOM, best (Vesanto 1997, via Jaeger 2001)", 0.0088),
)


def nrmse(pred, truth, variance: float) -> float:
    """sqrt(mean((pred - truth)^2) / variance)."""
    return float(np.sqrt(np.mean((np.asarray(pred) - np.asarray(truth)) ** 2) / variance))


def mackey_glass_split(train: int = 2000, test: int = 2000):
    """The demo's series (tau = 17, one sample per time unit), standardised by
    the training stretch: (train, test)."""
    x = datasets.mackey_glass(train + test)
    z = (x - x[:train].mean()) / x[:train].std()
    return z[:train], z[train:]


def forecast_errors(net, series: np.ndarray, warm: int = 100, horizon: int = 84,
                    spacing: int = 90) -> tuple[float, float, int]:
    """(one-step NRMSE, ``horizon``-step NRMSE, forecasts made) on a held-out series.

    One step: from clear(), the network reads the true series and predicts
    each next value (the first ``warm`` predictions are not scored). Horizon:
    from each start (every ``spacing`` steps), clear(), read ``warm`` true
    values, then run closed-loop (each prediction is the next input) and
    score the prediction ``horizon`` steps after the last true value. NRMSE
    divides by the variance of the series."""
    var = float(np.var(series))
    net.clear()
    out = net.run(series[:-1, None])[:, 0]
    one = nrmse(out[warm:], series[warm + 1:], var)
    preds, truth = [], []
    for s in range(0, len(series) - warm - horizon, spacing):
        net.clear()
        preds.append(net.generate(series[s:s + warm, None], horizon)[-1, 0])
        truth.append(series[s + warm + horizon - 1])
    net.clear()
    return one, nrmse(preds, truth, var), len(preds)


def mackey_glass_nets() -> dict:
    """The four networks of the demo (and benchmark), identity outputs."""
    from architect import GRU, LSTM, NARX, Liquid

    # cell biases that learn (synaptic.js's wiring): on this regression they
    # forecast one step 3 times better than the default's fixed ones (seed 1)
    lstm = LSTM(1, 12, 1, cell_bias="learnt")
    lstm.layers.output.set(squash=squash.IDENTITY)
    liquid = Liquid(1, 40, 1, connections=160, gates=30)
    liquid.layers.output.set(squash=squash.IDENTITY)
    return {
        "NARX(1, 16, 1, 18, 2)": (NARX(1, 16, 1, input_memory=18, output_memory=2,
                                       hidden_squash=squash.TANH,
                                       output_squash=squash.IDENTITY), 600, 0.005),
        "GRU(1, 16, 1)": (GRU(1, 16, 1, output_squash=squash.IDENTITY), 150, 0.01),
        "LSTM(1, 12, 1)": (lstm, 200, 0.01),
        "Liquid(1, 40, 1)": (liquid, 300, 0.01),
    }


def mackey_glass_sequences(train: np.ndarray, length: int = 120, step: int = 60,
                           warm: int = 20) -> list:
    """Overlapping stretches of the training series: input x(t), target x(t + 1),
    no target for the first ``warm`` steps of each (the state settles)."""
    seqs = []
    for s in range(0, len(train) - length - 1, step):
        Y = train[s + 1:s + length + 1, None].copy()
        Y[:warm] = np.nan
        seqs.append((train[s:s + length, None], Y))
    return seqs


def mackey(seed: int = 1, progress: bool | None = None, plot: str | None = None,
           size: str = "full") -> dict:
    """Mackey-Glass (tau 17): NARX, GRU, LSTM and Liquid forecast 1 and 84 steps ahead."""
    size = _check.choice(size, "size", SIZES)
    _seed(seed)
    bar = _show(progress)
    train, test = mackey_glass_split()
    seqs = mackey_glass_sequences(train)
    print(f"Mackey-Glass series, tau = 17 (dx/dt = 0.2 x(t-17) / (1 + x(t-17)^10) - 0.1 x(t), "
          f"RK4, one sample per time unit): train one-step prediction on {len(train)} "
          f"samples ({len(seqs)} stretches of 120), BPTT with Adam, batches of 4; test on the "
          f"next {len(test)}: NRMSE of one-step and of 84-step closed-loop forecasts",
          flush=True)
    rows: dict = {}
    last = None
    for name, (net, passes, lr) in mackey_glass_nets().items():
        passes = 2 if size == "tiny" else passes
        result = Trainer(net, cost=cost.MSE).train_sequences(
            seqs, learning="bptt", gradient="cost", optimizer="adam", rate=lr, batch_size=4,
            shuffle=True, iterations=passes, error=0, progress=bar)
        one, far, n = forecast_errors(net, test)
        rows[name] = {"parameters": net.parameters().size, "passes": result["iterations"],
                      "time": result["time"], "nrmse1": one, "nrmse84": far}
        print(f"  {name:<22} {net.parameters().size:5d} parameters, {passes} passes in "
              f"{result['time']:5.1f}s: NRMSE one step {one:.4f}, 84 steps {far:.4f} "
              f"({n} forecasts)", flush=True)
        last = (net, result)
    print("  published 84-step NRMSE on this series, for scale (other training set-ups):")
    for what, value in LITERATURE:
        print(f"    {value:.2g}  {what}")
    if last is not None:
        _save(plot, *last)
    best = min(rows, key=lambda k: rows[k]["nrmse84"])
    _summary(best_84_step=f"{best} {rows[best]['nrmse84']:.4f}",
             time=f"{sum(r['time'] for r in rows.values()):.1f}s")
    return rows


# ---------------------------------------------------------------- adding
def adding_test_error(net, X: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error at the last step over test sequences X (B, T, 2)."""
    net.clear()
    return float(np.mean((net.run(X)[:, -1, 0] - y) ** 2))


def adding(seed: int = 1, progress: bool | None = None, plot: str | None = None,
           size: str = "full") -> dict:
    """The adding problem (T = 50) on GRU(2, 16, 1): BPTT until the test MSE <= 0.01."""
    from architect import GRU
    size = _check.choice(size, "size", SIZES)

    _seed(seed)
    T, chunk, budget = 50, 500, (1000 if size == "tiny" else 40000)
    net = GRU(2, 16, 1, output_squash=squash.IDENTITY)
    test = datasets.adding_problem(300, T)
    X = np.stack([x for x, _ in test])
    y = np.array([t[-1, 0] for _, t in test])
    print(f"The adding problem, T = {T}: two marked numbers among {T}, predict their sum at the "
          f"end (always guessing 1 has MSE 1/6 = 0.167). GRU(2, 16, 1), BPTT, Adam 0.01, "
          f"batches of 16, fresh sequences {chunk} at a time, until the MSE on 300 test "
          f"sequences is <= 0.01 (at most {budget})", flush=True)
    trainer = Trainer(net, cost=cost.MSE)
    opt = optim.Adam(net, lr=0.01)
    seen, elapsed, error = 0, 0.0, adding_test_error(net, X, y)
    history = [error]
    while seen < budget and error > 0.01:
        result = trainer.train_sequences(datasets.adding_problem(chunk, T), learning="bptt",
                                         gradient="cost", optimizer=opt, rate=0.01,
                                         batch_size=16, iterations=1, error=0)
        seen += chunk
        elapsed += result["time"]
        error = adding_test_error(net, X, y)
        history.append(error)
        if seen % 2500 == 0 or error <= 0.01:
            print(f"  {seen:6d} sequences  test MSE {error:.4f}  {elapsed:5.1f}s", flush=True)
    out = {"sequences": seen, "error": error, "time": elapsed, "history": history,
           "solved": error <= 0.01}
    _save(plot, net, {"history": history})
    _summary(sequences=seen, test_mse=f"{error:.4f}", solved=out["solved"],
             time=f"{elapsed:.1f}s")
    return out


DEMOS = (text, mackey, adding)
