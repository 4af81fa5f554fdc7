"""Lesson 05's exercises reject plausible wrong answers and only hint while unsolved."""
from types import SimpleNamespace

import pytest
from exercise_harness import run_check

from course_lib import checks, data, metrics, models, training

LESSON = "05_depth_and_width"
CROSSOVER = "Exercise 1: code-64 test MSE / PCA-64 test MSE"
PARAMS = "Exercise 2: parameters of the wide model"


@pytest.fixture(scope="module")
def small():
    f = data.load_fashion_mnist(flatten=True, subset=1000, test_subset=500)
    pca = metrics.pca_curve(f.x_train, f.x_test, (64,))
    return SimpleNamespace(x_train=f.x_train, x_test=f.x_test), pca


def test_crossover_rejects_the_briefly_trained_model_and_hints_when_unsolved(small):
    fm, pca_mse = small
    ns = {"fm": fm, "pca_mse": pca_mse}
    assert "TODO" in run_check(LESSON, CROSSOVER, {"longer_model": None, **ns})
    training.set_seed(0)
    brief = models.dense_autoencoder(784, 64, hidden=(256,))  # the sweep's budget, or less
    models.init_output_bias(brief, fm.x_train)
    training.fit(brief, fm.x_train, epochs=1, seed=0, progress=False)
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, CROSSOVER, {"longer_model": brief, **ns})


def test_parameter_count_rejects_weights_without_biases():
    assert "TODO" in run_check(LESSON, PARAMS, {"wide_params": None})
    sizes = [784, 273, 16, 273, 784]
    weights_only = sum(m * n for m, n in zip(sizes[:-1], sizes[1:]))
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, PARAMS, {"wide_params": weights_only})
    right = weights_only + sum(sizes[1:])
    assert "PASS" in run_check(LESSON, PARAMS, {"wide_params": right})
