"""Data for the course, one module per concern (nothing here imports TensorFlow):

    fashion_mnist  the Fashion-MNIST loader with checksums and an offline path
    corruptions    Gaussian noise, pixel and block masks, pixel shuffles
    synthetic      generated purchase matrices and time series
    bundled        the customers x products table and the docstring corpus
    images         resampling, patches, colour spaces
    splits         held-out items, anomaly splits, sliding windows, few labels

Every public name is importable from ``course_lib.data`` directly.
"""
from . import bundled, corruptions, fashion_mnist, images, splits, synthetic
from .bundled import *  # noqa: F401,F403
from .corruptions import *  # noqa: F401,F403
from .fashion_mnist import *  # noqa: F401,F403
from .images import *  # noqa: F401,F403
from .splits import *  # noqa: F401,F403
from .synthetic import *  # noqa: F401,F403

__all__ = [
    *fashion_mnist.__all__, *corruptions.__all__, *synthetic.__all__, *bundled.__all__,
    *images.__all__, *splits.__all__,
]
