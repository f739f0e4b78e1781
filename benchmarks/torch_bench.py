"""Benchmark worker for the PyTorch reference column: one workload, one JSON line.

    python benchmarks/torch_bench.py lstm_20_40_20 [--quick | --protocol JSON]

The same architectures as plain torch modules, on the CPU with one thread and
batch 1, one forward + backward + SGD step per step:

- Perceptron(a, b, ..., z): Linear layers with a Sigmoid after each hidden one;
  the output's sigmoid is folded into the loss (binary cross-entropy on the
  logits), whose gradient at the output, y - t, is the error synaptic's output
  neurons propagate.
- LSTM(a, m, z): torch.nn.LSTM(a, m), one layer, fed one time step at a time
  with its (h, c) state carried over (detached, so no backpropagation through
  time: online learning, as LSTM-g does), then Linear(m, z) and the same loss.
- lstm_5_3_2 also runs 64 sequences of 100 steps at once (common.batch_arrays):
  the forward pass alone, and forward + backpropagation through the whole
  sequences + one SGD step (torch's way of learning a batch of sequences: a
  step per batch, where synapse's ``net.run`` learns at every time step);
  per sequence-step.
- digits: Sequential(Linear(64, 64), Sigmoid(), Linear(64, 10)) with
  CrossEntropyLoss, torch.optim.Adam at rate .03, batches of 32 shuffled by
  torch.randperm, float32 (torch's default); one epoch is one pass over the
  1348 training rows.

torch is never a dependency of synapse; this runs only when it is installed.
"""
from __future__ import annotations

from common import (
    BATCH_STEPS,
    BATCH_STREAMS,
    DIGITS_BATCH,
    DIGITS_HIDDEN,
    DIGITS_RATE,
    MEMORY_STEPS,
    SEED,
    STEP_RATE,
    WORKLOADS,
    XOR_ITERATIONS,
    XOR_RATE,
    XOR_X,
    XOR_Y,
    batch_arrays,
    digits_data,
    emit,
    input_index,
    max_rss_mb,
    now,
    scaled,
    summary,
    target_index,
    time_builds,
    time_repeats,
    time_steps,
    worker_args,
)


def main(argv=None):
    a = worker_args(argv)
    baseline = max_rss_mb()
    import torch
    from torch import nn
    from torch.nn import functional as F
    torch.set_num_threads(1)
    arch, sizes, kind = WORKLOADS[a.workload]
    p = a.protocol
    info = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    results = {}
    bce = F.binary_cross_entropy_with_logits

    class MLP(nn.Module):
        def __init__(self, *n):
            super().__init__()
            layers = []
            for k, (i, o) in enumerate(zip(n, n[1:])):
                layers.append(nn.Linear(i, o))
                if k < len(n) - 2:
                    layers.append(nn.Sigmoid())
            self.body = nn.Sequential(*layers)

        def make_stepper(self, rate):
            opt = torch.optim.SGD(self.parameters(), lr=rate)
            body = self.body

            def step(x, y):
                z = body(x)
                out = torch.sigmoid(z)
                loss = bce(z, y, reduction="sum")
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                return out
            return step

    class Recurrent(nn.Module):
        def __init__(self, n_in, cells, n_out):
            super().__init__()
            self.lstm = nn.LSTM(n_in, cells, num_layers=1)
            self.out = nn.Linear(cells, n_out)
            self.cells = cells

        def make_stepper(self, rate):
            opt = torch.optim.SGD(self.parameters(), lr=rate)
            lstm, lin = self.lstm, self.out
            state = [(torch.zeros(1, 1, self.cells), torch.zeros(1, 1, self.cells))]

            def step(x, y):
                seq, (h, c) = lstm(x, state[0])
                z = lin(seq[0])
                out = torch.sigmoid(z)
                loss = bce(z, y, reduction="sum")
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                state[0] = (h.detach(), c.detach())
                return out
            return step

    def new_net():
        torch.manual_seed(SEED)
        if arch == "LSTM":
            if len(sizes) != 3:
                raise ValueError("the torch column covers single-block LSTMs")
            return Recurrent(*sizes)
        return MLP(*sizes)

    if kind == "digits":
        results["epoch"] = digits(torch, p, info)
        emit("torch", a.workload, results, info)
        return

    if kind == "xor":
        X = [torch.tensor([x], dtype=torch.float32) for x in XOR_X]
        Y = [torch.tensor([y], dtype=torch.float32) for y in XOR_Y]

        def run():
            net = new_net()
            step = net.make_stepper(XOR_RATE)
            t = now()
            for _ in range(XOR_ITERATIONS):
                for x, y in zip(X, Y):
                    step(x, y)
            elapsed = now() - t
            with torch.no_grad():
                info["xor_outputs_run"] = [round(float(torch.sigmoid(net.body(x))[0, 0]), 3)
                                           for x in X]
            return elapsed

        results["xor_run"] = time_repeats(run, p)
        emit("torch", a.workload, results, info)
        return

    n_in, n_out = sizes[0], sizes[-1]
    shape = (1, 1, n_in) if arch == "LSTM" else (1, n_in)
    eye_in, eye_out = torch.eye(n_in), torch.eye(n_out)
    X = [eye_in[k].reshape(shape).clone() for k in range(n_in)]
    Y = [eye_out[k].reshape(1, n_out).clone() for k in range(n_out)]

    def stepper(net):
        step = net.make_stepper(STEP_RATE)

        def block(i0, n):
            for i in range(i0, i0 + n):
                step(X[input_index(i, n_in)], Y[target_index(i, n_out)])
        return block

    if kind == "memory":
        t = now()
        stepper(new_net())(0, MEMORY_STEPS)
        elapsed = now() - t
        results["mem"] = {"peak_mb": max_rss_mb(), "baseline_mb": baseline,
                          "time_s": elapsed, "how": "ru_maxrss of the worker process"}
        emit("torch", a.workload, results, info)
        return

    if "build" in kind:
        def build():
            net = new_net()
            block = stepper(net)
            block(0, 1)
            return block
        results["build"], block = time_builds(build, p)
        start = 1
    else:
        block = stepper(new_net())
        start = 0
    results["step"] = time_steps(block, start, p)
    if "batch" in kind:
        results.update(batch(torch, new_net(), sizes, p))
    emit("torch", a.workload, results, info)


def batch(torch, net, sizes, p):
    """64 sequences of 100 steps in one call: forward alone, and forward +
    backpropagation through time + one SGD step; per sequence-step."""
    from torch.nn import functional as F
    XB, YB = batch_arrays(sizes[0], sizes[-1])
    X = torch.tensor(XB, dtype=torch.float32).transpose(0, 1).contiguous()  # (T, B, n)
    Y = torch.tensor(YB, dtype=torch.float32).transpose(0, 1).contiguous()
    opt = torch.optim.SGD(net.parameters(), lr=STEP_RATE)
    per = BATCH_STREAMS * BATCH_STEPS

    def learn(i0, n):
        for _ in range(n):
            seq, _ = net.lstm(X)
            z = net.out(seq)
            loss = F.binary_cross_entropy_with_logits(z, Y, reduction="sum")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    def forward(i0, n):
        with torch.no_grad():
            for _ in range(n):
                seq, _ = net.lstm(X)
                torch.sigmoid(net.out(seq))

    return {"batch_learn": scaled(time_steps(learn, 0, p), per),
            "batch_run": scaled(time_steps(forward, 0, p), per)}


def digits(torch, p, info):
    """Epochs of the digits, each timed whole (the shuffle included)."""
    Xtr, ytr, Xte, yte = (torch.tensor(a) for a in digits_data())
    Xtr, Xte = Xtr.float(), Xte.float()
    torch.manual_seed(SEED)
    net = torch.nn.Sequential(torch.nn.Linear(64, DIGITS_HIDDEN), torch.nn.Sigmoid(),
                              torch.nn.Linear(DIGITS_HIDDEN, 10))
    opt = torch.optim.Adam(net.parameters(), lr=DIGITS_RATE)
    loss = torch.nn.CrossEntropyLoss()
    runs = []
    first = None
    for epoch in range(p["epochs"] + 1):
        t = now()
        order = torch.randperm(len(Xtr))
        for i in range(0, len(Xtr), DIGITS_BATCH):
            rows = order[i:i + DIGITS_BATCH]
            opt.zero_grad()
            loss(net(Xtr[rows]), ytr[rows]).backward()
            opt.step()
        elapsed = now() - t
        if epoch == 0:
            first = elapsed
        else:
            runs.append(elapsed)
    with torch.no_grad():
        info["digits_accuracy"] = float((net(Xte).argmax(dim=1) == yte).double().mean())
    info["digits_epochs"] = p["epochs"] + 1
    out = summary(runs)
    out["first"] = first
    return out


if __name__ == "__main__":
    main()
