"""Measures, once: image quality (PSNR, SSIM), feature-distribution distances (FID, KID, coverage),
sample quality under a reference classifier, and the linear probe on latent codes."""

from tf_genrepair.metrics.feature_distances import (
    extract_features,
    fid,
    frechet_distance,
    gaussian_statistics,
    kid,
    precision_recall_coverage,
)
from tf_genrepair.metrics.image_quality import PSNR, SSIM, psnr, ssim
from tf_genrepair.metrics.latent_probe import linear_probe_accuracy
from tf_genrepair.metrics.sample_quality import generator_quality, sample_quality

__all__ = [
    "PSNR",
    "SSIM",
    "extract_features",
    "fid",
    "generator_quality",
    "frechet_distance",
    "gaussian_statistics",
    "kid",
    "linear_probe_accuracy",
    "precision_recall_coverage",
    "psnr",
    "sample_quality",
    "ssim",
]
