"""How much recognition accuracy damage costs, and how much restoration wins back."""

import os
from typing import Callable, Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.corruptions import family_of, get_corruption
from tf_genrepair.files import write_json_atomic, write_text_atomic
from tf_genrepair.metrics import psnr, ssim
from tf_genrepair.visualize import save_curves, save_image_table

Restorer = Callable[[tf.Tensor, tf.Tensor], tf.Tensor]  # (damaged, mask) -> restored


def _predict_labels(classifier: keras.Model, images: np.ndarray, batch_size: int) -> np.ndarray:
    return np.argmax(classifier.predict(images, batch_size=batch_size, verbose=0), axis=-1)


def _corrupt(name: str, images: np.ndarray, severity: int, seed: int, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    corruption = get_corruption(name)
    damaged, masks = [], []
    for index, start in enumerate(range(0, len(images), batch_size)):
        batch_damaged, batch_mask = corruption(images[start : start + batch_size], severity=severity, seed=[seed, index])
        damaged.append(batch_damaged.numpy())
        masks.append(batch_mask.numpy())
    return np.concatenate(damaged), np.concatenate(masks)


def _restore(restorer: Restorer, damaged: np.ndarray, mask: np.ndarray, batch_size: int) -> np.ndarray:
    batches = [
        np.asarray(restorer(tf.constant(damaged[start : start + batch_size]), tf.constant(mask[start : start + batch_size])))
        for start in range(0, len(damaged), batch_size)
    ]
    return np.clip(np.concatenate(batches), 0.0, 1.0)


def evaluate_recognition_gain(
    classifier: keras.Model,
    restorers: Mapping[str, Restorer],
    images: np.ndarray,
    labels: np.ndarray,
    corruptions: Sequence[str],
    severities: Sequence[int],
    *,
    batch_size: int = 256,
    seed: int = 0,
) -> dict:
    """Accuracy, PSNR and SSIM on clean, damaged and restored images, per corruption and severity.

    Args:
        classifier: Maps images `[B, H, W, C]` in [0, 1] to logits or probabilities.
        restorers: Name -> `restorer(damaged, mask) -> restored`; may be empty.
        images: Clean images, float32 `[N, H, W, C]` in [0, 1].
        labels: `[N]` int class ids.
        corruptions: Registry names.
        severities: Severities in 1..5.
        batch_size: Batch size for damage, restoration and classification.
        seed: Seed of the damage; the same seed gives the same table.

    Returns:
        `{"clean_accuracy": float, "rows": [...]}`, one row per (corruption, severity,
        method) with method `damaged` or a restorer's name, holding `accuracy`, `psnr`,
        `ssim` and `accuracy_recovered = (method - damaged) / (clean - damaged)` (None
        when damage cost no accuracy).

    Example:
        >>> report = evaluate_recognition_gain(classifier, {}, images, labels, ["gaussian_noise"], [3, 5])
    """
    images, labels = np.asarray(images, np.float32), np.asarray(labels)
    if images.ndim != 4 or len(images) != len(labels) or len(images) == 0:
        raise ValueError(f"`images` must be [N, H, W, C] with N = len(labels) > 0. Received: {images.shape} and {labels.shape}")
    clean_accuracy = float(np.mean(_predict_labels(classifier, images, batch_size) == labels))
    rows = []
    progress = keras.utils.Progbar(len(corruptions) * len(severities), unit_name="setting")
    for name in corruptions:
        for severity in severities:
            damaged, mask = _corrupt(name, images, severity, seed, batch_size)
            outputs = {"damaged": damaged, **{method: _restore(fn, damaged, mask, batch_size) for method, fn in restorers.items()}}
            damaged_accuracy = None
            for method, output in outputs.items():
                accuracy = float(np.mean(_predict_labels(classifier, output, batch_size) == labels))
                damaged_accuracy = accuracy if method == "damaged" else damaged_accuracy
                lost = clean_accuracy - damaged_accuracy
                rows.append(
                    {
                        "corruption": name,
                        "family": family_of(name) if "+" not in name and "|" not in name else "mixed",
                        "severity": int(severity),
                        "method": method,
                        "clean_accuracy": clean_accuracy,
                        "accuracy": accuracy,
                        "psnr": float(np.mean(psnr(images, output))),
                        "ssim": float(np.mean(ssim(images, output))),
                        "observed_fraction": float(mask.mean()),
                        "accuracy_recovered": (accuracy - damaged_accuracy) / lost if lost > 0 else None,
                    }
                )
            progress.add(1)
    return {"clean_accuracy": clean_accuracy, "num_images": int(len(images)), "seed": seed, "rows": rows}


def report_markdown(report: dict) -> str:
    """Renders the report as markdown: one table, one row per (corruption, severity, method)."""
    lines = [
        f"Clean accuracy: **{report['clean_accuracy']:.4f}** on {report['num_images']} images (damage seed {report['seed']}).",
        "",
        "| corruption | family | severity | method | accuracy | recovered | PSNR (dB) | SSIM | observed |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report["rows"]:
        recovered = "" if row["accuracy_recovered"] is None or row["method"] == "damaged" else f"{row['accuracy_recovered']:.1%}"
        lines.append(
            f"| {row['corruption']} | {row['family']} | {row['severity']} | {row['method']} | {row['accuracy']:.4f} | "
            f"{recovered} | {row['psnr']:.2f} | {row['ssim']:.3f} | {row['observed_fraction']:.1%} |"
        )
    return "\n".join(lines) + "\n"


def write_report(report: dict, folder: str, *, title: str = "Recognition under damage") -> list[str]:
    """Writes `report.json`, `report.md` and one accuracy-vs-severity PNG per corruption family.

    Returns:
        The paths written.
    """
    os.makedirs(folder, exist_ok=True)
    write_json_atomic(os.path.join(folder, "report.json"), report)
    write_text_atomic(os.path.join(folder, "report.md"), f"# {title}\n\n" + report_markdown(report))
    written = [os.path.join(folder, "report.json"), os.path.join(folder, "report.md")]
    for family in sorted({row["family"] for row in report["rows"]}):
        family_rows = [row for row in report["rows"] if row["family"] == family]
        severities = sorted({row["severity"] for row in family_rows})
        series = {
            f"{name} / {method}": [
                next(row["accuracy"] for row in family_rows if (row["corruption"], row["method"], row["severity"]) == (name, method, s))
                for s in severities
            ]
            for name, method in dict.fromkeys((row["corruption"], row["method"]) for row in family_rows)
        }
        series["clean"] = [report["clean_accuracy"]] * len(severities)
        path = os.path.join(folder, f"accuracy_{family}.png")
        written.append(
            save_curves(severities, series, path, x_label="severity", y_label="accuracy", title=f"{family}: accuracy vs severity")
        )
    return written


def save_corruption_gallery(image: np.ndarray, corruptions: Sequence[str], path: str, *, seed: int = 0) -> str:
    """Saves one image under every corruption (rows) at severities 1..5 (columns)."""
    rows = {"clean": np.repeat(np.asarray(image)[np.newaxis], 1, axis=0)}
    for name in corruptions:
        corruption = get_corruption(name)
        rows[name] = np.stack([corruption(image, severity=severity, seed=seed)[0].numpy() for severity in range(1, 6)])
    labels = [f"severity {severity}" for severity in range(1, 6)]
    return save_image_table(rows, path, column_labels=labels, title="Every corruption at severities 1-5")
