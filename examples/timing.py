"""The timing task: after a pulse, output 0.5 for as long as the second input says.

    python examples/timing.py
"""
import synapse
from architect import LSTM
from synapse import Trainer

synapse.seed(0)
net = LSTM(2, 7, 1)
result = Trainer(net).timing_task(train_samples=4000, test_samples=500, log=10)
print(f"train: {result['train']['iterations']} iterations, error {result['train']['error']:.5f}")
print(f"test error {result['test']['error']:.5f}")
