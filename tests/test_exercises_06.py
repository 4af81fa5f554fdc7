"""Lesson 06's exercises reject plausible wrong answers and only hint while unsolved."""
from types import SimpleNamespace

import numpy as np
import pytest
from exercise_harness import run_check

from course_lib import checks, data, metrics, models, training

LESSON = "06_linear_ae_vs_pca"
BY_HAND = "Exercise 1: PCA-16 by hand"
LINEAR = "Exercise 2: |linear AE-4 / PCA-4 test MSE - 1|"


@pytest.fixture(scope="module")
def fm():
    f = data.load_fashion_mnist(flatten=True, subset=10000, test_subset=500)
    return SimpleNamespace(x_train=f.x_train, x_test=f.x_test)


def test_pca_by_hand_rejects_ascending_eigenvectors(fm):
    assert "TODO" in run_check(LESSON, BY_HAND, {"answer": None, "fm": fm})
    x = fm.x_train[:10000]
    mu = x.mean(axis=0)
    _, vecs = np.linalg.eigh((x - mu).T @ (x - mu))
    for w, ok in ((vecs[:, :16], False), (vecs[:, ::-1][:, :16], True)):  # smallest 16, largest 16
        answer = metrics.mse(fm.x_test, (fm.x_test - mu) @ w @ w.T + mu)
        if ok:
            assert "PASS" in run_check(LESSON, BY_HAND, {"answer": answer, "fm": fm})
        else:
            with pytest.raises(checks.CheckFailed, match="Hint"):
                run_check(LESSON, BY_HAND, {"answer": answer, "fm": fm})


def test_linear_ae_rejects_one_epoch_and_hints_when_unsolved(fm):
    x = fm.x_train[:2000]
    ns = {"fm": fm, "pca4_mse": metrics.mse(fm.x_test, metrics.pca_reconstruction(x, fm.x_test, 4))}
    assert "TODO" in run_check(LESSON, LINEAR, {"linear4": None, **ns})
    training.set_seed(0)
    one_epoch = models.linear_autoencoder(784, 4)
    training.fit(one_epoch, x, learning_rate=3e-3, epochs=1, seed=0, progress=False)
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, LINEAR, {"linear4": one_epoch, **ns})
