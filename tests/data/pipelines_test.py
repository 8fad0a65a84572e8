"""tf.data pipelines: structure, on-the-fly damage, reproducibility."""

import numpy as np
import pytest
import tensorflow as tf

from tf_genrepair.data import (
    classification_dataset,
    denoising_dataset,
    generation_dataset,
    load_dataset,
    restoration_dataset,
)


@pytest.fixture
def small():
    return load_dataset("sample", split="test[:24]")


def epochs(dataset, count=2):
    return [np.concatenate([damaged for (damaged, _), _ in dataset.as_numpy_iterator()]) for _ in range(count)]


def test_restoration_pairs_damaged_with_clean(small):
    (damaged, mask), clean = next(iter(restoration_dataset(small, "box", severity=3, batch_size=8, seed=0)))
    assert damaged.shape == clean.shape == (8, 28, 28, 1) and mask.shape == (8, 28, 28, 1)
    np.testing.assert_allclose(damaged.numpy(), (clean * mask).numpy())


def test_fresh_damage_each_epoch_identical_for_the_same_seed(small):
    first, second = epochs(restoration_dataset(small, "gaussian_noise", severity=3, batch_size=8, seed=4))
    again, _ = epochs(restoration_dataset(small, "gaussian_noise", severity=3, batch_size=8, seed=4))
    other, _ = epochs(restoration_dataset(small, "gaussian_noise", severity=3, batch_size=8, seed=5))
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_validation_damage_is_the_same_on_every_pass(small):
    first, second = epochs(restoration_dataset(small, "free_form", severity=(1, 5), batch_size=8, seed=4, fresh_damage=False))
    np.testing.assert_array_equal(first, second)
    noise = denoising_dataset(small, sigma_range=(0.05, 0.2), batch_size=8, seed=4, fresh_damage=False)
    first, second = [np.concatenate([noisy for (noisy, _, _), _ in noise.as_numpy_iterator()]) for _ in range(2)]
    np.testing.assert_array_equal(first, second)


def test_severity_range_is_sampled_per_image(small):
    dataset = restoration_dataset(small, "pixel_dropout", severity=(1, 5), batch_size=24, seed=0)
    (_, mask), _ = next(iter(dataset))
    missing = 1 - mask.numpy().mean(axis=(1, 2, 3))
    assert missing.max() - missing.min() > 0.4


@pytest.mark.parametrize("severity", [0, (3, 1), (0, 5), 2.0])
def test_bad_severity_is_rejected(small, severity):
    with pytest.raises(ValueError, match="severity"):
        restoration_dataset(small, "box", severity=severity, batch_size=8)


def test_bad_batch_size_is_rejected(small):
    with pytest.raises(ValueError, match="batch_size"):
        restoration_dataset(small, "box", severity=1, batch_size=0)


def test_generation_dataset_rescales_and_binarizes(small):
    images = next(iter(generation_dataset(small, batch_size=8, value_range=(-1, 1))))
    assert images.shape == (8, 28, 28, 1) and images.numpy().min() == -1.0
    binary, labels = next(iter(generation_dataset(small, batch_size=8, binarize=True, conditional=True)))
    assert set(np.unique(binary.numpy())) == {0.0, 1.0} and labels.shape == (8,)
    first, second = [next(iter(dataset)) for dataset in [generation_dataset(small, batch_size=24, binarize=True, shuffle_buffer=None)] * 2]
    assert not np.array_equal(first.numpy(), second.numpy())  # A fresh Bernoulli draw every epoch.


def test_classification_dataset_with_corruption_augmentation(small):
    plain = np.concatenate([images for images, _ in classification_dataset(small, batch_size=8).as_numpy_iterator()])
    augmented = classification_dataset(small, batch_size=24, corruption="gaussian_noise", severity=(3, 5), corrupted_fraction=0.5)
    images, labels = next(iter(augmented))
    changed = np.abs(images.numpy() - plain).max(axis=(1, 2, 3)) > 0
    assert 0 < changed.sum() < 24 and labels.shape == (24,)


def test_denoising_pairs_carry_their_noise_level():
    patches = load_dataset("sample", split="train[:64]")
    (noisy, mask, noise_level), clean = next(iter(denoising_dataset(patches, sigma_range=(0.05, 0.2), batch_size=64, augment=False)))
    sigma = noise_level.numpy()[:, 0, 0, 0]
    assert np.all((sigma >= 0.05) & (sigma <= 0.2)) and np.all(noise_level.numpy() == sigma[:, None, None, None])
    np.testing.assert_array_equal(mask.numpy(), 1.0)
    measured = np.std((noisy - clean).numpy(), axis=(1, 2, 3))
    np.testing.assert_allclose(measured, sigma, rtol=0.2)  # 784 draws per image.
    with pytest.raises(ValueError, match="sigma_range"):
        denoising_dataset(patches, sigma_range=(0.2, 0.1), batch_size=8)


def test_dihedral_augmentation_keeps_the_pixels():
    patches = load_dataset("sample", split="train[:32]")
    (_, _, _), augmented = next(iter(denoising_dataset(patches, sigma_range=(0.0, 0.0), batch_size=32)))
    (_, _, _), plain = next(iter(denoising_dataset(patches, sigma_range=(0.0, 0.0), batch_size=32, augment=False)))
    assert not np.allclose(augmented, plain)
    np.testing.assert_allclose(np.sort(augmented.numpy(), axis=None), np.sort(plain.numpy(), axis=None))


def test_restoration_pairs_can_carry_labels():
    pairs = restoration_dataset(load_dataset("sample", split="train[:16]"), "box", severity=2, batch_size=16, with_labels=True)
    (damaged, mask), (clean, labels) = next(iter(pairs))
    assert labels.shape == (16,) and damaged.shape == clean.shape


def test_restoration_augmentation_goes_into_the_targets_and_the_damage_on_top(small):
    plain = np.concatenate([clean for _, clean in restoration_dataset(small, "box", severity=3, batch_size=24).as_numpy_iterator()])
    warped = restoration_dataset(small, "box", severity=3, batch_size=24, augmentation="affine", augmentation_severity=(5, 5))
    (damaged, mask), targets = next(iter(warped))
    moved = np.abs(targets.numpy() - plain).max(axis=(1, 2, 3)) > 0.05
    assert 0 < moved.sum() < 24  # About half the targets are warped, the rest are the originals.
    np.testing.assert_allclose(damaged.numpy(), (targets * mask).numpy())  # The damage is applied to the warped target.
    with pytest.raises(ValueError, match="augmented_fraction"):
        restoration_dataset(small, "box", severity=3, batch_size=8, augmentation="affine", augmented_fraction=1.5)


def test_flip_and_crop_mirrors_or_keeps_each_image_and_shifts_it_at_most_four_pixels():
    rng = np.random.default_rng(0)
    images = rng.random((64, 32, 32, 3)).astype(np.float32) + 0.1  # Nothing zero: the zero fill is visible.
    source = tf.data.Dataset.from_tensor_slices((images, np.arange(64)))
    dataset = classification_dataset(source, batch_size=64, flip_and_crop=True, seed=3)
    epochs = [list(dataset.as_numpy_iterator())[0] for _ in range(2)]
    (augmented, labels), (second, _) = epochs
    np.testing.assert_array_equal(labels, np.arange(64))
    flips = 0
    for original, image in zip(images, augmented):
        matches = []
        for mirrored in (False, True):
            padded = np.pad(original[:, ::-1] if mirrored else original, [(4, 4), (4, 4), (0, 0)])
            matches += [(mirrored, dy, dx) for dy in range(9) for dx in range(9) if np.array_equal(padded[dy : dy + 32, dx : dx + 32], image)]
        assert matches, "an augmented image is no flipped or shifted copy of its original"
        flips += matches[0][0]
    assert 16 < flips < 48 and not np.array_equal(augmented, second)  # About half mirrored; a fresh draw each epoch.
    again = list(classification_dataset(source, batch_size=64, flip_and_crop=True, seed=3).as_numpy_iterator())[0][0]
    np.testing.assert_array_equal(again, augmented)
