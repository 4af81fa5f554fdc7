"""Convolutional builder, SSIM and the noise explorer."""
import numpy as np
import pytest

from course_lib import metrics, models, training, widgets


@pytest.mark.parametrize("upsampling", models.UPSAMPLING)
@pytest.mark.parametrize("shape,code", [((8, 8), None), ((8, 8, 1), 5), ((8, 12, 3), None)])
def test_conv_autoencoder_shapes(shape, code, upsampling):
    m = models.conv_autoencoder(shape, (4, 6), code, upsampling=upsampling)
    x = np.random.default_rng(0).random((3,) + shape).astype(np.float32)
    assert m.reconstruct(x).shape == x.shape
    z = m.encode(x)
    assert z.shape == ((3, code) if code else (3, shape[0] // 4, shape[1] // 4, 6))
    np.testing.assert_allclose(m.decode(z), m.reconstruct(x), atol=1e-6)
    kinds = {type(layer).__name__ for layer in m.decoder.layers}
    assert ("Conv2DTranspose" in kinds) == (upsampling == "transpose")


@pytest.mark.slow
def test_conv_autoencoder_learns_a_little(rng):
    x = rng.random((64, 8, 8)).astype(np.float32)
    m = models.conv_autoencoder((8, 8), (4,))
    h = training.fit(m, x, epochs=5, batch_size=16, learning_rate=1e-2, progress=False)
    assert h.history["loss"][-1] < h.history["loss"][0]


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(image_shape=(28,)), TypeError, "image_shape"),
    (dict(image_shape=(28, 0)), ValueError, r"image_shape\[1\]"),
    (dict(image_shape=(30, 30), filters=(8, 16)), ValueError, "divisible"),
    (dict(filters=()), ValueError, "filters must not be empty"),
    (dict(code_size=0), ValueError, "code_size"),
    (dict(upsampling="bilinear"), ValueError, "upsampling must be one of"),
    (dict(kernel_size=9), ValueError, "kernel_size"),
    (dict(activation="swishy"), ValueError, "activation"),
])
def test_conv_autoencoder_bad_input(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        models.conv_autoencoder(**kwargs)


def test_ssim_identical_symmetric_and_falls_with_noise(rng):
    x = rng.random((5, 16, 16)).astype(np.float32)
    assert metrics.ssim(x, x) == pytest.approx(1.0, abs=1e-6)
    noisy = np.clip(x + 0.3 * rng.standard_normal(x.shape), 0, 1).astype(np.float32)
    a, b = metrics.ssim(x, noisy), metrics.ssim(noisy, x)
    assert a == pytest.approx(b, abs=1e-6) and a < 0.9
    very = np.clip(x + 0.6 * rng.standard_normal(x.shape), 0, 1).astype(np.float32)
    assert metrics.ssim(x, very) < a
    assert metrics.ssim(x.reshape(5, -1), noisy.reshape(5, -1)) == pytest.approx(a, abs=1e-6)


def test_ssim_of_flat_images_is_the_luminance_term():
    # constant images have zero variance, so SSIM = (2ab + C1) / (a^2 + b^2 + C1) exactly
    a, b, c1 = 0.3, 0.6, 0.01 ** 2
    x, y = np.full((2, 12, 12), a, np.float32), np.full((2, 12, 12), b, np.float32)
    expected = (2 * a * b + c1) / (a * a + b * b + c1)
    assert metrics.ssim(x, y) == pytest.approx(expected, rel=1e-5)
    assert metrics.ssim(x, y, per_example=True).shape == (2,)


@pytest.mark.parametrize("call,word", [
    (lambda: metrics.ssim(np.zeros((2, 10)), np.zeros((2, 10))), "square"),
    (lambda: metrics.ssim(np.zeros((2, 4, 4)), np.zeros((2, 4, 5))), "same shape"),
    (lambda: metrics.ssim(np.zeros(4), np.zeros(4)), "ndim"),
    (lambda: metrics.ssim(np.zeros((2, 4, 4)), np.zeros((2, 4, 4)), sigma=0), "sigma"),
    (lambda: metrics.ssim(np.full((2, 4, 4), np.nan), np.zeros((2, 4, 4))), "NaN"),
])
def test_ssim_bad_input(call, word):
    with pytest.raises((ValueError, TypeError), match=word):
        call()


def test_noise_explorer_slides_headlessly(rng):
    x = rng.random((20, 16)).astype(np.float32)
    model = models.dense_autoencoder(16, 4)
    ex = widgets.noise_explorer({"dense": model}, x, sigmas=(0.1, 0.4), n_images=3)
    assert ex.result["sigma"] == 0.4
    low = ex.compute(0.1)["psnr"]["noisy input"]
    ex.controls["sigma"].value = 0.1
    assert ex.result["sigma"] == 0.1
    assert low > ex.compute(0.4)["psnr"]["noisy input"]
    assert set(ex.result["psnr"]) == {"noisy input", "dense"}
    with pytest.raises(ValueError, match="sigma must be one of"):
        ex.compute(0.3)


@pytest.mark.parametrize("kwargs,word", [
    (dict(denoisers={}), "denoisers"),
    (dict(denoisers={"a": "model"}), r"denoisers\['a'\]"),
    (dict(sigmas=(0.1, 1.5)), r"sigmas\[1\]"),
    (dict(sigmas=(0.2, 0.2)), "distinct"),
    (dict(n_images=50), "n_images"),
])
def test_noise_explorer_bad_input(kwargs, word, rng):
    args = dict(denoisers={"d": models.dense_autoencoder(16, 4)},
                x=rng.random((20, 16)).astype(np.float32))
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=word):
        widgets.noise_explorer(**args)


def test_checkerboard_score():
    board = np.indices((8, 8)).sum(axis=0) % 2
    assert metrics.checkerboard_score(board[None].astype(np.float32)) == pytest.approx(1.0)
    stripes = np.tile([0.0, 1.0], (8, 4))
    assert metrics.checkerboard_score(stripes[None]) == pytest.approx(1.0)
    smooth = np.outer(np.linspace(0, 1, 8), np.linspace(0, 1, 8))[None]
    assert metrics.checkerboard_score(smooth) < 0.05
    assert metrics.checkerboard_score(np.zeros((2, 8, 8))) == 0.0
    assert metrics.checkerboard_score(np.zeros((3, 64)), per_example=True).shape == (3,)


@pytest.mark.parametrize("images,word", [
    (np.zeros((2, 7, 7)), "even"),
    (np.zeros((2, 10)), "square"),
    (np.zeros(5), "ndim"),
    (np.full((1, 4, 4), np.inf), "NaN or inf"),
])
def test_checkerboard_score_bad_input(images, word):
    with pytest.raises(ValueError, match=word):
        metrics.checkerboard_score(images)
