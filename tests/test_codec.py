import numpy as np
import pytest

from course_lib import codec


def test_quantizer_levels_and_error_bound():
    z = np.random.default_rng(0).normal(size=(100, 3)).astype(np.float32)
    q = codec.Quantizer(4).fit(z)
    levels = q.encode(z)
    assert levels.min() >= 0 and levels.max() <= 15
    step = (q.high - q.low) / 15
    assert np.all(np.abs(q.roundtrip(z) - z) <= step / 2 + 1e-6)
    assert q.bits_per_code(3) == 12
    assert np.all(q.roundtrip(z * 100) <= q.high + 1e-6)  # clipped to the fitted range


def test_quantizer_bad_input():
    with pytest.raises(ValueError, match="bits"):
        codec.Quantizer(0)
    with pytest.raises(ValueError, match="not fitted"):
        codec.Quantizer(2).encode(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="columns"):
        codec.Quantizer(2).fit(np.zeros((3, 2))).encode(np.zeros((1, 3)))


def test_jpeg_roundtrip_sizes_and_quality():
    x = np.random.default_rng(0).random((3, 16, 16)).astype(np.float32)
    low, low_bits = codec.jpeg_roundtrip(x, 10)
    high, high_bits = codec.jpeg_roundtrip(x.reshape(3, 256), 90)
    assert low.shape == x.shape and high.shape == (3, 256)
    assert np.all(high_bits > low_bits)
    assert np.abs(high.reshape(x.shape) - x).mean() < np.abs(low - x).mean()
    with pytest.raises(ValueError, match="quality"):
        codec.jpeg_roundtrip(x, 0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        codec.jpeg_roundtrip(x * 255, 50)
