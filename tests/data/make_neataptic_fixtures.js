// Writes neataptic_networks.json (tests/data): networks built by neataptic
// 1.4.7, their toJSON(), and neataptic's outputs after Network.fromJSON; and
// neataptic's outputs for the networks synapse exported with to_neataptic()
// (neataptic_from_synapse.json, written by make_synapse_for_neataptic.py).
//
//   NODE_PATH=/path/to/node_modules node tests/data/make_neataptic_fixtures.js
//
// neataptic is not needed to run the tests: the generated files are committed.
'use strict';
const fs = require('fs');
const path = require('path');
const neataptic = require('neataptic');
const { Network, architect, methods } = neataptic;

const here = __dirname;
let seed = 2024;
function random() {  // a small LCG, so that the inputs do not depend on Math.random
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

function inputs(n, steps) {
  const xs = [];
  for (let t = 0; t < steps; t++) {
    const x = [];
    for (let i = 0; i < n; i++) x.push(random() * 2 - 1);
    xs.push(x);
  }
  return xs;
}

// Outputs of a freshly loaded copy, state carried from step to step.
function outputs(json, xs) {
  const net = Network.fromJSON(json);
  return xs.map((x) => net.activate(x));
}

function entry(net, steps) {
  const json = net.toJSON();
  const xs = inputs(json.input, steps);
  return { network: json, inputs: xs, outputs: outputs(json, xs),
           squashes: Array.from(new Set(json.nodes.map((n) => n.squash))).sort() };
}

const m = methods.mutation;
const allSquashes = m.MOD_ACTIVATION.allowed.slice();
const synapseSquashes = [methods.activation.LOGISTIC, methods.activation.TANH,
                         methods.activation.IDENTITY, methods.activation.RELU];

function evolved(nIn, nOut, steps, allowed) {
  m.MOD_ACTIVATION.allowed = allowed;
  const net = new Network(nIn, nOut);
  const kinds = [m.ADD_NODE, m.ADD_NODE, m.ADD_CONN, m.ADD_GATE, m.ADD_SELF_CONN,
                 m.ADD_BACK_CONN, m.MOD_WEIGHT, m.MOD_BIAS, m.MOD_ACTIVATION, m.ADD_GATE];
  for (let i = 0; i < steps; i++) net.mutate(kinds[Math.floor(random() * kinds.length)]);
  m.MOD_ACTIVATION.allowed = allSquashes;
  return net;
}

const out = { neataptic_version: require('neataptic/package.json').version, networks: {} };
const nets = out.networks;
nets.perceptron = entry(architect.Perceptron(3, 5, 2), 6);
nets.lstm = entry(architect.LSTM(2, 4, 1), 12);
nets.lstm_deep = entry(architect.LSTM(2, 3, 3, 2), 12);
nets.narx = entry(architect.NARX(2, [4, 3], 1, 3, 2), 12);
nets.gru = entry(architect.GRU(2, 3, 1), 12);
function random_network(allowed) {  // ADD_NODE draws each new node's squash
  m.MOD_ACTIVATION.allowed = allowed;
  const net = architect.Random(3, 8, 2, { gates: 5, selfconnections: 3, backconnections: 3 });
  m.MOD_ACTIVATION.allowed = allSquashes;
  return net;
}
nets.random = entry(random_network(synapseSquashes), 12);
nets.random_all_squashes = entry(random_network(allSquashes), 12);
nets.neat = entry(evolved(3, 2, 60, synapseSquashes), 12);
nets.neat_all_squashes = entry(evolved(3, 2, 80, allSquashes), 12);
// every neataptic squash, one node each, so each can be checked once synapse has it
for (const f of allSquashes) {
  const net = architect.Perceptron(2, 3, 1);
  for (const node of net.nodes) if (node.type !== 'input') node.squash = f;
  nets['squash_' + f.name] = entry(net, 6);
}

const fromSynapse = path.join(here, 'neataptic_from_synapse.json');
if (fs.existsSync(fromSynapse)) {
  const exported = JSON.parse(fs.readFileSync(fromSynapse));
  out.from_synapse = {};
  for (const name of Object.keys(exported)) {
    const e = exported[name];
    out.from_synapse[name] = outputs(e.network, e.inputs);
  }
}
fs.writeFileSync(path.join(here, 'neataptic_networks.json'), JSON.stringify(out));
for (const name of Object.keys(nets)) {
  const j = nets[name].network;
  const late = j.connections.filter((c) => c.gater !== null && c.gater >= c.to).length;
  console.log(name, j.nodes.length, 'nodes', j.connections.length, 'connections',
              j.connections.filter((c) => c.gater !== null).length, 'gated', late, 'late',
              nets[name].squashes.join(','));
}
