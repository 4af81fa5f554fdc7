"""Vector-quantized autoencoders, VQ-VAE (van den Oord, Vinyals & Kavukcuoglu, 2017, "Neural
Discrete Representation Learning").

The encoder maps an image to a grid of vectors z_e (e.g. 7 x 7 positions of D numbers). The
``VectorQuantizer`` replaces each vector by the nearest of K learned *code vectors* (the
codebook, a K x D weight), so an image becomes a grid of integers in 0 ... K-1 and costs
positions * log2(K) bits. The decoder sees only the chosen code vectors.

Picking the nearest code (an argmin) has no gradient, so training uses three tricks:

    forward value     z_q = e_k, k = argmin_j ||z_e - e_j||^2
    straight-through  z_q = z_e + stop_gradient(e_k - z_e)   (value e_k, gradient of identity:
                      the decoder's gradient is copied onto z_e, as if there were no quantizer)
    codebook loss     ||stop_gradient(z_e) - e_k||^2          (moves the codes toward the data)
    commitment loss   beta * ||z_e - stop_gradient(e_k)||^2   (keeps the encoder near its code)

Both losses are means over positions and code dimensions, added with ``add_loss``; the model's
reconstruction loss is whatever it is compiled with (``training.fit(model, x, loss='mse')``).
Codes that no input picks receive no gradient and stay "dead"; ``VQVAE.reset_dead_codes`` and
the ``DeadCodeReset`` callback re-seed them from random encoder outputs (one common remedy).
Usage is measured with ``course_lib.metrics`` (``perplexity``, ``dead_codes``).
"""
from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers, ops

from .. import _validate as v
from .base import Autoencoder, builder, check_activation

__all__ = ["VectorQuantizer", "VQVAE", "DeadCodeReset", "vq_vae"]


@keras.saving.register_keras_serializable(package="course_lib")
class VectorQuantizer(layers.Layer):
    """Nearest-code quantization of the last axis: ``z_e (..., D) -> (z_q (..., D), indices
    (...))``. ``z_q`` has the value of the chosen code vectors and, through the straight-through
    estimator, the gradient of the identity with respect to ``z_e``. Each call adds the codebook
    loss and ``beta`` times the commitment loss as layer losses."""

    def __init__(self, num_codes: int, code_dim: int, *, beta: float = 0.25,
                 codebook_initializer="random_uniform", **kwargs):
        super().__init__(**kwargs)
        self.num_codes = v.positive_int("num_codes", num_codes, minimum=2)
        self.code_dim = v.positive_int("code_dim", code_dim)
        self.beta = v.number("beta", beta, low=0.0)
        try:
            self.codebook_initializer = keras.initializers.get(codebook_initializer)
        except (ValueError, TypeError):
            raise ValueError(f"codebook_initializer must be a Keras initializer (e.g. "
                             f"'random_uniform', 'glorot_uniform'), got "
                             f"{codebook_initializer!r}") from None

    def build(self, input_shape):
        if input_shape[-1] != self.code_dim:
            raise ValueError(f"VectorQuantizer expects inputs whose last axis has code_dim = "
                             f"{self.code_dim} numbers, got shape {tuple(input_shape)}")
        self.codebook = self.add_weight(shape=(self.num_codes, self.code_dim), name="codebook",
                                        initializer=self.codebook_initializer)
        self.built = True

    def nearest(self, z_e):
        """Index of the nearest code (squared Euclidean distance) for each vector of ``z_e``;
        shape ``z_e.shape[:-1]``. ||z - e||^2 = ||z||^2 - 2 z.e + ||e||^2, one matrix product."""
        flat = ops.reshape(z_e, (-1, self.code_dim))
        dist = (ops.sum(ops.square(flat), axis=1, keepdims=True)
                - 2.0 * ops.matmul(flat, ops.transpose(self.codebook))
                + ops.sum(ops.square(self.codebook), axis=1)[None, :])
        return ops.reshape(ops.argmin(dist, axis=1), ops.shape(z_e)[:-1])

    def call(self, z_e):
        indices = self.nearest(z_e)
        e_k = ops.take(self.codebook, indices, axis=0)       # chosen code vectors, z_e's shape
        codebook_loss = ops.mean(ops.square(ops.stop_gradient(z_e) - e_k))
        commitment_loss = ops.mean(ops.square(z_e - ops.stop_gradient(e_k)))
        self.add_loss(codebook_loss + self.beta * commitment_loss)
        z_q = z_e + ops.stop_gradient(e_k - z_e)              # straight-through estimator
        return z_q, indices

    def compute_output_spec(self, z_e):
        return (keras.KerasTensor(z_e.shape, dtype=self.compute_dtype),
                keras.KerasTensor(z_e.shape[:-1], dtype="int32"))

    def lookup(self, indices):
        """Code vectors for integer ``indices`` (any shape): shape ``indices.shape + (D,)``."""
        return ops.take(self.codebook, ops.cast(indices, "int32"), axis=0)

    def get_config(self):
        return {**super().get_config(), "num_codes": self.num_codes, "code_dim": self.code_dim,
                "beta": self.beta,
                "codebook_initializer": keras.initializers.serialize(self.codebook_initializer)}


@keras.saving.register_keras_serializable(package="course_lib")
class VQVAE(Autoencoder):
    """encoder -> ``VectorQuantizer`` -> decoder. The encoder outputs a grid (h, w, D), the
    quantizer picks a code per position, the decoder maps the grid of code vectors back to an
    image. Train with ``training.fit(model, x, loss='mse')``: the quantizer's codebook and
    commitment losses are added to it (their sum is tracked as the metric ``vq_loss``).

    ``encode`` returns the quantized code vectors (so ``decode(encode(x)) == reconstruct(x)``),
    ``encode_continuous`` the encoder's output before quantization, ``encode_indices`` the
    integer grid an image is stored as, and ``decode_indices`` its inverse.
    """

    _SUBMODELS = ("encoder", "quantizer", "decoder")

    def __init__(self, encoder, quantizer, decoder, **kwargs):
        super().__init__(encoder, decoder, **kwargs)
        if not isinstance(quantizer, VectorQuantizer):
            raise TypeError(f"quantizer must be a course_lib VectorQuantizer, got "
                            f"{type(quantizer).__name__}")
        out = tuple(encoder.outputs[0].shape) if encoder.built and encoder.outputs else None
        if out is None or len(out) < 3 or out[-1] != quantizer.code_dim:
            raise ValueError(f"encoder must output a grid (None, ..., "
                             f"code_dim={quantizer.code_dim}) of code vectors, got {out}")
        try:
            d_in = tuple(decoder.inputs[0].shape)
        except (AttributeError, IndexError, TypeError, ValueError):
            d_in = None
        if d_in != out:
            raise ValueError(f"decoder must take the encoder's grid {out}, got {d_in}")
        self.quantizer = quantizer
        if not quantizer.built:
            quantizer.build(out)
        self.vq_tracker = keras.metrics.Mean(name="vq_loss")

    # --- the model -----------------------------------------------------------------------
    @property
    def num_codes(self) -> int:
        return self.quantizer.num_codes

    @property
    def grid_shape(self) -> tuple:
        """Positions of the code grid, e.g. (7, 7)."""
        return tuple(int(d) for d in self.encoder.outputs[0].shape[1:-1])

    @property
    def positions(self) -> int:
        return int(np.prod(self.grid_shape))

    @property
    def bits_per_image(self) -> float:
        """positions * log2(K): the fixed-length size of one image's index grid."""
        return self.positions * math.log2(self.num_codes)

    def call(self, inputs, training=False):
        z_e = self.encoder(inputs, training=training)
        z_q, _ = self.quantizer(z_e)
        return self.decoder(z_q, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = super().compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                    training=training)
        own = self.quantizer.losses
        if own:
            self.vq_tracker.update_state(ops.sum(ops.stack(own)))
        return loss

    @property
    def metrics(self):
        return [*super().metrics, self.vq_tracker]

    # --- NumPy conveniences --------------------------------------------------------------
    def encode_continuous(self, x, batch_size: int = 256) -> np.ndarray:
        """The encoder's output z_e before quantization, shape (n, *grid_shape, D)."""
        return self.encoder.predict(np.asarray(x, np.float32), batch_size=batch_size, verbose=0)

    def encode_indices(self, x, batch_size: int = 256) -> np.ndarray:
        """The integer code grid of each image, shape (n, *grid_shape), values in 0 ... K-1."""
        z_e = self.encode_continuous(x, batch_size=batch_size)
        out = [keras.ops.convert_to_numpy(self.quantizer.nearest(z_e[i:i + batch_size]))
               for i in range(0, len(z_e), batch_size)]
        return np.concatenate(out).astype(np.int64)

    def encode(self, x, batch_size: int = 256) -> np.ndarray:
        """The quantized code vectors (the codebook rows the indices pick)."""
        return self.codebook[self.encode_indices(x, batch_size=batch_size)]

    def decode_indices(self, indices, batch_size: int = 256) -> np.ndarray:
        """Images decoded from integer grids of shape (n, *grid_shape)."""
        idx = np.asarray(indices)
        if not np.issubdtype(idx.dtype, np.integer):
            raise TypeError(f"indices must be integers, got dtype {idx.dtype}")
        if idx.ndim != 1 + len(self.grid_shape) or idx.shape[1:] != self.grid_shape:
            raise ValueError(f"indices must have shape (n, {', '.join(map(str, self.grid_shape))})"
                             f", got {idx.shape}")
        if idx.size and (idx.min() < 0 or idx.max() >= self.num_codes):
            raise ValueError(f"indices must lie in [0, {self.num_codes - 1}], got min "
                             f"{idx.min()}, max {idx.max()}")
        return self.decode(self.codebook[idx], batch_size=batch_size)

    @property
    def codebook(self) -> np.ndarray:
        """The K x D code vectors as a NumPy array (a copy)."""
        return keras.ops.convert_to_numpy(self.quantizer.codebook).copy()

    def reset_dead_codes(self, x, *, min_count: int = 1, seed: int = 0,
                         batch_size: int = 256) -> int:
        """Re-seed every code that the images ``x`` pick fewer than ``min_count`` times with an
        encoder output z_e drawn at random (seeded) from ``x``'s positions, so it lands where
        the data are and starts receiving gradient. Returns how many codes were reset."""
        min_count = v.positive_int("min_count", min_count)
        seed = v.positive_int("seed", seed, minimum=0)
        z = self.encode_continuous(v.array("x", x, min_ndim=2), batch_size=batch_size)
        z = z.reshape(-1, self.quantizer.code_dim)
        idx = np.concatenate([keras.ops.convert_to_numpy(self.quantizer.nearest(z[i:i + 8192]))
                              for i in range(0, len(z), 8192)])
        dead = np.flatnonzero(np.bincount(idx, minlength=self.num_codes) < min_count)
        if len(dead):
            rng = np.random.default_rng(seed)
            rows = rng.choice(len(z), size=len(dead), replace=len(dead) > len(z))
            book = self.codebook
            book[dead] = z[rows]
            self.quantizer.codebook.assign(book)
        return int(len(dead))


class DeadCodeReset(keras.callbacks.Callback):
    """Between epochs, re-seed the dead codes of a ``VQVAE`` from random encoder outputs of
    ``x`` (``VQVAE.reset_dead_codes``). By default not after the last epoch, so the trained
    model is never one whose fresh codes the decoder has not yet learned. ``self.resets`` holds
    the number of codes reset after each epoch."""

    def __init__(self, x, *, min_count: int = 1, seed: int = 0, skip_last: bool = True):
        super().__init__()
        self.x = v.array("x", x, min_ndim=2)
        self.min_count = v.positive_int("min_count", min_count)
        self.seed = v.positive_int("seed", seed, minimum=0)
        if not isinstance(skip_last, bool):
            raise TypeError(f"skip_last must be True or False, got {skip_last!r}")
        self.skip_last = skip_last
        self.resets = []

    def on_epoch_end(self, epoch, logs=None):
        if not isinstance(self.model, VQVAE):
            raise TypeError(f"DeadCodeReset needs a course_lib VQVAE, got "
                            f"{type(self.model).__name__}")
        if self.skip_last and epoch + 1 >= self.params.get("epochs", epoch + 2):
            return
        self.resets.append(self.model.reset_dead_codes(self.x, min_count=self.min_count,
                                                       seed=self.seed + epoch))


@builder(example=dict(image_shape=(8, 8), filters=(4, 8), code_dim=3, num_codes=5),
         input_shape=(8, 8))
def vq_vae(image_shape=(28, 28), filters=(32, 64), code_dim: int = 16, num_codes: int = 64, *,
           beta: float = 0.25, kernel_size: int = 3, activation: str = "relu",
           output_activation: str = "sigmoid", codebook_initializer="random_uniform",
           name: str = "vq_vae") -> VQVAE:
    """image -> [Conv2D(f, stride 2)] per f in ``filters`` -> 1x1 Conv2D to ``code_dim`` (z_e)
    -> VectorQuantizer(``num_codes``) -> Conv2D -> mirrored Conv2DTranspose -> image.

    Each stride-2 layer halves the grid (rounding up): 28 x 28 with two filters gives 7 x 7
    positions, with three 4 x 4 (the decoder's 32 x 32 output is cropped back to 28 x 28).
    An image then costs positions * log2(num_codes) bits (``model.bits_per_image``).
    """
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) not in (2, 3):
        raise TypeError(f"image_shape must be (height, width) or (height, width, channels), "
                        f"got {image_shape!r}")
    shape = v.int_tuple("image_shape", tuple(image_shape))
    filters = v.int_tuple("filters", filters, allow_empty=False)
    code_dim = v.positive_int("code_dim", code_dim)
    num_codes = v.positive_int("num_codes", num_codes, minimum=2)
    kernel_size = v.positive_int("kernel_size", kernel_size, maximum=7)
    act = check_activation("activation", activation)
    out_act = check_activation("output_activation", output_activation)
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    quantizer = VectorQuantizer(num_codes, code_dim, beta=beta,
                                codebook_initializer=codebook_initializer, name="quantizer")
    channels = shape[2] if len(shape) == 3 else 1
    step = 2 ** len(filters)
    grid = tuple(-(-s // step) for s in shape[:2])

    x_in = keras.Input(shape, name="image")
    h = x_in if len(shape) == 3 else layers.Reshape(shape[:2] + (1,), name="add_channel")(x_in)
    for i, f in enumerate(filters, 1):
        h = layers.Conv2D(f, kernel_size, strides=2, padding="same", activation=act,
                          name=f"enc_conv_{i}")(h)
    z_e = layers.Conv2D(code_dim, 1, name="z_e")(h)
    encoder = keras.Model(x_in, z_e, name="encoder")

    z_in = keras.Input(grid + (code_dim,), name="code_grid")
    h = layers.Conv2D(filters[-1], kernel_size, padding="same", activation=act,
                      name="dec_conv")(z_in)
    for i, f in enumerate(reversed(filters), 1):
        h = layers.Conv2DTranspose(f, kernel_size, strides=2, padding="same", activation=act,
                                   name=f"dec_deconv_{i}")(h)
    out = layers.Conv2D(channels, kernel_size, padding="same", activation=out_act,
                        name="reconstruction")(h)
    extra = (grid[0] * step - shape[0], grid[1] * step - shape[1])
    if any(extra):
        out = layers.Cropping2D(((extra[0] // 2, extra[0] - extra[0] // 2),
                                 (extra[1] // 2, extra[1] - extra[1] // 2)), name="crop")(out)
    if len(shape) == 2:
        out = layers.Reshape(shape, name="drop_channel")(out)
    decoder = keras.Model(z_in, out, name="decoder")
    return VQVAE(encoder, quantizer, decoder, name=name)
