"""`inpainting_unet`: a U-Net that sees the mask, for missing values and general damage."""

import keras

from tf_genrepair.networks.layers import CropToMatch, PadToMultiple, PyramidFill


def _conv_block(features, filters: int, name: str):
    for index in range(2):
        features = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"{name}_conv_{index + 1}")(features)
    return features


def inpainting_unet(
    *, channels: int = 1, base_filters: int = 32, levels: int = 2, prefill: bool = False, name: str = "inpainting_unet"
) -> keras.Model:
    """A U-Net (Ronneberger et al. 2015) over `[damaged, mask]` that outputs the whole restored image.

    The mask is an input channel (1 observed, 0 missing), so the network knows which
    pixels to trust; any height and width work (padded to a multiple of `2**levels`
    inside, cropped back at the end).

    Args:
        channels: Image channels.
        base_filters: Filters at full resolution, doubled at each level.
        levels: Downsampling steps (receptive field grows as `2**levels`).
        prefill: Start from a push-pull fill of the holes (`PyramidFill`) instead of zeros and
            output that fill plus a learned correction, so that holes wider than the
            receptive field still get a sensible estimate.
        name: Model name.

    Returns:
        A functional model `[images, masks] -> restored` (the restorer input contract), output in float32.

    Example:
        >>> network = inpainting_unet(channels=1, base_filters=32, levels=2)
        >>> restored = network([damaged, mask])
    """
    if levels < 1 or base_filters < 1:
        raise ValueError(f"`levels` and `base_filters` must be >= 1. Received: levels={levels}, base_filters={base_filters}")
    image = keras.Input((None, None, channels), name="images")
    mask = keras.Input((None, None, 1), name="masks")
    start = PyramidFill(dtype="float32", name="pyramid_fill")([image, mask]) if prefill else image
    features = PadToMultiple(2**levels, name="pad")(keras.layers.Concatenate(name="stack_inputs")([start, mask]))
    skips = []
    for level in range(levels):
        features = _conv_block(features, base_filters * 2**level, f"down_{level + 1}")
        skips.append(features)
        features = keras.layers.MaxPooling2D(name=f"pool_{level + 1}")(features)
    features = _conv_block(features, base_filters * 2**levels, "bottleneck")
    for level in reversed(range(levels)):
        features = keras.layers.Conv2DTranspose(base_filters * 2**level, 2, strides=2, name=f"up_{level + 1}")(features)
        features = keras.layers.Concatenate(name=f"skip_{level + 1}")([features, skips[level]])
        features = _conv_block(features, base_filters * 2**level, f"up_{level + 1}")
    output = keras.layers.Conv2D(channels, 1, dtype="float32", name="output")(features)
    restored = CropToMatch(dtype="float32", name="crop")([output, image])
    if prefill:
        restored = keras.layers.Add(dtype="float32", name="correct_fill")([start, restored])
    return keras.Model([image, mask], restored, name=name)
