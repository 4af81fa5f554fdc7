"""Masked autoencoders (He et al., 2022, "Masked Autoencoders Are Scalable Vision Learners").

An image is cut into square patches (``Patchify``); a large random share of them is *hidden*
(``mask_ratio``, 0.75 in the paper). The **encoder** — a patch embedding, a learned position
embedding and a few transformer blocks — runs on the **visible patches only**, so it never sees
a hidden pixel and costs a quarter of a full pass at 75 % masking. A **light decoder** puts a
learned *mask token* at every hidden position (``MaskTokens``), adds its own position
embedding, runs one small transformer block and predicts the pixels of every patch. The loss
is the mean squared error on the **hidden patches only** (``masked_patch_mse``): predicting a
visible patch is trivial and is not rewarded.

After training, the decoder is thrown away: ``features(x)`` runs the encoder on *all* patches
and averages its tokens — the representation a linear probe is trained on.

Masks are boolean arrays of shape (n, num_patches), True = hidden, with exactly
``round(mask_ratio * num_patches)`` hidden patches in every row. Training draws them from a
seeded ``keras.random.SeedGenerator``; ``model(x)`` (inference) draws them from the fixed
``seed`` (the same masks every call, so a saved model reloads to identical outputs);
``reconstruct`` / ``masked_mse`` draw them with NumPy from the ``seed`` you pass.
"""
from __future__ import annotations

import numbers

import keras
import numpy as np
from keras import layers, ops

from .. import _validate as v
from .base import Autoencoder, builder, check_activation, check_image_shape
from .sequence import PositionEmbedding

__all__ = ["Patchify", "Unpatchify", "MaskTokens", "MaskedAutoencoder", "masked_autoencoder",
           "patchify", "unpatchify", "num_masked", "random_patch_mask", "patch_mask_to_pixels",
           "masked_patch_mse"]


# --- patches ------------------------------------------------------------------------------
def _image_shape(image_shape, patch_size):
    shape = check_image_shape(image_shape)
    patch_size = v.positive_int("patch_size", patch_size)
    if shape[0] % patch_size or shape[1] % patch_size:
        raise ValueError(f"patch_size must divide the image height and width, got patch_size="
                         f"{patch_size} for image_shape {shape}; for 28x28 images use 2, 4, 7 "
                         f"or 14")
    if (shape[0] // patch_size) * (shape[1] // patch_size) < 2:
        raise ValueError(f"patch_size {patch_size} leaves a single patch of image_shape {shape}: "
                         f"nothing could be hidden and predicted from the rest")
    return shape, patch_size


def _grid(shape, patch_size):
    channels = shape[2] if len(shape) == 3 else 1
    return shape[0] // patch_size, shape[1] // patch_size, channels


def _patchify(x, shape, patch_size, xp):
    """(n, H, W[, C]) or (n, H*W*C) -> (n, num_patches, patch_size**2 * C), patches in row-major
    order (left to right, top to bottom), pixels inside a patch row-major too. ``xp`` is numpy
    or keras.ops (the same reshape/transpose calls work on both)."""
    gh, gw, c = _grid(shape, patch_size)
    p = patch_size
    x = xp.reshape(x, (-1, gh, p, gw, p, c))
    x = xp.transpose(x, (0, 1, 3, 2, 4, 5))
    return xp.reshape(x, (-1, gh * gw, p * p * c))


def _unpatchify(patches, shape, patch_size, xp):
    gh, gw, c = _grid(shape, patch_size)
    p = patch_size
    x = xp.reshape(patches, (-1, gh, gw, p, p, c))
    x = xp.transpose(x, (0, 1, 3, 2, 4, 5))
    return xp.reshape(x, (-1,) + tuple(shape))


def patchify(images, patch_size: int, image_shape=None) -> np.ndarray:
    """NumPy: cut images (n, H, W), (n, H, W, C) or flattened (n, H*W*C) — then say
    ``image_shape`` — into patches, shape (n, num_patches, patch_size**2 * C)."""
    x = v.array("images", images, min_ndim=2)
    if image_shape is None:
        if x.ndim == 2:
            raise ValueError("image_shape is required for flattened images, e.g. (28, 28)")
        image_shape = x.shape[1:]
    shape, patch_size = _image_shape(image_shape, patch_size)
    if int(np.prod(x.shape[1:])) != int(np.prod(shape)):
        raise ValueError(f"images of shape {x.shape[1:]} do not hold image_shape {shape}")
    return _patchify(x, shape, patch_size, np)


def unpatchify(patches, patch_size: int, image_shape) -> np.ndarray:
    """NumPy: the inverse of ``patchify``: (n, num_patches, patch_size**2 * C) ->
    (n, *image_shape)."""
    shape, patch_size = _image_shape(image_shape, patch_size)
    gh, gw, c = _grid(shape, patch_size)
    x = v.array("patches", patches, ndim=3)
    if x.shape[1:] != (gh * gw, patch_size * patch_size * c):
        raise ValueError(f"patches must have shape (n, {gh * gw}, {patch_size * patch_size * c}) "
                         f"for image_shape {shape} and patch_size {patch_size}, got {x.shape}")
    return _unpatchify(x, shape, patch_size, np)


class _PatchLayer(layers.Layer):
    def __init__(self, patch_size: int, image_shape=(28, 28), **kwargs):
        super().__init__(**kwargs)
        self.image_shape, self.patch_size = _image_shape(image_shape, patch_size)
        gh, gw, c = _grid(self.image_shape, self.patch_size)
        self.num_patches, self.patch_dim = gh * gw, self.patch_size ** 2 * c
        self.built = True  # no weights

    def get_config(self):
        return {**super().get_config(), "patch_size": self.patch_size,
                "image_shape": list(self.image_shape)}


@keras.saving.register_keras_serializable(package="course_lib")
class Patchify(_PatchLayer):
    """Images (n, H, W), (n, H, W, C) or flattened (n, H*W*C) -> patches
    (n, num_patches, patch_size**2 * C), row-major order. No weights."""

    def call(self, images):
        return _patchify(images, self.image_shape, self.patch_size, ops)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.num_patches, self.patch_dim)


@keras.saving.register_keras_serializable(package="course_lib")
class Unpatchify(_PatchLayer):
    """Patches (n, num_patches, patch_size**2 * C) -> images (n, *image_shape). No weights."""

    def call(self, patches):
        return _unpatchify(patches, self.image_shape, self.patch_size, ops)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(self.image_shape)


# --- masks --------------------------------------------------------------------------------
def num_masked(num_patches: int, mask_ratio: float) -> int:
    """How many of ``num_patches`` patches a ``mask_ratio`` hides: mask_ratio * num_patches
    rounded half up (0.75 of 16 patches: 12; of 49: 37), which must leave at least one patch
    hidden and one visible."""
    num_patches = v.positive_int("num_patches", num_patches, minimum=2)
    ratio = v.number("mask_ratio", mask_ratio, low=0.0, high=1.0, low_open=True, high_open=True)
    k = int(np.floor(ratio * num_patches + 0.5))
    if not 1 <= k <= num_patches - 1:
        raise ValueError(f"mask_ratio {ratio} hides {k} of {num_patches} patches; it must hide "
                         f"at least 1 and leave at least 1 visible")
    return k


def random_patch_mask(n: int, num_patches: int, mask_ratio: float, *, seed: int = 0) -> np.ndarray:
    """(n, num_patches) booleans, True = hidden, exactly ``num_masked(num_patches, mask_ratio)``
    per row, drawn uniformly at random per example (NumPy, seeded)."""
    n = v.positive_int("n", n)
    k = num_masked(num_patches, mask_ratio)
    seed = v.positive_int("seed", seed, minimum=0)
    order = np.random.default_rng(seed).random((n, num_patches)).argsort(axis=1)
    mask = np.zeros((n, num_patches), bool)
    np.put_along_axis(mask, order[:, :k], True, axis=1)
    return mask


def patch_mask_to_pixels(mask, patch_size: int, image_shape) -> np.ndarray:
    """A patch mask (n, num_patches) -> a pixel mask (n, *image_shape), True where hidden
    (the form ``metrics.masked_psnr`` and ``metrics.pca_inpaint`` take)."""
    shape, patch_size = _image_shape(image_shape, patch_size)
    gh, gw, c = _grid(shape, patch_size)
    m = np.asarray(mask)
    if m.dtype != bool or m.ndim != 2 or m.shape[1] != gh * gw:
        raise ValueError(f"mask must be a boolean array of shape (n, {gh * gw}), got dtype "
                         f"{m.dtype} and shape {m.shape}")
    tiled = np.repeat(m[:, :, None], patch_size * patch_size * c, axis=2)
    return _unpatchify(tiled, shape, patch_size, np)


def _keep_indices(mask):
    """Indices of the visible patches, (n, visible), in increasing order; every row must hide
    the same number of patches."""
    m = np.asarray(mask)
    counts = m.sum(axis=1)
    if counts.min() != counts.max():
        raise ValueError("mask must hide the same number of patches in every row, got between "
                         f"{counts.min()} and {counts.max()}")
    if counts[0] in (0, m.shape[1]):
        raise ValueError(f"mask must hide at least 1 and at most {m.shape[1] - 1} patches per "
                         f"row, got {counts[0]}")
    return np.argsort(m, axis=1, kind="stable")[:, :m.shape[1] - counts[0]].astype(np.int32)


def masked_patch_mse(target_patches, predicted_patches, mask):
    """Mean squared error per pixel over the **hidden** patches only (mask: 1/True = hidden):
    sum over hidden patches of their mean squared pixel error, divided by their number.
    Visible patches' predictions do not enter at all. Works on NumPy arrays and backend
    tensors (keras.ops)."""
    err = ops.mean(ops.square(ops.convert_to_tensor(predicted_patches) -
                              ops.convert_to_tensor(target_patches)), axis=-1)
    m = ops.cast(ops.convert_to_tensor(mask), err.dtype)
    return ops.sum(err * m) / ops.maximum(ops.sum(m), 1.0)


# --- layers of the model ------------------------------------------------------------------
@keras.saving.register_keras_serializable(package="course_lib")
class MaskTokens(layers.Layer):
    """[tokens (n, visible, d), keep (n, visible) int] -> (n, num_patches, d): each visible
    token goes back to its position ``keep``, every other position gets one learned
    ``mask_token`` (the decoder's "something is missing here")."""

    def __init__(self, num_patches: int, **kwargs):
        super().__init__(**kwargs)
        self.num_patches = v.positive_int("num_patches", num_patches, minimum=2)

    def build(self, input_shape):
        dim = input_shape[0][-1]
        self.mask_token = self.add_weight(shape=(dim,), name="mask_token",
                                          initializer=keras.initializers.RandomNormal(stddev=0.02))

    def call(self, inputs):
        tokens, keep = inputs
        place = ops.one_hot(ops.cast(keep, "int32"), self.num_patches, dtype=tokens.dtype)
        placed = ops.einsum("nvp,nvd->npd", place, tokens)  # scatter: (n, num_patches, d)
        seen = ops.expand_dims(ops.sum(place, axis=1), -1)  # 1 where a visible token landed
        return placed + (1.0 - seen) * self.mask_token

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.num_patches, input_shape[0][-1])

    def get_config(self):
        return {**super().get_config(), "num_patches": self.num_patches}


def _block(h, dim, num_heads, mlp_dim, prefix):
    """Pre-norm transformer block: h + attention(norm(h)), then h + mlp(norm(h))."""
    a = layers.LayerNormalization(epsilon=1e-6, name=f"{prefix}_norm_1")(h)
    a = layers.MultiHeadAttention(num_heads, dim // num_heads, name=f"{prefix}_attention")(a, a)
    h = layers.Add(name=f"{prefix}_residual_1")([h, a])
    f = layers.LayerNormalization(epsilon=1e-6, name=f"{prefix}_norm_2")(h)
    f = layers.Dense(mlp_dim, activation="gelu", name=f"{prefix}_mlp_1")(f)
    f = layers.Dense(dim, name=f"{prefix}_mlp_2")(f)
    return layers.Add(name=f"{prefix}_residual_2")([h, f])


# --- the model ----------------------------------------------------------------------------
@keras.saving.register_keras_serializable(package="course_lib")
class MaskedAutoencoder(Autoencoder):
    """A masked autoencoder over images of ``image_shape`` cut into ``patch_size`` patches.

    ``encoder``: [visible patches (n, V, patch_dim), their positions (n, V) int] -> tokens
    (n, V, dim). ``decoder``: [tokens, positions] -> predicted patches (n, num_patches,
    patch_dim). ``model(x)`` returns ``{"patches": predictions, "mask": (n, num_patches) 1.0 =
    hidden}``; ``compute_loss`` is ``masked_patch_mse`` on it. Train with
    ``training.fit(model, x, loss=None)``.
    NumPy helpers: ``features`` (the probe input), ``reconstruct``, ``masked_mse``,
    ``encode_visible``, ``predict_patches``, ``random_mask``.
    """

    def __init__(self, encoder, decoder, *, image_shape=(28, 28), patch_size: int = 4,
                 mask_ratio: float = 0.75, seed: int = 0, **kwargs):
        super().__init__(encoder, decoder, **kwargs)
        self.image_shape, self.patch_size = _image_shape(image_shape, patch_size)
        gh, gw, c = _grid(self.image_shape, self.patch_size)
        self.num_patches, self.patch_dim = gh * gw, self.patch_size ** 2 * c
        self.mask_ratio = v.number("mask_ratio", mask_ratio, low=0.0, high=1.0,
                                   low_open=True, high_open=True)
        self.num_masked = num_masked(self.num_patches, self.mask_ratio)
        self.seed = v.positive_int("seed", seed, minimum=0)
        ins = encoder.inputs if encoder.built else None
        if not ins or len(ins) != 2 or tuple(ins[0].shape[2:]) != (self.patch_dim,):
            raise ValueError(f"encoder must take [patches (None, None, {self.patch_dim}), "
                             f"positions (None, None)], got "
                             f"{[tuple(i.shape) for i in ins or []]}; build it with "
                             f"models.masked_autoencoder(...)")
        outs = decoder.outputs if decoder.built else None
        if not outs or tuple(outs[0].shape[1:]) != (self.num_patches, self.patch_dim):
            raise ValueError(f"decoder must output patches of shape (None, {self.num_patches}, "
                             f"{self.patch_dim}), got {[tuple(o.shape) for o in outs or []]}")
        self.to_patches = Patchify(self.patch_size, self.image_shape, name="patchify")
        self.to_images = Unpatchify(self.patch_size, self.image_shape, name="unpatchify")
        self.seed_generator = keras.random.SeedGenerator(self.seed)

    # --- the forward pass -----------------------------------------------------------------
    @property
    def dim(self) -> int:
        return int(self.encoder.outputs[0].shape[-1])

    code_size = dim  # the size of ``features``: one pooled token

    def random_keep(self, n, training=False):
        """Positions of the visible patches, (n, num_patches - num_masked) int: a random
        permutation of the patches per example, cut after the visible count. Training draws
        from the model's SeedGenerator (new masks every step); inference from the fixed seed."""
        noise = keras.random.uniform((n, self.num_patches),
                                     seed=self.seed_generator if training else self.seed)
        return ops.argsort(noise, axis=-1)[:, :self.num_patches - self.num_masked]

    def forward_visible(self, patches, keep, training=False):
        """Encode the visible patches only (gathered at ``keep``), decode every patch."""
        visible = ops.take_along_axis(patches, ops.expand_dims(keep, -1), axis=1)
        tokens = self.encoder([visible, keep], training=training)  # (n, visible, dim)
        return self.decoder([tokens, keep], training=training)    # (n, num_patches, patch_dim)

    def call(self, inputs, training=False):
        patches = self.to_patches(inputs)
        keep = self.random_keep(ops.shape(patches)[0], training=training)
        hidden = 1.0 - ops.sum(ops.one_hot(keep, self.num_patches), axis=1)
        return {"patches": self.forward_visible(patches, keep, training=training),
                "mask": hidden}

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """MSE on the hidden patches only; the target is the input image itself."""
        if y_pred is None:
            y_pred = self(x, training=training)
        loss = masked_patch_mse(self.to_patches(x), y_pred["patches"], y_pred["mask"])
        if self.losses:  # weight decay or other layer losses, if a variant adds them
            loss = loss + ops.sum(ops.stack(self.losses))
        from ..training import scale_for_replicas

        return scale_for_replicas(loss)

    def compile(self, optimizer="adam", loss=None, **kwargs):
        if loss is not None:
            raise ValueError("loss must be None: a MaskedAutoencoder computes its own loss (MSE "
                             "on the hidden patches); train with training.fit(model, x, "
                             "loss=None)")
        super().compile(optimizer=optimizer, **kwargs)

    def compile_from_config(self, config):
        optimizer = keras.saving.deserialize_keras_object(config.get("optimizer", "adam"))
        self.compile(optimizer=optimizer)
        self.optimizer.build(self.trainable_variables)

    # --- NumPy conveniences ---------------------------------------------------------------
    def _images(self, x):
        x = v.array("x", x, min_ndim=2)
        size = int(np.prod(self.image_shape))
        ok = x.shape[1:] == self.image_shape or (x.ndim == 2 and x.shape[1] == size) or (
            len(self.image_shape) == 3 and self.image_shape[2] == 1
            and x.shape[1:] == self.image_shape[:2])
        if not ok:
            raise ValueError(f"x must hold images of shape {self.image_shape} (or flattened to "
                             f"{size}), got shape {x.shape}")
        return x

    def random_mask(self, n: int, mask_ratio=None, *, seed: int = 0) -> np.ndarray:
        """(n, num_patches) booleans, True = hidden (``random_patch_mask``); mask_ratio
        defaults to the model's."""
        ratio = self.mask_ratio if mask_ratio is None else mask_ratio
        return random_patch_mask(n, self.num_patches, ratio, seed=seed)

    def _mask(self, n, mask_ratio, seed, mask):
        if mask is not None:
            if mask_ratio is not None:
                raise ValueError("pass either mask or mask_ratio, not both")
            m = np.asarray(mask)
            if m.dtype != bool or m.shape != (n, self.num_patches):
                raise ValueError(f"mask must be a boolean array of shape ({n}, "
                                 f"{self.num_patches}) (True = hidden), got dtype {m.dtype} "
                                 f"and shape {m.shape}")
            return m
        return self.random_mask(n, mask_ratio, seed=seed)

    def predict_patches(self, x, mask, *, batch_size: int = 256) -> np.ndarray:
        """The decoder's predictions for every patch, (n, num_patches, patch_dim), when only
        the patches where ``mask`` is False are shown to the encoder."""
        x = self._images(x)
        batch_size = v.positive_int("batch_size", batch_size)
        keep = _keep_indices(self._mask(len(x), None, 0, mask))
        patches = _patchify(x, self.image_shape, self.patch_size, np)
        out = [ops.convert_to_numpy(self.forward_visible(
            ops.convert_to_tensor(patches[i:i + batch_size]),
            ops.convert_to_tensor(keep[i:i + batch_size]), training=False))
            for i in range(0, len(x), batch_size)]
        return np.concatenate(out)

    def reconstruct(self, x, batch_size: int = 256, *, mask_ratio=None, seed: int = 0,
                    mask=None):
        """Hide patches of ``x`` (a random mask at ``mask_ratio``, seeded, or the boolean
        ``mask`` you pass, True = hidden), and fill the hidden ones with the model's
        predictions; visible patches are kept as they are. Returns ``(images, mask)``, images
        shaped like ``x``. Called with neither ``mask_ratio`` nor ``mask`` it follows the
        ``Autoencoder`` convention — the images only, at the model's own mask ratio."""
        x = self._images(x)
        m = self._mask(len(x), mask_ratio, seed, mask)
        pred = self.predict_patches(x, m, batch_size=batch_size)
        patches = _patchify(x, self.image_shape, self.patch_size, np)
        images = _unpatchify(np.where(m[:, :, None], pred, patches), self.image_shape,
                             self.patch_size, np).reshape(x.shape)
        return images if mask_ratio is None and mask is None else (images, m)

    def masked_mse(self, x, *, mask_ratio=None, seed: int = 0, mask=None,
                   batch_size: int = 256) -> float:
        """Mean squared error per pixel on the hidden patches of ``x`` (the training loss,
        measured in NumPy) for a seeded random mask at ``mask_ratio`` (default: the model's)
        or the ``mask`` you pass."""
        x = self._images(x)
        m = self._mask(len(x), mask_ratio, seed, mask)
        pred = self.predict_patches(x, m, batch_size=batch_size)
        target = _patchify(x, self.image_shape, self.patch_size, np)
        err = ((pred - target) ** 2).mean(axis=2)
        return float(err[m].mean())

    def encode_visible(self, x, mask) -> np.ndarray:
        """The encoder's tokens for the visible patches only: (n, visible, dim)."""
        x = self._images(x)
        keep = _keep_indices(self._mask(len(x), None, 0, mask))
        visible = np.take_along_axis(_patchify(x, self.image_shape, self.patch_size, np),
                                     keep[:, :, None], axis=1)
        return self.encoder.predict([visible, keep], batch_size=256, verbose=0)

    def features(self, x, batch_size: int = 256) -> np.ndarray:
        """The encoder run on **all** patches, its tokens averaged: (n, dim), the input of a
        linear probe. Nothing is hidden here (as in He et al.'s linear probing)."""
        x = self._images(x)
        batch_size = v.positive_int("batch_size", batch_size)
        patches = _patchify(x, self.image_shape, self.patch_size, np)
        out = []
        for i in range(0, len(x), 4096):  # chunks: (4096, patches, dim) floats at most
            p = patches[i:i + 4096]
            idx = np.broadcast_to(np.arange(self.num_patches, dtype=np.int32), p.shape[:2])
            out.append(self.encoder.predict([p, np.ascontiguousarray(idx)],
                                            batch_size=batch_size, verbose=0).mean(axis=1))
        return np.concatenate(out)

    encode = features

    def decode(self, z, batch_size: int = 256):
        raise TypeError("a MaskedAutoencoder's decoder needs the tokens *and* their positions; "
                        "use reconstruct(x, mask_ratio=...) or predict_patches(x, mask)")

    # --- saving ---------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "image_shape": list(self.image_shape),
                "patch_size": self.patch_size, "mask_ratio": self.mask_ratio, "seed": self.seed}


@builder(example=dict(image_shape=(12, 12), patch_size=4, dim=8, depth=1, num_heads=2,
                      decoder_dim=8, mask_ratio=0.5), input_shape=(12, 12))
def masked_autoencoder(image_shape=(28, 28), patch_size: int = 4, *, dim: int = 64,
                       depth: int = 2, num_heads: int = 4, mlp_dim=None, decoder_dim: int = 32,
                       decoder_depth: int = 1, mask_ratio: float = 0.75,
                       output_activation: str = "sigmoid", seed: int = 0,
                       name: str = "masked_autoencoder") -> MaskedAutoencoder:
    """A small MAE. Encoder: Dense patch embedding (``dim``) + learned position embedding
    (looked up at each visible patch's position) -> ``depth`` pre-norm transformer blocks
    (``num_heads`` heads, MLP width ``mlp_dim``, default 2 * dim) -> layer norm. Decoder:
    Dense to ``decoder_dim`` -> mask tokens at the hidden positions -> position embedding ->
    ``decoder_depth`` blocks -> layer norm -> Dense to the patch pixels
    (``output_activation``). num_heads must divide dim and decoder_dim."""
    shape, patch_size = _image_shape(image_shape, patch_size)
    gh, gw, c = _grid(shape, patch_size)
    num_patches, patch_dim = gh * gw, patch_size ** 2 * c
    dim = v.positive_int("dim", dim)
    depth = v.positive_int("depth", depth)
    num_heads = v.positive_int("num_heads", num_heads)
    mlp_dim = 2 * dim if mlp_dim is None else v.positive_int("mlp_dim", mlp_dim)
    decoder_dim = v.positive_int("decoder_dim", decoder_dim)
    decoder_depth = v.positive_int("decoder_depth", decoder_depth)
    for label, width in (("dim", dim), ("decoder_dim", decoder_dim)):
        if width % num_heads:
            raise ValueError(f"num_heads must divide {label}, got num_heads={num_heads}, "
                             f"{label}={width}")
    num_masked(num_patches, mask_ratio)  # checks mask_ratio against the patch count
    out_act = check_activation("output_activation", output_activation)
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    if not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an integer >= 0, got {seed!r}")

    patches_in = keras.Input((None, patch_dim), name="visible_patches")
    keep_in = keras.Input((None,), dtype="int32", name="positions")
    h = layers.Dense(dim, name="patch_embed")(patches_in)
    pos = layers.Embedding(num_patches, dim, name="position_embed",
                           embeddings_initializer=keras.initializers.RandomNormal(stddev=0.02))(keep_in)
    h = layers.Add(name="add_positions")([h, pos])
    for i in range(1, depth + 1):
        h = _block(h, dim, num_heads, mlp_dim, f"enc_{i}")
    tokens = layers.LayerNormalization(epsilon=1e-6, name="encoder_norm")(h)
    encoder = keras.Model([patches_in, keep_in], tokens, name="encoder")

    tokens_in = keras.Input((None, dim), name="tokens")
    keep_dec = keras.Input((None,), dtype="int32", name="positions")
    h = layers.Dense(decoder_dim, name="decoder_embed")(tokens_in)
    h = MaskTokens(num_patches, name="mask_tokens")([h, keep_dec])
    h = PositionEmbedding(name="decoder_positions")(h)
    for i in range(1, decoder_depth + 1):
        h = _block(h, decoder_dim, num_heads, 2 * decoder_dim, f"dec_{i}")
    h = layers.LayerNormalization(epsilon=1e-6, name="decoder_norm")(h)
    out = layers.Dense(patch_dim, activation=out_act, name="pixels")(h)
    decoder = keras.Model([tokens_in, keep_dec], out, name="decoder")
    return MaskedAutoencoder(encoder, decoder, image_shape=shape, patch_size=patch_size,
                             mask_ratio=mask_ratio, seed=seed, name=name)
