"""Pure, seeded, graph-compatible image corruptions: `fn(images, *, severity, seed) -> (damaged, mask)`."""

from tf_genrepair.corruptions.core import Corruption, as_seed
from tf_genrepair.corruptions.masks import apply_mask, mask_corruption
from tf_genrepair.corruptions.registry import (
    CLASSIC_CORRUPTIONS,
    COLOUR_ONLY,
    CORRUPTION_FAMILIES,
    CORRUPTIONS,
    compose,
    family_of,
    get_corruption,
    mixture,
    random_composition,
)

__all__ = [
    "CLASSIC_CORRUPTIONS",
    "COLOUR_ONLY",
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
    "random_composition",
]
