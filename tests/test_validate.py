"""The shared argument checks: one wording per kind of mistake, naming the parameter."""
import numpy as np
import pytest

from course_lib import _validate as v


@pytest.mark.parametrize("call,exc,message", [
    (lambda: v.boolean("progress", "yes"), TypeError, "progress must be True or False, got 'yes'"),
    (lambda: v.boolean("flag", 1), TypeError, "flag must be True or False, got 1"),
    (lambda: v.string("name", ""), TypeError, "name must be a non-empty string, got ''"),
    (lambda: v.string("hint", "  "), TypeError, "hint must be a non-empty string"),
    (lambda: v.string("xlabel", None, allow_empty=True), TypeError, "xlabel must be a string"),
    (lambda: v.integer("axis", 3, minimum=-2, maximum=1), ValueError,
     "axis must be an integer >= -2 and <= 1, got 3"),
    (lambda: v.integer("k", True), TypeError, "k must be an integer, got True"),
    (lambda: v.positive_int("epochs", 0), ValueError, "epochs must be an integer >= 1, got 0"),
    (lambda: v.positive_int("n", 2.5), TypeError, r"n must be an integer >= 1, got 2.5 \(float\)"),
    (lambda: v.option("kind", 3, {"conv", "dense"}), TypeError,
     r"kind must be one of \['conv', 'dense'\], got 3"),
    (lambda: v.option("kind", "gan", {"conv", "dense"}), ValueError, "kind must be one of"),
    (lambda: v.choice("loss", ["mse"], {"mse"}), ValueError, "loss must be one of"),
    (lambda: v.numbers_tuple("betas", ()), TypeError, "betas must be a non-empty tuple"),
    (lambda: v.numbers_tuple("betas", (1, -1), low=0.0), ValueError, r"betas\[1\] must be in"),
    (lambda: v.labels("y", [0.5, 1.0]), TypeError, "y must hold integer labels"),
    (lambda: v.labels("y", [0, 1], 3), ValueError,
     r"y must be one integer label per example, shape \(3,\), got shape \(2,\)"),
    (lambda: v.labels("y", []), ValueError, "non-empty 1-D array of integer labels"),
    (lambda: v.labels("y", [0, 3], n_classes=3), ValueError, r"labels in \[0, 2\] for 3 classes"),
])
def test_messages_name_the_parameter_and_what_it_accepts(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_good_values_pass_through_normalized():
    assert v.boolean("f", np.bool_(True)) is True
    assert v.integer("k", np.int64(3), minimum=0) == 3 and isinstance(v.integer("k", 3), int)
    assert v.option("kind", "conv", {"conv"}) == "conv"
    assert v.numbers_tuple("b", [1, 2.5]) == (1.0, 2.5)
    y = v.labels("y", [True, False], 2, allow_bool=True)
    assert y.dtype == np.int64 and y.tolist() == [1, 0]
