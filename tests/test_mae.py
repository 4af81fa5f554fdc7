"""Masked autoencoder (course_lib.models.mae) and the linear probe (course_lib.metrics.probes)."""
import keras
import numpy as np
import pytest

from course_lib import metrics, models, training, widgets
from course_lib.models import mae


@pytest.fixture(scope="module")
def model():
    training.set_seed(0)
    return models.masked_autoencoder((12, 12), 4, dim=8, depth=1, num_heads=2, decoder_dim=8,
                                     mask_ratio=0.5)


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).random((6, 12, 12)).astype(np.float32)


# --- patches -----------------------------------------------------------------------------
def test_patchify_order_and_roundtrip():
    x = np.arange(2 * 4 * 4, dtype=np.float32).reshape(2, 4, 4)
    p = mae.patchify(x, 2)
    assert p.shape == (2, 4, 4)
    np.testing.assert_array_equal(p[0, 0], [0, 1, 4, 5])       # top-left patch, row-major
    np.testing.assert_array_equal(p[0, 1], [2, 3, 6, 7])       # its right neighbour
    np.testing.assert_array_equal(mae.unpatchify(p, 2, (4, 4)), x)
    np.testing.assert_array_equal(mae.patchify(x.reshape(2, 16), 2, (4, 4)), p)


def test_patch_layers_match_numpy_and_invert(images):
    layer, inverse = models.Patchify(4, (12, 12)), models.Unpatchify(4, (12, 12))
    p = keras.ops.convert_to_numpy(layer(images))
    np.testing.assert_array_equal(p, mae.patchify(images, 4))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(inverse(p)), images)
    colour = np.random.default_rng(1).random((2, 8, 8, 3)).astype(np.float32)
    pc = keras.ops.convert_to_numpy(models.Patchify(4, (8, 8, 3))(colour))
    assert pc.shape == (2, 4, 48)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(models.Unpatchify(4, (8, 8, 3))(pc)),
                                  colour)


def test_pixel_mask_covers_exactly_the_hidden_patches():
    mask = np.array([[True, False, False, True]])
    pixels = mae.patch_mask_to_pixels(mask, 2, (4, 4))
    assert pixels.shape == (1, 4, 4) and pixels.sum() == 8
    assert pixels[0, :2, :2].all() and not pixels[0, :2, 2:].any() and pixels[0, 2:, 2:].all()


# --- masks -------------------------------------------------------------------------------
@pytest.mark.parametrize("patches,ratio,hidden", [(16, 0.75, 12), (49, 0.75, 37), (16, 0.25, 4),
                                                  (9, 0.5, 5), (16, 0.5, 8)])
def test_mask_ratio_is_exact_in_every_row(patches, ratio, hidden):
    assert mae.num_masked(patches, ratio) == hidden
    m = mae.random_patch_mask(500, patches, ratio, seed=3)
    assert m.dtype == bool and (m.sum(axis=1) == hidden).all()
    assert len({row.tobytes() for row in m}) > 100  # a different mask per example
    np.testing.assert_array_equal(m, mae.random_patch_mask(500, patches, ratio, seed=3))
    # every patch is hidden about equally often: the mask is uniform over positions
    assert np.abs(m.mean(axis=0) - hidden / patches).max() < 0.1


def test_model_masks_are_exact_fresh_in_training_and_fixed_in_inference(model, images):
    out = model(images)
    assert out["patches"].shape == (6, 9, 16) and out["mask"].shape == (6, 9)
    hidden = keras.ops.convert_to_numpy(out["mask"])
    assert set(np.unique(hidden)) <= {0.0, 1.0} and (hidden.sum(axis=1) == model.num_masked).all()
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model(images)["mask"]), hidden)
    a = keras.ops.convert_to_numpy(model(images, training=True)["mask"])
    b = keras.ops.convert_to_numpy(model(images, training=True)["mask"])
    assert (a.sum(axis=1) == model.num_masked).all() and not np.array_equal(a, b)


# --- the encoder sees only visible patches -------------------------------------------------
def test_encoder_gets_one_token_per_visible_patch(model, images):
    for ratio in (0.25, 0.5, 0.75):
        mask = model.random_mask(len(images), ratio, seed=1)
        tokens = model.encode_visible(images, mask)
        assert tokens.shape == (6, model.num_patches - mae.num_masked(9, ratio), model.dim)
    assert model.features(images).shape == (6, model.dim) == (6, model.code_size)


def test_hidden_pixels_cannot_influence_the_prediction(model, images):
    mask = model.random_mask(len(images), seed=2)
    pixels = mae.patch_mask_to_pixels(mask, 4, (12, 12))
    scrambled = np.where(pixels, 1.0 - images, images)  # change every hidden pixel
    np.testing.assert_allclose(model.predict_patches(scrambled, mask),
                               model.predict_patches(images, mask), atol=1e-6)
    shown = np.where(pixels, images, 1.0 - images)  # change every visible pixel instead
    moved = model.predict_patches(shown, mask) - model.predict_patches(images, mask)
    assert np.abs(moved).max() > 1e-3


def test_reconstruct_keeps_visible_pixels_and_returns_the_mask(model, images):
    filled, mask = model.reconstruct(images, mask_ratio=0.5, seed=4)
    assert filled.shape == images.shape and mask.shape == (6, 9)
    pixels = mae.patch_mask_to_pixels(mask, 4, (12, 12))
    np.testing.assert_array_equal(filled[~pixels], images[~pixels])
    pred = mae.unpatchify(model.predict_patches(images, mask), 4, (12, 12))
    np.testing.assert_allclose(filled[pixels], pred[pixels], atol=1e-6)
    flat, _ = model.reconstruct(images.reshape(6, -1), mask=mask)
    np.testing.assert_allclose(flat, filled.reshape(6, -1), atol=1e-6)
    assert model.reconstruct(images).shape == images.shape  # the Autoencoder convention


# --- the loss is on hidden patches only ----------------------------------------------------
def test_loss_ignores_visible_patch_predictions():
    rng = np.random.default_rng(0)
    target = rng.random((4, 9, 16)).astype(np.float32)
    pred = rng.random((4, 9, 16)).astype(np.float32)
    mask = mae.random_patch_mask(4, 9, 0.5, seed=0)
    loss = float(mae.masked_patch_mse(target, pred, mask))
    manual = ((pred - target) ** 2).mean(axis=2)[mask].mean()
    assert loss == pytest.approx(manual, rel=1e-5)
    other = np.where(mask[:, :, None], pred, 5.0)  # wild predictions at visible patches
    assert float(mae.masked_patch_mse(target, other, mask)) == pytest.approx(loss, rel=1e-6)
    worse = np.where(mask[:, :, None], pred + 0.5, pred)
    assert float(mae.masked_patch_mse(target, worse, mask)) > loss + 0.1


def test_compute_loss_is_the_masked_mse_of_the_forward_pass(model, images):
    y_pred = model(images)
    loss = float(model.compute_loss(images, images, y_pred, training=False))
    target = mae.patchify(images, 4)
    hidden = keras.ops.convert_to_numpy(y_pred["mask"]).astype(bool)
    err = ((keras.ops.convert_to_numpy(y_pred["patches"]) - target) ** 2).mean(axis=2)
    assert loss == pytest.approx(err[hidden].mean(), rel=1e-5)
    changed = {"patches": keras.ops.where(keras.ops.expand_dims(y_pred["mask"], -1) > 0,
                                          y_pred["patches"], 0.0),
               "mask": y_pred["mask"]}
    assert float(model.compute_loss(images, images, changed)) == pytest.approx(loss, rel=1e-6)


def test_masked_mse_matches_predictions(model, images):
    mask = model.random_mask(len(images), 0.75, seed=5)
    err = ((model.predict_patches(images, mask) - mae.patchify(images, 4)) ** 2).mean(axis=2)
    assert model.masked_mse(images, mask=mask) == pytest.approx(err[mask].mean(), rel=1e-5)
    assert model.masked_mse(images, mask_ratio=0.75, seed=5) == pytest.approx(
        model.masked_mse(images, mask=mask), rel=1e-6)


def test_training_lowers_the_masked_loss():
    # images with structure a model can learn: a bright left half or a bright top half
    rng = np.random.default_rng(0)
    x = np.zeros((256, 12, 12), np.float32)
    x[:128, :, :6] = 1.0
    x[128:, :6, :] = 1.0
    x = np.clip(x + 0.05 * rng.standard_normal(x.shape), 0, 1).astype(np.float32)
    training.set_seed(0)
    m = models.masked_autoencoder((12, 12), 4, dim=8, depth=1, num_heads=2, decoder_dim=8,
                                  mask_ratio=0.5)
    before = m.masked_mse(x, seed=1)
    history = training.fit(m, x, loss=None, epochs=15, batch_size=32, learning_rate=5e-3,
                           progress=False)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert m.masked_mse(x, seed=1) < 0.5 * before


# --- saving --------------------------------------------------------------------------------
def test_save_and_load_in_safe_mode_give_identical_outputs(tmp_path, images):
    training.set_seed(0)
    m = models.masked_autoencoder((12, 12), 4, dim=8, depth=2, num_heads=2, decoder_dim=8,
                                  mask_ratio=0.75, seed=3)
    training.fit(m, images, loss=None, epochs=1, progress=False)
    path = tmp_path / "mae.keras"
    m.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert isinstance(loaded, models.MaskedAutoencoder)
    assert (loaded.patch_size, loaded.mask_ratio, loaded.seed) == (4, 0.75, 3)
    mask = m.random_mask(len(images), 0.5, seed=9)
    np.testing.assert_allclose(loaded.predict_patches(images, mask),
                               m.predict_patches(images, mask), atol=1e-6)
    np.testing.assert_allclose(loaded.features(images), m.features(images), atol=1e-6)
    a, b = m(images), loaded(images)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(b["patches"]),
                               keras.ops.convert_to_numpy(a["patches"]), atol=1e-6)
    training.fit(loaded, images, loss=None, epochs=1, progress=False)  # it can train on


# --- bad arguments -------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(patch_size=5), ValueError, "patch_size must divide"),
    (dict(patch_size=28), ValueError, "single patch"),
    (dict(patch_size=0), ValueError, "patch_size"),
    (dict(mask_ratio=1.0), ValueError, "mask_ratio"),
    (dict(mask_ratio=0.0), ValueError, "mask_ratio"),
    (dict(patch_size=14, mask_ratio=0.1), ValueError, "hides 0 of 4"),
    (dict(mask_ratio="high"), TypeError, "mask_ratio"),
    (dict(dim=30, num_heads=4), ValueError, "num_heads must divide dim"),
    (dict(decoder_dim=30, num_heads=4), ValueError, "num_heads must divide decoder_dim"),
    (dict(depth=0), ValueError, "depth"),
    (dict(output_activation="softmax"), ValueError, "output_activation"),
    (dict(image_shape=28), TypeError, "image_shape"),
])
def test_builder_rejects_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        models.masked_autoencoder(**kwargs)


def test_methods_reject_bad_arguments(model, images):
    with pytest.raises(ValueError, match="loss must be None"):
        model.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="either mask or mask_ratio"):
        model.reconstruct(images, mask_ratio=0.5, mask=model.random_mask(6))
    with pytest.raises(ValueError, match="mask must be a boolean array of shape"):
        model.predict_patches(images, np.ones((6, 9), int))
    uneven = model.random_mask(6)
    uneven[0] = True
    uneven[0, 0] = False
    with pytest.raises(ValueError, match="same number of patches"):
        model.predict_patches(images, uneven)
    with pytest.raises(ValueError, match="x must hold images of shape"):
        model.features(np.zeros((2, 28, 28), np.float32))
    with pytest.raises(ValueError, match="mask_ratio"):
        model.reconstruct(images, mask_ratio=0.99)
    with pytest.raises(TypeError, match="positions"):
        model.decode(np.zeros((2, 8)))
    with pytest.raises(ValueError, match="patches must have shape"):
        mae.unpatchify(np.zeros((2, 5, 16)), 4, (12, 12))
    with pytest.raises(ValueError, match="image_shape is required"):
        mae.patchify(np.zeros((2, 144)), 4)


# --- the explorer ----------------------------------------------------------------------------
def test_mask_ratio_explorer_caches_each_ratio(model, images):
    pytest.importorskip("ipywidgets")
    e = widgets.mask_ratio_explorer(model, images, ratios=(0.25, 0.75), n_images=3, seed=1)
    r = e.compute(mask_ratio=0.25)
    assert r["masked"].shape == (3, 12, 12) and r["mse"] == pytest.approx(
        model.masked_mse(images, mask_ratio=0.25, seed=1), rel=1e-6)
    e.controls["mask_ratio"].value = 0.25
    assert e.result["mask_ratio"] == 0.25
    with pytest.raises(ValueError, match="mask_ratio must be one of"):
        e.compute(mask_ratio=0.5)
    with pytest.raises(TypeError, match="MaskedAutoencoder"):
        widgets.mask_ratio_explorer(models.dense_autoencoder(4, 2), images)


# --- the linear probe ------------------------------------------------------------------------
def test_linear_probe_separates_separable_classes_and_fails_on_noise():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 600)
    informative = np.eye(3)[y] * 3 + rng.standard_normal((600, 3))
    noise = rng.standard_normal((600, 3))
    assert metrics.linear_probe_accuracy(informative[:400], y[:400], informative[400:],
                                         y[400:]) > 0.9
    assert metrics.linear_probe_accuracy(noise[:400], y[:400], noise[400:], y[400:]) < 0.5
    # deterministic, and scale-free (features are standardized)
    a = metrics.linear_probe_accuracy(informative[:400], y[:400], informative[400:], y[400:])
    b = metrics.linear_probe_accuracy(100 * informative[:400], y[:400], 100 * informative[400:],
                                      y[400:])
    assert a == b


@pytest.mark.parametrize("args,kwargs,exc,word", [
    ((np.zeros((10, 3)), np.zeros(10, int), np.zeros((5, 4)), np.zeros(5, int)), {},
     ValueError, "same number of columns"),
    ((np.zeros((10, 3)), np.zeros(9, int), np.zeros((5, 3)), np.zeros(5, int)), {},
     ValueError, "y_train"),
    ((np.zeros((10, 3)), np.zeros(10), np.zeros((5, 3)), np.zeros(5, int)), {},
     TypeError, "y_train"),
    ((np.zeros((10, 3)), np.zeros(10, int), np.zeros((5, 3)), np.zeros(5, int)), {},
     ValueError, "at least 2 classes"),
    ((np.zeros((10, 3)), np.arange(10) % 2, np.zeros((5, 3)), np.zeros(5, int)),
     {"max_iter": 0}, ValueError, "max_iter"),
    ((np.zeros(10), np.arange(10) % 2, np.zeros((5, 3)), np.zeros(5, int)), {},
     ValueError, "train_features"),
])
def test_linear_probe_rejects_bad_arguments(args, kwargs, exc, word):
    with pytest.raises(exc, match=word):
        metrics.linear_probe_accuracy(*args, **kwargs)
