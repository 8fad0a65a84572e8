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
from tf_genrepair.metrics.image_quality import PSNR, SSIM, blocking_effect_factor, psnr, psnr_b, ssim
from tf_genrepair.metrics.latent_probe import linear_probe_accuracy
from tf_genrepair.metrics.sample_quality import generator_quality, sample_quality

__all__ = [
    "PSNR",
    "SSIM",
    "blocking_effect_factor",
    "extract_features",
    "fid",
    "generator_quality",
    "frechet_distance",
    "gaussian_statistics",
    "kid",
    "linear_probe_accuracy",
    "precision_recall_coverage",
    "psnr",
    "psnr_b",
    "sample_quality",
    "ssim",
]
