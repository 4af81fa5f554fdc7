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
