"""Pure, seeded, graph-compatible image corruptions: `fn(images, *, severity, seed) -> (damaged, mask)`."""

from tf_genrepair.corruptions.core import Corruption, as_seed
from tf_genrepair.corruptions.masks import apply_mask, mask_corruption
from tf_genrepair.corruptions.registry import (
    CORRUPTION_FAMILIES,
    CORRUPTIONS,
    compose,
    family_of,
    get_corruption,
    mixture,
)

__all__ = [
    "CORRUPTIONS",
    "CORRUPTION_FAMILIES",
    "Corruption",
    "apply_mask",
    "as_seed",
    "compose",
    "family_of",
    "get_corruption",
    "mask_corruption",
    "mixture",
]
