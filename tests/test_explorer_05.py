"""Lesson 05's depth/width explorer: one model per hidden shape, trained once, slid headlessly."""
import numpy as np
import pytest

from course_lib import widgets


def _x():
    return np.random.default_rng(0).random((64, 16)).astype(np.float32)


def test_depth_width_explorer_trains_once_and_slides():
    x = _x()
    e = widgets.depth_width_explorer(x, x[:10], shapes=((4,), (8, 4)), code_size=2, epochs=1,
                                     n_images=3, progress=False)
    assert set(e.models) == {(4,), (8, 4)}
    assert "depth_width_explorer" in widgets.__all__
    first = e.models[(4,)]
    e.controls["hidden"].value = (4,)
    narrow = e.result
    assert narrow["hidden"] == (4,) and narrow["reconstructions"].shape == (3, 16)
    e.controls["hidden"].value = (8, 4)
    deep = e.result
    assert deep["hidden"] == (8, 4) and e.models[(4,)] is first  # cached, not retrained
    # the shown numbers change with the control: another model, another count and error
    assert deep["parameters"] == e.models[(8, 4)].count_params() != narrow["parameters"]
    assert deep["mse"] != narrow["mse"] and deep["mse"] > 0
    with pytest.raises(ValueError, match="hidden must be one of"):
        e.compute(hidden=(5,))


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(shapes=()), TypeError, "shapes must be a non-empty tuple"),
    (dict(shapes=((4,), (4,))), ValueError, "shapes must not repeat"),
    (dict(shapes=((4, 0),)), ValueError, r"shapes\[0\]\[1\]"),
    (dict(code_size=0), ValueError, "code_size"),
    (dict(n_images=11), ValueError, "n_images"),
])
def test_depth_width_explorer_bad_input(kwargs, exc, word):
    x = _x()
    with pytest.raises(exc, match=word):
        widgets.depth_width_explorer(x, x[:10], progress=False, **kwargs)
