"""The corruption registry: names, families, composition, and random compositions for damage nobody named."""

import re
from typing import Mapping, Sequence

import tensorflow as tf

from tf_genrepair.corruptions import (
    blur,
    colour,
    damage,
    geometric,
    lighting,
    masks,
    noise,
    occluders,
    quantisation,
)
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
    "brightness": lighting.brightness,
    "contrast": lighting.contrast,
    "gamma": lighting.gamma,
    "haze": lighting.haze,
    "vignetting": lighting.vignetting,
    "uneven_illumination": lighting.uneven_illumination,
    "defocus_blur": blur.defocus_blur,
    "zoom_blur": blur.zoom_blur,
    "glass_blur": blur.glass_blur,
    "blots": occluders.blots,
    "pen_lines": occluders.pen_lines,
    "stripes": occluders.stripes,
    "elastic": geometric.elastic,
    "affine": geometric.affine,
    "posterize": quantisation.posterize,
    "bit_depth": quantisation.bit_depth,
    "colour_cast": colour.colour_cast,
    "saturation": colour.saturation,
}

CORRUPTION_FAMILIES: Mapping[str, tuple[str, ...]] = {
    "missing_values": ("box", "free_form", "pixel_dropout"),
    "noise": ("gaussian_noise", "salt_and_pepper", "poisson_noise", "speckle_noise"),
    "damage": ("gaussian_blur", "motion_blur", "jpeg", "downsample", "scratches"),
    "lighting": ("brightness", "contrast", "gamma", "haze", "vignetting", "uneven_illumination"),
    "blur": ("defocus_blur", "zoom_blur", "glass_blur"),
    "occluders": ("blots", "pen_lines", "stripes"),
    "geometric": ("elastic", "affine"),
    "quantisation": ("posterize", "bit_depth"),
    "colour": ("colour_cast", "saturation"),
}
# The twelve corruptions of the first registry: the recognition study's table and restore_mnist's training damage.
CLASSIC_CORRUPTIONS: tuple[str, ...] = (*CORRUPTION_FAMILIES["missing_values"], *CORRUPTION_FAMILIES["noise"], *CORRUPTION_FAMILIES["damage"])
COLOUR_ONLY: tuple[str, ...] = CORRUPTION_FAMILIES["colour"]  # Identity on grayscale images.
BLIND_STEPS = (1, 3)  # Corruptions chained per image in blind training (Real-ESRGAN's second order, BSRGAN's shuffle).
BLIND_CLEAN_FRACTION = 0.1  # Share of blind training images left clean, so the restorer learns to leave them alone.


def get_corruption(name: str) -> Corruption:
    """Returns the corruption registered as `name`, or one built from names.

    `a+b` composes corruptions (both applied), `a|b` mixes them (one drawn per image),
    `all` mixes every registered corruption and `classic` the twelve of the first registry.
    `blind` is the unknown-damage training mode: one to three corruptions from every family
    chained in a random order, each at a severity drawn in [1, severity], with 10% of images
    left clean; `blind-<family>` the same without that family (leave-one-family-out), and
    `blind-<family>-<family>` without both.
    `composition2` and `composition3` chain exactly two or three corruptions, all at the given severity.
    `jpeg_quality:<low>-<high>` is JPEG at a quality drawn per image from `low..high` (severity ignored).

    Example:
        >>> damaged, mask = get_corruption("gaussian_noise")(images, severity=3, seed=0)
        >>> damaged, mask = get_corruption("gaussian_blur+jpeg")(images, severity=2, seed=0)
        >>> damaged, mask = get_corruption("box|free_form|pixel_dropout")(images, severity=3, seed=0)
        >>> damaged, mask = get_corruption("blind-geometric")(images, severity=5, seed=0)
        >>> damaged, mask = get_corruption("blind-geometric-noise")(images, severity=5, seed=0)
    """
    if name == "all":
        return mixture(*CORRUPTIONS.values())
    if name == "classic":
        return mixture(*(CORRUPTIONS[member] for member in CLASSIC_CORRUPTIONS))
    if name == "blind" or name.startswith("blind-"):
        left_out = name.split("-")[1:]
        unknown = [family for family in left_out if family not in CORRUPTION_FAMILIES]
        if unknown:
            raise ValueError(f"Unknown family {unknown[0]!r} in {name!r}. Valid families: {', '.join(CORRUPTION_FAMILIES)}")
        pool = [member for family, members in CORRUPTION_FAMILIES.items() if family not in left_out for member in members]
        return random_composition(pool, steps=BLIND_STEPS, clean_fraction=BLIND_CLEAN_FRACTION, random_severity=True)
    if name in ("composition2", "composition3"):
        count = int(name[-1])
        return random_composition(list(CORRUPTIONS), steps=(count, count), clean_fraction=0.0, random_severity=False)
    if "|" in name:
        return mixture(*(get_corruption(part) for part in name.split("|")))
    if "+" in name:
        return compose(*(get_corruption(part) for part in name.split("+")))
    if name.startswith("jpeg_quality:"):
        bounds = re.fullmatch(r"(\d+)-(\d+)", name.partition(":")[2])
        if bounds is None:
            raise ValueError(f"`jpeg_quality:<low>-<high>` needs two integer qualities, e.g. jpeg_quality:10-60. Received: {name!r}")
        return damage.jpeg_quality_range(int(bounds[1]), int(bounds[2]))
    if name not in CORRUPTIONS:
        raise ValueError(f"Unknown corruption {name!r}. Valid names: {', '.join(CORRUPTIONS)} (or several joined by '+' to compose, '|' to mix, or 'all').")
    return CORRUPTIONS[name]


def family_of(name: str) -> str:
    """Returns the family (`missing_values`, `noise`, `damage`, `lighting`, ...) of a registered corruption."""
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


def random_composition(
    pool: Sequence[str], *, steps: tuple[int, int] = (1, 3), clean_fraction: float = 0.0, random_severity: bool = True
) -> Corruption:
    """Chains a random number of corruptions drawn from `pool`, in a random order, independently per image.

    Each image is left clean with probability `clean_fraction`; otherwise it gets between
    `steps[0]` and `steps[1]` corruptions (uniform), each drawn uniformly from `pool` (colour-only
    ones are dropped for grayscale images) and applied in turn; masks multiply. With
    `random_severity`, each step's severity is uniform in [1, severity], else it is `severity`.

    Example:
        >>> two_at_once = random_composition(["haze", "affine", "pen_lines"], steps=(2, 2), random_severity=False)
        >>> damaged, mask = two_at_once(images, severity=3, seed=0)
    """
    low, high = steps
    if not 0 <= low <= high or high < 1:
        raise ValueError(f"`steps` must be (low, high) with 0 <= low <= high and high >= 1. Received: steps={steps}")
    if not 0.0 <= clean_fraction < 1.0:
        raise ValueError(f"`clean_fraction` must lie in [0, 1). Received: clean_fraction={clean_fraction}")
    unknown = [name for name in pool if name not in CORRUPTIONS]
    if unknown or not pool:
        raise ValueError(f"`pool` must name registered corruptions. Received unknown: {unknown or 'an empty pool'}")

    def composed(images: tf.Tensor, *, severity: int | tf.Tensor, seed: SeedLike) -> tuple[tf.Tensor, tf.Tensor]:
        images, squeeze = check_images(images)
        seed = as_seed(seed)
        batch = tf.shape(images)[0]
        severity = check_severity(severity, batch)
        members = [name for name in pool if images.shape[-1] == 3 or name not in COLOUR_ONLY] or list(pool)
        step_mixture = mixture(*(CORRUPTIONS[name] for name in members))
        counts = tf.random.stateless_uniform([batch], sub_seed(seed, 0), low, high + 1, dtype=tf.int32)
        clean = tf.random.stateless_uniform([batch], sub_seed(seed, 1)) < clean_fraction
        counts = tf.where(clean, 0, counts)
        damaged, mask = images, tf.ones_like(images[..., :1])
        for step in range(high):
            step_seed = sub_seed(seed, 2 + step)
            if random_severity:
                draw = tf.random.stateless_uniform([batch], sub_seed(step_seed, 0))
                step_severity = 1 + tf.cast(tf.floor(draw * tf.cast(severity, tf.float32)), tf.int32)
            else:
                step_severity = severity
            stepped, step_mask = step_mixture(damaged, severity=step_severity, seed=sub_seed(step_seed, 1))
            active = tf.reshape(step < counts, [-1, 1, 1, 1])
            damaged = tf.where(active, stepped, damaged)
            mask = tf.where(active, mask * step_mask, mask)
        damaged = damaged * mask
        return (damaged[0], mask[0]) if squeeze else (damaged, mask)

    return composed
