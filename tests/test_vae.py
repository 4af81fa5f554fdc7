import keras
import numpy as np
import pytest

from course_lib import metrics, models, training, widgets


@pytest.fixture
def images(rng):
    """32 8x8 'images' in [0, 1]."""
    return rng.random((32, 8, 8)).astype(np.float32)


def test_kl_term_matches_numpy(rng):
    training.set_seed(0)
    m = models.vae(6, latent_dim=3, hidden=(5,))
    x = rng.random((4, 6)).astype(np.float32)
    mu, log_var = m.posterior(x)
    assert mu.shape == log_var.shape == (4, 3)
    # push log_var away from its zero start so the sigma^2 - log sigma^2 part is exercised
    m.encoder.get_layer("z_log_var").kernel.assign(rng.normal(size=(5, 3)).astype(np.float32))
    mu, log_var = m.posterior(x)
    expected = 0.5 * (mu ** 2 + np.exp(log_var) - 1.0 - log_var).sum(axis=1)
    np.testing.assert_allclose(m.elbo_terms(x)["kl"], expected, rtol=1e-5)
    _, kl = m.loss_terms(x)
    np.testing.assert_allclose(float(kl), expected.mean(), rtol=1e-5)
    np.testing.assert_allclose(m.kl_per_dimension(x).sum(), expected.mean(), rtol=1e-5)
    assert np.all(expected >= 0) and expected.max() > 0  # KL >= 0, and not all zero here


def test_reconstruction_term_is_bce_summed_over_pixels(rng):
    training.set_seed(0)
    m = models.vae(6, latent_dim=2, hidden=(4,))
    x = rng.random((5, 6)).astype(np.float32)
    terms = m.elbo_terms(x, samples=3, seed=1)
    assert set(terms) == {"reconstruction", "kl", "elbo"}
    np.testing.assert_allclose(terms["elbo"], -(terms["reconstruction"] + terms["kl"]))
    # with sigma -> 0 the sampled code is mu, so the term is the BCE of the reconstruction
    m.encoder.get_layer("z_log_var").bias.assign(np.full(2, -30.0, np.float32))
    rec = m.elbo_terms(x)["reconstruction"]
    np.testing.assert_allclose(rec, 6 * metrics.bce(x, m.reconstruct(x), per_example=True),
                               rtol=1e-4)


@pytest.mark.slow
def test_training_tracks_both_terms_and_saves(images, tmp_path):
    training.set_seed(0)
    m = models.conv_vae((8, 8), latent_dim=2, filters=(4,), beta=2.0)
    h = training.fit(m, images, loss=None, epochs=2, batch_size=16, progress=False,
                     validation=images[:8])
    for key in ("loss", "reconstruction", "kl", "val_reconstruction", "val_kl"):
        assert key in h.history and len(h.history[key]) == 2
    assert {t.name for t in m.metrics} == {"loss", "reconstruction", "kl"}
    # the tracked loss is reconstruction + beta * KL (same batches, same samples)
    np.testing.assert_allclose(h.history["val_loss"][-1], h.history["val_reconstruction"][-1]
                               + 2.0 * h.history["val_kl"][-1], rtol=1e-4)
    path = tmp_path / "vae.keras"
    m.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert isinstance(loaded, models.VAE) and loaded.beta == 2.0 and loaded.code_size == 2
    np.testing.assert_allclose(loaded.encode(images), m.encode(images), atol=1e-6)
    np.testing.assert_allclose(loaded.reconstruct(images), m.reconstruct(images), atol=1e-6)
    training.fit(loaded, images, loss=None, epochs=1, batch_size=16, progress=False)


def test_inference_is_deterministic_and_decodes_mu(images):
    training.set_seed(0)
    m = models.vae((8, 8), latent_dim=3, hidden=(6,))
    np.testing.assert_array_equal(m.reconstruct(images), m.reconstruct(images))
    np.testing.assert_allclose(m.reconstruct(images), m.decode(m.encode(images)), atol=1e-6)
    assert m.reconstruct(images).shape == images.shape
    a, b = m.sample(5, seed=3), m.sample(5, seed=3)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (5, 8, 8) and a.min() >= 0 and a.max() <= 1


def test_sampling_layer_statistics_and_seed():
    mu = np.tile(np.float32([[2.0, -1.0]]), (20000, 1))
    log_var = np.full_like(mu, np.log(0.25))
    z = keras.ops.convert_to_numpy(models.Sampling(seed=1)([mu, log_var]))
    np.testing.assert_allclose(z.mean(0), [2.0, -1.0], atol=0.02)
    np.testing.assert_allclose(z.std(0), [0.5, 0.5], atol=0.02)
    again = keras.ops.convert_to_numpy(models.Sampling(seed=1)([mu, log_var]))
    np.testing.assert_array_equal(z, again)
    assert models.Sampling.from_config(models.Sampling(seed=4).get_config()).seed == 4
    with pytest.raises(ValueError, match="seed"):
        models.Sampling(seed=-1)


def test_conv_vae_shapes():
    m = models.conv_vae((28, 28, 1), latent_dim=4, filters=(8, 16))
    assert m.encoder.input.shape == (None, 28, 28, 1)
    assert [tuple(o.shape) for o in m.encoder.outputs] == [(None, 4), (None, 4)]
    assert m.decoder.output.shape == (None, 28, 28, 1)
    assert models.conv_vae((28, 28), 2).decoder.output.shape == (None, 28, 28)


@pytest.mark.parametrize("fn,kwargs,exc,word", [
    ("vae", dict(input_dim=12, beta=-0.1), ValueError, "beta"),
    ("vae", dict(input_dim=12, latent_dim=0), ValueError, "latent_dim"),
    ("vae", dict(input_dim=12, latent_dim=2.5), TypeError, "latent_dim"),
    ("vae", dict(input_dim=0), ValueError, "input_dim"),
    ("vae", dict(input_dim=12, hidden=(0,)), ValueError, r"hidden\[0\]"),
    ("vae", dict(input_dim=12, activation="wiggle"), ValueError, "activation"),
    ("vae", dict(input_dim=12, seed=-1), ValueError, "seed"),
    ("conv_vae", dict(image_shape=(28, 28), beta=-1.0), ValueError, "beta"),
    ("conv_vae", dict(image_shape=(28, 28), latent_dim=0), ValueError, "latent_dim"),
    ("conv_vae", dict(image_shape=(30, 30), filters=(8, 16)), ValueError, "image_shape"),
    ("conv_vae", dict(image_shape=(784,)), TypeError, "image_shape"),
    ("conv_vae", dict(image_shape=(28, 28, 0)), ValueError, "image_shape"),
    ("conv_vae", dict(image_shape=(28, 28), filters=()), ValueError, "filters"),
])
def test_bad_input(fn, kwargs, exc, word):
    with pytest.raises(exc, match=word):
        getattr(models, fn)(**kwargs)


def test_vae_class_rejects_wrong_parts_and_a_loss():
    plain = models.dense_autoencoder(6, 2)
    with pytest.raises(ValueError, match=r"\[mu, log_var\]"):
        models.VAE(plain.encoder, plain.decoder)
    m = models.vae(6, 2, hidden=(4,))
    with pytest.raises(ValueError, match="decoder"):
        models.VAE(m.encoder, models.dense_autoencoder(6, 3).decoder)
    with pytest.raises(ValueError, match="loss must be None"):
        m.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="n must be"):
        m.sample(0)


def test_frechet_distance():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4000, 3))
    assert metrics.frechet_distance(a, a) < 1e-6
    b = rng.normal(size=(4000, 3)) * 2.0 + 1.0
    # N(0, I) vs N(1, 4I): 3 * 1 + 3 * (1 + 4 - 2 * 2) = 6
    assert abs(metrics.frechet_distance(rng.normal(size=(200000, 3)),
                                        rng.normal(size=(200000, 3)) * 2.0 + 1.0) - 6.0) < 0.1
    assert metrics.frechet_distance(a, b) > 5
    with pytest.raises(ValueError, match="columns"):
        metrics.frechet_distance(a, b[:, :2])
    with pytest.raises(ValueError, match="more rows"):
        metrics.frechet_distance(a[:3], b)


def test_latent_explorer_headless():
    training.set_seed(0)
    m = models.vae(16, latent_dim=2, hidden=(8,))
    codes = np.random.default_rng(0).normal(size=(20, 2))
    ex = widgets.latent_explorer(m, span=(-2, 2), steps=5, codes=codes, labels=np.arange(20) % 10)
    assert set(ex.controls) == {"z1", "z2"}
    ex.controls["z1"].value = 1.0
    ex.controls["z2"].value = -1.0
    np.testing.assert_allclose(ex.result["z"], [1.0, -1.0])
    np.testing.assert_allclose(ex.result["image"], m.decode(np.float32([[1.0, -1.0]]))[0]
                               .reshape(4, 4), atol=1e-6)
    r = ex.compute(z1=0.0, z2=0.0)
    assert r["image"].shape == (4, 4)
    with pytest.raises(ValueError, match="2-number code"):
        widgets.latent_explorer(models.vae(16, latent_dim=3))
    with pytest.raises(ValueError, match="span"):
        widgets.latent_explorer(m, span=(1, -1))
    with pytest.raises(ValueError, match="codes"):
        widgets.latent_explorer(m, codes=np.zeros((5, 3)))
    with pytest.raises(ValueError, match="labels"):
        widgets.latent_explorer(m, labels=np.zeros(5))


@pytest.mark.slow
def test_beta_explorer_headless(images):
    ex = widgets.beta_explorer(images, images[:6], betas=(0.5, 4.0), kind="conv", latent_dim=2,
                               filters=(4,), epochs=1, n_images=3, progress=False)
    assert set(ex.models) == set(ex.results) == {0.5, 4.0}
    ex.controls["beta"].value = 4.0
    r = ex.result
    assert r["beta"] == 4.0 and r["model"].beta == 4.0
    assert r["samples"].shape == r["reconstructions"].shape == (3, 8, 8)
    assert r["rate"] >= 0 and r["distortion"] > 0
    assert ex.compute(beta=0.5)["beta"] == 0.5
    with pytest.raises(ValueError, match="beta must be one of"):
        ex.compute(beta=2.0)
    flat = images.reshape(len(images), -1)
    dense = widgets.beta_explorer(flat, flat[:4], betas=(1.0,), kind="dense", latent_dim=2,
                                  hidden=(8,), epochs=1, n_images=2, progress=False)
    assert dense.result["reconstructions"].shape == (2, 64)


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(betas=(1.0, -1.0)), ValueError, r"betas\[1\]"),
    (dict(betas=(1.0, 1.0)), ValueError, "repeat"),
    (dict(betas=()), TypeError, "betas"),
    (dict(kind="gan"), ValueError, "kind"),
    (dict(epochs=0), ValueError, "epochs"),
])
def test_beta_explorer_bad_input(images, kwargs, exc, word):
    with pytest.raises(exc, match=word):
        widgets.beta_explorer(images, images[:4], n_images=2, progress=False, **kwargs)


def test_beta_explorer_conv_needs_images(images):
    flat = images.reshape(len(images), -1)
    with pytest.raises(ValueError, match="flatten=False"):
        widgets.beta_explorer(flat, flat, kind="conv", progress=False)
