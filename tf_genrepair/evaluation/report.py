"""The recognition report: summary against the bars, markdown tables, JSON and plots."""

import os
from typing import Mapping, Sequence

import numpy as np

from tf_genrepair.corruptions import get_corruption
from tf_genrepair.evaluation.recognition_gain import (
    RestoreFunction,
    corrupt,
    restore_in_batches,
)
from tf_genrepair.io.atomic import write_json_atomic, write_text_atomic
from tf_genrepair.io.plots import save_curves, save_image_table


def _mean(values: Sequence[float]) -> float | None:
    values = [value for value in values if value is not None]
    return float(np.mean(values)) if values else None


def _index(rows: Sequence[dict]) -> dict[tuple, dict]:
    return {(row["classifier"], row["corruption"], row["severity"], row["method"]): row for row in rows}


def summarize(report: dict, *, augmented_classifier: str | None = None, corruptions: Sequence[str] | None = None) -> dict:
    """The report's headline numbers, per severity.

    - `methods`: for the first classifier, each method's accuracy and accuracy recovered,
      averaged over corruptions (`recovered_mean`, the mean of per-corruption fractions,
      and `recovered_pooled`, total accuracy regained over total accuracy lost).
    - `versus_classical`: for each restorer and corruption family, the (corruption,
      severity) pairs where it is at least as accurate as every classical baseline.
    - `versus_augmentation` (with `augmented_classifier`): mean accuracy of the clean
      classifier on restored images next to the augmentation-trained classifier on damaged
      and restored images, and the corruptions where each wins.

    Only the rows of `corruptions` count when it is given.
    """
    rows = [row for row in report["rows"] if row["severity"] is not None and (corruptions is None or row["corruption"] in corruptions)]
    main = next(iter(report["clean_accuracy"]))
    index = _index(rows)
    names = list(dict.fromkeys(row["corruption"] for row in rows))  # The corruptions that were run, in order.
    severities = sorted({row["severity"] for row in rows})
    restorers = list(dict.fromkeys(row["method"] for row in rows if row["kind"] == "restorer"))
    summary: dict = {"classifier": main, "methods": {}, "versus_classical": {}, "versus_augmentation": {}}
    for severity in severities:
        per_method = {}
        for method in dict.fromkeys(row["method"] for row in rows if row["classifier"] == main):
            chosen = [index[main, name, severity, method] for name in names if (main, name, severity, method) in index]
            damaged = [index[main, row["corruption"], severity, "damaged"] for row in chosen]
            lost = sum(row["clean_accuracy"] - base["accuracy"] for row, base in zip(chosen, damaged))
            regained = sum(row["accuracy"] - base["accuracy"] for row, base in zip(chosen, damaged))
            per_method[method] = {
                "corruptions": len(chosen),
                "accuracy": _mean([row["accuracy"] for row in chosen]),
                "recovered_mean": _mean([row["accuracy_recovered"] for row in chosen]),
                "recovered_pooled": regained / lost if lost > 0 else None,
                "psnr": _mean([row["psnr"] for row in chosen]),
            }
        summary["methods"][severity] = per_method
    for method in restorers:
        families: dict = {}
        for row in rows:
            if row["classifier"] != main or row["kind"] != "classical":
                continue
            ours = index[main, row["corruption"], row["severity"], method]
            family = families.setdefault(row["family"], {"pairs": 0, "wins": 0, "losses": []})
            family["pairs"] += 1
            if ours["accuracy"] >= row["accuracy"]:
                family["wins"] += 1
            else:
                family["losses"].append(f"{row['corruption']}@{row['severity']} vs {row['method']}")
        summary["versus_classical"][method] = families
    if augmented_classifier:
        for severity in severities:
            mean_accuracy = {
                f"{classifier} + {method}": _mean([index[classifier, name, severity, method]["accuracy"] for name in names])
                for classifier in (main, augmented_classifier)
                for method in ["damaged", *restorers]
            }
            wins = {}
            for method in restorers:
                ours = [index[main, name, severity, method]["accuracy"] for name in names]
                theirs = [index[augmented_classifier, name, severity, "damaged"]["accuracy"] for name in names]
                wins[method] = {
                    "restoration_wins": [name for name, a, b in zip(names, ours, theirs) if a > b],
                    "augmentation_wins": [name for name, a, b in zip(names, ours, theirs) if a < b],
                    "gap_points": 100.0 * (_mean(ours) - _mean(theirs)),
                }
            summary["versus_augmentation"][severity] = {"mean_accuracy": mean_accuracy, "per_restorer": wins}
    return summary


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _number(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def summary_markdown(summary: dict, *, title: str = "Summary") -> str:
    """The headline tables under `## <title>`: recovery per method, wins over classical baselines, restoration vs augmentation."""
    lines = [
        f"## {title} (classifier `{summary['classifier']}`)",
        "",
        "Recovered = (accuracy after restoration - damaged) / (clean - damaged). The mean of the per-corruption "
        "fractions swings widely where a corruption costs almost nothing; the pooled figure is total accuracy "
        "regained over total accuracy lost.",
        "",
    ]
    for severity, methods in summary["methods"].items():
        lines += [
            f"Severity {severity}: accuracy averaged over the corruptions each method was run on.",
            "",
            "| method | corruptions | accuracy | recovered (mean of fractions) | recovered (pooled) | PSNR (dB) |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for method, values in methods.items():
            recovered = ("", "") if method == "damaged" else (_percent(values["recovered_mean"]), _percent(values["recovered_pooled"]))
            lines.append(
                f"| {method} | {values['corruptions']} | {values['accuracy']:.4f} | {recovered[0]} | {recovered[1]} | {_number(values['psnr'])} |"
            )
        lines.append("")
    if any(summary["versus_classical"].values()):
        lines += ["Restorers against every classical baseline (pairs of corruption and severity where the restorer is at least as accurate):", ""]
        lines += ["| restorer | family | wins | losses |", "| --- | --- | ---: | --- |"]
        for method, families in summary["versus_classical"].items():  # Empty for a restorer never set against a baseline.
            for family, values in families.items():
                lines.append(f"| {method} | {family} | {values['wins']}/{values['pairs']} | {', '.join(values['losses'])} |")
        lines.append("")
    for severity, values in summary["versus_augmentation"].items():
        lines += [f"Restoration or augmentation, severity {severity} (mean accuracy over corruptions):", ""]
        lines += ["| classifier + input | accuracy |", "| --- | ---: |"]
        lines += [f"| {name} | {accuracy:.4f} |" for name, accuracy in values["mean_accuracy"].items()]
        lines.append("")
        for method, wins in values["per_restorer"].items():
            lines.append(
                f"- clean classifier + {method} vs augmented classifier on damaged: {wins['gap_points']:+.2f} points; "
                f"restoration wins on {', '.join(wins['restoration_wins']) or 'none'}; "
                f"augmentation wins on {', '.join(wins['augmentation_wins']) or 'none'}."
            )
        lines.append("")
    return "\n".join(lines)


def per_corruption_markdown(report: dict, *, augmented_classifier: str | None = None, corruptions: Sequence[str] | None = None) -> str:
    """One line per (corruption, severity): the first classifier on damaged images, behind each restorer and the most
    accurate classical baseline, and (with `augmented_classifier`) that classifier on damaged and restored images."""
    rows = [row for row in report["rows"] if row["severity"] is not None and (corruptions is None or row["corruption"] in corruptions)]
    main = next(iter(report["clean_accuracy"]))
    index = _index(rows)
    restorers = list(dict.fromkeys(row["method"] for row in rows if row["kind"] == "restorer"))
    classifiers = [main] + ([augmented_classifier] if augmented_classifier else [])
    columns = [(classifier, method) for classifier in classifiers for method in ["damaged", *restorers]]
    headers = [f"{classifier} + {method}" for classifier, method in columns]
    lines = [
        f"## Per corruption (accuracy; best classical = the most accurate baseline that addresses the corruption, `{main}` classifier)",
        "",
        "| corruption | severity | " + " | ".join(headers) + " | best classical |",
        "| --- | ---: | " + " | ".join("---:" for _ in headers) + " | --- |",
    ]
    for name, severity in dict.fromkeys((row["corruption"], row["severity"]) for row in rows):
        cells = [_number(index[key]["accuracy"], 4) if key in index else "" for key in ((c, name, severity, m) for c, m in columns)]
        classical = [row for row in rows if (row["classifier"], row["corruption"], row["severity"], row["kind"]) == (main, name, severity, "classical")]
        best = max(classical, key=lambda row: row["accuracy"], default=None)
        best_text = f"{best['method']} {best['accuracy']:.4f}" if best else ""
        lines.append(f"| {name} | {severity} | " + " | ".join(cells) + f" | {best_text} |")
    return "\n".join(lines) + "\n"


def generated_data_markdown(rows: Sequence[dict]) -> str:
    """The few-label table: each method's test accuracy and its gain over the digit CNN on the real labels alone, in points."""
    baseline = {row["real_labels"]: row["test_accuracy"] for row in rows if row["classifier"] == "digit CNN" and row["generated_by"] is None}
    lines = [
        "## Few labels: generated data and semi-supervised models",
        "",
        "Every row sees the same labelled digits (class-balanced, seeded). \"generator's labels\" says which labels the "
        "generator of the added images was trained with: **all** means every training label, not only the few.",
        "",
        "| real labels | classifier | generated by | generator's labels | generated images | test accuracy | gain (points) |",
        "| ---: | --- | --- | --- | ---: | ---: | ---: |",
    ]
    for row in rows:
        alone = row["classifier"] == "digit CNN" and row["generated_by"] is None
        gain = "" if alone else f"{100 * (row['test_accuracy'] - baseline[row['real_labels']]):+.2f}"
        generator_labels = {None: "", "all": "**all**"}.get(row["generator_labels"], str(row["generator_labels"]))
        lines.append(
            f"| {row['real_labels']} | {row['classifier']} | {row['generated_by'] or 'none'} | {generator_labels} | "
            f"{row['generated_images']} | {row['test_accuracy']:.4f} | {gain} |"
        )
    return "\n".join(lines) + "\n"


def latent_probe_markdown(accuracy: float) -> str:
    """The section on VAE latent codes as features."""
    return f"## VAE latent codes as features\n\nLinear classifier on the VAE's posterior means: test accuracy **{accuracy:.4f}**.\n"


def leave_one_family_out_markdown(results: Mapping[str, dict]) -> str:
    """Each family scored by the restorer trained without it."""
    lines = [
        "## Leave one family out",
        "",
        "Each family's corruptions scored by a blind restorer whose training damage never included that family "
        "(reference classifier; accuracy averaged over the family's members).",
        "",
        "| family | severity | damaged | restored | restored + gate | recovered (mean of fractions) | recovered (pooled) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for family, values in results.items():
        for severity, scores in values["severities"].items():
            lines.append(
                f"| {family} | {severity} | {scores['damaged_accuracy']:.4f} | {scores['restored_accuracy']:.4f} | {scores['gated_accuracy']:.4f} | "
                f"{_percent(scores['recovered_mean'])} | {_percent(scores['recovered_pooled'])} |"
            )
    return "\n".join(lines) + "\n"


def external_markdown(name: str, report: dict) -> str:
    """The section of one external damaged set (accuracy only)."""
    return f"## External set `{name}` (accuracy only, no clean reference)\n\n" + rows_markdown(report)


def timing_markdown(seconds: Mapping[str, float]) -> str:
    """Seconds per stage of a run."""
    return "## Time\n\n" + "\n".join(f"- {stage}: {value:.0f} s" for stage, value in seconds.items()) + "\n"


def rows_markdown(report: dict) -> str:
    """Every row: one line per (corruption, severity, classifier, method)."""
    accuracies = ", ".join(f"`{name}` {value:.4f}" for name, value in report["clean_accuracy"].items())
    lines = [
        f"Clean accuracy: {accuracies or 'no clean reference'} on {report['num_images']} images (damage seed {report['seed']}).",
        "",
        "| corruption | family | severity | classifier | method | accuracy | recovered | PSNR (dB) | SSIM | observed |",
        "| --- | --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report["rows"]:
        recovered = "" if row["method"] == "damaged" else _percent(row["accuracy_recovered"])
        lines.append(
            f"| {row['corruption']} | {row['family']} | {row['severity'] or ''} | {row['classifier']} | {row['method']} | "
            f"{row['accuracy']:.4f} | {recovered} | {_number(row['psnr'])} | {_number(row['ssim'], 3)} | {row['observed_fraction']:.1%} |"
        )
    return "\n".join(lines) + "\n"


def save_accuracy_curves(report: dict, folder: str) -> list[str]:
    """One PNG per corruption: accuracy vs severity, one line per (classifier, method)."""
    rows = [row for row in report["rows"] if row["severity"] is not None]
    main = next(iter(report["clean_accuracy"]), None)
    written = []
    for name in dict.fromkeys(row["corruption"] for row in rows):
        chosen = [row for row in rows if row["corruption"] == name]
        severities = sorted({row["severity"] for row in chosen})
        by_key = {(row["classifier"], row["method"], row["severity"]): row["accuracy"] for row in chosen}
        series, dashed = {}, []
        for classifier, method in dict.fromkeys((row["classifier"], row["method"]) for row in chosen):
            key = method if classifier == main else f"{method} ({classifier} classifier)"
            series[key] = [by_key[classifier, method, severity] for severity in severities]
            if classifier != main:
                dashed.append(key)
        series[f"clean images ({main} classifier)"] = [report["clean_accuracy"][main]] * len(severities)
        path = os.path.join(folder, f"accuracy_{name}.png")
        title = f"{name}: accuracy vs severity" + (" (dashed: other classifiers)" if dashed else "")
        written.append(save_curves(severities, series, path, x_label="severity", y_label="accuracy", title=title, dashed=dashed))
    return written


def save_before_after(
    images: np.ndarray,
    corruption: str,
    severity: int,
    restorers: Mapping[str, RestoreFunction],
    path: str,
    *,
    seed: int = 0,
) -> str:
    """Saves clean, damaged and each restorer's output for a few images (rows) as one PNG."""
    damaged, mask = corrupt(corruption, images, severity, seed=seed, batch_size=len(images))
    rows = {"clean": images, "damaged": damaged}
    rows.update({name: restore_in_batches(fn, damaged, mask, len(images)) for name, fn in restorers.items()})
    return save_image_table(rows, path, title=f"{corruption}, severity {severity}", cell_inches=0.8)


def save_corruption_gallery(image: np.ndarray, corruptions: Sequence[str], path: str, *, seed: int = 0) -> str:
    """Saves one image under every corruption (rows) at severities 1..5 (columns)."""
    rows = {"clean": np.asarray(image)[np.newaxis]}
    for name in corruptions:
        corruption = get_corruption(name)
        rows[name] = np.stack([corruption(image, severity=severity, seed=seed)[0].numpy() for severity in range(1, 6)])
    labels = [f"severity {severity}" for severity in range(1, 6)]
    return save_image_table(rows, path, column_labels=labels, title="Every corruption at severities 1-5")


def write_report(
    report: dict,
    folder: str,
    *,
    title: str = "Recognition under damage",
    summary: dict | None = None,
    sections: Sequence[str] = (),
) -> list[str]:
    """Writes `report.json` (every number), `report.md` (summary, extra sections, all rows) and accuracy curves.

    Returns:
        The paths written.
    """
    os.makedirs(folder, exist_ok=True)
    write_json_atomic(os.path.join(folder, "report.json"), {**report, "summary": summary} if summary else report)
    parts = [f"# {title}", *(part for part in [summary_markdown(summary) if summary else None, *sections] if part), "## Every row", rows_markdown(report)]
    write_text_atomic(os.path.join(folder, "report.md"), "\n\n".join(parts))
    return [os.path.join(folder, "report.json"), os.path.join(folder, "report.md"), *save_accuracy_curves(report, folder)]
