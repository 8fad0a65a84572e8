"""`residual_denoiser`: the DnCNN family of denoisers, optionally FFDNet-style (downscaled, noise-level map)."""

import keras

from tf_genrepair.networks.layers import (
    CropToMatch,
    PadToMultiple,
    PixelShuffle,
    PixelUnshuffle,
)


def residual_denoiser(
    *,
    channels: int = 1,
    depth: int = 15,
    width: int = 64,
    downscale: int = 2,
    noise_level_input: bool = True,
    name: str = "residual_denoiser",
) -> keras.Model:
    """A fully convolutional denoiser that predicts the noise and subtracts it (Zhang et al. 2017).

    With `downscale=2` the image is pixel-unshuffled into four half-resolution sub-images
    before the convolutions and shuffled back after (FFDNet, Zhang et al. 2018): four
    times fewer positions per layer, so a deeper and wider network fits a CPU budget.
    With `noise_level_input` a per-pixel noise standard-deviation map is an input, so one
    network covers a range of noise levels (and spatially varying noise).

    Args:
        channels: Image channels (1 gray, 3 RGB).
        depth: Convolution layers.
        width: Filters per hidden layer.
        downscale: Pixel-unshuffle factor (1: DnCNN at full resolution).
        noise_level_input: Whether the network takes a `noise_levels` map `[B, H, W, 1]`.
        name: Model name.

    Returns:
        A functional model from `[images, masks(, noise_levels)]` (the restorer input contract) (any height and width) to
        the restored image; the last layer and the subtraction run in float32.

    Example:
        >>> network = residual_denoiser(depth=15, width=64, downscale=2)
        >>> restored = network([noisy, tf.ones_like(noisy), tf.fill(tf.shape(noisy), 25 / 255)])
    """
    if depth < 2 or width < 1 or downscale < 1:
        raise ValueError(f"`depth` must be >= 2, `width` and `downscale` >= 1. Received: depth={depth}, width={width}, downscale={downscale}")
    image = keras.Input((None, None, channels), name="images")
    mask = keras.Input((None, None, 1), name="masks")
    inputs = [image, mask]
    if noise_level_input:
        inputs.append(keras.Input((None, None, 1), name="noise_levels"))
    features = keras.layers.Concatenate(name="stack_inputs")(inputs)
    if downscale > 1:
        features = PixelUnshuffle(downscale, name="unshuffle")(PadToMultiple(downscale, name="pad")(features))
    for index in range(depth - 1):
        features = keras.layers.Conv2D(width, 3, padding="same", activation="relu", name=f"conv_{index + 1}")(features)
    noise = keras.layers.Conv2D(channels * downscale**2, 3, padding="same", dtype="float32", name="noise")(features)
    if downscale > 1:
        noise = CropToMatch(dtype="float32", name="crop")([PixelShuffle(downscale, dtype="float32", name="shuffle")(noise), image])
    restored = keras.layers.Subtract(dtype="float32", name="restored")([image, noise])
    return keras.Model(inputs, restored, name=name)
