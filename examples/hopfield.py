"""A Hopfield network recalls stored patterns from noisy copies.

    python examples/hopfield.py
"""
import numpy as np

import synapse
from architect import Hopfield

synapse.seed(1)
g = synapse.rng.generator()
net = Hopfield(64)
patterns = g.integers(0, 2, size=(6, 64))
net.learn(patterns)                  # Hebb's rule, in one shot

for p in patterns:
    probe = p.copy()
    probe[g.choice(64, 6, replace=False)] ^= 1          # flip 10% of the bits
    recalled = net.feed(probe)                          # asynchronous updates until stable
    print(f"{int(np.sum(probe != p))} bits off -> {int(np.sum(np.array(recalled) != p))} off "
          f"after {net.sweeps} sweeps; "
          f"energy {net.energy(probe):.2f} -> {net.energy(recalled):.2f}")
