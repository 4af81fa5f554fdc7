"""VQ-VAE (course_lib.models.vq) and codebook usage metrics (course_lib.metrics.codebooks)."""
import keras
import numpy as np
import pytest

from course_lib import metrics, models, training


def _quantizer(k=7, d=3, beta=0.25, seed=0):
    training.set_seed(seed)
    q = models.VectorQuantizer(k, d, beta=beta, codebook_initializer="random_normal")
    q.build((None, 4, 4, d))
    return q


def _brute_force(z, book):
    dist = ((z.reshape(-1, 1, z.shape[-1]) - book[None]) ** 2).sum(-1)
    return dist.argmin(1).reshape(z.shape[:-1]), dist


def test_quantizer_picks_the_nearest_code(rng):
    q = _quantizer()
    z = rng.standard_normal((5, 4, 4, 3)).astype(np.float32)
    z_q, idx = q(z)
    book = keras.ops.convert_to_numpy(q.codebook)
    expected, dist = _brute_force(z, book)
    idx = keras.ops.convert_to_numpy(idx)
    assert idx.shape == (5, 4, 4)
    # identical picks except where two codes tie to float32 rounding
    flat_d = dist.reshape(-1, book.shape[0])
    gap = np.abs(flat_d[np.arange(len(flat_d)), idx.ravel()] - flat_d.min(1))
    assert np.all((idx.ravel() == expected.ravel()) | (gap < 1e-5))
    assert np.mean(idx == expected) > 0.99
    # the forward value is the chosen code vector
    np.testing.assert_allclose(keras.ops.convert_to_numpy(z_q), book[idx], atol=1e-6)


@pytest.mark.tensorflow_only
def test_straight_through_gradient_is_the_identity(rng):
    import tensorflow as tf

    q = _quantizer()
    z = tf.Variable(rng.standard_normal((2, 4, 4, 3)).astype(np.float32))
    w = tf.constant(rng.standard_normal((2, 4, 4, 3)).astype(np.float32))
    with tf.GradientTape() as tape:
        z_q, _ = q(z)
        out = tf.reduce_sum(z_q * w)
    grad = tape.gradient(out, z)
    np.testing.assert_allclose(grad.numpy(), w.numpy(), atol=1e-6)  # d z_q / d z_e = I


@pytest.mark.tensorflow_only
def test_losses_values_and_where_their_gradients_go(rng):
    import tensorflow as tf

    beta = 0.4
    q = _quantizer(beta=beta)
    z = tf.Variable(rng.standard_normal((3, 4, 4, 3)).astype(np.float32))
    with tf.GradientTape(persistent=True) as tape:
        _, idx = q(z)
        (loss,) = q.losses
    book = keras.ops.convert_to_numpy(q.codebook)
    e = book[keras.ops.convert_to_numpy(idx)]
    sq = float(np.mean((z.numpy() - e) ** 2))
    np.testing.assert_allclose(float(loss), (1 + beta) * sq, rtol=1e-5)
    # commitment loss moves only the encoder output, codebook loss only the codes
    g_z = tape.gradient(loss, z).numpy()
    np.testing.assert_allclose(g_z, beta * 2 * (z.numpy() - e) / z.numpy().size, atol=1e-7)
    g_book = tf.convert_to_tensor(tape.gradient(loss, q.codebook)).numpy()
    expected = np.zeros_like(book)
    np.add.at(expected, keras.ops.convert_to_numpy(idx).ravel(),
              (2 * (e - z.numpy()) / z.numpy().size).reshape(-1, 3))
    np.testing.assert_allclose(g_book, expected, atol=1e-7)


@pytest.mark.tensorflow_only
def test_gradient_reaches_the_encoder_through_the_quantizer(rng):
    import tensorflow as tf

    training.set_seed(0)
    m = models.vq_vae((8, 8), filters=(4, 8), code_dim=3, num_codes=5)
    x = rng.random((4, 8, 8)).astype(np.float32)
    with tf.GradientTape() as tape:
        rec = tf.reduce_mean(tf.square(m(x, training=True) - x))  # reconstruction only
    grads = tape.gradient(rec, m.encoder.trainable_variables)
    assert all(g is not None for g in grads)
    assert sum(float(tf.reduce_sum(tf.abs(g))) for g in grads) > 0


def test_vq_vae_shapes_bits_and_round_trips(rng):
    training.set_seed(0)
    m = models.vq_vae((28, 28), filters=(4, 8), code_dim=5, num_codes=16)
    assert m.grid_shape == (7, 7) and m.positions == 49 and m.bits_per_image == 49 * 4
    assert m.bits_per_image == metrics.index_bits(49, 16)
    x = rng.random((6, 28, 28)).astype(np.float32)
    idx = m.encode_indices(x)
    assert idx.shape == (6, 7, 7) and idx.dtype == np.int64
    assert idx.min() >= 0 and idx.max() < 16
    rec = m.reconstruct(x)
    np.testing.assert_allclose(m.decode_indices(idx), rec, atol=1e-6)
    np.testing.assert_allclose(m.decode(m.encode(x)), rec, atol=1e-6)
    m3 = models.vq_vae((28, 28), filters=(4, 4, 8), code_dim=5, num_codes=16)
    assert m3.grid_shape == (4, 4) and m3.reconstruct(x).shape == x.shape


def test_training_lowers_the_loss_and_tracks_vq_loss(rng):
    training.set_seed(0)
    m = models.vq_vae((8, 8), filters=(4, 8), code_dim=3, num_codes=5)
    x = rng.random((64, 8, 8)).astype(np.float32)
    h = training.fit(m, x, loss="mse", epochs=3, batch_size=16, learning_rate=2e-3,
                     progress=False)
    assert "vq_loss" in h.history and h.history["vq_loss"][-1] >= 0
    assert h.history["loss"][-1] < h.history["loss"][0]


def test_save_load_identical(tmp_path, rng):
    training.set_seed(0)
    m = models.vq_vae((8, 8), filters=(4, 8), code_dim=3, num_codes=5, beta=0.5)
    x = rng.random((8, 8, 8)).astype(np.float32)
    training.fit(m, x, loss="mse", epochs=1, batch_size=4, progress=False)
    m.save(tmp_path / "vq.keras")
    loaded = keras.models.load_model(tmp_path / "vq.keras", safe_mode=True)
    assert isinstance(loaded, models.VQVAE) and loaded.quantizer.beta == 0.5
    np.testing.assert_array_equal(loaded.encode_indices(x), m.encode_indices(x))
    np.testing.assert_array_equal(loaded.codebook, m.codebook)
    np.testing.assert_allclose(loaded.reconstruct(x), m.reconstruct(x), atol=1e-6)


def test_reset_dead_codes_revives_them(rng):
    training.set_seed(0)
    m = models.vq_vae((8, 8), filters=(4, 8), code_dim=3, num_codes=32)
    x = rng.random((40, 8, 8)).astype(np.float32)
    before = metrics.dead_codes(m.encode_indices(x), 32)
    assert before > 0  # a small random codebook: most codes are never the nearest
    n = m.reset_dead_codes(x, seed=0)
    assert n == before
    after = metrics.dead_codes(m.encode_indices(x), 32)
    assert after < before
    # the re-seeded codes are encoder outputs of x
    z = m.encode_continuous(x).reshape(-1, 3)
    d = ((m.codebook[:, None] - z[None]) ** 2).sum(-1).min(1)
    assert np.sum(d < 1e-10) >= n


def test_dead_code_reset_callback_skips_last_epoch(rng):
    training.set_seed(0)
    m = models.vq_vae((8, 8), filters=(4, 8), code_dim=3, num_codes=32)
    x = rng.random((32, 8, 8)).astype(np.float32)
    cb = models.DeadCodeReset(x, seed=1)
    training.fit(m, x, loss="mse", epochs=3, batch_size=16, progress=False, callbacks=[cb])
    assert len(cb.resets) == 2 and cb.resets[0] > 0


def test_codebook_metrics():
    idx = np.array([[0, 0], [1, 1]])
    np.testing.assert_array_equal(metrics.code_usage(idx, 4), [2, 2, 0, 0])
    assert metrics.perplexity(idx, 4) == pytest.approx(2.0)
    assert metrics.perplexity(np.arange(8), 8) == pytest.approx(8.0)
    assert metrics.perplexity(np.zeros(5, int), 8) == pytest.approx(1.0)
    assert metrics.dead_codes(idx, 4) == 2
    assert metrics.dead_codes(np.array([0, 0, 1]), 2, min_count=2) == 1
    assert metrics.index_bits(49, 64) == pytest.approx(294.0)


@pytest.mark.parametrize("call,exc,word", [
    (lambda: metrics.perplexity(np.array([0, 5]), 4), ValueError, "indices"),
    (lambda: metrics.perplexity(np.array([0.5, 1.0]), 4), TypeError, "indices"),
    (lambda: metrics.perplexity(np.array([], int), 4), ValueError, "indices"),
    (lambda: metrics.code_usage([0, 1], 0), ValueError, "num_codes"),
    (lambda: metrics.dead_codes([0, 1], 2, min_count=0), ValueError, "min_count"),
    (lambda: metrics.index_bits(0, 16), ValueError, "positions"),
    (lambda: metrics.index_bits(49, 1), ValueError, "num_codes"),
    (lambda: metrics.index_bits(49, 2.5), TypeError, "num_codes"),
    (lambda: models.VectorQuantizer(1, 4), ValueError, "num_codes"),
    (lambda: models.VectorQuantizer(8, 0), ValueError, "code_dim"),
    (lambda: models.VectorQuantizer(8, 4, beta=-1), ValueError, "beta"),
    (lambda: models.VectorQuantizer(8, 4, codebook_initializer="nope"), ValueError,
     "codebook_initializer"),
    (lambda: models.VectorQuantizer(8, 4)(np.zeros((2, 3, 3, 5), np.float32)), ValueError,
     "code_dim"),
    (lambda: models.vq_vae(num_codes=1), ValueError, "num_codes"),
    (lambda: models.vq_vae(code_dim=0), ValueError, "code_dim"),
    (lambda: models.vq_vae(filters=()), ValueError, "filters"),
    (lambda: models.vq_vae(image_shape=28), TypeError, "image_shape"),
    (lambda: models.vq_vae(activation="relux"), ValueError, "activation"),
    (lambda: models.DeadCodeReset(np.zeros((4, 8, 8)), min_count=0), ValueError, "min_count"),
])
def test_clear_errors(call, exc, word):
    with pytest.raises(exc, match=word):
        call()


def test_model_errors(rng):
    training.set_seed(0)
    m = models.vq_vae((8, 8), filters=(4, 8), code_dim=3, num_codes=5)
    with pytest.raises(ValueError, match="indices"):
        m.decode_indices(np.zeros((2, 3, 3), int))
    with pytest.raises(ValueError, match="indices"):
        m.decode_indices(np.full((2, 2, 2), 5))
    with pytest.raises(TypeError, match="indices"):
        m.decode_indices(np.zeros((2, 2, 2)))
    with pytest.raises(TypeError, match="quantizer"):
        models.VQVAE(m.encoder, keras.layers.Dense(3), m.decoder)
    with pytest.raises(ValueError, match="code_dim"):
        models.VQVAE(m.encoder, models.VectorQuantizer(5, 4), m.decoder)
    with pytest.raises(ValueError, match="min_count"):
        m.reset_dead_codes(rng.random((2, 8, 8)), min_count=0)
