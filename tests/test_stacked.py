"""Tied weights, layer-wise pretraining, classifier heads and few-label subsets."""
import keras
import numpy as np
import pytest

from course_lib import data, models, training


def test_tied_autoencoder_shares_kernels_and_halves_parameters(rng):
    tied = models.tied_autoencoder(20, 3, hidden=(8,))
    untied = models.dense_autoencoder(20, 3, hidden=(8,))
    assert tied.count_params() == (20 * 8 + 8) + (8 * 3 + 3) + 8 + 20
    assert untied.count_params() == 2 * (20 * 8 + 8 * 3) + 8 + 3 + 8 + 20
    enc_layer, mirror = tied.levels[0]
    assert enc_layer.name == "enc_1" and mirror.name == "reconstruction"
    # the decoder computes sigmoid(h @ W.T + b) with the encoder's own W
    x = rng.random((4, 20)).astype(np.float32)
    h = keras.Sequential([keras.Input((20,)), enc_layer]).predict(x, verbose=0)
    z = tied.encode(x)
    dec1 = tied.levels[1][1]
    h_back = np.maximum(z @ tied.levels[1][0].kernel.numpy().T + dec1.bias.numpy(), 0)
    expected = 1 / (1 + np.exp(-(h_back @ enc_layer.kernel.numpy().T + mirror.bias.numpy())))
    np.testing.assert_allclose(tied.reconstruct(x), expected, atol=1e-5)
    assert h.shape == (4, 8)


def test_training_the_tied_model_moves_the_shared_kernel(rng):
    x = rng.random((64, 20)).astype(np.float32)
    tied = models.tied_autoencoder(20, 3)
    before = tied.levels[0][0].kernel.numpy().copy()
    training.fit(tied, x, epochs=2, batch_size=16, progress=False)
    assert not np.allclose(before, tied.levels[0][0].kernel.numpy())
    assert len(tied.trainable_weights) == 3  # kernel, encoder bias, decoder bias


def test_tied_image_input_and_save_load(tmp_path, rng):
    m = models.tied_autoencoder((4, 4), 2, hidden=(6,))
    x = rng.random((3, 4, 4)).astype(np.float32)
    assert m.reconstruct(x).shape == (3, 4, 4)
    m.save(tmp_path / "t.keras")
    loaded = keras.models.load_model(tmp_path / "t.keras", safe_mode=True)
    np.testing.assert_allclose(loaded.reconstruct(x), m.reconstruct(x), atol=1e-6)
    assert loaded.count_params() == m.count_params()


@pytest.mark.slow
def test_pretrain_layerwise_trains_each_level_then_stack_works(rng):
    x = rng.random((128, 20)).astype(np.float32)
    m = models.tied_autoencoder(20, 3, hidden=(8,))
    untrained = float(((m.reconstruct(x) - x) ** 2).mean())
    hist = models.pretrain_layerwise(m, x, epochs=4, batch_size=32, learning_rate=1e-2,
                                       progress=False)
    assert len(hist) == 2
    for h in hist:
        assert h.history["loss"][-1] < h.history["loss"][0]
    assert float(((m.reconstruct(x) - x) ** 2).mean()) < untrained


def test_classifier_head_and_fit_classifier(rng):
    x = rng.random((60, 20)).astype(np.float32)
    y = (x[:, 0] > 0.5).astype(np.int64)
    ae = models.tied_autoencoder(20, 4)
    clf = models.classifier_head(ae, 2)
    h = training.fit_classifier(clf, x, y, epochs=15, batch_size=16, learning_rate=1e-2)
    assert h.history["accuracy"][-1] > 0.7
    frozen = models.classifier_head(models.dense_autoencoder(20, 4).encoder, 2, freeze=True)
    assert len(frozen.trainable_weights) == 2


def test_few_labels_is_balanced_and_seeded():
    y = np.repeat(np.arange(3), 10)
    idx = data.few_labels(y, 4, seed=1)
    assert np.bincount(y[idx]).tolist() == [4, 4, 4]
    np.testing.assert_array_equal(idx, data.few_labels(y, 4, seed=1))
    assert not np.array_equal(idx, data.few_labels(y, 4, seed=2))


@pytest.mark.parametrize("call,exc,word", [
    (lambda: models.tied_autoencoder(20, 0), ValueError, "code_size"),
    (lambda: models.tied_autoencoder(20, 3, activation="nope"), ValueError, "activation"),
    (lambda: models.TiedAutoencoder("enc"), TypeError, "encoder"),
    (lambda: models.DenseTranspose(0), ValueError, "units"),
    (lambda: models.DenseTranspose(3).tie("layer"), TypeError, "dense"),
    (lambda: models.classifier_head(models.dense_autoencoder(5, 2), 1), ValueError, "n_classes"),
    (lambda: models.classifier_head("encoder", 3), TypeError, "encoder"),
    (lambda: models.pretrain_layerwise(models.dense_autoencoder(5, 2), np.zeros((4, 5))),
     TypeError, "TiedAutoencoder"),
    (lambda: training.fit_classifier(models.classifier_head(models.dense_autoencoder(5, 2), 3),
                                     np.zeros((4, 5)), np.array([0, 1, 2, 3])),
     ValueError, r"\[0, 2\]"),
    (lambda: training.fit_classifier(models.classifier_head(models.dense_autoencoder(5, 2), 3),
                                     np.zeros((4, 5)), np.zeros(4)), TypeError, "integer labels"),
    (lambda: data.few_labels(np.array([0, 0, 1]), 2), ValueError, "class 1 has only 1"),
    (lambda: data.few_labels(np.array([0.5, 1.0]), 1), TypeError, "integer labels"),
    (lambda: data.few_labels(np.array([0, 1]), 0), ValueError, "per_class"),
])
def test_stacked_bad_input(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
