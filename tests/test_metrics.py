import numpy as np
import pytest

from course_lib import metrics


def test_mse_mae(tiny_images):
    assert metrics.mse(tiny_images, tiny_images) == 0
    shifted = tiny_images + 0.1
    assert metrics.mse(tiny_images, shifted) == pytest.approx(0.01, rel=1e-5)
    assert metrics.mae(tiny_images, shifted) == pytest.approx(0.1, rel=1e-5)
    per = metrics.mse(tiny_images, shifted, per_example=True)
    assert per.shape == (16,)


def test_bce_floor_is_positive_for_grey_pixels():
    x = np.full((2, 4), 0.5, np.float32)
    assert metrics.bce(x, x) == pytest.approx(np.log(2), rel=1e-5)
    binary = np.array([[0.0, 1.0]], np.float32)
    assert metrics.bce(binary, binary) < 1e-5


def test_psnr():
    x = np.zeros((3, 10), np.float32)
    assert metrics.psnr(x, x + 0.1) == pytest.approx(20.0, rel=1e-4)
    assert metrics.psnr(x, x) == pytest.approx(100.0)


@pytest.mark.parametrize("fn", [metrics.mse, metrics.mae, metrics.bce, metrics.psnr])
def test_shape_mismatch(fn, tiny_images):
    with pytest.raises(ValueError, match="same shape"):
        fn(tiny_images, tiny_images[:, :8])


def test_bad_inputs(tiny_images):
    with pytest.raises(ValueError, match=r"x_hat must hold values in \[0, 1\]"):
        metrics.bce(tiny_images, tiny_images + 2)
    with pytest.raises(ValueError, match="NaN"):
        metrics.mse(tiny_images, np.full_like(tiny_images, np.nan))
    with pytest.raises(TypeError, match="x must be an array of numbers"):
        metrics.mse("abc", tiny_images)
    with pytest.raises(ValueError, match="data_range"):
        metrics.psnr(tiny_images, tiny_images, data_range=0)
    with pytest.raises(ValueError, match="empty"):
        metrics.mse(np.zeros((0, 4)), np.zeros((0, 4)))


@pytest.mark.parametrize("kind", ["noisy", "blurred", "unrelated", "identical"])
def test_ssim_equals_tensorflows_reference(kind):
    """metrics.ssim is SSIM by its reference definition: the same number as tf.image.ssim
    (11 x 11 Gaussian window, sigma 1.5, valid region), within 1e-3, on 28 x 28 images."""
    import tensorflow as tf

    rng = np.random.default_rng(3)
    x = rng.random((24, 28, 28)).astype(np.float32)
    x = (x + np.roll(x, 1, axis=1) + np.roll(x, 1, axis=2)) / 3  # some local structure
    other = {"noisy": np.clip(x + rng.normal(0, 0.2, x.shape), 0, 1),
             "blurred": (x + np.roll(x, 2, axis=2)) / 2,
             "unrelated": rng.random(x.shape),
             "identical": x}[kind].astype(np.float32)
    ref = tf.image.ssim(tf.constant(x[..., None]), tf.constant(other[..., None]), max_val=1.0,
                        filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03).numpy()
    ours = metrics.ssim(x, other, per_example=True)
    np.testing.assert_allclose(ours, ref, atol=1e-3)
    assert abs(metrics.ssim(x, other) - ref.mean()) < 1e-3


def test_ssim_window_must_fit():
    with pytest.raises(ValueError, match="filter_size"):
        metrics.ssim(np.zeros((2, 8, 8)), np.zeros((2, 8, 8)))
