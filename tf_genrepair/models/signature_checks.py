"""Graph-mode input checks and output conversions shared by the models' serving signatures.

Signature inputs are declared with unknown rank; each check is a runtime op whose message
names the input, because a loaded signature does not enforce its shapes and TF Serving
returns the message to the client.
"""

from typing import Callable

import tensorflow as tf


def _checked(tensor: tf.Tensor, *, rank: int, layout: str, measure: Callable, expected, mismatch: str, static_shape: list) -> tf.Tensor:
    """`tensor` once graph-time checks of its rank and of `measure(tensor) == expected` have passed."""
    rank_ok = tf.debugging.assert_equal(tf.raw_ops.Rank(input=tensor), rank, message=layout)
    with tf.control_dependencies([rank_ok]):
        fits = tf.debugging.assert_equal(measure(tensor), expected, message=mismatch)
    with tf.control_dependencies([fits]):
        return tf.ensure_shape(tf.identity(tensor), static_shape)


def _last_axis(tensor: tf.Tensor) -> tf.Tensor:
    return tf.shape(tensor)[-1]


def checked_images(images: tf.Tensor, name: str, channels: int) -> tf.Tensor:
    """`images` after checking they are `[batch, height, width, channels]`."""
    layout = f"input {name} must be [batch, height, width, {channels}]"
    mismatch = f"input {name} must have {channels} channel(s)"
    return _checked(images, rank=4, layout=layout, measure=_last_axis, expected=channels, mismatch=mismatch, static_shape=[None, None, None, channels])


def checked_plane(plane: tf.Tensor, name: str, images: tf.Tensor, *, broadcast: bool = False) -> tf.Tensor:
    """A one-channel `[batch, height, width, 1]` input matching `images` (or, with `broadcast`, any shape that broadcasts to it)."""
    target = tf.concat([tf.shape(images)[:3], [1]], axis=0)
    layout = f"input {name} must be [batch, height, width, 1]" + (" or broadcast to it" if broadcast else "")
    if broadcast:
        rank_ok = tf.debugging.assert_equal(tf.raw_ops.Rank(input=plane), 4, message=layout)
        with tf.control_dependencies([rank_ok]):
            return tf.ensure_shape(tf.broadcast_to(plane, target), [None, None, None, 1])
    return _checked(plane, rank=4, layout=layout, measure=tf.shape, expected=target, mismatch=f"{layout} matching images", static_shape=[None, None, None, 1])


def checked_latents(latents: tf.Tensor, latent_dim: int) -> tf.Tensor:
    """`latents` after checking they are `[batch, latent_dim]`."""
    layout = f"input latents must be [batch, {latent_dim}]"
    return _checked(latents, rank=2, layout=layout, measure=_last_axis, expected=latent_dim, mismatch=layout, static_shape=[None, latent_dim])


def checked_labels(labels: tf.Tensor, num_classes: int) -> tf.Tensor:
    """`labels` after checking each lies in [0, num_classes)."""
    low = tf.debugging.assert_non_negative(labels, message=f"input labels must lie in [0, {num_classes})")
    high = tf.debugging.assert_less(labels, num_classes, message=f"input labels must lie in [0, {num_classes})")
    with tf.control_dependencies([low, high]):
        return tf.identity(labels)


def from_uint8(images: tf.Tensor) -> tf.Tensor:
    """uint8 pixels to float32 in [0, 1]."""
    return tf.cast(images, tf.float32) / 255.0


def image_outputs(images: tf.Tensor, name: str = "images") -> dict[str, tf.Tensor]:
    """`{name: images clipped to [0, 1], name_uint8: the same rounded to uint8}`."""
    images = tf.clip_by_value(images, 0.0, 1.0)
    return {name: images, f"{name}_uint8": tf.cast(tf.round(images * 255.0), tf.uint8)}


def concrete(function: Callable, *specs: tf.TensorSpec) -> tf.types.experimental.ConcreteFunction:
    """`function` traced for `specs`; the spec names name the signature's inputs."""
    return tf.function(function, input_signature=list(specs)).get_concrete_function()


def classification_signatures(model: Callable, channels: int) -> dict[str, tf.types.experimental.ConcreteFunction]:
    """`classify` = `serving_default` (float images -> probabilities, class_id) and `classify_uint8`, for any
    model whose call maps images to class logits."""

    def classify(images: tf.Tensor) -> dict[str, tf.Tensor]:
        logits = tf.cast(model(checked_images(images, "images", channels), training=False), tf.float32)
        return {"probabilities": tf.nn.softmax(logits), "class_id": tf.argmax(logits, axis=-1, output_type=tf.int32)}

    floats = concrete(classify, tf.TensorSpec(None, tf.float32, name="images"))
    uint8 = concrete(lambda images: classify(from_uint8(images)), tf.TensorSpec(None, tf.uint8, name="images"))
    return {"serving_default": floats, "classify": floats, "classify_uint8": uint8}
