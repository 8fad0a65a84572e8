"""VAE encoders and decoders, MLP and convolutional, optionally class-conditional.

Encoders map images in [0, 1] (and labels) to `[B, 2 * latent_dim]`: the posterior mean
and log-variance, concatenated. Decoders map latents (and labels) to the likelihood's
parameters, `[B, H, W, parameters_per_channel * C]` (e.g. Bernoulli logits).
"""

from typing import Sequence

import keras
import numpy as np

from tf_genrepair.networks.conditioning import (
    concatenate_label,
    image_and_label_inputs,
    latent_and_label_inputs,
)
from tf_genrepair.networks.shapes import check_divisible_by_4


def mlp_encoder(
    *,
    image_shape: Sequence[int] = (28, 28, 1),
    latent_dim: int = 50,
    hidden_units: Sequence[int] = (512, 512),
    activation: str = "swish",
    num_classes: int | None = None,
    name: str = "mlp_encoder",
) -> keras.Model:
    """Flattened image (and label embedding) through dense layers to `[mean, log_var]`.

    Example:
        >>> encoder = mlp_encoder(latent_dim=50)
    """
    inputs, images, labels = image_and_label_inputs(image_shape, num_classes)
    x = keras.layers.Flatten()(images)
    if labels is not None:
        x = concatenate_label(x, labels, num_classes)
    for units in hidden_units:
        x = keras.layers.Dense(units, activation=activation)(x)
    return keras.Model(inputs, keras.layers.Dense(2 * latent_dim, name="posterior")(x), name=name)


def mlp_decoder(
    *,
    latent_dim: int = 50,
    image_shape: Sequence[int] = (28, 28, 1),
    hidden_units: Sequence[int] = (512, 512),
    activation: str = "swish",
    parameters_per_channel: int = 1,
    num_classes: int | None = None,
    name: str = "mlp_decoder",
) -> keras.Model:
    """Latents (and label embedding) through dense layers to per-pixel likelihood parameters.

    Example:
        >>> decoder = mlp_decoder(latent_dim=50, parameters_per_channel=1)
    """
    inputs, x = latent_and_label_inputs(latent_dim, num_classes)
    for units in hidden_units:
        x = keras.layers.Dense(units, activation=activation)(x)
    height, width, channels = image_shape
    x = keras.layers.Dense(int(np.prod(image_shape)) * parameters_per_channel, name="likelihood_parameters")(x)
    return keras.Model(inputs, keras.layers.Reshape((height, width, channels * parameters_per_channel))(x), name=name)


def conv_encoder(
    *,
    image_shape: Sequence[int] = (28, 28, 1),
    latent_dim: int = 32,
    base_filters: int = 32,
    activation: str = "swish",
    num_classes: int | None = None,
    name: str = "conv_encoder",
) -> keras.Model:
    """Two stride-2 stages of 3x3 convolutions (f, 2f) then dense to `[mean, log_var]`; H, W divisible by 4.

    Example:
        >>> encoder = conv_encoder(latent_dim=32)
    """
    check_divisible_by_4(image_shape)
    inputs, images, labels = image_and_label_inputs(image_shape, num_classes)
    x = keras.layers.Flatten()(_downsampling_stages(images, base_filters, activation))
    if labels is not None:
        x = concatenate_label(x, labels, num_classes)
    x = keras.layers.Dense(16 * base_filters, activation=activation)(x)
    return keras.Model(inputs, keras.layers.Dense(2 * latent_dim, name="posterior")(x), name=name)


def conv_decoder(
    *,
    latent_dim: int = 32,
    image_shape: Sequence[int] = (28, 28, 1),
    base_filters: int = 32,
    activation: str = "swish",
    parameters_per_channel: int = 1,
    num_classes: int | None = None,
    name: str = "conv_decoder",
) -> keras.Model:
    """Dense to (H/4, W/4, 2f), two stride-2 transposed-convolution stages (2f, f), a 3x3 convolution to the parameters.

    Example:
        >>> decoder = conv_decoder(latent_dim=32, image_shape=(28, 28, 1))
    """
    check_divisible_by_4(image_shape)
    height, width, channels = image_shape
    inputs, x = latent_and_label_inputs(latent_dim, num_classes)
    x = keras.layers.Dense(16 * base_filters, activation=activation)(x)
    x = keras.layers.Dense((height // 4) * (width // 4) * 2 * base_filters, activation=activation)(x)
    x = keras.layers.Reshape((height // 4, width // 4, 2 * base_filters))(x)
    return keras.Model(inputs, _upsampling_stages(x, base_filters, activation, channels * parameters_per_channel), name=name)


def _downsampling_stages(x, base_filters: int, activation: str):
    """Two stages of a 3x3 convolution and a stride-2 one (f, 2f filters): H x W to H/4 x W/4."""
    for filters in (base_filters, 2 * base_filters):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation=activation)(x)
        x = keras.layers.Conv2D(filters, 3, strides=2, padding="same", activation=activation)(x)
    return x


def _upsampling_stages(x, base_filters: int, activation: str, parameters: int):
    """Two stride-2 transposed-convolution stages (2f, f) and a 3x3 convolution to `parameters` channels."""
    for filters in (2 * base_filters, base_filters):
        x = keras.layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation=activation)(x)
        x = keras.layers.Conv2D(filters, 3, padding="same", activation=activation)(x)
    return keras.layers.Conv2D(parameters, 3, padding="same", name="likelihood_parameters")(x)


def _spatial_latent_channels(image_shape: Sequence[int], latent_dim: int, num_classes: int | None) -> int:
    """Channels C of a spatial latent of `latent_dim` values on the H/4 x W/4 grid; an error unless it divides or with labels."""
    if num_classes is not None:
        raise ValueError("The spatial VAE networks are unconditional; use network `conv` or `mlp` for a conditional VAE.")
    check_divisible_by_4(image_shape)
    cells = (image_shape[0] // 4) * (image_shape[1] // 4)
    if latent_dim % cells:
        raise ValueError(
            f"A spatial latent lies on the {image_shape[0] // 4}x{image_shape[1] // 4} grid of a {image_shape[0]}x{image_shape[1]} "
            f"image, so `latent_dim` must be a multiple of {cells}. Received: latent_dim={latent_dim}"
        )
    return latent_dim // cells


def spatial_encoder(
    *,
    image_shape: Sequence[int] = (32, 32, 3),
    latent_dim: int = 1024,
    base_filters: int = 32,
    activation: str = "swish",
    num_classes: int | None = None,
    name: str = "spatial_encoder",
) -> keras.Model:
    """The conv encoder's stages, then 3x3 convolutions to a posterior on the H/4 x W/4 grid, flattened to `[mean, log_var]`.

    Each grid cell holds C = latent_dim / (H/4 * W/4) latents that describe its neighbourhood, so the
    code keeps where things are (unconditional only).

    Example:
        >>> encoder = spatial_encoder(image_shape=(32, 32, 3), latent_dim=1024)
    """
    latent_channels = _spatial_latent_channels(image_shape, latent_dim, num_classes)
    images, _, _ = image_and_label_inputs(image_shape, None)
    x = _downsampling_stages(images, base_filters, activation)
    heads = [keras.layers.Flatten()(keras.layers.Conv2D(latent_channels, 3, padding="same", name=head)(x)) for head in ("mean", "log_var")]
    return keras.Model(images, keras.layers.Concatenate(name="posterior")(heads), name=name)


def spatial_decoder(
    *,
    latent_dim: int = 1024,
    image_shape: Sequence[int] = (32, 32, 3),
    base_filters: int = 32,
    activation: str = "swish",
    parameters_per_channel: int = 1,
    num_classes: int | None = None,
    name: str = "spatial_decoder",
) -> keras.Model:
    """Latents reshaped to the H/4 x W/4 grid, a 3x3 convolution to 2f, then the conv decoder's upsampling stages.

    Example:
        >>> decoder = spatial_decoder(latent_dim=1024, image_shape=(32, 32, 3), parameters_per_channel=2)
    """
    latent_channels = _spatial_latent_channels(image_shape, latent_dim, num_classes)
    latents, _ = latent_and_label_inputs(latent_dim, None)
    x = keras.layers.Reshape((image_shape[0] // 4, image_shape[1] // 4, latent_channels))(latents)
    x = keras.layers.Conv2D(2 * base_filters, 3, padding="same", activation=activation)(x)
    return keras.Model(latents, _upsampling_stages(x, base_filters, activation, image_shape[2] * parameters_per_channel), name=name)
