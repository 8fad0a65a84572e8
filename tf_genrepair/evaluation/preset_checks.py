"""The figure a preset must reproduce: a small fixed slice of its benchmark, measured the same way when the
preset is built (`tools/build_presets.py`) and by the tests, so a shipped model cannot drift from its docs.

A check is a dict in the preset's manifest entry, e.g.
`{"metric": "accuracy", "data": "mnist", "split": "test[:1000]"}`; `measure_check` computes it. Restorers
run on each image at its own size (no shape bucketing), as in the benchmarks.
"""

import numpy as np

from tf_genrepair.corruptions import get_corruption
from tf_genrepair.data import load_arrays, load_dataset
from tf_genrepair.data.pinned_noise import noisy_copy
from tf_genrepair.metrics import psnr
from tf_genrepair.models import load_model


def _accuracy(model, check: dict) -> float:
    images, labels = load_arrays(check["data"], split=check["split"])
    return float(np.mean(model.predict_labels(images) == labels))


def _restored_psnr(model, check: dict) -> float:
    """Mean PSNR of the restored images over the check's corruptions (severity, seed fixed)."""
    clean = load_arrays(check["data"], split=check["split"])[0]
    scores = []
    for name in check["corruptions"]:
        damaged, masks = get_corruption(name)(clean, severity=check["severity"], seed=check["seed"])
        restored = model.restore(np.asarray(damaged), np.asarray(masks), size_ladder=None)
        scores.append(np.mean(psnr(clean, restored)))
    return float(np.mean(scores))


def _photo_restored_psnr(model, check: dict) -> float:
    """Mean PSNR over the first `images` test photos of `data` under `corruption` (seeded by image index), tiled."""
    images = [image for image, _ in load_dataset(check["data"], split="test").take(check["images"]).as_numpy_iterator()]
    scores = []
    for index, clean in enumerate(images):
        damaged, masks = get_corruption(check["corruption"])(clean, severity=check["severity"], seed=index)
        restored = model.restore(np.asarray(damaged)[np.newaxis], np.asarray(masks)[np.newaxis], tile_size=512, size_ladder=None)
        scores.append(psnr(clean[np.newaxis], restored)[0])
    return float(np.mean(scores))


def _denoised_psnr(model, check: dict) -> float:
    """Mean PSNR over the first `images` test images of `data` with the pinned noise at `sigma` (0..255)."""
    sigma = check["sigma"]
    images = [image for image, _ in load_dataset(check["data"], split="test").take(check["images"]).as_numpy_iterator()]
    scores = [psnr(clean[np.newaxis], model.restore(noisy_copy(clean, sigma, index)[np.newaxis], noise_levels=sigma / 255.0, size_ladder=None))[0] for index, clean in enumerate(images)]
    return float(np.mean(scores))


def _label_agreement(model, check: dict) -> float:
    """Share of class-conditional samples that the check's classifier puts in the requested class."""
    classifier = load_model(check["classifier"])
    labels = np.repeat(np.arange(model.num_classes), check["samples_per_class"])
    samples = model.sample(len(labels), labels=labels, seed=check["seed"])
    return float(np.mean(classifier.predict_labels(samples) == labels))


MEASURES = {
    "accuracy": _accuracy,
    "restored_psnr": _restored_psnr,
    "photo_restored_psnr": _photo_restored_psnr,
    "denoised_psnr": _denoised_psnr,
    "label_agreement": _label_agreement,
}


def measure_check(model, check: dict) -> float:
    """The check's figure for `model` (accuracy or agreement in [0, 1], PSNR in dB).

    Example:
        >>> measure_check(load_model("preset:classifier_mnist"), {"metric": "accuracy", "data": "mnist", "split": "test[:1000]"})
    """
    if check.get("metric") not in MEASURES:
        raise ValueError(f"Unknown preset check metric {check.get('metric')!r}. Valid: {sorted(MEASURES)}.")
    return MEASURES[check["metric"]](model, check)
