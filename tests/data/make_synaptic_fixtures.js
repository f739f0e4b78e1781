// Writes synaptic_liquid.json and synaptic_wild_activations.json (tests/data):
// networks saved by synaptic.js 1.1.4 and what synaptic.js computes after
// loading them with Network.fromJSON.
//
//   NODE_PATH=/path/to/node_modules node tests/data/make_synaptic_fixtures.js
//
// synaptic.js is not needed to run the tests: the generated files are committed.
'use strict';
const fs = require('fs');
const path = require('path');
const synaptic = require('synaptic');
const { Network, Architect } = synaptic;

const here = __dirname;
let seed = 12345;
function random() {  // a small LCG, so that inputs do not depend on Math.random
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

// Every unit's activation after each step, and the outputs, on both of
// synaptic.js's paths; each sequence starts from a freshly loaded network.
function record(json, sequences) {
  const out = { unoptimized: {}, optimized: {}, activations: {} };
  for (const name of Object.keys(sequences)) {
    for (const mode of ['unoptimized', 'optimized']) {
      const net = Network.fromJSON(json);
      if (mode === 'unoptimized') net.setOptimize(false);
      const outs = [];
      const acts = [];
      for (const x of sequences[name]) {
        outs.push(Array.from(net.activate(x)));
        if (mode === 'unoptimized') acts.push(net.neurons().map((n) => n.neuron.activation));
      }
      out[mode][name] = outs;
      if (mode === 'unoptimized') out.activations[name] = acts;
    }
  }
  return out;
}

function sequences(nIn, steps) {
  const seqs = {};
  for (const name of ['a', 'b']) {
    const s = [];
    for (let t = 0; t < steps; t++) {
      const x = [];
      for (let i = 0; i < nIn; i++) x.push(random() * 2 - 1);
      s.push(x);
    }
    seqs[name] = s;
  }
  return seqs;
}

// 1. A liquid state machine: random gates, many of them by units that come
//    after the connection they gate (the gain they set is read a step later).
const liquid = new Architect.Liquid(3, 14, 2, 40, 16);
for (let t = 0; t < 30; t++) {  // trained a little, saved mid-sequence
  liquid.activate([random(), random(), random()]);
  liquid.propagate(0.2, [random(), random()]);
}
liquid.activate([0.3, -0.2, 0.9]);
const json = liquid.toJSON();
const late = json.connections.filter((c) => c.gater !== null && c.gater >= c.to).length;
const inputs = sequences(3, 12);
fs.writeFileSync(path.join(here, 'synaptic_liquid.json'), JSON.stringify(Object.assign(
  { synaptic_version: require('synaptic/package.json').version, late_gated: late,
    network: json, inputs: inputs }, record(json, inputs))));

// 2. The real files of ../synaptic-wild (copied here): every unit's activation.
const wild = {};
for (const name of ['hockeynn_lstm_8_3_1', 'theinvoker_pong_tanh_2_3_3_1']) {
  const net = JSON.parse(fs.readFileSync(path.join(here, 'synaptic_wild', name + '.json')));
  const exp = JSON.parse(fs.readFileSync(path.join(here, 'synaptic_wild', name +
                                                   '.expected.json')));
  wild[name] = record(net, exp.inputs).activations;
}
fs.writeFileSync(path.join(here, 'synaptic_wild_activations.json'), JSON.stringify(wild));
console.log('late-gated connections in the liquid network:', late);
