"""synapse.DivergenceError: a ValueError that names the iteration and the parameter."""
from __future__ import annotations

import math
import pickle

import pytest

import synapse
from synapse import DivergenceError
from synapse.errors import DivergenceError as Direct


def test_it_is_a_value_error_with_its_numbers():
    assert synapse.DivergenceError is Direct and issubclass(DivergenceError, ValueError)
    err = DivergenceError(7, 41, value=math.inf)
    assert (err.iteration, err.parameter, err.value) == (7, 41, math.inf)
    assert str(err).startswith("training diverged at iteration 7: parameter 41 became inf; ")
    assert "last finite parameters" in str(err)
    with pytest.raises(ValueError, match="iteration 7: parameter 41"):
        raise err


def test_message_without_a_value_and_with_own_words():
    err = DivergenceError(2, 0, detail="rolled back")
    assert str(err) == "training diverged at iteration 2: parameter 0 became non-finite; " \
                       "rolled back"
    assert err.value is None


def test_pickles_with_its_attributes():
    import numpy as np

    err = DivergenceError(np.int64(3), np.int64(5), value=np.float64("nan"))
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is DivergenceError and str(back) == str(err)
    assert (back.iteration, back.parameter) == (3, 5) and math.isnan(back.value)
    assert type(back.iteration) is int and type(back.value) is float
