"""Capsules (Sabour, Frosst & Hinton, 2017) in miniature: vectors instead of scalar units, a
``squash`` that keeps each vector's length in [0, 1) (its "presence"), and routing by agreement.

``squash`` and ``dynamic_routing`` are plain NumPy for reading and experimenting;
``Squash`` / ``CapsuleLayer`` are the same computations as Keras layers, used by
``capsule_autoencoder`` (conv features -> primary capsules -> routed capsules whose poses are
the code -> dense decoder).
"""
from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from .. import _validate as v
from .base import Autoencoder, builder

__all__ = ["squash", "dynamic_routing", "Squash", "CapsuleLayer", "capsule_autoencoder"]

_EPS = 1e-7


def squash(s, axis: int = -1) -> np.ndarray:
    """v = |s|^2 / (1 + |s|^2) * s / |s|: same direction, length below 1 (NumPy)."""
    s = v.array("s", s, min_ndim=1)
    if not isinstance(axis, int) or isinstance(axis, bool) or not -s.ndim <= axis < s.ndim:
        raise ValueError(f"axis must be an int in [{-s.ndim}, {s.ndim - 1}], got {axis!r}")
    sq = (s.astype(np.float64) ** 2).sum(axis=axis, keepdims=True)
    return (sq / (1.0 + sq) * s / np.sqrt(sq + _EPS)).astype(np.float32)


def _softmax(b, axis):
    e = np.exp(b - b.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def dynamic_routing(u_hat, iterations: int = 3):
    """Routing by agreement for one example (NumPy).

    u_hat: (n_in, n_out, dim), the prediction of each input capsule for each output capsule.
    Returns (v, c): output capsules (n_out, dim) and coupling coefficients (n_in, n_out); each
    row of c sums to 1 (an input capsule shares itself among the outputs).
    """
    u_hat = v.array("u_hat", u_hat, ndim=3).astype(np.float64)
    iterations = v.positive_int("iterations", iterations)
    b = np.zeros(u_hat.shape[:2])
    for it in range(iterations):
        c = _softmax(b, axis=1)
        out = squash((c[..., None] * u_hat).sum(axis=0)).astype(np.float64)
        if it < iterations - 1:
            b = b + (u_hat * out[None]).sum(-1)  # agreement: dot(prediction, output)
    return out.astype(np.float32), c.astype(np.float32)


def _squash_op(s, axis=-1):
    sq = ops.sum(ops.square(s), axis=axis, keepdims=True)
    return sq / (1.0 + sq) * s / ops.sqrt(sq + _EPS)


@keras.saving.register_keras_serializable(package="course_lib")
class Squash(layers.Layer):
    """The squash non-linearity over the last axis."""

    def call(self, inputs):
        return _squash_op(inputs)


@keras.saving.register_keras_serializable(package="course_lib")
class CapsuleLayer(layers.Layer):
    """(batch, n_in, d_in) capsules -> (batch, num_capsules, dim) by dynamic routing."""

    def __init__(self, num_capsules: int, dim: int, routings: int = 3, **kwargs):
        super().__init__(**kwargs)
        self.num_capsules = v.positive_int("num_capsules", num_capsules)
        self.dim = v.positive_int("dim", dim)
        self.routings = v.positive_int("routings", routings)

    def build(self, input_shape):
        n_in, d_in = int(input_shape[1]), int(input_shape[2])
        self.w = self.add_weight(shape=(n_in, self.num_capsules, d_in, self.dim), name="w",
                                 initializer=keras.initializers.RandomNormal(stddev=0.1))

    def call(self, inputs):
        u_hat = ops.einsum("bid,ijde->bije", inputs, self.w)
        b = ops.zeros(ops.shape(u_hat)[:3])
        for it in range(self.routings):
            c = ops.softmax(b, axis=2)
            out = _squash_op(ops.sum(c[..., None] * u_hat, axis=1))
            if it < self.routings - 1:
                b = b + ops.sum(u_hat * out[:, None], axis=-1)
        return out

    def get_config(self):
        config = super().get_config()
        config.update(num_capsules=self.num_capsules, dim=self.dim, routings=self.routings)
        return config


@builder(example=dict(image_shape=(8, 8), num_capsules=3, capsule_dim=4, filters=4),
         input_shape=(8, 8))
def capsule_autoencoder(image_shape=(28, 28), num_capsules: int = 10, capsule_dim: int = 8, *,
                        primary_dim: int = 8, filters: int = 32, routings: int = 3,
                        hidden: int = 256, name: str = "capsule_autoencoder") -> Autoencoder:
    """Two stride-2 convolutions -> primary capsules (vectors of ``primary_dim``, squashed) ->
    ``num_capsules`` capsules by dynamic routing; the code is their poses, flattened
    (num_capsules * capsule_dim numbers). Decoder: dense hidden (relu) -> image (sigmoid)."""
    shape = v.int_tuple("image_shape", image_shape, allow_empty=False)
    if len(shape) != 2:
        raise ValueError(f"image_shape must be (height, width), got {shape}")
    num_capsules = v.positive_int("num_capsules", num_capsules)
    capsule_dim = v.positive_int("capsule_dim", capsule_dim)
    primary_dim = v.positive_int("primary_dim", primary_dim)
    filters = v.positive_int("filters", filters)
    if filters % primary_dim and primary_dim % filters:
        raise ValueError(f"primary_dim must divide filters, got primary_dim={primary_dim}, "
                         f"filters={filters}")
    routings = v.positive_int("routings", routings)
    hidden = v.positive_int("hidden", hidden)
    v.string("name", name)
    channels = max(filters, primary_dim)

    x_in = keras.Input(shape, name="image")
    h = layers.Reshape(shape + (1,), name="add_channel")(x_in)
    h = layers.Conv2D(filters, 5, strides=2, padding="same", activation="relu", name="conv")(h)
    h = layers.Conv2D(channels, 5, strides=2, padding="same", name="primary_conv")(h)
    h = layers.Reshape((-1, primary_dim), name="primary_capsules")(h)
    h = Squash(name="squash")(h)
    caps = CapsuleLayer(num_capsules, capsule_dim, routings, name="capsules")(h)
    code = layers.Flatten(name="poses")(caps)
    encoder = keras.Model(x_in, code, name="encoder")

    z_in = keras.Input((num_capsules * capsule_dim,), name="code_in")
    h = layers.Dense(hidden, activation="relu", name="dec_1")(z_in)
    out = layers.Dense(int(np.prod(shape)), activation="sigmoid", name="reconstruction")(h)
    decoder = keras.Model(z_in, layers.Reshape(shape, name="unflatten")(out), name="decoder")
    return Autoencoder(encoder, decoder, name=name)
