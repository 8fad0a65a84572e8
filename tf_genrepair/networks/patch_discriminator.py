"""`patch_discriminator`: a conditional PatchGAN critic for correction generation (pix2pix)."""

import keras


def patch_discriminator(*, channels: int = 1, base_filters: int = 32, layers: int = 2, name: str = "patch_discriminator") -> keras.Model:
    """Scores overlapping patches of `candidate` as real or generated, given the damaged input.

    Isola et al. (2017): the damaged image and a candidate restoration are stacked, and
    strided convolutions give a map of raw scores, one per receptive-field patch.

    Args:
        channels: Image channels.
        base_filters: Filters of the first layer, doubled per layer.
        layers: Strided layers (each halves the resolution).
        name: Model name.

    Returns:
        A functional model `[damaged, candidate] -> scores [B, h, w, 1]` (float32 logits).

    Example:
        >>> discriminator = patch_discriminator(channels=1)
        >>> scores = discriminator([damaged, restored])
    """
    damaged = keras.Input((None, None, channels), name="damaged")
    candidate = keras.Input((None, None, channels), name="candidate")
    features = keras.layers.Concatenate(name="stack_inputs")([damaged, candidate])
    for index in range(layers):
        features = keras.layers.Conv2D(base_filters * 2**index, 4, strides=2, padding="same", name=f"conv_{index + 1}")(features)
        features = keras.layers.LeakyReLU(0.2, name=f"leaky_relu_{index + 1}")(features)
    scores = keras.layers.Conv2D(1, 3, padding="same", dtype="float32", name="scores")(features)
    return keras.Model([damaged, candidate], scores, name=name)
