"""Shared input blocks for unconditional and class-conditional networks, and shape checks."""

from typing import Sequence

import keras


def latent_and_label_inputs(latent_dim: int, num_classes: int | None) -> tuple[list | keras.KerasTensor, keras.KerasTensor]:
    """Generator inputs: `latents` alone, or `[latents, labels]` with a label embedding concatenated."""
    latents = keras.Input((latent_dim,), name="latents")
    if num_classes is None:
        return latents, latents
    labels = keras.Input((), dtype="int32", name="labels")
    return [latents, labels], concatenate_label(latents, labels, num_classes)


def image_and_label_inputs(
    image_shape: Sequence[int], num_classes: int | None
) -> tuple[list | keras.KerasTensor, keras.KerasTensor, keras.KerasTensor | None]:
    """Discriminator inputs: `images` alone, or `[images, labels]`."""
    images = keras.Input(tuple(image_shape), name="images")
    if num_classes is None:
        return images, images, None
    labels = keras.Input((), dtype="int32", name="labels")
    return [images, labels], images, labels


def concatenate_label(features: keras.KerasTensor, labels: keras.KerasTensor, num_classes: int) -> keras.KerasTensor:
    """Appends a learned 50-dimensional label embedding to flat features."""
    embedding = keras.layers.Embedding(num_classes, 50)(labels)
    return keras.layers.Concatenate()([features, embedding])
