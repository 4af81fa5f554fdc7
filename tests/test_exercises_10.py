"""Lesson 10's exercises reject plausible wrong answers and only hint while unsolved."""
import numpy as np
import pytest
from exercise_harness import run_check

from course_lib import checks, data, metrics, models, training

LESSON = "10_contractive"
BUDGET = "Exercise 1: your Jacobian norm / plain, within 1.25x plain MSE"
CLOSED = "Exercise 2"


@pytest.fixture(scope="module")
def setup():
    fm = data.load_fashion_mnist(flatten=True, subset=2000, test_subset=1000)
    training.set_seed(0)
    plain_model = models.contractive_autoencoder(784, 64, contractive_weight=0.0)
    training.fit(plain_model, fm.x_train, epochs=2, seed=0, progress=False)
    plain = {"test MSE": metrics.mse(fm.x_test, plain_model.reconstruct(fm.x_test)),
             "mean ||J||_F": models.jacobian_norm(plain_model, fm.x_test[:1000])}
    return fm, plain_model, plain


def test_lambda_budget(setup):
    fm, plain_model, plain = setup
    ns = {"fm": fm, "plain": plain}
    assert "TODO" in run_check(LESSON, BUDGET, {"my_cae": None, **ns})
    # the plain model itself (lambda = 0): no contraction at all
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, BUDGET, {"my_cae": plain_model, **ns})
    # a weight so large the code is frozen: Jacobian ~ 0 but the reconstruction is ruined
    frozen = models.contractive_autoencoder(784, 64, contractive_weight=0.0)
    code = frozen.encoder.get_layer("code")
    code.kernel.assign(np.zeros(code.kernel.shape, "float32"))
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, BUDGET, {"my_cae": frozen, **ns})


def test_closed_form(setup):
    fm, _, _ = setup
    model = models.contractive_autoencoder(784, 64, contractive_weight=1e-2)
    ns = {"fm": fm, "trained": {1e-2: model}}
    assert "TODO" in run_check(LESSON, CLOSED, {"jac_by_hand": None, **ns})
    h = model.encode(fm.x_test[:100])
    W = model.encoder.get_layer("code").kernel.numpy()
    squared = np.sum((h * (1 - h)) ** 2 * np.sum(W ** 2, axis=0), axis=1)
    no_slope = np.sqrt(np.sum(h ** 2 * np.sum(W ** 2, axis=0), axis=1))  # forgot sigma'(a)
    for wrong in (squared, no_slope):
        with pytest.raises(checks.CheckFailed, match="Hint"):
            run_check(LESSON, CLOSED, {"jac_by_hand": wrong, **ns})
    assert "PASS" in run_check(LESSON, CLOSED, {"jac_by_hand": np.sqrt(squared), **ns})
