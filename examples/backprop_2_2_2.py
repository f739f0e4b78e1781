"""The worked example of Matt Mazur's "A Step by Step Backpropagation Example":
a 2-2-2 network, one step at rate 0.5 on the squared error.

    python examples/backprop_2_2_2.py

Its published numbers: outputs 0.75136507 and 0.772928465, total error
0.298371109; after the step w5 = 0.35891648 and w1 = 0.149780716.
"""
from synapse import Layer, Network, Trainer, cost

inputs, hidden, outputs = Layer(2), Layer(2).set(bias=0.35), Layer(2).set(bias=0.60)
# weights as (to, from) matrices: h1 = w1 i1 + w2 i2, h2 = w3 i1 + w4 i2, ...
i_to_h = inputs.project(hidden, weights=[[0.15, 0.20], [0.25, 0.30]])
h_to_o = hidden.project(outputs, weights=[[0.40, 0.45], [0.50, 0.55]])
net = Network(input=inputs, hidden=[hidden], output=outputs)

print("outputs:", [f"{y:.9f}" for y in net.activate([0.05, 0.10])])

# cost.MSE is the mean of squared errors: over two outputs, the same gradient as
# Mazur's E = 1/2 sum (t - y)^2. gradient="cost" makes the step follow it exactly
# (the default step, eq. 10 of the LSTM-g paper, uses t - y at the outputs).
result = Trainer(net).train([{"input": [0.05, 0.10], "output": [0.01, 0.99]}], rate=0.5,
                            iterations=1, cost=cost.MSE, gradient="cost")
print(f"total error before the step: {result['error']:.9f}")
w1 = i_to_h.list[0]                  # i1 -> h1
w5 = h_to_o.list[0]                  # h1 -> o1
print(f"w5: 0.40 -> {w5.weight:.8f}")
print(f"w1: 0.15 -> {w1.weight:.9f}")
