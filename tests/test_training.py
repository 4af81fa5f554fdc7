import keras
import numpy as np
import pytest

from course_lib import models, training


@pytest.fixture
def data():
    return np.random.default_rng(0).random((64, 12)).astype(np.float32)


def _train(data, **kw):
    training.set_seed(0)
    m = models.dense_autoencoder(12, 3)
    h = training.fit(m, data, epochs=3, batch_size=16, progress=False, **kw)
    return m, h


def test_fit_reduces_loss_and_times_epochs(data):
    m, h = _train(data, learning_rate=1e-2)
    assert len(h.history["loss"]) == 3 and h.history["loss"][-1] < h.history["loss"][0]
    assert len(h.epoch_seconds) == 3 and all(s > 0 for s in h.epoch_seconds)


def test_fit_is_deterministic(data):
    a, _ = _train(data)
    b, _ = _train(data)
    np.testing.assert_array_equal(a.reconstruct(data), b.reconstruct(data))


def test_fit_with_validation_and_targets(data):
    _, h = _train(data, validation=data[:8], loss="bce")
    assert "val_loss" in h.history
    m, h = _train(data, y=data[:, ::-1].copy(), validation=(data[:8], data[:8, ::-1].copy()))
    assert "val_loss" in h.history


def test_early_stopping_restores_best(data):
    training.set_seed(0)
    m = models.dense_autoencoder(12, 3)
    # The validation targets are the inverted inputs: the better the model copies its input,
    # the worse it does there, so validation loss rises from the first epoch on.
    val = (data, 1.0 - data)
    h = training.fit(m, data, validation=val, epochs=30, batch_size=16, learning_rate=1e-2,
                     early_stopping=2, progress=False)
    losses = h.history["val_loss"]
    assert len(losses) < 30
    restored = float(np.mean((m.reconstruct(data) - (1.0 - data)) ** 2))
    assert restored == pytest.approx(min(losses), rel=1e-4)
    assert restored < losses[-1]


def test_progress_bar_runs(data, capsys):
    training.set_seed(0)
    m = models.dense_autoencoder(12, 3)
    training.fit(m, data, epochs=2, progress=True)
    assert "epoch" in capsys.readouterr().err


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(loss="hinge"), ValueError, "loss must be one of"),
    (dict(loss=3), TypeError, "loss"),
    (dict(optimizer="adamw2"), ValueError, "optimizer must be one of"),
    (dict(learning_rate=0), ValueError, "learning_rate"),
    (dict(epochs=0), ValueError, "epochs"),
    (dict(batch_size=2.5), TypeError, "batch_size"),
    (dict(early_stopping=0), ValueError, "early_stopping"),
    (dict(validation=np.zeros((4, 5))), ValueError, "validation"),
    (dict(y=np.zeros((3, 12))), ValueError, "same number of examples"),
    (dict(progress="yes"), TypeError, "progress"),
])
def test_fit_bad_input(data, kwargs, exc, word):
    m = models.dense_autoencoder(12, 3)
    with pytest.raises(exc, match=word):
        training.fit(m, data, **kwargs)


def test_fit_rejects_non_model_and_bad_data(data):
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        training.fit("model", data)
    m = models.dense_autoencoder(12, 3)
    with pytest.raises(ValueError, match="NaN"):
        training.fit(m, np.full((4, 12), np.nan))
    with pytest.raises(TypeError, match="x must be an array of numbers"):
        training.fit(m, np.array([["a"] * 12]))


def test_set_seed_validates():
    with pytest.raises(ValueError, match="seed"):
        training.set_seed(-1)
    with pytest.raises(TypeError, match="seed"):
        training.set_seed("0")


# --- op determinism: on by default, an explicit way out, a clear error on GPU-only failures ---

def _op_determinism_enabled():
    from tensorflow.python.framework import config as tf_config

    return tf_config.is_op_determinism_enabled()


@pytest.fixture
def fresh_determinism(monkeypatch):
    """No earlier explicit choice, no COURSE_DETERMINISTIC; determinism back on afterwards."""
    monkeypatch.setattr(training, "_deterministic_choice", None)
    monkeypatch.delenv("COURSE_DETERMINISTIC", raising=False)
    yield monkeypatch
    training.set_seed(0, deterministic=True)


@pytest.mark.tensorflow_only
def test_set_seed_deterministic_switch(fresh_determinism):
    training.set_seed(0)
    assert _op_determinism_enabled()
    training.set_seed(0, deterministic=False)
    assert not _op_determinism_enabled()
    training.set_seed(1)  # e.g. training.fit(seed=...) later: the explicit choice is kept
    assert not _op_determinism_enabled()
    training.set_seed(2, deterministic=True)
    assert _op_determinism_enabled()


@pytest.mark.tensorflow_only
@pytest.mark.parametrize("raw,expected", [("0", False), ("off", False), ("FALSE", False),
                                          ("1", True), ("yes", True), ("", True)])
def test_set_seed_reads_course_deterministic(fresh_determinism, raw, expected):
    fresh_determinism.setenv("COURSE_DETERMINISTIC", raw)
    training.set_seed(0)
    assert _op_determinism_enabled() is expected


def test_set_seed_rejects_bad_deterministic(fresh_determinism):
    for bad in ("no", 0, 1, 1.0):
        with pytest.raises(TypeError, match="deterministic must be True, False or None"):
            training.set_seed(0, deterministic=bad)
    with pytest.raises(TypeError):
        training.set_seed(0, False)  # keyword-only: a positional bool is no seed-like mistake
    fresh_determinism.setenv("COURSE_DETERMINISTIC", "maybe")
    with pytest.raises(ValueError, match="COURSE_DETERMINISTIC must be 1 or 0"):
        training.set_seed(0)


def _raising_model(message):
    """A tiny model whose train_step raises what TensorFlow raises on a GPU when an op has no
    deterministic kernel (the error cannot be provoked on a CPU, where every op has one)."""
    import keras
    import tensorflow as tf

    class Raising(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(12)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            raise tf.errors.UnimplementedError(None, None, message)

    model = Raising()
    model(np.zeros((1, 12), np.float32))
    return model


# messages as TensorFlow's kernels word them (tensorflow/core/kernels/*)
@pytest.mark.tensorflow_only
@pytest.mark.parametrize("tf_message", [
    "Determinism is not yet supported in GPU implementation of Bincount.",
    "A deterministic GPU implementation of ResizeNearestNeighborGrad is not currently available.",
    "Deterministic GPU implementation of unsorted segment reduction op not available.",
])
def test_fit_explains_missing_deterministic_kernel(data, tf_message):
    import tensorflow as tf

    with pytest.raises(tf.errors.UnimplementedError) as info:
        training.fit(_raising_model(tf_message), data, epochs=1, batch_size=16, progress=False)
    text = str(info.value)
    assert tf_message in text
    assert "no deterministic implementation" in text
    assert "training.set_seed(SEED, deterministic=False)" in text
    assert "COURSE_DETERMINISTIC=0" in text
    assert isinstance(info.value.__cause__, tf.errors.UnimplementedError)  # original kept
    assert tf_message in str(info.value.__cause__)


@pytest.mark.tensorflow_only
def test_fit_leaves_other_errors_alone(data):
    import tensorflow as tf

    other = "Conv2D with this data format is not implemented on this device."
    with pytest.raises(tf.errors.UnimplementedError) as info:
        training.fit(_raising_model(other), data, epochs=1, batch_size=16, progress=False)
    assert str(info.value).strip().endswith(other) and "set_seed" not in str(info.value)
    assert info.value.__cause__ is None


# --- fit continues training; arguments it cannot use are refused --------------------------

def test_second_fit_continues_with_the_same_optimizer(data):
    training.set_seed(0)
    m = models.dense_autoencoder(12, 3)
    training.fit(m, data, epochs=2, batch_size=16, progress=False)
    opt = m.optimizer
    assert int(opt.iterations) == 8
    h = training.fit(m, data, epochs=1, batch_size=16, progress=False)
    assert m.optimizer is opt and int(opt.iterations) == 12  # Adam's state carried over
    assert h.history["loss"][0] > 0
    training.fit(m, data, epochs=1, batch_size=16, learning_rate=1e-3, progress=False)
    assert m.optimizer is opt
    assert float(keras.ops.convert_to_numpy(opt.learning_rate)) == pytest.approx(1e-3)
    training.fit(m, data, epochs=1, batch_size=16, optimizer="sgd", progress=False)
    assert isinstance(m.optimizer, keras.optimizers.SGD)  # naming another one starts it anew


def test_default_rate_is_one_cycle_and_a_number_is_constant():
    cycle = training.FitRate(1e-2, 100, start=20, warmup=0.1, constant=False)
    rates = [float(keras.ops.convert_to_numpy(cycle(s))) for s in (20, 29, 30, 70, 119, 300)]
    assert rates[0] == pytest.approx(1e-3) and rates[1] == pytest.approx(1e-2)  # warm-up
    assert rates[2] == pytest.approx(1e-2) and 0 < rates[3] < 1e-2  # cosine decay
    assert rates[4] < 1e-4 and rates[5] == pytest.approx(0.0, abs=1e-9)
    flat = training.FitRate(3e-3)
    assert float(keras.ops.convert_to_numpy(flat(12345))) == pytest.approx(3e-3)
    assert training.FitRate.from_config(cycle.get_config()).get_config() == cycle.get_config()


def test_model_trained_by_fit_saves_and_trains_on(data, tmp_path):
    training.set_seed(0)
    m = models.dense_autoencoder(12, 3)
    training.fit(m, data, epochs=1, batch_size=16, progress=False)
    m.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras", safe_mode=True)
    np.testing.assert_allclose(loaded.reconstruct(data), m.reconstruct(data), atol=1e-6)
    assert int(loaded.optimizer.iterations) == 4
    training.fit(loaded, data, epochs=1, batch_size=16, progress=False)
    assert int(loaded.optimizer.iterations) == 8


def test_fit_refuses_what_it_would_ignore(data):
    m = models.vae(12, 2, hidden=(4,))
    training.fit(m, data, loss=None, epochs=1, batch_size=16, progress=False)
    with pytest.raises(ValueError, match="learning_rate would be ignored.*loss=None"):
        training.fit(m, data, loss=None, learning_rate=1e-3, progress=False)
    with pytest.raises(ValueError, match="optimizer would be ignored"):
        training.fit(m, data, loss=None, optimizer="sgd", progress=False)
    training.fit(m, data, loss=None, epochs=1, batch_size=16, progress=False)  # continues
    with pytest.raises(ValueError, match="has none: pass loss="):
        training.fit(models.dense_autoencoder(12, 3), data, loss=None, progress=False)
    with pytest.raises(ValueError, match="learning_rate would be ignored"):
        training.fit(models.dense_autoencoder(12, 3), data, optimizer=keras.optimizers.Adam(),
                     learning_rate=1e-3, progress=False)


# --- sweep: one seeded model per value, results as data -------------------------------------

def test_sweep_trains_one_model_per_value_like_fit_would(data):
    results = training.sweep(lambda k: models.dense_autoencoder(12, k), (2, 4), data,
                             evaluate=lambda m: {"mse": float(np.mean((m.reconstruct(data)
                                                                      - data) ** 2))},
                             epochs=2, batch_size=16, seed=3, progress=False)
    assert list(results) == [2, 4]
    r = results[4]
    assert r["value"] == 4 and r["model"].code_size == 4 and len(r["history"]["loss"]) == 2
    # the same as seeding, building and fitting by hand
    training.set_seed(3)
    by_hand = models.dense_autoencoder(12, 4)
    training.fit(by_hand, data, epochs=2, batch_size=16, seed=3, progress=False)
    np.testing.assert_array_equal(by_hand.reconstruct(data), r["model"].reconstruct(data))
    assert r["mse"] == pytest.approx(float(np.mean((by_hand.reconstruct(data) - data) ** 2)))


def test_sweep_shows_one_progress_bar(data, capsys):
    training.sweep(lambda k: models.dense_autoencoder(12, k), (2, 3), data, epochs=2,
                   batch_size=32, desc="sweeping")
    err = capsys.readouterr().err
    assert "sweeping" in err and "4/4" in err


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(build="dense"), TypeError, "build must be a function"),
    (dict(values=()), TypeError, "values must be a non-empty"),
    (dict(values=(2, 2)), ValueError, "repeat"),
    (dict(evaluate=3), TypeError, "evaluate"),
    (dict(progress=1), TypeError, "progress must be True or False"),
    (dict(build=lambda k: "model"), TypeError, "must return a keras.Model"),
    (dict(evaluate=lambda m: 1.0), TypeError, "evaluate must return a dict"),
])
def test_sweep_bad_input(data, kwargs, exc, word):
    args = dict(build=lambda k: models.dense_autoencoder(12, k), values=(2,), progress=False,
                epochs=1) | kwargs
    with pytest.raises(exc, match=word):
        training.sweep(x=data, **args)
