"""XOR on a 2-3-1 perceptron, trained with the Trainer's built-in task.

    python examples/xor.py
"""
import synapse
from architect import Perceptron
from synapse import Trainer

synapse.seed(1)                      # every random draw follows this seed
net = Perceptron(2, 3, 1)
result = Trainer(net).xor()          # rate 0.2, until MSE <= 0.005
print(f"trained in {result['iterations']} iterations, error {result['error']:.5f}")
for x in ([0, 0], [0, 1], [1, 0], [1, 1]):
    print(x, "->", round(float(net.activate(x)[0]), 3))

net.save("xor.json")                 # synaptic.js's JSON; Network.load("xor.json") reads it back
