"""Classifier graphs: a small CNN for digit-sized images, a residual network for small colour photos (each with a
`features` layer that feeds FID/KID), and an MLP for codes."""

from typing import Sequence

import keras

from tf_genrepair.networks.shapes import check_divisible_by_4

FEATURES_LAYER = "features"


def digit_classifier_network(
    *,
    image_shape: Sequence[int] = (28, 28, 1),
    num_classes: int = 10,
    width: int = 32,
    feature_dim: int = 128,
    dropout: float = 0.3,
    name: str = "digit_classifier",
) -> keras.Model:
    """Two conv blocks (conv-BN-ReLU x2, max-pool), a `features` dense layer and a logit layer.

    Args:
        image_shape: `(height, width, channels)`; height and width divisible by 4.
        num_classes: Number of output logits.
        width: Filters of the first block (the second block has twice as many).
        feature_dim: Size of the penultimate `features` layer.
        dropout: Dropout rate before the logits.
        name: Model name.

    Returns:
        A functional `keras.Model` mapping images in [0, 1] to logits.

    Example:
        >>> network = digit_classifier_network(image_shape=(28, 28, 1), num_classes=10)
    """
    check_divisible_by_4(image_shape)
    inputs = keras.Input(shape=tuple(image_shape), name="images")
    x = inputs
    for filters in (width, 2 * width):
        for _ in range(2):
            x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
            x = keras.layers.BatchNormalization(momentum=0.9, synchronized=True)(x)
            x = keras.layers.ReLU()(x)
        x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    features = keras.layers.Dense(feature_dim, activation="relu", name=FEATURES_LAYER)(x)
    x = keras.layers.Dropout(dropout)(features)
    logits = keras.layers.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, logits, name=name)


def residual_classifier_network(
    *,
    image_shape: Sequence[int] = (32, 32, 3),
    num_classes: int = 10,
    width: int = 16,
    blocks_per_stage: int = 3,
    weight_decay: float = 5e-4,
    name: str = "residual_classifier",
) -> keras.Model:
    """A CIFAR ResNet (He et al. 2016, section 4.2): 6n+2 layers, ResNet-20 with the defaults.

    A 3x3 convolution, then three stages of `blocks_per_stage` basic blocks (two 3x3 convolutions
    with batch normalisation and a shortcut) with `width`, 2x and 4x filters, the last two halving
    the resolution (1x1 projection shortcuts there), global average pooling (the `features` layer)
    and the logits. L2 `weight_decay` on every convolution and dense kernel.

    Example:
        >>> network = residual_classifier_network(image_shape=(32, 32, 3), blocks_per_stage=3)  # ResNet-20
    """
    check_divisible_by_4(image_shape)
    regularizer = keras.regularizers.L2(weight_decay) if weight_decay else None

    def convolution(x, filters: int, size: int = 3, strides: int = 1):
        layer = keras.layers.Conv2D(filters, size, strides=strides, padding="same", use_bias=False, kernel_initializer="he_normal",
                                    kernel_regularizer=regularizer)
        return layer(x)

    def normalised(x):
        return keras.layers.BatchNormalization(momentum=0.9, synchronized=True)(x)

    inputs = keras.Input(shape=tuple(image_shape), name="images")
    x = keras.layers.ReLU()(normalised(convolution(inputs, width)))
    for stage, filters in enumerate((width, 2 * width, 4 * width)):
        for block in range(blocks_per_stage):
            strides = 2 if stage and not block else 1
            shortcut = normalised(convolution(x, filters, 1, strides)) if strides > 1 else x
            y = keras.layers.ReLU()(normalised(convolution(x, filters, strides=strides)))
            y = normalised(convolution(y, filters))
            x = keras.layers.ReLU()(keras.layers.Add()([y, shortcut]))
    features = keras.layers.GlobalAveragePooling2D(name=FEATURES_LAYER)(x)
    logits = keras.layers.Dense(num_classes, kernel_regularizer=regularizer, name="logits", dtype="float32")(features)
    return keras.Model(inputs, logits, name=name)


def mlp_classifier_network(
    *,
    input_shape: Sequence[int],
    num_classes: int = 10,
    hidden_units: Sequence[int] = (500, 500),
    activation: str = "swish",
    name: str = "mlp_classifier",
) -> keras.Model:
    """Flattened inputs (e.g. a VAE's codes) through dense layers to logits.

    Example:
        >>> network = mlp_classifier_network(input_shape=(1, 1, 50), num_classes=10)
    """
    inputs = keras.Input(shape=tuple(input_shape), name="inputs")
    x = keras.layers.Flatten()(inputs)
    for units in hidden_units:
        x = keras.layers.Dense(units, activation=activation)(x)
    return keras.Model(inputs, keras.layers.Dense(num_classes, name="logits")(x), name=name)
