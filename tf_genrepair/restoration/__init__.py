"""Restoration beyond one trained network: generative-prior restoration and the classical baselines behind the same call."""

from tf_genrepair.restoration.baselines import baselines_for
from tf_genrepair.restoration.prior import (
    GenerativePriorRestorer,
    downsample_operator,
    gaussian_blur_operator,
)

__all__ = ["GenerativePriorRestorer", "baselines_for", "downsample_operator", "gaussian_blur_operator"]
