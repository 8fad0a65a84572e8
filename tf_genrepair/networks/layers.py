"""Small serializable layers the restoration networks share (no Lambda layers: safe-mode loading works)."""

import keras
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
