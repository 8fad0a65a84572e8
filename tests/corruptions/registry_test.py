"""Properties every registered corruption must have."""

import numpy as np
import pytest
import tensorflow as tf

from tf_genrepair.corruptions import (
    COLOUR_ONLY,
    CORRUPTION_FAMILIES,
    CORRUPTIONS,
    compose,
    get_corruption,
    mixture,
)
from tf_genrepair.metrics import psnr

NAMES = list(CORRUPTIONS)
# Their output does not depend on the seed.
DETERMINISTIC = {"gaussian_blur", "jpeg", "downsample", "brightness", "contrast", "defocus_blur", "zoom_blur", "posterize", "bit_depth"}


def images_for(name: str, digits: np.ndarray) -> np.ndarray:
    """The digits, tinted RGB for the colour-only corruptions (they leave grayscale images alone)."""
    if name in COLOUR_ONLY:
        return (tf.image.grayscale_to_rgb(tf.constant(digits)) * tf.constant([1.0, 0.8, 0.6]) + tf.constant([0.0, 0.1, 0.3])).numpy()
    return digits


@pytest.mark.parametrize("name", NAMES)
def test_damage_grows_with_severity(name, digits):
    corruption = get_corruption(name)
    digits = images_for(name, digits)
    scores = [float(np.mean(psnr(digits, corruption(digits, severity=s, seed=7)[0]))) for s in range(1, 6)]
    assert all(later < earlier for earlier, later in zip(scores, scores[1:])), scores


@pytest.mark.parametrize("name", NAMES)
def test_output_is_an_image_with_a_binary_mask(name, digits):
    damaged, mask = get_corruption(name)(digits, severity=3, seed=1)
    assert damaged.shape == digits.shape and damaged.dtype == tf.float32
    assert mask.shape == digits.shape[:3] + (1,)
    assert 0.0 <= float(tf.reduce_min(damaged)) and float(tf.reduce_max(damaged)) <= 1.0
    assert set(np.unique(mask.numpy())) <= {0.0, 1.0}
    if name not in CORRUPTION_FAMILIES["missing_values"]:
        assert float(tf.reduce_min(mask)) == 1.0


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_output_new_seed_new_output(name, digits):
    corruption = get_corruption(name)
    digits = images_for(name, digits)
    first, _ = corruption(digits, severity=3, seed=11)
    again, _ = corruption(digits, severity=3, seed=11)
    other, _ = corruption(digits, severity=3, seed=12)
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    assert (np.array_equal(first.numpy(), other.numpy())) == (name in DETERMINISTIC)


@pytest.mark.parametrize("name", NAMES)
def test_graph_mode_and_dataset_map_match_eager(name, digits):
    corruption = get_corruption(name)
    seed = tf.constant([3, 4], tf.int64)
    eager, _ = corruption(digits[:4], severity=2, seed=seed)
    graph, _ = tf.function(lambda images: corruption(images, severity=tf.constant(2), seed=seed))(digits[:4])
    mapped = next(iter(tf.data.Dataset.from_tensors(digits[:4]).map(lambda images: corruption(images, severity=2, seed=seed)[0])))
    np.testing.assert_allclose(graph.numpy(), eager.numpy(), atol=1e-5)
    np.testing.assert_allclose(mapped.numpy(), eager.numpy(), atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_rgb_and_single_images(name, digits):
    rgb = tf.image.grayscale_to_rgb(tf.constant(digits[:4])) * tf.constant([1.0, 0.8, 0.6])
    damaged, mask = get_corruption(name)(rgb, severity=4, seed=0)
    assert damaged.shape == (4, 28, 28, 3) and mask.shape == (4, 28, 28, 1)
    single, single_mask = get_corruption(name)(digits[0], severity=4, seed=0)
    assert single.shape == (28, 28, 1) and single_mask.shape == (28, 28, 1)


@pytest.mark.parametrize("name", NAMES)
def test_per_image_severity_vector(name, digits):
    corruption = get_corruption(name)
    mixed, _ = corruption(digits[:2], severity=tf.constant([1, 5]), seed=5)
    mild, _ = corruption(digits[:2], severity=1, seed=5)
    harsh, _ = corruption(digits[:2], severity=5, seed=5)
    np.testing.assert_allclose(mixed[0].numpy(), mild[0].numpy(), atol=1e-5)
    np.testing.assert_allclose(mixed[1].numpy(), harsh[1].numpy(), atol=1e-5)


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(severity=0), "severity"),
        (dict(severity=6), "severity"),
        (dict(severity=2.5), "severity"),
        (dict(severity=True), "severity"),
        (dict(severity=np.array([0, 3])), "severity"),
        (dict(severity=3, seed="x"), "seed"),
    ],
)
def test_bad_arguments_name_the_argument(arguments, message, digits):
    arguments = {"seed": 0, **arguments}
    with pytest.raises(ValueError, match=message):
        get_corruption("gaussian_noise")(digits[:2], **arguments)


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((28, 28), np.float32), "rank"),
        (np.zeros((2, 28, 28, 1), np.uint8), "dtype=uint8"),
        (np.full((2, 28, 28, 1), 255.0, np.float32), r"\[0, 1\]"),
    ],
)
def test_bad_images_are_rejected(images, message):
    with pytest.raises(ValueError, match=message):
        get_corruption("box")(images, severity=1, seed=0)


def test_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match="Valid names: box"):
        get_corruption("fog")


def test_compose_multiplies_masks_and_applies_both(digits):
    blur_then_box = get_corruption("gaussian_blur+box")
    damaged, mask = blur_then_box(digits, severity=3, seed=0)
    blurred, _ = get_corruption("gaussian_blur")(digits, severity=3, seed=0)
    assert 0.0 < float(tf.reduce_mean(mask)) < 1.0
    np.testing.assert_allclose((damaged * mask).numpy(), (blurred * mask).numpy(), atol=1e-5)
    assert float(tf.reduce_max(damaged * (1 - mask))) == 0.0
    assert compose(get_corruption("box"))(digits, severity=1, seed=0)[0].shape == digits.shape


def test_mixture_applies_one_member_per_image(digits):
    members = [get_corruption("box"), get_corruption("gaussian_noise")]
    damaged, mask = mixture(*members)(digits, severity=3, seed=9)
    holed = np.any(mask.numpy() == 0, axis=(1, 2, 3))
    assert 0 < holed.sum() < len(digits)  # Both members were drawn.
    noisy = ~holed
    changed = np.abs(damaged.numpy() - digits).max(axis=(1, 2, 3)) > 0
    assert changed[noisy].all()
    assert get_corruption("all")(digits, severity=2, seed=0)[0].shape == digits.shape


def test_mixture_of_everything_handles_parts_no_image_drew():
    mixed = tf.function(lambda images, seed: get_corruption("all")(images, severity=3, seed=seed))
    image = np.random.default_rng(0).random((1, 28, 28, 1), dtype=np.float32)
    for seed in range(len(CORRUPTIONS)):  # One image: all parts but one are empty each time.
        damaged, mask = mixed(image, tf.constant([seed, 0]))
        assert damaged.shape == (1, 28, 28, 1) and mask.shape == (1, 28, 28, 1)
