"""Small serializable layers the restoration networks share (no Lambda layers: safe-mode loading works)."""

import keras
import numpy as np
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tf_genrepair")
class PixelUnshuffle(keras.layers.Layer):
    """Space-to-depth by `factor`: `[B, H, W, C] -> [B, H/f, W/f, C f^2]` (FFDNet's downsampling)."""

    def __init__(self, factor: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, images: tf.Tensor) -> tf.Tensor:
        return tf.nn.space_to_depth(images, self.factor)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}


@keras.saving.register_keras_serializable(package="tf_genrepair")
class PixelShuffle(keras.layers.Layer):
    """Depth-to-space by `factor`, the inverse of `PixelUnshuffle`."""

    def __init__(self, factor: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, features: tf.Tensor) -> tf.Tensor:
        return tf.nn.depth_to_space(features, self.factor)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}


@keras.saving.register_keras_serializable(package="tf_genrepair")
class PadToMultiple(keras.layers.Layer):
    """Reflect-pads height and width at the bottom and right up to a multiple of `multiple`."""

    def __init__(self, multiple: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.multiple = multiple

    def call(self, images: tf.Tensor) -> tf.Tensor:
        size = tf.shape(images)[1:3]
        extra = (-size) % self.multiple
        # REFLECT needs padding < size; a symmetric pad handles images smaller than the multiple.
        return tf.pad(images, [[0, 0], [0, extra[0]], [0, extra[1]], [0, 0]], mode="SYMMETRIC")

    def get_config(self) -> dict:
        return {**super().get_config(), "multiple": self.multiple}


@keras.saving.register_keras_serializable(package="tf_genrepair")
class CropToMatch(keras.layers.Layer):
    """Crops `[features, reference]` to the reference's height and width (undoes `PadToMultiple`)."""

    def call(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        features, reference = inputs
        size = tf.shape(reference)[1:3]
        return features[:, : size[0], : size[1], :]


@keras.saving.register_keras_serializable(package="tf_genrepair")
class PyramidFill(keras.layers.Layer):
    """Fills missing pixels by push-pull interpolation over an image pyramid (Gortler et al. 1996).

    `[image, mask] -> filled`: the push pass averages observed values into ever coarser
    cells (each cell's confidence is its count of observed pixels, clipped at 1); the pull
    pass blends each level with the upsampled coarser one where it is not confident. Holes
    of any width get a smooth estimate from their surroundings; observed pixels are kept.
    Cells with nothing observed even at the coarsest level get the image's observed mean.
    """

    def __init__(self, levels: int = 8, **kwargs) -> None:
        super().__init__(**kwargs)
        self.levels = levels

    def call(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        image, mask = inputs
        observed = image * mask
        weights, values = mask, observed
        pyramid = []
        for _ in range(self.levels):
            pyramid.append((weights, values))
            summed_weights = 4.0 * tf.nn.avg_pool2d(weights, 2, 2, "SAME")
            summed_values = 4.0 * tf.nn.avg_pool2d(values * weights, 2, 2, "SAME")
            values = tf.math.divide_no_nan(summed_values, summed_weights)
            weights = tf.minimum(summed_weights, 1.0)
        observed_mean = tf.math.divide_no_nan(tf.reduce_sum(observed, axis=[1, 2], keepdims=True), tf.reduce_sum(mask, axis=[1, 2], keepdims=True))
        filled = weights * values + (1.0 - weights) * observed_mean
        for weights, values in reversed(pyramid):
            coarse = tf.image.resize(filled, tf.shape(values)[1:3], method="bilinear")
            filled = weights * values + (1.0 - weights) * coarse
        return filled

    def get_config(self) -> dict:
        return {**super().get_config(), "levels": self.levels}


@keras.saving.register_keras_serializable(package="tf_genrepair")
class WeightNormDense(keras.layers.Layer):
    """A dense layer with weight normalisation (Salimans & Kingma 2016): `w_j = g_j v_j / ||v_j||` per output unit.

    The length `g` of each unit's weight vector is learned apart from its direction `v`, so a step of
    the optimizer on `v` changes the direction only; Salimans et al. (2016) use it in the
    semi-supervised GAN's discriminator. `g` starts at 1 and the bias at 0 (or from data:
    `initialize_weight_norm`); with `trainable_scale=False` the optimizer leaves `g` where it starts.
    `v` starts normal with `direction_stddev`: under Adam, whose steps have a fixed size per entry,
    a longer `v` turns more slowly, so this sets how fast directions learn.

    Example:
        >>> layer = WeightNormDense(250, activation="relu")
        >>> outputs = layer(inputs)  # [B, 250]
    """

    def __init__(self, units: int, activation: str | None = None, trainable_scale: bool = True, direction_stddev: float = 0.05, **kwargs) -> None:
        super().__init__(**kwargs)
        self.units = units
        self.activation = activation
        self.trainable_scale = trainable_scale
        self.direction_stddev = direction_stddev
        self.activation_function = keras.activations.get(activation)

    def build(self, input_shape: tuple) -> None:
        self.direction = self.add_weight(name="direction", shape=(input_shape[-1], self.units), initializer=keras.initializers.RandomNormal(stddev=self.direction_stddev))
        self.scale = self.add_weight(name="scale", shape=(self.units,), initializer="ones", trainable=self.trainable_scale)
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def projections(self, inputs: tf.Tensor) -> tf.Tensor:
        """`x . v / ||v||` per unit: the pre-activations before scale and bias."""
        direction = keras.ops.cast(self.direction, inputs.dtype)
        unit_directions = direction * keras.ops.rsqrt(keras.ops.sum(keras.ops.square(direction), axis=0, keepdims=True) + 1e-12)
        return keras.ops.matmul(inputs, unit_directions)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        outputs = self.projections(inputs) * keras.ops.cast(self.scale, inputs.dtype) + keras.ops.cast(self.bias, inputs.dtype)
        return self.activation_function(outputs)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "activation": self.activation, "trainable_scale": self.trainable_scale, "direction_stddev": self.direction_stddev}


def initialize_weight_norm(model: keras.Model, inputs: np.ndarray, *, training: bool = True) -> None:
    """Data-dependent initialisation (Salimans & Kingma 2016) of every `WeightNormDense` in `model`, first to last.

    Each layer's scale and bias are set so that its pre-activations on `inputs` have mean 0 and
    standard deviation 1 per unit, given the layers before it (already initialised). `training`
    is passed to the model's layers (noise layers add their noise, as in Salimans et al.).

    Example:
        >>> initialize_weight_norm(discriminator, train_images[:500])
    """
    layers = [layer for layer in model.layers if isinstance(layer, WeightNormDense)]
    if not layers:
        raise ValueError(f"{model.name} has no WeightNormDense layer to initialise.")
    for layer in layers:
        layer_inputs = keras.Model(model.input, layer.input)(inputs, training=training)
        projections = keras.ops.convert_to_numpy(layer.projections(keras.ops.cast(layer_inputs, "float32"))).astype(np.float64)
        mean, deviation = projections.mean(axis=0), projections.std(axis=0) + 1e-6
        layer.scale.assign((1.0 / deviation).astype(np.float32))
        layer.bias.assign((-mean / deviation).astype(np.float32))
