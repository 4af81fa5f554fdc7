"""Autoencoders for series of shape (length, channels): a 1-D convolutional or recurrent one
(GRU or LSTM) and one whose encoder is a self-attention block
(``keras.layers.MultiHeadAttention``)."""
from __future__ import annotations

import keras
import numpy as np
from keras import layers

from .. import _validate as v
from .base import Autoencoder, builder

__all__ = ["sequence_autoencoder", "attention_autoencoder", "attention_scores",
           "PositionEmbedding", "RECURRENT_CELLS", "SEQUENCE_KINDS"]

RECURRENT_CELLS = {"gru": layers.GRU, "lstm": layers.LSTM}
SEQUENCE_KINDS = frozenset({"conv", *RECURRENT_CELLS})


def _name(name):
    return v.string("name", name)


@builder(example=dict(length=12, channels=1, code_size=3, units=4), input_shape=(12, 1))
def sequence_autoencoder(length: int, channels: int = 1, code_size: int = 8, *, units: int = 32,
                         kind: str = "conv", name: str = "sequence_autoencoder") -> Autoencoder:
    """Autoencoder for series of shape (length, channels), linear output (series need not be
    in [0, 1]).

    kind='conv': two stride-2 Conv1D layers (kernel 5, ``units`` filters, relu) -> linear code;
    the decoder mirrors them with Conv1DTranspose (length must be a multiple of 4). Fast on a CPU.
    kind='gru' / 'lstm': a recurrent encoder whose last state -> linear code, and a recurrent
    decoder that reads the code repeated at every step (slower on a CPU: one step at a time).
    """
    length = v.positive_int("length", length, minimum=2)
    channels = v.positive_int("channels", channels)
    code_size = v.positive_int("code_size", code_size)
    units = v.positive_int("units", units)
    kind = v.option("kind", kind, SEQUENCE_KINDS)
    if kind == "conv" and length % 4:
        raise ValueError(f"kind='conv' needs a length that is a multiple of 4, got {length}")
    name = _name(name)

    x_in = keras.Input((length, channels), name="series")
    z_in = keras.Input((code_size,), name="code_in")
    if kind == "conv":
        h = layers.Conv1D(units, 5, strides=2, padding="same", activation="relu",
                          name="enc_conv_1")(x_in)
        h = layers.Conv1D(units, 5, strides=2, padding="same", activation="relu",
                          name="enc_conv_2")(h)
        code = layers.Dense(code_size, name="code")(layers.Flatten(name="flatten")(h))
        h = layers.Dense(length // 4 * units, activation="relu", name="dec_dense")(z_in)
        h = layers.Reshape((length // 4, units), name="unflatten")(h)
        h = layers.Conv1DTranspose(units, 5, strides=2, padding="same", activation="relu",
                                   name="dec_conv_1")(h)
        out = layers.Conv1DTranspose(channels, 5, strides=2, padding="same",
                                     name="reconstruction")(h)
    else:
        rnn = RECURRENT_CELLS[kind]
        code = layers.Dense(code_size, name="code")(rnn(units, name="enc_rnn")(x_in))
        h = layers.RepeatVector(length, name="repeat")(z_in)
        h = rnn(units, return_sequences=True, name="dec_rnn")(h)
        out = layers.Dense(channels, name="reconstruction")(h)
    encoder = keras.Model(x_in, code, name="encoder")
    decoder = keras.Model(z_in, out, name="decoder")
    return Autoencoder(encoder, decoder, name=name)


@keras.saving.register_keras_serializable(package="course_lib")
class PositionEmbedding(layers.Layer):
    """Adds a learned vector per position: attention alone ignores the order of its tokens."""

    def build(self, input_shape):
        self.positions = self.add_weight(shape=tuple(input_shape[1:]), name="positions",
                                         initializer=keras.initializers.RandomNormal(stddev=0.1))

    def call(self, inputs):
        return inputs + self.positions


@builder(example=dict(length=12, channels=1, code_size=3, patch=3, d_model=8, num_heads=2),
         input_shape=(12, 1))
def attention_autoencoder(length: int, channels: int = 1, code_size: int = 8, *, patch: int = 4,
                          d_model: int = 32, num_heads: int = 2, hidden: int = 128,
                          name: str = "attention_autoencoder") -> Autoencoder:
    """Self-attention encoder: the series is cut into ``length / patch`` tokens (a strided
    Conv1D), a learned position embedding is added, one transformer block (multi-head
    self-attention named 'self_attention' + feed-forward, residuals, layer norm), then flatten
    -> linear code. Dense decoder: code -> hidden (relu) -> length * channels (linear)."""
    length = v.positive_int("length", length, minimum=2)
    channels = v.positive_int("channels", channels)
    code_size = v.positive_int("code_size", code_size)
    patch = v.positive_int("patch", patch)
    if length % patch:
        raise ValueError(f"patch must divide length, got patch={patch}, length={length}")
    d_model = v.positive_int("d_model", d_model)
    num_heads = v.positive_int("num_heads", num_heads)
    if d_model % num_heads:
        raise ValueError(f"num_heads must divide d_model, got num_heads={num_heads}, "
                         f"d_model={d_model}")
    hidden = v.positive_int("hidden", hidden)
    name = _name(name)

    x_in = keras.Input((length, channels), name="series")
    tokens = layers.Conv1D(d_model, patch, strides=patch, name="patchify")(x_in)
    tokens = PositionEmbedding(name="positions")(tokens)
    att = layers.MultiHeadAttention(num_heads, d_model // num_heads, name="self_attention")(
        tokens, tokens)
    h = layers.LayerNormalization(name="norm_1")(layers.Add(name="residual_1")([tokens, att]))
    ff = layers.Dense(2 * d_model, activation="relu", name="ff_1")(h)
    ff = layers.Dense(d_model, name="ff_2")(ff)
    h = layers.LayerNormalization(name="norm_2")(layers.Add(name="residual_2")([h, ff]))
    code = layers.Dense(code_size, name="code")(layers.Flatten(name="flatten")(h))
    encoder = keras.Model(x_in, code, name="encoder")

    z_in = keras.Input((code_size,), name="code_in")
    h = layers.Dense(hidden, activation="relu", name="dec_1")(z_in)
    out = layers.Reshape((length, channels), name="unflatten")(
        layers.Dense(length * channels, name="reconstruction")(h))
    decoder = keras.Model(z_in, out, name="decoder")
    return Autoencoder(encoder, decoder, name=name)


def attention_scores(model: Autoencoder, x) -> np.ndarray:
    """Attention weights of an ``attention_autoencoder``'s encoder for series ``x``:
    shape (n, num_heads, tokens, tokens); row i says how much token i reads from each token
    (each row sums to 1)."""
    if not isinstance(model, Autoencoder):
        raise TypeError(f"model must be a course_lib Autoencoder, got {type(model).__name__}")
    try:
        mha = model.encoder.get_layer("self_attention")
    except ValueError:
        raise ValueError("model has no 'self_attention' layer: build it with "
                         "models.attention_autoencoder") from None
    x = v.array("x", x, ndim=3)
    expected = tuple(model.encoder.input.shape[1:])
    if x.shape[1:] != expected:
        raise ValueError(f"x must have shape (n, {expected[0]}, {expected[1]}), got {x.shape}")
    tokens = keras.Model(model.encoder.input, model.encoder.get_layer("positions").output)
    t = tokens(x, training=False)  # a direct call: predict() would retrace for every new model
    _, scores = mha(t, t, return_attention_scores=True, training=False)
    return keras.ops.convert_to_numpy(scores)
