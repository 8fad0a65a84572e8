"""Metrics against independent formulas."""

import numpy as np
import pytest
import tensorflow as tf
from scipy import linalg, signal

from tf_genrepair.metrics import (
    PSNR,
    SSIM,
    blocking_effect_factor,
    fid,
    frechet_distance,
    kid,
    precision_recall_coverage,
    psnr,
    psnr_b,
    ssim,
)


def test_psnr_of_a_known_mse():
    clean = np.full((2, 16, 16, 1), 0.5, np.float32)
    noisy = clean + np.where(np.indices((2, 16, 16, 1)).sum(0) % 2, 0.1, -0.1).astype(np.float32)  # MSE 0.01.
    np.testing.assert_allclose(psnr(clean, noisy).numpy(), [20.0, 20.0], rtol=1e-5)


def test_psnr_clips_the_prediction_and_caps_exact_matches():
    clean = np.ones((1, 8, 8, 1), np.float32)
    assert float(psnr(clean, clean + 5.0)[0]) == pytest.approx(100.0)  # Clipped to 1 -> exact match -> cap.


def test_streaming_psnr_averages_over_images_not_batches(digits):
    noisy = np.clip(digits + np.random.default_rng(0).normal(0, 0.1, digits.shape), 0, 1).astype(np.float32)
    metric = PSNR()
    metric.update_state(digits[:1], noisy[:1])
    metric.update_state(digits[1:], noisy[1:])
    assert float(metric.result()) == pytest.approx(float(np.mean(psnr(digits, noisy))), rel=1e-5)
    assert PSNR.from_config(metric.get_config()).max_val == 1.0


def numpy_ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Wang et al. (2004) with an 11x11 Gaussian window (sigma 1.5), valid positions only."""
    offsets = np.arange(11) - 5
    window = np.exp(-(offsets[:, None] ** 2 + offsets[None, :] ** 2) / (2 * 1.5**2))
    window /= window.sum()
    filt = lambda x: signal.convolve2d(x, window, mode="valid")
    mu_a, mu_b = filt(a), filt(b)
    var_a, var_b, cov = filt(a * a) - mu_a**2, filt(b * b) - mu_b**2, filt(a * b) - mu_a * mu_b
    c1, c2 = 0.01**2, 0.03**2
    return float(np.mean((2 * mu_a * mu_b + c1) * (2 * cov + c2) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))))


def test_ssim_matches_the_formula(digits):
    blurred = tf.nn.avg_pool2d(digits[:3], 3, 1, "SAME").numpy()
    expected = [numpy_ssim(a[..., 0].astype(np.float64), b[..., 0].astype(np.float64)) for a, b in zip(digits[:3], blurred)]
    np.testing.assert_allclose(ssim(digits[:3], blurred).numpy(), expected, atol=2e-4)
    metric = SSIM()
    metric.update_state(digits[:3], digits[:3])
    assert float(metric.result()) == pytest.approx(1.0)


def test_fid_of_identical_sets_is_zero():
    features = np.random.default_rng(0).normal(size=(500, 8))
    assert fid(features, features) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_matches_scipy_sqrtm():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
    cov_a, cov_b = a @ a.T, b @ b.T
    mean_a, mean_b = rng.normal(size=6), rng.normal(size=6)
    expected = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * linalg.sqrtm(cov_a @ cov_b).real)
    assert frechet_distance(mean_a, cov_a, mean_b, cov_b) == pytest.approx(expected, rel=1e-8)


def test_fid_of_shifted_gaussians_matches_the_closed_form():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(20_000, 4))
    generated = rng.normal(size=(20_000, 4)) * 2.0 + 1.0
    # N(0, I) vs N(1, 4I): |1|^2 * 4 + tr(I + 4I - 2 * 2I) = 4 + 4.
    assert fid(real, generated) == pytest.approx(8.0, rel=0.03)


def test_kid_is_near_zero_for_one_distribution_and_positive_for_two():
    rng = np.random.default_rng(3)
    same, _ = kid(rng.normal(size=(1000, 8)), rng.normal(size=(1000, 8)), subset_size=500)
    shifted, _ = kid(rng.normal(size=(1000, 8)), rng.normal(size=(1000, 8)) + 1.0, subset_size=500)
    assert abs(same) < 0.01 and shifted > 0.1


def test_precision_recall_coverage():
    rng = np.random.default_rng(4)
    real = rng.normal(size=(400, 2))
    matching = precision_recall_coverage(real, rng.normal(size=(400, 2)))
    collapsed = precision_recall_coverage(real, rng.normal(size=(400, 2)) * 0.05)
    assert matching["precision"] > 0.9 and matching["recall"] > 0.9 and matching["coverage"] > 0.9
    assert collapsed["precision"] > 0.9 and collapsed["recall"] < 0.3 and collapsed["coverage"] < 0.3


def test_sample_quality_of_real_digits_against_their_labels(smoke_classifier):
    from tf_genrepair.data import load_arrays
    from tf_genrepair.metrics import extract_features, sample_quality
    from tf_genrepair.models import predict_labels

    images, labels = load_arrays("sample", split="test[:300]")
    real_features = extract_features(smoke_classifier.feature_extractor(), images[150:])
    samples, asked = images[:150], labels[:150]
    predicted = predict_labels(smoke_classifier, samples)
    quality = sample_quality(smoke_classifier, samples, real_features, requested_labels=asked)
    assert quality["label_agreement"] == pytest.approx(np.mean(predicted == asked))
    assert sample_quality(smoke_classifier, samples, real_features, requested_labels=predicted)["label_agreement"] == 1.0
    histogram = np.bincount(predicted, minlength=10) / len(predicted)
    assert quality["class_entropy"] == pytest.approx(-sum(p * np.log(p) for p in histogram if p > 0), rel=1e-5)
    one_class = sample_quality(smoke_classifier, np.repeat(samples[:1], 50, axis=0), real_features)
    assert one_class["class_entropy"] == 0.0 and one_class["fid"] > quality["fid"]  # One repeated digit: collapse.


class _DigitsAsSamples:
    """A stand-in generator that returns real test digits: of the requested class when it samples by class."""

    num_classes = 10

    def __init__(self, images: np.ndarray, labels: np.ndarray, *, by_class: bool) -> None:
        self.images, self.labels, self.samples_by_class = images, labels, by_class

    def sample(self, num_images: int, *, labels: np.ndarray, seed: int) -> np.ndarray:
        return np.stack([self.images[np.flatnonzero(self.labels == label)[seed % 3]] for label in labels])

    def generate(self, num_images: int, *, seed: int) -> np.ndarray:
        return self.images[:num_images]


def test_generator_quality_asks_class_samplers_for_every_class_in_turn(smoke_classifier):
    from tf_genrepair.data import load_arrays
    from tf_genrepair.metrics import extract_features, generator_quality
    from tf_genrepair.models import predict_labels

    images, labels = load_arrays("sample", split="test[:300]")
    real_features = extract_features(smoke_classifier.feature_extractor(), images[150:])
    sampler = _DigitsAsSamples(images, labels, by_class=True)
    by_class = generator_quality(sampler, smoke_classifier, real_features, num_samples=40, seed=0)
    asked = np.arange(40) % 10  # Classes 0..9 in turn.
    agreement = np.mean(predict_labels(smoke_classifier, sampler.sample(40, labels=asked, seed=0)) == asked)
    assert by_class["label_agreement"] == pytest.approx(agreement)
    unconditional = generator_quality(_DigitsAsSamples(images, labels, by_class=False), smoke_classifier, real_features, num_samples=40, seed=0)
    assert "label_agreement" not in unconditional


def _bef_by_loops(image: np.ndarray, block: int = 8) -> float:
    """The blocking effect factor of one `[H, W]` image, pair by pair as Yim and Bovik define it."""
    height, width = image.shape
    edges, rest = [], []
    for row in range(height):
        for column in range(width - 1):
            (edges if (column + 1) % block == 0 else rest).append((image[row, column] - image[row, column + 1]) ** 2)
    for row in range(height - 1):
        for column in range(width):
            (edges if (row + 1) % block == 0 else rest).append((image[row, column] - image[row + 1, column]) ** 2)
    difference = np.mean(edges) - np.mean(rest)
    return max(difference, 0.0) * np.log2(block) / np.log2(min(height, width))


def test_blocking_effect_factor_and_psnr_b_match_the_definition():
    rng = np.random.default_rng(0)
    smooth = rng.random((2, 24, 16, 1)).astype(np.float32) * 0.05
    blocky = smooth + np.kron(rng.random((3, 2)), np.ones((8, 8)))[np.newaxis, :, :, np.newaxis].astype(np.float32) * 0.3
    for images in (smooth, blocky):
        expected = [_bef_by_loops(image[..., 0]) for image in images]
        np.testing.assert_allclose(blocking_effect_factor(images).numpy(), expected, rtol=1e-4, atol=1e-8)
    assert float(blocking_effect_factor(blocky)[0]) > 0.001
    clean = np.zeros_like(blocky)
    mse = np.mean(blocky**2, axis=(1, 2, 3)) + np.array([_bef_by_loops(image[..., 0]) for image in blocky])
    np.testing.assert_allclose(psnr_b(clean, blocky).numpy(), 10 * np.log10(1 / mse), rtol=1e-4)
    assert np.all(psnr_b(clean, blocky).numpy() < psnr(clean, blocky).numpy())


def test_psnr_b_counts_jpeg_blocking_in_rgb():
    rng = np.random.default_rng(1)
    clean = np.clip(rng.random((1, 64, 64, 3)) * 0.2 + np.linspace(0.2, 0.8, 64)[None, :, None, None], 0, 1).astype(np.float32)
    decoded = tf.image.adjust_jpeg_quality(clean[0], 10).numpy()[np.newaxis]
    factors = [_bef_by_loops(decoded[0, ..., channel]) for channel in range(3)]
    np.testing.assert_allclose(blocking_effect_factor(decoded).numpy(), [np.mean(factors)], rtol=1e-4, atol=1e-8)
    assert float(psnr_b(clean, decoded)[0]) < float(psnr(clean, decoded)[0])
