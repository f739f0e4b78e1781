// Benchmark worker for synaptic.js: runs one workload, prints one JSON line.
//
//   node --expose-gc benchmarks/synaptic_bench.js --synaptic DIR WORKLOAD [--protocol JSON]
//
// DIR is an installed synaptic package (bench.py installs synaptic@1.1.4 into a
// temporary folder and passes DIR/node_modules/synaptic). The workloads, the
// input pattern and the timing protocol mirror benchmarks/common.py; networks
// run with synaptic's optimizer on (its default: the network compiles itself
// into one generated function at its first activate). synaptic draws its
// weights from Math.random, which cannot be seeded.
//
// xor: its Trainer's 20000 iterations (the first run of the process apart, then
// the median of the next ones) and the same activate + propagate by hand.
// xor_fresh and lstm_20_40_20_fresh measure one fresh process (the require, the
// construction, the first Trainer run or the first activate); the driver starts
// them again and again. lstm_5_3_2 also times activate alone.
'use strict';

const T_START = process.hrtime.bigint();
const WORKLOADS = {
  xor: ['Perceptron', [2, 3, 1], 'xor'],
  xor_fresh: ['Perceptron', [2, 3, 1], 'fresh xor'],
  lstm_5_3_2: ['LSTM', [5, 3, 2], 'step+activate'],
  lstm_20_40_20: ['LSTM', [20, 40, 20], 'step+build'],
  lstm_20_40_20_fresh: ['LSTM', [20, 40, 20], 'fresh build'],
  perceptron_784_100_10: ['Perceptron', [784, 100, 10], 'step+build'],
  lstm_100_100_20: ['LSTM', [100, 100, 20], 'memory'],
};
const XOR_ITERATIONS = 20000;
const XOR_RATE = 0.2;
const XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const XOR_Y = [[0], [1], [1], [0]];
const XOR_ERROR = 1e-30;
const STEP_RATE = 0.1;
const MEMORY_STEPS = 100;
const FULL = {
  warm_min: 5, warm_time: 0.5, block_time: 0.5, repeats: 9, min_repeats: 5, budget: 30.0,
  builds: 5, min_builds: 5, xor_repeats: 5, min_xor_repeats: 5,
};

const now = () => Number(process.hrtime.bigint()) / 1e9;
const collect = () => { if (typeof global.gc === 'function') global.gc(); };
const inputIndex = (i, nIn) => (7 * i) % nIn;
const targetIndex = (i, nOut) => (3 * i) % nOut;
const maxRssMb = () => process.resourceUsage().maxRSS / 1024; // maxRSS is in kilobytes

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function oneHots(n) {
  const rows = [];
  for (let k = 0; k < n; k++) {
    const v = new Array(n).fill(0);
    v[k] = 1;
    rows.push(v);
  }
  return rows;
}

function timeSteps(block, start, p) {
  let i = start;
  const t0 = now();
  let n = 0;
  while (n < p.warm_min || (now() - t0 < p.warm_time && n < 100000)) {
    block(i, 1);
    i += 1;
    n += 1;
  }
  const warmMean = (now() - t0) / n;
  let size = 1; // calibrate: double the block until it takes a while
  let elapsed;
  for (;;) {
    const t = now();
    block(i, size);
    i += size;
    elapsed = now() - t;
    if (elapsed >= p.block_time / 4 || size >= 1000000) break;
    size *= 2;
  }
  size = Math.max(1, Math.min(1000000, Math.round(size * p.block_time / Math.max(elapsed, 1e-9))));
  const runs = [];
  const begun = now();
  for (let r = 0; r < p.repeats; r++) {
    collect();
    const t = now();
    block(i, size);
    runs.push((now() - t) / size);
    i += size;
    if (runs.length >= p.min_repeats && now() - begun > p.budget) break;
  }
  return { median: median(runs), runs, block: size, warmup_steps: n, warmup_mean: warmMean, next_step: i };
}

function timeBuilds(build, p) {
  const runs = [];
  let net = null;
  const begun = now();
  for (let r = 0; r < p.builds; r++) {
    net = null;
    collect();
    const t = now();
    net = build();
    runs.push(now() - t);
    if (runs.length >= p.min_builds && now() - begun > p.budget) break;
  }
  return [{ median: median(runs), runs, first: runs[0] }, net];
}

function timeRepeats(run, p, first) {
  const runs = [];
  const out = {};
  if (first) {
    collect();
    out.first = run();
  }
  const begun = now();
  for (let r = 0; r < p.xor_repeats; r++) {
    collect();
    runs.push(run());
    if (runs.length >= p.min_xor_repeats && now() - begun > p.budget) break;
  }
  out.median = median(runs);
  out.runs = runs;
  return out;
}

function parseArgs(argv) {
  const a = { synaptic: 'synaptic', workload: null, protocol: FULL };
  for (let k = 0; k < argv.length; k++) {
    if (argv[k] === '--synaptic') a.synaptic = argv[++k];
    else if (argv[k] === '--protocol') a.protocol = JSON.parse(argv[++k]);
    else a.workload = argv[k];
  }
  if (!(a.workload in WORKLOADS)) {
    throw new Error('workload must be one of ' + Object.keys(WORKLOADS).join(', ') +
                    ', got ' + a.workload);
  }
  return a;
}

function main() {
  const a = parseArgs(process.argv.slice(2));
  const baseline = maxRssMb();
  const t0 = now();
  const synaptic = require(a.synaptic);
  const imported = now() - t0;
  const [arch, sizes, kind] = WORKLOADS[a.workload];
  const Ctor = synaptic.Architect[arch];
  const p = a.protocol;
  const info = { node: process.version };
  try {
    info.synaptic = require(a.synaptic + '/package.json').version;
  } catch (e) {
    info.synaptic = '?';
  }
  const results = {};
  const newNet = () => new Ctor(...sizes);
  const emit = () => {
    process.stdout.write(JSON.stringify({ engine: 'synaptic', workload: a.workload, results, info }) + '\n');
  };

  if (kind.startsWith('fresh')) {
    // one run of a fresh process: the driver starts it again and again
    results.import = imported;
    let t = now();
    const net = newNet();
    results.construct = now() - t;
    if (kind === 'fresh xor') {
      const data = XOR_X.map((x, r) => ({ input: x, output: XOR_Y[r] }));
      t = now();
      const r = new synaptic.Trainer(net).train(data, {
        iterations: XOR_ITERATIONS, rate: XOR_RATE, error: XOR_ERROR, shuffle: false,
      });
      results.first_train = now() - t;
      info.trainer_iterations = r.iterations;
    } else {
      const x = new Array(sizes[0]).fill(0);
      x[0] = 1;
      t = now();
      net.activate(x);
      results.first_activate = now() - t;
    }
    info.optimized = !!net.optimized;
    results.since_start = Number(process.hrtime.bigint() - T_START) / 1e9;
    emit();
    return;
  }

  if (kind === 'xor') {
    const round = (x) => Math.round(x * 1000) / 1000;
    results.xor_run = timeRepeats(() => {
      const net = newNet();
      const t = now();
      for (let it = 0; it < XOR_ITERATIONS; it++) {
        for (let r = 0; r < XOR_X.length; r++) {
          net.activate(XOR_X[r]);
          net.propagate(XOR_RATE, XOR_Y[r]);
        }
      }
      const elapsed = now() - t;
      info.optimized = !!net.optimized;
      info.xor_outputs_run = XOR_X.map((x) => round(net.activate(x)[0]));
      return elapsed;
    }, p, true);
    const data = XOR_X.map((x, r) => ({ input: x, output: XOR_Y[r] }));
    results.xor_trainer = timeRepeats(() => {
      const net = newNet();
      const t = now();
      const r = new synaptic.Trainer(net).train(data, {
        iterations: XOR_ITERATIONS, rate: XOR_RATE, error: XOR_ERROR, shuffle: false,
      });
      const elapsed = now() - t;
      info.trainer_iterations = r.iterations;
      info.xor_outputs_trainer = XOR_X.map((x) => round(net.activate(x)[0]));
      return elapsed;
    }, p, true);
    emit();
    return;
  }

  const nIn = sizes[0];
  const nOut = sizes[sizes.length - 1];
  const X = oneHots(nIn);
  const Y = oneHots(nOut);
  const stepper = (net) => (i0, n) => {
    for (let i = i0; i < i0 + n; i++) {
      net.activate(X[inputIndex(i, nIn)]);
      net.propagate(STEP_RATE, Y[targetIndex(i, nOut)]);
    }
  };

  if (kind === 'memory') {
    const t = now();
    const net = newNet();
    stepper(net)(0, MEMORY_STEPS);
    const elapsed = now() - t;
    info.optimized = !!net.optimized;
    results.mem = {
      peak_mb: maxRssMb(), baseline_mb: baseline, time_s: elapsed,
      how: 'process.resourceUsage().maxRSS of the worker process',
    };
    emit();
    return;
  }

  let net;
  let start = 0;
  if (kind.includes('build')) {
    let timing;
    [timing, net] = timeBuilds(() => {
      const built = newNet();
      stepper(built)(0, 1);
      return built;
    }, p);
    results.build = timing;
    start = 1;
  } else {
    net = newNet();
  }
  results.step = timeSteps(stepper(net), start, p);
  if (kind.includes('activate')) { // activate alone: what a batch without learning does
    results.activate = timeSteps((i0, n) => {
      for (let i = i0; i < i0 + n; i++) net.activate(X[inputIndex(i, nIn)]);
    }, results.step.next_step, p);
  }
  info.optimized = !!net.optimized;
  emit();
}

main();
