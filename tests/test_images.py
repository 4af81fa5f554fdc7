import numpy as np
import pytest

from course_lib import data


def test_downsample_averages_blocks():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
    np.testing.assert_allclose(data.downsample(x, 2)[0], [[2.5, 4.5], [10.5, 12.5]])
    assert data.downsample(np.zeros((2, 6, 6, 3)), 3).shape == (2, 2, 2, 3)
    with pytest.raises(ValueError, match="factor must divide"):
        data.downsample(np.zeros((1, 5, 5)), 2)
    with pytest.raises(ValueError, match="factor"):
        data.downsample(np.zeros((1, 4, 4)), 1)
    with pytest.raises(ValueError, match="ndim"):
        data.downsample(np.zeros((4, 4)), 2)


def test_upsample_bicubic_keeps_flat_images_flat():
    up = data.upsample_bicubic(np.full((2, 7, 7), 0.3, np.float32), 14)
    assert up.shape == (2, 14, 14) and np.allclose(up, 0.3, atol=1e-5)
    assert data.upsample_bicubic(np.zeros((1, 2, 3)), (4, 6)).shape == (1, 4, 6)
    with pytest.raises(ValueError, match=r"size\[0\]"):
        data.upsample_bicubic(np.zeros((1, 2, 2)), 0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        data.upsample_bicubic(np.full((1, 2, 2), 5.0), 4)


def test_image_patches():
    img = np.arange(6 * 8 * 3, dtype=np.float32).reshape(6, 8, 3)
    p = data.image_patches(img, 2, stride=2, columns=(4, 8))
    assert p.shape == (3 * 2, 2, 2, 3)
    np.testing.assert_array_equal(p[0], img[0:2, 4:6])
    with pytest.raises(ValueError, match="columns"):
        data.image_patches(img, 2, stride=1, columns=(7, 8))
    with pytest.raises(ValueError, match="size"):
        data.image_patches(img, 7, stride=1)


def test_ycbcr_round_trip_and_gray():
    rgb = np.random.default_rng(0).random((10, 3)).astype(np.float32)
    ycc = data.rgb_to_ycbcr(rgb)
    np.testing.assert_allclose(data.ycbcr_to_rgb(ycc), rgb, atol=2e-3)
    gray = data.rgb_to_ycbcr(np.full((1, 3), 0.4, np.float32))
    np.testing.assert_allclose(gray, [[0.4, 0.5, 0.5]], atol=1e-6)
    with pytest.raises(ValueError, match="3 channels"):
        data.rgb_to_ycbcr(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="3 channels"):
        data.ycbcr_to_rgb(np.zeros((2, 2)))
