import keras
import numpy as np
import pytest

from course_lib import metrics, models, training


@pytest.fixture
def small(rng):
    return rng.random((64, 12)).astype(np.float32)


@pytest.mark.slow
@pytest.mark.tensorflow_only
def test_aae_trains_with_fit_and_reports_three_losses(small):
    training.set_seed(0)
    m = models.adversarial_autoencoder(12, 2, hidden=(8,), discriminator_hidden=(8,))
    h = training.fit(m, small, loss=None, epochs=2, batch_size=32, validation=small, progress=False)
    assert {"loss", "disc_loss", "gen_loss", "disc_accuracy", "val_loss"} <= set(h.history)
    assert all(np.isfinite(v[-1]) for v in h.history.values())
    assert isinstance(m.discriminator, keras.Model)
    # the three optimizers are distinct and all stepped
    assert int(m.optimizer.iterations) == int(m.disc_optimizer.iterations) == \
        int(m.gen_optimizer.iterations) == 4


def test_aae_inference_is_deterministic(small):
    m = models.adversarial_autoencoder(12, 3, hidden=(8,))
    np.testing.assert_array_equal(m.encode(small), m.encode(small))
    np.testing.assert_allclose(m.reconstruct(small), m.decode(m.encode(small)), atol=1e-6)


@pytest.mark.parametrize("prior", ["gaussian", "mixture"])
def test_prior_samples(prior):
    m = models.adversarial_autoencoder(12, 2, hidden=(8,), prior=prior, prior_scale=2.0)
    a, b = m.sample_prior(500, seed=1), m.sample_prior(500, seed=1)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (500, 2) and a.dtype == np.float32
    if prior == "gaussian":
        assert abs(a.std() - 2.0) < 0.2
    else:  # 10 components on a circle of radius 2 * scale = 4
        assert abs(np.linalg.norm(a, axis=1).mean() - 4.0) < 0.3
    batch = keras.ops.convert_to_numpy(m._prior_batch(500))
    assert batch.shape == (500, 2) and metrics.mmd(batch, a, bandwidth=2.0) < 0.2


def test_saved_config_keeps_discriminator_and_prior(tmp_path):
    m = models.adversarial_autoencoder(12, 2, hidden=(8,), prior="mixture", adversarial_weight=0.3)
    m.save(tmp_path / "aae.keras")
    loaded = keras.models.load_model(tmp_path / "aae.keras", safe_mode=True)
    assert isinstance(loaded, models.AdversarialAutoencoder)
    assert loaded.prior == "mixture" and loaded.adversarial_weight == 0.3
    z = np.zeros((3, 2), np.float32)
    np.testing.assert_allclose(loaded.discriminator.predict(z, verbose=0),
                               m.discriminator.predict(z, verbose=0), atol=1e-6)


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(prior="uniform"), ValueError, "prior must be one of"),
    (dict(prior=None), TypeError, "prior"),
    (dict(prior_scale=0.0), ValueError, "prior_scale"),
    (dict(adversarial_weight=-1.0), ValueError, "adversarial_weight"),
    (dict(reconstruction_loss="huber"), ValueError, "reconstruction_loss"),
    (dict(discriminator_hidden=(8, 0)), ValueError, r"discriminator_hidden\[1\]"),
    (dict(code_size=0), ValueError, "code_size"),
    (dict(code_size=1, prior="mixture"), ValueError, "code_size >= 2"),
    (dict(seed=-1), ValueError, "seed"),
])
def test_aae_bad_input(kwargs, exc, word):
    args = dict(input_dim=12, code_size=2, hidden=(8,)) | kwargs
    with pytest.raises(exc, match=word):
        models.adversarial_autoencoder(**args)


def test_aae_class_checks_its_parts():
    base = models.dense_autoencoder(12, 2)
    z = keras.Input((3,))
    wrong = keras.Model(z, keras.layers.Dense(1)(z))
    with pytest.raises(ValueError, match="discriminator must take codes"):
        models.AdversarialAutoencoder(base.encoder, base.decoder, wrong)
    with pytest.raises(TypeError, match="discriminator must be a keras.Model"):
        models.AdversarialAutoencoder(base.encoder, base.decoder, "D")
    m = models.adversarial_autoencoder(12, 2)
    for bad, exc in ((0, ValueError), (2.5, TypeError)):
        with pytest.raises(exc, match="n must"):
            m.sample_prior(bad)


def test_mmd(rng):
    a = rng.normal(size=(300, 2))
    b = rng.normal(size=(300, 2))
    assert metrics.mmd(a, a) == pytest.approx(0.0, abs=1e-6)
    assert metrics.mmd(a, b) == pytest.approx(metrics.mmd(b, a))
    assert metrics.mmd(a, b + 2.0) > 5 * metrics.mmd(a, b)
    # hand-computed value for two single points: MMD^2 = 2 - 2 k(x, y)
    d = metrics.mmd([[0.0]], [[1.0]], bandwidth=0.5)
    assert d == pytest.approx(np.sqrt(2 - 2 * np.exp(-1 / (2 * 0.25))))
    # a wider kernel sees less of the same shift
    assert metrics.mmd(a, b + 1.0, bandwidth=10.0) < metrics.mmd(a, b + 1.0, bandwidth=1.0)


@pytest.mark.parametrize("a,b,kw,exc,word", [
    (np.zeros((3, 2)), np.zeros((3, 3)), {}, ValueError, "same number of columns"),
    (np.zeros(3), np.zeros((3, 1)), {}, ValueError, "a must have ndim 2"),
    (np.zeros((3, 2)), np.zeros((3, 2)), dict(bandwidth=0.0), ValueError, "bandwidth"),
    (np.zeros((3, 2)), np.zeros((3, 2)), dict(bandwidth="1"), TypeError, "bandwidth"),
    (np.zeros((3, 2)), "b", {}, TypeError, "b must be an array"),
    (np.zeros((3, 2)), np.full((3, 2), np.nan), {}, ValueError, "NaN"),
])
def test_mmd_bad_input(a, b, kw, exc, word):
    with pytest.raises(exc, match=word):
        metrics.mmd(a, b, **kw)


@pytest.mark.slow
@pytest.mark.tensorflow_only
def test_trained_aae_saves_loads_and_trains_on(small, tmp_path):
    training.set_seed(0)
    m = models.adversarial_autoencoder(12, 2, hidden=(8,), discriminator_hidden=(8,))
    training.fit(m, small, loss=None, epochs=1, batch_size=32, progress=False)
    m.save(tmp_path / "trained.keras")
    loaded = keras.models.load_model(tmp_path / "trained.keras", safe_mode=True)
    np.testing.assert_allclose(loaded.reconstruct(small), m.reconstruct(small), atol=1e-6)
    # the three optimizers come back with their step counts, and training continues
    assert int(loaded.optimizer.iterations) == int(loaded.gen_optimizer.iterations) == 2
    training.fit(loaded, small, loss=None, epochs=1, batch_size=32, progress=False)
    assert int(loaded.disc_optimizer.iterations) == 4


@pytest.mark.skipif(keras.backend.backend() == "tensorflow",
                    reason="the refusal is for the other backends (run under KERAS_BACKEND=jax)")
def test_aae_refuses_to_train_on_another_backend_but_loads(small, tmp_path):
    m = models.adversarial_autoencoder(12, 2, hidden=(8,), discriminator_hidden=(8,))
    with pytest.raises(RuntimeError, match="TensorFlow backend only.*KERAS_BACKEND=tensorflow"):
        training.fit(m, small, loss=None, epochs=1, progress=False)
    m.save(tmp_path / "aae.keras")
    loaded = keras.models.load_model(tmp_path / "aae.keras", safe_mode=True)
    np.testing.assert_allclose(loaded.reconstruct(small), m.reconstruct(small), atol=1e-6)
