"""How much recognition accuracy damage costs, and how much restoration wins back."""

from typing import Callable, Mapping, Sequence

import keras
import numpy as np

from tf_genrepair.corruptions import family_of, get_corruption
from tf_genrepair.evaluation.gate import gate_choice
from tf_genrepair.metrics import psnr, ssim
from tf_genrepair.models import class_probabilities, predict_labels

RestoreFunction = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (damaged images, masks) -> restored images
BaselineChooser = Callable[[str], Mapping[str, RestoreFunction]]  # corruption -> the classical restorers that address it
Classifiers = keras.Model | Mapping[str, keras.Model]
DEFAULT_CLASSIFIER = "classifier"


def _as_named(classifier: Classifiers) -> Mapping[str, keras.Model]:
    return classifier if isinstance(classifier, Mapping) else {DEFAULT_CLASSIFIER: classifier}


def check_labelled_images(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Returns float32 `[N, H, W, C]` images in [0, 1] and int labels, or raises naming the problem."""
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 4 or labels.ndim != 1 or len(images) != len(labels) or len(images) == 0:
        raise ValueError(
            f"Images must be [N, H, W, C] with N = len(labels) > 0 and labels [N]. Received: images {images.shape}, labels {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0:
        raise ValueError(f"Labels must be non-negative integer class ids. Received: dtype {labels.dtype}, min {labels.min()}")
    images = images.astype(np.float32)
    if np.isnan(images).any() or images.min() < 0.0 or images.max() > 1.0:
        raise ValueError(f"Images must be finite and lie in [0, 1]. Received: range [{np.nanmin(images)}, {np.nanmax(images)}]")
    return images, labels


def corrupt(name: str, images: np.ndarray, severity: int, *, seed: int, batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Damages `images` batch by batch with a reproducible seed; returns `(damaged, mask)` arrays."""
    corruption = get_corruption(name)
    damaged, masks = [], []
    for index, start in enumerate(range(0, len(images), batch_size)):
        batch_damaged, batch_mask = corruption(images[start : start + batch_size], severity=severity, seed=[seed, index])
        damaged.append(batch_damaged.numpy())
        masks.append(batch_mask.numpy())
    return np.concatenate(damaged), np.concatenate(masks)


def restore_in_batches(restorer: RestoreFunction, damaged: np.ndarray, mask: np.ndarray, batch_size: int) -> np.ndarray:
    """Applies `restorer(damaged, mask)` batch by batch; returns the restored images clipped to [0, 1]."""
    batches = [np.asarray(restorer(damaged[start : start + batch_size], mask[start : start + batch_size])) for start in range(0, len(damaged), batch_size)]
    restored = np.concatenate(batches).astype(np.float32)
    if restored.shape != damaged.shape:
        raise ValueError(f"A restorer returned shape {restored.shape} for damaged images of shape {damaged.shape}.")
    return np.clip(restored, 0.0, 1.0)


GATED_SUFFIX = "+gate"  # The confidence-gated pipeline of restorer `r` is the method `r+gate`, kind `gated`.
LEARNED_GATE_SUFFIX = "+learned_gate"  # With a `LearnedGate` for `r`: `r+learned_gate`, kind `gated`.


def _family(name: str) -> str:
    if name.startswith("composition"):
        return "composition"
    if name in ("all", "classic") or name.startswith("blind") or "+" in name or "|" in name:
        return "mixed"
    return family_of(name)


def _gated(
    outputs: Mapping[str, tuple[str, np.ndarray]], probabilities: Mapping[str, np.ndarray], margin: float, learned: Mapping[str, np.ndarray]
) -> dict:
    """Per restorer: each gate's choice between the damaged and the restored image, as (images, probabilities).

    `learned` holds, per restorer with a `LearnedGate` for this classifier, that gate's choice.
    """
    gated = {}
    for method, (kind, restored) in outputs.items():
        if kind != "restorer":
            continue
        choices = {GATED_SUFFIX: gate_choice(probabilities["damaged"], probabilities[method], margin=margin)}
        if method in learned:
            choices[LEARNED_GATE_SUFFIX] = learned[method]
        for suffix, use_restored in choices.items():
            images = np.where(use_restored[:, None, None, None], restored, outputs["damaged"][1])
            gated[method + suffix] = (images, np.where(use_restored[:, None], probabilities[method], probabilities["damaged"]))
    return gated


def _learned_choices(learned_gates: Mapping | None, outputs: Mapping[str, tuple[str, np.ndarray]]) -> dict[str, dict[str, np.ndarray]]:
    """Classifier name -> restorer name -> that pair's `LearnedGate` choice on these outputs."""
    return {
        classifier: {method: gate.choose(outputs["damaged"][1], outputs[method][1]) for method, gate in gates.items() if method in outputs}
        for classifier, gates in (learned_gates or {}).items()
    }


def _score(
    classifiers: Mapping[str, keras.Model],
    clean_accuracy: Mapping[str, float] | None,
    outputs: Mapping[str, tuple[str, np.ndarray]],
    labels: np.ndarray,
    clean: np.ndarray | None,
    setting: dict,
    batch_size: int,
    gate_margin: float,
    learned: Mapping[str, Mapping[str, np.ndarray]],
) -> list[dict]:
    """One row per (classifier, method): accuracy, plus PSNR/SSIM and the recovered fraction when the clean
    images and their accuracy are known (None without a clean reference). Each restorer also gets a row for
    its gated pipeline (`ConfidenceGate`'s rule, per classifier)."""

    def image_scores(images: np.ndarray) -> tuple[float | None, float | None]:
        return (float(np.mean(psnr(clean, images))), float(np.mean(ssim(clean, images)))) if clean is not None else (None, None)

    scores = {method: image_scores(output) for method, (_, output) in outputs.items()}
    rows = []
    for classifier_name, classifier in classifiers.items():
        probabilities = {
            method: class_probabilities(classifier.predict(output, batch_size=batch_size, verbose=0)) for method, (_, output) in outputs.items()
        }
        gated = _gated(outputs, probabilities, gate_margin, learned.get(classifier_name, {}))
        probabilities.update({method: gated_probabilities for method, (_, gated_probabilities) in gated.items()})
        kinds = {**{method: kind for method, (kind, _) in outputs.items()}, **{method: "gated" for method in gated}}
        method_scores = {**scores, **{method: image_scores(images) for method, (images, _) in gated.items()}}
        accuracies = {method: float(np.mean(np.argmax(values, axis=-1) == labels)) for method, values in probabilities.items()}
        clean_value = clean_accuracy[classifier_name] if clean_accuracy is not None else None
        lost = clean_value - accuracies["damaged"] if clean_value is not None else 0.0
        for method, kind in kinds.items():
            recovered = (accuracies[method] - accuracies["damaged"]) / lost if lost > 0 else None
            rows.append(
                {
                    **setting,
                    "classifier": classifier_name,
                    "method": method,
                    "kind": kind,
                    "clean_accuracy": clean_value,
                    "accuracy": accuracies[method],
                    "accuracy_recovered": recovered,
                    "psnr": method_scores[method][0],
                    "ssim": method_scores[method][1],
                }
            )
    return rows


def evaluate_recognition_gain(
    classifier: Classifiers,
    restorers: Mapping[str, RestoreFunction],
    images: np.ndarray,
    labels: np.ndarray,
    corruptions: Sequence[str],
    severities: Sequence[int],
    *,
    baselines: BaselineChooser | None = None,
    batch_size: int = 256,
    seed: int = 0,
    gate_margin: float = 0.0,
    learned_gates: Mapping | None = None,
) -> dict:
    """Accuracy, PSNR and SSIM on clean, damaged and restored images, per corruption and severity.

    Args:
        classifier: A classifier (images `[B, H, W, C]` in [0, 1] -> logits or probabilities),
            or several by name (e.g. clean-trained and augmentation-trained), each scored on
            every output.
        restorers: Name -> `restorer(damaged, mask) -> restored`, applied to every corruption.
        images: Clean images, float `[N, H, W, C]` in [0, 1].
        labels: `[N]` int class ids.
        corruptions: Registry names.
        severities: Severities in 1..5.
        baselines: Corruption name -> the classical restorers that address it (e.g.
            `tf_genrepair.restoration.baselines.baselines_for`), applied to that corruption only.
        batch_size: Batch size for damage, restoration and classification.
        seed: Seed of the damage; the same seed gives the same table.
        gate_margin: The confidence margin of the gated rows (see `evaluation/gate.py`).
        learned_gates: Classifier name (`DEFAULT_CLASSIFIER` for an unnamed one) -> restorer name ->
            the `LearnedGate` trained for that pair, adding a `<restorer>+learned_gate` row for each.

    Returns:
        `{"clean_accuracy": {classifier: accuracy}, "rows": [...], ...}`, one row per
        (corruption, severity, classifier, method); method `damaged`, a restorer's or a
        baseline's name (kind `damaged`, `restorer` or `classical`), or `<restorer>+gate` (kind
        `gated`: the restored image where the classifier is more confident of it, else the damaged
        one); each row holds
        `accuracy`, `psnr`, `ssim` and `accuracy_recovered = (method - damaged) / (clean - damaged)`
        (None when damage cost that classifier no accuracy).

    Example:
        >>> report = evaluate_recognition_gain(classifier, {"unet": restorer.restore}, images, labels, ["box"], [3, 5])
    """
    images, labels = check_labelled_images(images, labels)
    classifiers = _as_named(classifier)
    clean_accuracy = {name: float(np.mean(predict_labels(model, images, batch_size=batch_size) == labels)) for name, model in classifiers.items()}
    rows = []
    progress = keras.utils.Progbar(len(corruptions) * len(severities), unit_name="setting")
    for name in corruptions:
        classical = dict(baselines(name)) if baselines else {}
        for severity in severities:
            damaged, mask = corrupt(name, images, severity, seed=seed, batch_size=batch_size)
            outputs = {"damaged": ("damaged", damaged)}
            outputs.update({method: ("restorer", restore_in_batches(fn, damaged, mask, batch_size)) for method, fn in restorers.items()})
            outputs.update({method: ("classical", restore_in_batches(fn, damaged, mask, batch_size)) for method, fn in classical.items()})
            setting = {"corruption": name, "family": _family(name), "severity": int(severity), "observed_fraction": float(mask.mean())}
            learned = _learned_choices(learned_gates, outputs)
            rows += _score(classifiers, clean_accuracy, outputs, labels, images, setting, batch_size, gate_margin, learned)
            progress.add(1)
    return {"clean_accuracy": clean_accuracy, "num_images": int(len(images)), "seed": seed, "rows": rows}


def evaluate_external(
    classifier: Classifiers,
    restorers: Mapping[str, RestoreFunction],
    images: np.ndarray,
    labels: np.ndarray,
    *,
    name: str,
    batch_size: int = 256,
    gate_margin: float = 0.0,
    learned_gates: Mapping | None = None,
) -> dict:
    """Accuracy on an already damaged, labelled set with no clean reference, before and after restoration.

    Every pixel counts as observed (mask of ones). Rows carry `corruption=name`, family
    `external`, no severity, no PSNR/SSIM and no recovered fraction (no clean accuracy).

    Example:
        >>> report = evaluate_external(classifier, {"unet": restorer.restore}, images, labels, name="npz:scans.npz")
    """
    images, labels = check_labelled_images(images, labels)
    classifiers = _as_named(classifier)
    mask = np.ones(images.shape[:3] + (1,), np.float32)
    outputs = {"damaged": ("damaged", images)}
    outputs.update({method: ("restorer", restore_in_batches(fn, images, mask, batch_size)) for method, fn in restorers.items()})
    setting = {"corruption": name, "family": "external", "severity": None, "observed_fraction": 1.0}
    rows = _score(classifiers, None, outputs, labels, None, setting, batch_size, gate_margin, _learned_choices(learned_gates, outputs))
    return {"clean_accuracy": {}, "num_images": int(len(images)), "seed": None, "rows": rows}

