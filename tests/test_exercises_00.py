"""Lesson 00's exercises reject plausible wrong answers and only hint while unsolved."""
import numpy as np
import pytest
from exercise_harness import run_check

from course_lib import checks, data

LESSON = "00_start_here"


@pytest.fixture(scope="module")
def x_test():
    return data.load_fashion_mnist(subset=10, test_subset=500).x_test


def test_pixels_per_image_rejects_one_axis_and_hints_when_unsolved():
    assert "TODO" in run_check(LESSON, "Exercise 1: pixels per image", {"pixels_per_image": None})
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, "Exercise 1: pixels per image", {"pixels_per_image": 28})
    assert "PASS" in run_check(LESSON, "Exercise 1: pixels per image", {"pixels_per_image": 784})


@pytest.mark.parametrize("sigma", [0.05, 0.5])  # too little noise, too much
def test_noise_level_outside_the_band_is_rejected(sigma, x_test):
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, "Exercise 2: PSNR of the noisy images is at most 18 dB",
                  {"sigma": sigma, "x_test": x_test, "SEED": 0})


def test_noise_level_unsolved_and_solved(x_test):
    ns = {"x_test": x_test, "SEED": 0}
    out = run_check(LESSON, "Exercise 2: PSNR of the noisy images is at most 18 dB",
                    {"sigma": None, **ns})
    assert out.count("TODO") == 2 and "FAIL" not in out
    assert run_check(LESSON, "Exercise 2: PSNR of the noisy images is at most 18 dB",
                     {"sigma": 0.2, **ns}).count("PASS") == 2
    assert np.isfinite(x_test).all()
