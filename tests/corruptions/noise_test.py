"""Noise statistics match the documented severity parameters."""

import numpy as np
import pytest

from tf_genrepair.corruptions import noise

GRAY = np.full((8, 64, 64, 1), 0.5, np.float32)


@pytest.mark.parametrize("severity", [1, 3, 5])
def test_gaussian_noise_has_the_documented_std(severity):
    sigma = noise.gaussian_noise.parameters["sigma"][severity - 1]
    damaged, _ = noise.gaussian_noise(GRAY, severity=severity, seed=0, clip=False)
    difference = damaged.numpy() - GRAY
    assert abs(difference.mean()) < 0.01
    assert difference.std() == pytest.approx(sigma, rel=0.03)


@pytest.mark.parametrize("severity", [1, 5])
def test_salt_and_pepper_replaces_the_documented_fraction(severity):
    amount = noise.salt_and_pepper.parameters["amount"][severity - 1]
    damaged, _ = noise.salt_and_pepper(GRAY, severity=severity, seed=0)
    values = damaged.numpy()
    assert np.mean(values != 0.5) == pytest.approx(amount, rel=0.1)
    assert np.mean(values == 1.0) == pytest.approx(amount / 2, rel=0.15)


@pytest.mark.parametrize("severity", [1, 5])
def test_poisson_noise_variance_is_intensity_over_photons(severity):
    photons = noise.poisson_noise.parameters["photons"][severity - 1]
    damaged, _ = noise.poisson_noise(GRAY, severity=severity, seed=0, clip=False)
    assert damaged.numpy().mean() == pytest.approx(0.5, abs=0.01)
    assert damaged.numpy().var() == pytest.approx(0.5 / photons, rel=0.05)


def test_speckle_noise_is_multiplicative_with_the_documented_std():
    sigma = noise.speckle_noise.parameters["sigma"][2]
    damaged, _ = noise.speckle_noise(GRAY, severity=3, seed=0, clip=False)
    relative = (damaged.numpy() - GRAY) / GRAY
    assert relative.std() == pytest.approx(sigma, rel=0.03)
    untouched, _ = noise.speckle_noise(np.zeros_like(GRAY), severity=5, seed=0)
    assert untouched.numpy().max() == 0.0


@pytest.mark.parametrize("name", ["gaussian_noise", "poisson_noise", "speckle_noise"])
def test_noise_on_rgb_images_is_drawn_independently_per_channel(name):
    rgb = np.full((4, 64, 64, 3), 0.5, np.float32)
    damaged, mask = getattr(noise, name)(rgb, severity=5, seed=0, clip=False)
    channels = (damaged.numpy() - rgb).reshape(-1, 3).T
    correlation = np.corrcoef(channels)
    assert mask.shape == (4, 64, 64, 1)
    assert np.all(channels.std(axis=1) > 0.05)
    assert np.all(np.abs(correlation[np.triu_indices(3, 1)]) < 0.05)  # Not one noise field copied to R, G and B.


def test_salt_and_pepper_hits_whole_pixels_in_rgb():
    rgb = np.full((4, 64, 64, 3), 0.5, np.float32)
    damaged, _ = noise.salt_and_pepper(rgb, severity=5, seed=0)
    hit = damaged.numpy() != 0.5
    assert hit.any() and np.array_equal(hit[..., 0], hit[..., 1]) and np.array_equal(hit[..., 0], hit[..., 2])
