"""Lesson 01's exercises reject plausible wrong answers and only hint while unsolved."""
import numpy as np
import pytest
from exercise_harness import run_check

from course_lib import checks, data, models

LESSON = "01_anatomy"
TRAIN = "Exercise 1: |x - x_hat| of your trained tiny AE, vs half the constant row's"
GRAD = "Exercise 2: max |your MSE gradient - Keras' MSE gradient|"
KEYS = ("W_e", "b_e", "W_d", "b_d")


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def forward(p, x):
    z = x @ p["W_e"] + p["b_e"]
    return z, sigmoid(z @ p["W_d"] + p["b_d"])


def chain_rule(d_loss):
    """gradients() of the lesson, for a loss whose dL/dx_hat is d_loss(x_hat, x)."""
    def grads(p, x):
        z, x_hat = forward(p, x)
        delta_d = d_loss(x_hat, x) * x_hat * (1 - x_hat)
        delta_z = delta_d @ p["W_d"].T
        return {"W_e": x.T @ delta_z, "b_e": delta_z.sum(0),
                "W_d": z.T @ delta_d, "b_d": delta_d.sum(0)}
    return grads


mae_gradients = chain_rule(lambda x_hat, x: np.sign(x_hat - x) / x.size)
mse_gradients = chain_rule(lambda x_hat, x: 2 * (x_hat - x) / x.size)
half_factor = chain_rule(lambda x_hat, x: (x_hat - x) / x.size)  # forgot the 2


@pytest.fixture(scope="module")
def setup():
    X = data.customers_products().values.astype(np.float64)
    rng = np.random.default_rng(0)
    params = {"W_e": rng.normal(0, 0.5, (6, 2)), "b_e": np.zeros(2),
              "W_d": rng.normal(0, 0.5, (2, 6)), "b_d": np.zeros(6)}
    return X, params


def test_training_by_hand(setup):
    X, params = setup
    ns = {"X": X, "forward": forward, "constant_mae": np.abs(X - np.median(X, axis=0)).mean()}
    assert "TODO" in run_check(LESSON, TRAIN, {"trained_params": None, **ns})
    one_step = {k: params[k] - mae_gradients(params, X)[k] for k in KEYS}
    for wrong in (params, one_step):  # untrained; a single step
        with pytest.raises(checks.CheckFailed, match="Hint"):
            run_check(LESSON, TRAIN, {"trained_params": wrong, **ns})
    trained = dict(params)
    for _ in range(500):
        g = mae_gradients(trained, X)
        trained = {k: trained[k] - 3.0 * g[k] for k in KEYS}
    assert "PASS" in run_check(LESSON, TRAIN, {"trained_params": trained, **ns})


# differentiates the lesson's formula with tf.GradientTape, as the lesson does
@pytest.mark.tensorflow_only
def test_mse_gradient_against_keras(setup):
    import keras
    import tensorflow as tf

    X, params = setup
    tiny = models.dense_autoencoder(6, 2, code_activation="linear", output_activation="sigmoid")
    tiny.encoder.get_layer("code").set_weights([params["W_e"], params["b_e"]])
    tiny.decoder.get_layer("reconstruction").set_weights([params["W_d"], params["b_d"]])
    x_tf = tf.constant(X, tf.float32)
    with tf.GradientTape() as tape:
        value = tf.reduce_mean(keras.losses.mean_squared_error(x_tf, tiny(x_tf)))
    weights = tiny.encoder.trainable_weights + tiny.decoder.trainable_weights
    keras_mse_grads = {k: g.numpy() for k, g in zip(KEYS, tape.gradient(value, weights))}
    ns = {"params": params, "X": X, "keras_mse_grads": keras_mse_grads}

    assert "TODO" in run_check(LESSON, GRAD, {"mse_gradients": None, **ns})
    for wrong in (mae_gradients, half_factor):  # the lesson's MAE gradient; a missing factor 2
        with pytest.raises(checks.CheckFailed, match="Hint"):
            run_check(LESSON, GRAD, {"mse_gradients": wrong, **ns})
    assert "PASS" in run_check(LESSON, GRAD, {"mse_gradients": mse_gradients, **ns})
