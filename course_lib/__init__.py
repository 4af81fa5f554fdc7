"""course_lib: the small library every lesson of the autoencoder course imports.

Modules (import the one you need; nothing heavy is imported here):
    data      Fashion-MNIST loader, the customers x products table, noise and masking
    models    Keras 3 builders; every builder returns an ``Autoencoder`` exposing
              ``.encoder`` and ``.decoder``
    training  ``set_seed`` and ``fit``
    metrics   MSE, BCE, MAE, PSNR, ...
    plots     reconstruction grids, loss curves
    widgets   interactive explorers (sliders) built on plain compute functions
    checks    ``check`` / ``exercise``: deterministic PASS lines for nbval
"""
import os as _os

# Keras reads its backend at first import; the course is written for TensorFlow but keeps the
# library backend-agnostic where that costs nothing. Respect a choice the user already made.
_os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# TensorFlow's C++ start-up chatter is noise in a notebook; warnings from Python still show.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
__all__ = ["checks", "data", "metrics", "models", "plots", "training", "widgets"]


def __getattr__(name):
    # Lazy submodules: ``import course_lib; course_lib.metrics`` works without importing
    # TensorFlow until a module that needs it is touched.
    if name in __all__:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'course_lib' has no attribute {name!r}")
