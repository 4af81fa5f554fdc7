"""Convolutional autoencoders: strided convolutions down, transposed convolutions (or nearest
up-sampling followed by a convolution) back up.

With ``code_size=None`` the code is the last feature map (a spatial code, e.g. 7 x 7 x 32) —
the usual shape for denoising, where no dense bottleneck is needed. With an integer
``code_size`` a Dense layer squeezes the feature map to a vector, so the model can be compared
with a dense autoencoder at the same code size.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import layers

from .. import _validate as v
from .base import Autoencoder, builder, check_activation, check_image_shape

__all__ = ["conv_autoencoder", "UPSAMPLING"]

UPSAMPLING = ("transpose", "upsample")


@builder(example=dict(image_shape=(8, 8), filters=(4, 8), code_size=3), input_shape=(8, 8))
def conv_autoencoder(image_shape=(28, 28), filters=(16, 32), code_size=None, *,
                     kernel_size: int = 3, upsampling: str = "transpose",
                     activation: str = "relu", output_activation: str = "sigmoid",
                     name: str = "conv_autoencoder") -> Autoencoder:
    """image -> [Conv2D(f, stride 2)] per f in ``filters`` -> code -> mirrored up-sampling ->
    Conv2D to the input's channels.

    image_shape: (h, w) for grayscale arrays without a channel axis (added and removed inside) or
    (h, w, c); h and w must be divisible by 2 ** len(filters). code_size: None for the last
    feature map as the code, or an int for a Dense bottleneck. upsampling: 'transpose'
    (Conv2DTranspose, stride 2) or 'upsample' (nearest UpSampling2D then Conv2D).
    """
    filters = v.int_tuple("filters", filters, allow_empty=False)
    shape = check_image_shape(image_shape, len(filters))
    if code_size is not None:
        code_size = v.positive_int("code_size", code_size)
    kernel_size = v.positive_int("kernel_size", kernel_size, maximum=7)
    v.option("upsampling", upsampling, UPSAMPLING)
    act = check_activation("activation", activation)
    out_act = check_activation("output_activation", output_activation)
    channels = shape[2] if len(shape) == 3 else 1

    x_in = keras.Input(shape, name="image")
    h = x_in if len(shape) == 3 else layers.Reshape(shape + (1,), name="add_channel")(x_in)
    for i, f in enumerate(filters, 1):
        h = layers.Conv2D(f, kernel_size, strides=2, padding="same", activation=act,
                          name=f"enc_conv_{i}")(h)
    fmap = tuple(int(d) for d in h.shape[1:])
    if code_size is not None:
        h = layers.Dense(code_size, name="code")(layers.Flatten(name="flatten")(h))
    encoder = keras.Model(x_in, h, name="encoder")

    z_in = keras.Input((code_size,) if code_size is not None else fmap, name="code_in")
    h = z_in
    if code_size is not None:
        h = layers.Dense(int(np.prod(fmap)), activation=act, name="expand")(h)
        h = layers.Reshape(fmap, name="to_feature_map")(h)
    for i, f in enumerate(reversed(filters), 1):
        if upsampling == "transpose":
            h = layers.Conv2DTranspose(f, kernel_size, strides=2, padding="same",
                                       activation=act, name=f"dec_deconv_{i}")(h)
        else:
            h = layers.UpSampling2D(2, name=f"dec_upsample_{i}")(h)
            h = layers.Conv2D(f, kernel_size, padding="same", activation=act,
                              name=f"dec_conv_{i}")(h)
    out = layers.Conv2D(channels, kernel_size, padding="same", activation=out_act,
                        name="reconstruction")(h)
    if len(shape) == 2:
        out = layers.Reshape(shape, name="drop_channel")(out)
    decoder = keras.Model(z_in, out, name="decoder")
    return Autoencoder(encoder, decoder, name=name)
