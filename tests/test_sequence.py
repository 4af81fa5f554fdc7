import keras
import numpy as np
import pytest

from course_lib import data, models, training


def test_synthetic_series_shapes_labels_and_seed():
    x, y = data.synthetic_series(30, 40, seed=3)
    assert x.shape == (30, 40, 1) and x.dtype == np.float32 and y.shape == (30,)
    assert np.bincount(y).tolist() == [10, 10, 10]
    x2, y2 = data.synthetic_series(30, 40, seed=3)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(x, data.synthetic_series(30, 40, seed=4)[0])
    clean, labels = data.synthetic_series(300, 64, noise=0.0)
    assert np.abs(clean).max() <= 1.0 + 1e-6
    square = clean[labels == 1]
    amps = np.abs(square).max(axis=1, keepdims=True)
    np.testing.assert_allclose(np.abs(square), np.broadcast_to(amps, square.shape), atol=1e-6)
    noisy, _ = data.synthetic_series(300, 64, noise=0.2)
    assert abs((noisy - clean).std() - 0.2) < 0.01


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(n=0), ValueError, "n must"),
    (dict(n=5, length=4), ValueError, "length"),
    (dict(n=5, noise=-0.1), ValueError, "noise"),
    (dict(n=5, seed=1.5), TypeError, "seed"),
    (dict(n="5"), TypeError, "n must"),
])
def test_synthetic_series_bad_input(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        data.synthetic_series(**kwargs)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["conv", "gru", "lstm"])
def test_sequence_autoencoder_trains(kind):
    x, _ = data.synthetic_series(32, 16)
    training.set_seed(0)
    m = models.sequence_autoencoder(16, 1, 4, units=8, kind=kind)
    assert m.encoder.output.shape == (None, 4) and m.decoder.output.shape == (None, 16, 1)
    h = training.fit(m, x, epochs=3, batch_size=16, progress=False)
    assert h.history["loss"][-1] < h.history["loss"][0]


def test_attention_autoencoder_and_scores():
    x, _ = data.synthetic_series(10, 16)
    m = models.attention_autoencoder(16, 1, 4, patch=4, d_model=8, num_heads=2)
    assert m.decoder.output.shape == (None, 16, 1)
    s = models.attention_scores(m, x)
    assert s.shape == (10, 2, 4, 4)
    np.testing.assert_allclose(s.sum(-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(models.attention_scores(m, x), s, atol=1e-6)


@pytest.mark.parametrize("fn,kwargs,exc,word", [
    ("sequence_autoencoder", dict(length=1), ValueError, "length"),
    ("sequence_autoencoder", dict(length=8, kind="rnn"), ValueError, "kind must be one of"),
    ("sequence_autoencoder", dict(length=8, kind=3), TypeError, "kind"),
    ("sequence_autoencoder", dict(length=10), ValueError, "multiple of 4"),
    ("sequence_autoencoder", dict(length=8, units=0), ValueError, "units"),
    ("attention_autoencoder", dict(length=10, patch=4), ValueError, "patch must divide"),
    ("attention_autoencoder", dict(length=8, d_model=6, num_heads=4), ValueError, "num_heads"),
    ("attention_autoencoder", dict(length=8, code_size=0), ValueError, "code_size"),
    ("attention_autoencoder", dict(length=8, name=""), TypeError, "name"),
])
def test_sequence_builders_bad_input(fn, kwargs, exc, word):
    with pytest.raises(exc, match=word):
        getattr(models, fn)(**kwargs)


def test_attention_scores_bad_input():
    x, _ = data.synthetic_series(4, 16)
    with pytest.raises(ValueError, match="self_attention"):
        models.attention_scores(models.sequence_autoencoder(16, 1, 2, units=4), x)
    with pytest.raises(TypeError, match="Autoencoder"):
        models.attention_scores("m", x)
    m = models.attention_autoencoder(16, 1, 2, patch=4, d_model=8)
    with pytest.raises(ValueError, match="x must have shape"):
        models.attention_scores(m, np.zeros((4, 12, 1)))
    with pytest.raises(ValueError, match="ndim"):
        models.attention_scores(m, np.zeros((4, 16)))


def test_squash_keeps_direction_and_norm_below_one(rng):
    s = rng.normal(size=(50, 8)) * rng.uniform(0.01, 100, (50, 1))
    out = models.squash(s)
    norms = np.linalg.norm(out, axis=-1)
    assert (norms < 1).all() and (norms > 0).all()
    cos = (out * s).sum(-1) / (norms * np.linalg.norm(s, axis=-1))
    np.testing.assert_allclose(cos, 1.0, atol=1e-5)
    # |v| = |s|^2 / (1 + |s|^2)
    n = np.linalg.norm(s, axis=-1)
    np.testing.assert_allclose(norms, n ** 2 / (1 + n ** 2), rtol=1e-4)
    # the Keras layer computes the same
    np.testing.assert_allclose(keras.ops.convert_to_numpy(models.Squash()(s.astype("float32"))),
                               out, atol=1e-5)


def test_dynamic_routing_couplings_and_agreement(rng):
    # 4 inputs agree on output 0, disagree on output 1: routing sends them to output 0
    agree = np.tile([1.0, 0.0], (4, 1))
    scatter = rng.normal(size=(4, 2))
    u_hat = np.stack([agree, scatter], axis=1)  # (4, 2, 2)
    out, c = models.dynamic_routing(u_hat, iterations=3)
    np.testing.assert_allclose(c.sum(axis=1), 1.0, atol=1e-6)
    assert (c[:, 0] > 0.5).all()
    assert np.linalg.norm(out[0]) > np.linalg.norm(out[1])
    one, c1 = models.dynamic_routing(u_hat, iterations=1)
    np.testing.assert_allclose(c1, 0.5)  # no routing yet: uniform couplings


def test_capsule_layer_matches_numpy_routing(rng):
    layer = models.CapsuleLayer(3, 4, routings=3)
    x = rng.normal(size=(2, 5, 6)).astype("float32")
    out = keras.ops.convert_to_numpy(layer(x))
    w = keras.ops.convert_to_numpy(layer.w)
    for i in range(2):
        u_hat = np.einsum("id,ijde->ije", x[i], w)
        np.testing.assert_allclose(out[i], models.dynamic_routing(u_hat, 3)[0], atol=1e-5)


def test_capsule_autoencoder_shapes():
    m = models.capsule_autoencoder((12, 12), num_capsules=3, capsule_dim=4, filters=8,
                                   primary_dim=4)
    assert m.code_size == 12 and m.decoder.output.shape == (None, 12, 12)
    x = np.random.default_rng(0).random((3, 12, 12)).astype("float32")
    assert m.reconstruct(x).shape == (3, 12, 12)


@pytest.mark.parametrize("call,exc,word", [
    (lambda: models.squash("s"), TypeError, "s must be an array"),
    (lambda: models.squash(np.ones((2, 3)), axis=2), ValueError, "axis"),
    (lambda: models.dynamic_routing(np.ones((2, 3))), ValueError, "u_hat must have ndim 3"),
    (lambda: models.dynamic_routing(np.ones((2, 3, 2)), iterations=0), ValueError, "iterations"),
    (lambda: models.CapsuleLayer(0, 4), ValueError, "num_capsules"),
    (lambda: models.capsule_autoencoder((28,)), ValueError, "image_shape"),
    (lambda: models.capsule_autoencoder(filters=32, primary_dim=6), ValueError, "primary_dim"),
    (lambda: models.capsule_autoencoder(routings=0), ValueError, "routings"),
])
def test_capsule_bad_input(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
