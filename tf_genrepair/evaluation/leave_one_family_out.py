"""Leave one family out: each corruption family scored by a restorer whose training damage never included it."""

from typing import Mapping, Sequence

import keras
import numpy as np

from tf_genrepair.corruptions import COLOUR_ONLY, CORRUPTION_FAMILIES
from tf_genrepair.evaluation.recognition_gain import (
    GATED_SUFFIX,
    RestoreFunction,
    evaluate_recognition_gain,
)
from tf_genrepair.evaluation.report import summarize


def evaluate_leave_one_family_out(
    classifier: keras.Model,
    held_out_restorers: Mapping[str, RestoreFunction],
    images: np.ndarray,
    labels: np.ndarray,
    severities: Sequence[int],
    *,
    batch_size: int = 256,
    seed: int = 0,
) -> dict[str, dict]:
    """Each family scored by the restorer that never saw it: family -> per severity, accuracy and accuracy recovered.

    Args:
        held_out_restorers: Family name -> a restorer trained with that family left out
            (e.g. `restore_mnist_blind` with `data.corruption=blind-geometric-<family>`).

    Returns:
        `{family: {"members": [...], "severities": {severity: {"damaged_accuracy", "restored_accuracy",
        "gated_accuracy", "recovered_mean", "recovered_pooled"}}}}`, the figures of `summarize` over the
        family's members; colour-only members are left out of grayscale sets.

    Example:
        >>> results = evaluate_leave_one_family_out(classifier, {"geometric": held_out.restore}, images, labels, [3])
    """
    results = {}
    for family, restore in held_out_restorers.items():
        members = [name for name in CORRUPTION_FAMILIES[family] if images.shape[-1] == 3 or name not in COLOUR_ONLY]
        report = evaluate_recognition_gain(classifier, {"held_out": restore}, images, labels, members, severities, batch_size=batch_size, seed=seed)
        per_severity = {}
        for severity, methods in summarize(report)["methods"].items():
            per_severity[severity] = {
                "damaged_accuracy": methods["damaged"]["accuracy"],
                "restored_accuracy": methods["held_out"]["accuracy"],
                "gated_accuracy": methods["held_out" + GATED_SUFFIX]["accuracy"],
                "recovered_mean": methods["held_out"]["recovered_mean"],
                "recovered_pooled": methods["held_out"]["recovered_pooled"],
            }
        results[family] = {"members": members, "severities": per_severity}
    return results
