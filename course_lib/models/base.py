"""The one convention every builder follows: an ``Autoencoder`` model exposing ``.encoder`` and
``.decoder`` (both Keras models), so ``model(x) == model.decoder(model.encoder(x))``.

Builders register themselves with ``@builder(example=...)``; the registry lets the tests save
and reload every builder automatically, so a new variant is covered the moment it is added.
"""
from __future__ import annotations

import keras
import numpy as np

from .. import _validate as v

__all__ = ["Autoencoder", "BUILDERS", "builder", "ACTIVATIONS", "check_activation",
           "check_image_shape"]

ACTIVATIONS = frozenset({"linear", "relu", "elu", "selu", "gelu", "leaky_relu", "sigmoid",
                         "tanh", "softplus", "silu"})

BUILDERS: dict = {}


def builder(*, example: dict, input_shape: tuple):
    """Register a builder with a small example call used by the save/load tests."""
    def wrap(fn):
        BUILDERS[fn.__name__] = {"fn": fn, "example": example, "input_shape": input_shape}
        return fn
    return wrap


def check_activation(name, value):
    return v.option(name, value, ACTIVATIONS)


def check_image_shape(image_shape, n_halvings: int = 0) -> tuple:
    """(h, w) or (h, w, c) with h and w divisible by 2 ** n_halvings (one per stride-2 layer)."""
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) not in (2, 3):
        raise TypeError(f"image_shape must be (height, width) or (height, width, channels), "
                        f"got {image_shape!r}")
    shape = v.int_tuple("image_shape", tuple(image_shape))
    step = 2 ** n_halvings
    if shape[0] % step or shape[1] % step:
        raise ValueError(f"image_shape height and width must be divisible by 2 ** len(filters) "
                         f"= {step} (each stride-2 layer halves them), got {shape}; use fewer "
                         f"filters or pad the images")
    return shape


@keras.saving.register_keras_serializable(package="course_lib")
class Autoencoder(keras.Model):
    """encoder -> code -> decoder. Subclasses add their own losses via ``compute_loss``."""

    def __init__(self, encoder: keras.Model, decoder: keras.Model, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(encoder, keras.Model) or not isinstance(decoder, keras.Model):
            raise TypeError("encoder and decoder must be keras.Model instances, got "
                            f"{type(encoder).__name__} and {type(decoder).__name__}")
        self.encoder = encoder
        self.decoder = decoder
        if encoder.built and decoder.built:
            self.built = True  # both halves have shapes, so the whole model does too

    def call(self, inputs, training=False):
        return self.decoder(self.encoder(inputs, training=training), training=training)

    @property
    def code_size(self) -> int:
        return int(np.prod(self.encoder.output.shape[1:]))

    # NumPy conveniences: batch 256 keeps a laptop's memory low and the CPU busy.
    def encode(self, x, batch_size: int = 256) -> np.ndarray:
        return self.encoder.predict(np.asarray(x, np.float32), batch_size=batch_size, verbose=0)

    def decode(self, z, batch_size: int = 256) -> np.ndarray:
        return self.decoder.predict(np.asarray(z, np.float32), batch_size=batch_size, verbose=0)

    def reconstruct(self, x, batch_size: int = 256) -> np.ndarray:
        return self.predict(np.asarray(x, np.float32), batch_size=batch_size, verbose=0)

    # The sub-models a subclass's __init__ takes first, in order; saved as nested configs.
    _SUBMODELS = ("encoder", "decoder")

    def get_config(self):
        config = super().get_config()
        config.update({k: keras.saving.serialize_keras_object(getattr(self, k))
                       for k in self._SUBMODELS})
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        parts = [keras.saving.deserialize_keras_object(config.pop(k)) for k in cls._SUBMODELS]
        return cls(*parts, **config)
