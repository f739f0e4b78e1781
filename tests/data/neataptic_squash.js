// Writes neataptic_squash.json: neataptic's squash functions and their
// derivatives (as neataptic computes them) at fixed points, the reference for
// tests/test_squashes.py.
//
//   node tests/data/neataptic_squash.js DIR > tests/data/neataptic_squash.json
//
// DIR is an installed neataptic package (node_modules/neataptic, 1.4.7).
// JSON has no Infinity or NaN: a value neataptic cannot represent is null.
'use strict';

const path = require('path');
const dir = process.argv[2];
const activation = require(path.join(dir, 'src', 'methods', 'activation.js'));
const version = require(path.join(dir, 'package.json')).version;

const xs = [-1e308, -1e10, -1000, -50, -20, -3.5, -1, -0.999, -0.5, -1e-8, -0.0, 0, 1e-8,
  0.25, 0.5, 0.999, 1, 1.001, 2, 3.5, 20, 50, 1000, 1e10, 1e308];
// a few more, spread over [-6, 6] by a fixed rule (no Math.random: reproducible)
for (let k = 0; k < 24; k++) xs.push(-6 + 12 * ((k * 0.618033988749895) % 1));

const values = {};
for (const name of Object.keys(activation)) {
  values[name] = {
    f: xs.map((x) => activation[name](x, false)),
    d: xs.map((x) => activation[name](x, true)),
  };
}
process.stdout.write(JSON.stringify({
  generator: `neataptic ${version}, methods.activation; tests/data/neataptic_squash.js`,
  x: xs,
  values,
}) + '\n');
