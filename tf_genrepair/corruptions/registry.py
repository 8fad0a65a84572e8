"""The corruption registry: names, families and composition."""

from typing import Mapping

import tensorflow as tf

from tf_genrepair.corruptions import damage, masks, noise
from tf_genrepair.corruptions.core import (
    Corruption,
    SeedLike,
    as_seed,
    check_images,
    check_severity,
    sub_seed,
)

CORRUPTIONS: Mapping[str, Corruption] = {
    "box": masks.box,
    "free_form": masks.free_form,
    "pixel_dropout": masks.pixel_dropout,
    "gaussian_noise": noise.gaussian_noise,
    "salt_and_pepper": noise.salt_and_pepper,
    "poisson_noise": noise.poisson_noise,
    "speckle_noise": noise.speckle_noise,
    "gaussian_blur": damage.gaussian_blur,
    "motion_blur": damage.motion_blur,
    "jpeg": damage.jpeg,
    "downsample": damage.downsample,
    "scratches": damage.scratches,
}

CORRUPTION_FAMILIES: Mapping[str, tuple[str, ...]] = {
    "missing_values": ("box", "free_form", "pixel_dropout"),
    "noise": ("gaussian_noise", "salt_and_pepper", "poisson_noise", "speckle_noise"),
    "damage": ("gaussian_blur", "motion_blur", "jpeg", "downsample", "scratches"),
}


def get_corruption(name: str) -> Corruption:
    """Returns the corruption registered as `name`.

    `a+b` composes corruptions (both applied), `a|b` mixes them (one drawn per image),
    and `all` mixes every registered corruption.

    Example:
        >>> damaged, mask = get_corruption("gaussian_noise")(images, severity=3, seed=0)
        >>> damaged, mask = get_corruption("gaussian_blur+jpeg")(images, severity=2, seed=0)
        >>> damaged, mask = get_corruption("box|free_form|pixel_dropout")(images, severity=3, seed=0)
    """
    if name == "all":
        return mixture(*CORRUPTIONS.values())
    if "|" in name:
        return mixture(*(get_corruption(part) for part in name.split("|")))
    if "+" in name:
        return compose(*(get_corruption(part) for part in name.split("+")))
    if name not in CORRUPTIONS:
        raise ValueError(f"Unknown corruption {name!r}. Valid names: {', '.join(CORRUPTIONS)} (or several joined by '+' to compose, '|' to mix, or 'all').")
    return CORRUPTIONS[name]


def family_of(name: str) -> str:
    """Returns the family (`missing_values`, `noise` or `damage`) of a registered corruption."""
    for family, members in CORRUPTION_FAMILIES.items():
        if name in members:
            return family
    raise ValueError(f"Unknown corruption {name!r}. Valid names: {', '.join(CORRUPTIONS)}")


def compose(*corruptions: Corruption) -> Corruption:
    """Chains corruptions left to right; the masks multiply, each step gets its own seed.

    Example:
        >>> blurred_and_holed = compose(get_corruption("gaussian_blur"), get_corruption("box"))
        >>> damaged, mask = blurred_and_holed(images, severity=3, seed=0)
    """
    if not corruptions:
        raise ValueError("`compose` needs at least one corruption. Received none.")

    def composed(images: tf.Tensor, *, severity: int | tf.Tensor, seed: SeedLike) -> tuple[tf.Tensor, tf.Tensor]:
        seed = as_seed(seed)
        damaged, mask = corruptions[0](images, severity=severity, seed=sub_seed(seed, 0))
        for index, corruption in enumerate(corruptions[1:], start=1):
            damaged, step_mask = corruption(damaged, severity=severity, seed=sub_seed(seed, index))
            mask = mask * step_mask
        return damaged * mask, mask

    return composed


def mixture(*corruptions: Corruption) -> Corruption:
    """Applies one of `corruptions` to each image, drawn uniformly per image.

    Images are partitioned by their draw, so each image is damaged once.

    Example:
        >>> any_mask = mixture(get_corruption("box"), get_corruption("free_form"))
        >>> damaged, mask = any_mask(images, severity=3, seed=0)
    """
    if not corruptions:
        raise ValueError("`mixture` needs at least one corruption. Received none.")

    def mixed(images: tf.Tensor, *, severity: int | tf.Tensor, seed: SeedLike) -> tuple[tf.Tensor, tf.Tensor]:
        images, squeeze = check_images(images)
        seed = as_seed(seed)
        batch = tf.shape(images)[0]
        severity = check_severity(severity, batch)
        choice = tf.random.stateless_uniform([batch], sub_seed(seed, 0), 0, len(corruptions), dtype=tf.int32)
        positions = tf.dynamic_partition(tf.range(batch), choice, len(corruptions))
        image_parts = tf.dynamic_partition(images, choice, len(corruptions))
        severity_parts = tf.dynamic_partition(severity, choice, len(corruptions))
        outputs = [
            corruption(part, severity=part_severity, seed=sub_seed(seed, index + 1))
            for index, (corruption, part, part_severity) in enumerate(zip(corruptions, image_parts, severity_parts))
        ]
        # Reshape restores the static rank that some ops lose on an empty part.
        damaged = tf.dynamic_stitch(positions, [tf.reshape(pair[0], tf.shape(part)) for pair, part in zip(outputs, image_parts)])
        mask = tf.dynamic_stitch(positions, [tf.reshape(pair[1], tf.shape(part[..., :1])) for pair, part in zip(outputs, image_parts)])
        return (damaged[0], mask[0]) if squeeze else (damaged, mask)

    return mixed
