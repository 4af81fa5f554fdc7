"""course_lib: the small library every lesson of the autoencoder course imports.

Modules (import the one you need; nothing heavy is imported here). Arrows below point from a
module to those it builds on; the graph has no cycle (tests/test_import_graph.py):
    data         Fashion-MNIST, corruptions, synthetic series, bundled tables, splits (a package)
    metrics      reconstruction, image quality, ranking, detection, distances, representations
                 (a package; NumPy only)
    baselines    PCA, JPEG, bicubic: what every autoencoder is measured against
    models       Keras 3 builders; every builder returns an ``Autoencoder`` exposing
                 ``.encoder`` and ``.decoder`` (a package, one module per variant) -> training
    training     ``set_seed``, ``fit``, ``sweep`` (one model per setting), ``fit_classifier``
                 -> distribute
    distribute   ``scale_for_replicas`` for custom losses under tf.distribute (a leaf)
    plots        reconstruction grids, loss curves, latent maps -> data
    widgets      interactive explorers that display results (sliders) -> training, models...
    checks       ``check`` / ``exercise`` / ``judge``: deterministic PASS lines for nbval
    codec        a uniform quantizer for codes -> baselines
    multiworker  the same builder trained by several local workers (tf.distribute)
    student, bench   the learners' copies of the lessons, and the lesson benchmark (tools)
    _validate    the argument checks every public function shares (a leaf)
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
