"""Lesson 25's exercise checks accept the right answer, reject plausible wrong ones with a hint,
and print a TODO for the unsolved stub."""
import numpy as np
import pytest
from exercise_harness import run_check

from course_lib import checks, data, models, training
from course_lib.models import mae

LESSON = "25_masked_autoencoders"
PATCH = 7


@pytest.fixture(scope="module")
def lesson_data():
    fm = data.load_fashion_mnist(subset=2000, test_subset=200)
    masks = {r: mae.random_patch_mask(len(fm.x_test), 16, r, seed=2) for r in (0.25, 0.75)}
    return fm.x_train.mean(axis=0), fm.x_test, masks


# --- Exercise 1: the mean-fill reference by hand -----------------------------------------------
def _ex1_namespace(answer, lesson_data):
    mean_image, x_test, masks = lesson_data
    px = mae.patch_mask_to_pixels(masks[0.75], PATCH, (28, 28))
    reference = float(((np.where(px, mean_image, x_test) - x_test) ** 2)[px].mean())
    return {"mean_fill_mse": answer, "sweep": {0.75: {"mean fill": reference}}}, px


def test_ex1_accepts_the_hidden_pixel_mse(lesson_data):
    mean_image, x_test, masks = lesson_data
    _, px = _ex1_namespace(None, lesson_data)
    right = float(((mean_image - x_test) ** 2)[px].mean())
    ns, _ = _ex1_namespace(right, lesson_data)
    assert run_check(LESSON, "Exercise 1", ns).startswith("PASS")


@pytest.mark.parametrize("wrong", ["all pixels", "visible pixels", "patch-level mask"])
def test_ex1_rejects_wrong_answers(lesson_data, wrong):
    mean_image, x_test, masks = lesson_data
    _, px = _ex1_namespace(None, lesson_data)
    err = (mean_image - x_test) ** 2
    answer = {"all pixels": float(err.mean()),           # the visible pixels diluting the score
              "visible pixels": float(err[~px].mean()),  # the mask read the wrong way round
              # the patch mask applied to the first 16 pixels of each flattened image
              "patch-level mask": float(err.reshape(len(err), -1)[:, :16][masks[0.75]].mean()),
              }[wrong]
    ns, _ = _ex1_namespace(answer, lesson_data)
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, "Exercise 1", ns)


def test_ex1_unsolved_prints_todo(lesson_data):
    ns, _ = _ex1_namespace(None, lesson_data)
    assert run_check(LESSON, "Exercise 1", ns).startswith("TODO")


# --- Exercise 2: a shallower MAE, judged against mean fill at 75 % ---------------------------
class _Scored:
    """Stands in for a trained model: the check only calls ``masked_mse``."""

    def __init__(self, value):
        self.value = value

    def masked_mse(self, x, *, mask=None, **kwargs):
        assert mask is not None and mask.shape == (len(x), 16) and (mask.sum(axis=1) == 12).all()
        return self.value


def _ex2_namespace(answer, lesson_data):
    mean_image, x_test, masks = lesson_data
    px = mae.patch_mask_to_pixels(masks[0.75], PATCH, (28, 28))
    mean_fill = float(((mean_image - x_test) ** 2)[px].mean())
    return {"mae_small": answer, "x_test": x_test, "masks": masks,
            "sweep": {0.75: {"mean fill": mean_fill}}}, mean_fill


def test_ex2_accepts_a_model_well_below_mean_fill(lesson_data):
    _, mean_fill = _ex2_namespace(None, lesson_data)
    ns, _ = _ex2_namespace(_Scored(0.6 * mean_fill), lesson_data)
    assert run_check(LESSON, "Exercise 2", ns).startswith("PASS")


def test_ex2_rejects_an_untrained_model(lesson_data):
    training.set_seed(0)
    untrained = models.masked_autoencoder((28, 28), PATCH, dim=16, depth=1, num_heads=2,
                                          decoder_dim=8, mask_ratio=0.75)
    ns, _ = _ex2_namespace(untrained, lesson_data)
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, "Exercise 2", ns)


@pytest.mark.parametrize("share", [1.0, 0.9])
def test_ex2_rejects_a_model_no_better_than_mean_fill(lesson_data, share):
    # e.g. a model trained for a few steps only, which has learned little more than the mean
    _, mean_fill = _ex2_namespace(None, lesson_data)
    ns, _ = _ex2_namespace(_Scored(share * mean_fill), lesson_data)
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, "Exercise 2", ns)


def test_ex2_unsolved_prints_todo(lesson_data):
    ns, _ = _ex2_namespace(None, lesson_data)
    assert run_check(LESSON, "Exercise 2", ns).startswith("TODO")
