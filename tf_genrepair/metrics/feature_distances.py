"""Distances between feature distributions: FID, KID and precision/recall/coverage.

Computed on features of any Keras model (for digits: the reference classifier's penultimate
layer), with float64 statistics.
"""

from typing import Callable, Iterable

import numpy as np
import tensorflow as tf


def extract_features(
    feature_model: Callable[[tf.Tensor], tf.Tensor], images: np.ndarray | tf.data.Dataset | Iterable, *, batch_size: int = 256
) -> np.ndarray:
    """Runs `feature_model` over images (array, or dataset/iterable of batches) and returns float64 `[N, D]`.

    Example:
        >>> features = extract_features(classifier.feature_extractor(), test_images)
    """
    if isinstance(images, (np.ndarray, tf.Tensor)):
        images = tf.data.Dataset.from_tensor_slices(images).batch(batch_size)
    chunks = []
    for batch in images:
        batch = batch[0] if isinstance(batch, tuple) else batch
        chunks.append(np.asarray(feature_model(batch, training=False), np.float64).reshape(len(batch), -1))
    if not chunks:
        raise ValueError("No images to extract features from. Received an empty set.")
    return np.concatenate(chunks)


def gaussian_statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (unbiased) covariance of `[N, D]` features, in float64."""
    features = np.asarray(features, np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"`features` must be [N, D] with N >= 2. Received: shape={features.shape}")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _sqrtm_psd(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def frechet_distance(mean_a: np.ndarray, cov_a: np.ndarray, mean_b: np.ndarray, cov_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians: `|m_a - m_b|^2 + tr(C_a + C_b - 2 (C_a C_b)^(1/2))`.

    The trace of the matrix square root is computed as the trace of
    `(C_a^(1/2) C_b C_a^(1/2))^(1/2)`, which has the same eigenvalues and is symmetric.

    Example:
        >>> frechet_distance(*gaussian_statistics(real), *gaussian_statistics(fake))
    """
    root_a = _sqrtm_psd(cov_a)
    trace_root = np.trace(_sqrtm_psd(root_a @ cov_b @ root_a))
    distance = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_root
    return float(max(distance, 0.0))


def fid(real_features: np.ndarray, generated_features: np.ndarray) -> float:
    """Fréchet distance between Gaussian fits of two feature sets (FID on any feature model).

    Example:
        >>> fid(extract_features(f, real), extract_features(f, generated))
    """
    return frechet_distance(*gaussian_statistics(real_features), *gaussian_statistics(generated_features))


def kid(
    real_features: np.ndarray, generated_features: np.ndarray, *, num_subsets: int = 10, subset_size: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """Kernel inception distance: unbiased MMD^2 with kernel `(x.y / d + 1)^3`, mean and std over subsets.

    Example:
        >>> kid_mean, kid_std = kid(real_features, generated_features)
    """
    rng = np.random.default_rng(seed)
    real_features, generated_features = np.asarray(real_features, np.float64), np.asarray(generated_features, np.float64)
    size = min(subset_size, len(real_features), len(generated_features))
    if size < 2:
        raise ValueError(f"KID needs at least 2 features per set. Received: {len(real_features)} and {len(generated_features)}")
    dimension = real_features.shape[1]
    estimates = []
    for _ in range(num_subsets):
        x = real_features[rng.choice(len(real_features), size, replace=False)]
        y = generated_features[rng.choice(len(generated_features), size, replace=False)]
        k_xx, k_yy, k_xy = ((a @ b.T / dimension + 1.0) ** 3 for a, b in ((x, x), (y, y), (x, y)))
        off_diagonal = size * (size - 1)
        estimates.append(
            (k_xx.sum() - np.trace(k_xx)) / off_diagonal + (k_yy.sum() - np.trace(k_yy)) / off_diagonal - 2.0 * k_xy.mean()
        )
    return float(np.mean(estimates)), float(np.std(estimates))


def _pairwise_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    squared = np.sum(a**2, 1)[:, None] + np.sum(b**2, 1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.clip(squared, 0.0, None))


def precision_recall_coverage(real_features: np.ndarray, generated_features: np.ndarray, *, k: int = 5) -> dict[str, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019), density and coverage (Naeem et al. 2020).

    Each real (generated) point's k-NN radius defines a ball; precision is the fraction of
    generated points inside some real ball, recall the fraction of real points inside some
    generated ball, coverage the fraction of real balls that hold a generated point, and
    density the mean count of real balls holding each generated point, divided by k.

    Example:
        >>> precision_recall_coverage(real_features, generated_features)["coverage"]
    """
    real, generated = np.asarray(real_features, np.float64), np.asarray(generated_features, np.float64)
    if min(len(real), len(generated)) <= k:
        raise ValueError(f"Each set needs more than k={k} points. Received: {len(real)} real, {len(generated)} generated")
    real_radii = np.sort(_pairwise_distances(real, real), axis=1)[:, k]
    generated_radii = np.sort(_pairwise_distances(generated, generated), axis=1)[:, k]
    cross = _pairwise_distances(real, generated)  # [real, generated]
    inside_real = cross <= real_radii[:, None]
    return {
        "precision": float(inside_real.any(axis=0).mean()),
        "recall": float((cross <= generated_radii[None, :]).any(axis=1).mean()),
        "density": float(inside_real.sum(axis=0).mean() / k),
        "coverage": float((cross.min(axis=1) <= real_radii).mean()),
    }
