"""Restoration beyond one forward pass: tiled inference for large images and generative-prior restoration."""

from tf_genrepair.restoration.prior import GenerativePriorRestorer, downsample_operator, gaussian_blur_operator
from tf_genrepair.restoration.tiling import tiled_apply

__all__ = ["GenerativePriorRestorer", "downsample_operator", "gaussian_blur_operator", "tiled_apply"]
