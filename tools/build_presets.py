"""Builds the shipped presets: trains each recipe's named experiment (or reuses its finished work dir), strips
the optimizer, copies the model into `tf_genrepair/presets/files/`, measures its check figure and writes
`tf_genrepair/presets/presets.json` (provenance, benchmark figures quoted from committed results files,
size, sha256).

    make presets                                            # retrains every preset from scratch (hours)
    python tools/build_presets.py --name=classifier_mnist   # one preset, reusing workdirs/presets/<name> if finished

The trained work dirs are `workdirs/presets/<name>` unless `--workdir=<name>=<folder>` points a recipe at
an existing run (the manifest then records that folder and the commit checked out when it was written).
"""

import argparse
import dataclasses
import datetime
import json
import os
import subprocess
from typing import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from tf_genrepair import presets  # noqa: E402
from tf_genrepair.configs import get_experiment  # noqa: E402
from tf_genrepair.evaluation.preset_checks import measure_check  # noqa: E402
from tf_genrepair.io import atomic_path, make_folder, write_json_atomic  # noqa: E402
from tf_genrepair.models import load_model  # noqa: E402
from tf_genrepair.training import train_and_evaluate  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks", "results")


def _result(name: str) -> dict:
    with open(os.path.join(RESULTS, f"{name}.json"), encoding="utf-8") as file:
        return json.load(file)


def _denoiser_figures(results: str) -> Callable[[], dict]:
    def figures() -> dict:
        rows = _result(results)["results"]
        return {f"{row['set']} sigma {row['sigma']:g} PSNR (dB)": round(row["psnr"], 2) for row in rows if row["method"].startswith("ours")}

    return figures


def _restorer_figures() -> dict:
    rows = _result("restore_mnist")["rows"]
    return {f"{row['corruption']} severity {row['severity']} restored PSNR (dB)": round(row["restored_psnr"], 2) for row in rows}


def _inpainter_figures() -> dict:
    rows = _result("inpaint")["results"]
    return {f"{row['data']}, {row['mask']} hole PSNR (dB)": round(row["hole_psnr"], 2) for row in rows if row["method"] == "ours (inpaint_mnist)"}


def _full_size_inpainter_figures() -> dict:
    """The benchmark's figures of the full-size `inpaint_bsd`, labelled as such (the narrow preset's cost is its check)."""
    rows = _result("inpaint")["results"]
    return {
        f"full-size inpaint_bsd: {row['data']}, {row['mask']} hole PSNR (dB)": round(row["hole_psnr"], 2)
        for row in rows
        if row["method"] == "ours (inpaint_bsd)"
    }


def _sample_figures(experiment: str) -> Callable[[], dict]:
    def figures() -> dict:
        run = next(run for run in _result("sample_quality")["runs"] if run["experiment"] == experiment)
        chosen = run["test_selected"]
        return {"test FID (reference classifier features)": round(chosen["fid"], 1), "label agreement": round(chosen["label_agreement"], 4)}

    return figures


@dataclasses.dataclass
class Recipe:
    """How a preset is made: its experiment, what it is for, its check and where its benchmark figures are."""

    experiment: str
    description: str
    check: dict
    figures: Callable[[], dict]
    results_file: str
    overrides: list[str] = dataclasses.field(default_factory=list)
    full_size: str | None = None  # A narrowed preset: the benchmarked full-size model, measured by the same check.


CLASSIFIER_CHECK = {"metric": "accuracy", "data": "mnist", "split": "test[:1000]"}
RECIPES = {
    "classifier_mnist": Recipe(
        "classifier_mnist", "The reference MNIST digit classifier (CNN, 28x28 grayscale in [0, 1]).", CLASSIFIER_CHECK,
        lambda: {"MNIST test accuracy (10,000 digits)": round(_result("unknown_damage")["clean_accuracy"]["clean"], 4)}, "unknown_damage.json",
    ),
    "restore_mnist": Recipe(
        "restore_mnist", "U-Net restorer for digits under the twelve classic corruptions (mask-aware).",
        {"metric": "restored_psnr", "data": "mnist", "split": "test[:200]", "corruptions": ["free_form", "gaussian_noise", "motion_blur"], "severity": 3, "seed": 0},
        _restorer_figures, "restore_mnist.json",
    ),
    "inpaint_mnist": Recipe(
        "inpaint_mnist", "U-Net inpainter for digits (box, free-form and pixel masks); observed pixels are kept as they are.",
        {"metric": "restored_psnr", "data": "mnist", "split": "test[:200]", "corruptions": ["box", "free_form", "pixel_dropout"], "severity": 3, "seed": 0},
        _inpainter_figures, "inpaint.json",
    ),
    "inpaint_gray": Recipe(
        "inpaint_bsd", "Grayscale photo inpainter (free-form strokes, thin to thick), any image size; a narrow U-Net "
        "(8 filters, 4 levels) so that it ships small; observed pixels are kept.",
        {"metric": "photo_restored_psnr", "data": "bsd:Set12", "images": 2, "corruption": "free_form", "severity": 5},
        _full_size_inpainter_figures, "inpaint.json", overrides=["model.filters=8", "model.unet_levels=4"], full_size="workdirs/inpaint_bsd/model.keras",
    ),
    "denoise_gray": Recipe(
        "denoise_bsd", "Grayscale photo denoiser with a noise-level input (sigma 0 to 55 of 255), any image size.",
        {"metric": "denoised_psnr", "data": "bsd:Set12", "images": 2, "sigma": 25},
        _denoiser_figures("denoise_bsd"), "denoise_bsd.json",
    ),
    "denoise_colour": Recipe(
        "denoise_colour", "Colour (RGB) photo denoiser with a noise-level input (sigma 0 to 75 of 255), any image size.",
        {"metric": "denoised_psnr", "data": "colour:CBSD68", "images": 2, "sigma": 25},
        _denoiser_figures("denoise_colour"), "denoise_colour.json",
    ),
    "cgan_mnist": Recipe(
        "cgan_mnist", "Class-conditional GAN for digits (EMA generator samples; the discriminator ships for fine-tuning).",
        {"metric": "label_agreement", "classifier": "preset:classifier_mnist", "samples_per_class": 100, "seed": 1},
        _sample_figures("cgan_mnist"), "sample_quality.json",
    ),
    "cvae_mnist": Recipe(
        "cvae_mnist", "Class-conditional VAE for digits: sample(n, labels=...) draws digits of the asked classes.",
        {"metric": "label_agreement", "classifier": "preset:classifier_mnist", "samples_per_class": 100, "seed": 1},
        _sample_figures("cvae_mnist"), "sample_quality.json",
    ),
}


def _git(*arguments: str) -> str:
    return subprocess.run(["git", *arguments], capture_output=True, text=True, check=True).stdout.strip()


def _commit_when_written(path: str) -> str:
    """The commit checked out when `path` was last written (the newest commit not after its modification time)."""
    written = datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc).isoformat()
    return _git("log", "-1", f"--before={written}", "--format=%H") or _git("rev-parse", "HEAD")


def _inference_copy(model: keras.Model) -> keras.Model:
    """The same model without optimizer state (a third of the file for Adam): rebuilt from its config, weights copied."""
    copy = type(model).from_config(model.get_config())
    copy.set_weights(model.get_weights())
    return copy


def build(name: str, workdir: str, manifest: dict) -> dict:
    """Trains (or reuses) the recipe's run in `workdir`, ships its model and returns its manifest entry."""
    recipe = RECIPES[name]
    config = get_experiment(recipe.experiment, recipe.overrides)
    model_file = os.path.join(workdir, "model.keras")
    if not os.path.isfile(model_file):
        train_and_evaluate(config, workdir)
    shipped = f"{name}.keras"
    target = os.path.join(presets.FOLDER, "files", shipped)
    make_folder(os.path.dirname(target))
    with atomic_path(target) as temporary:
        _inference_copy(load_model(model_file)).save(temporary)
    model = load_model(target)
    with open(os.path.join(workdir, "config.json"), encoding="utf-8") as file:
        trained = json.load(file)  # What the run saw, which may predate the experiment's current settings.
    overrides = "".join(f" --override={value}" for value in recipe.overrides)
    entry = {
        "file": shipped,
        "class": type(model).__name__,
        "description": recipe.description,
        "experiment": recipe.experiment,
        "command": f"genrepair-train --experiment={recipe.experiment} --workdir={workdir}{overrides}",
        "commit": _commit_when_written(model_file),
        "data": {key: trained["data"][key] for key in ("name", "train_split", "eval_split")},
        "figures": recipe.figures(),
        "figures_from": f"benchmarks/results/{recipe.results_file}",
        "check": recipe.check,
        "bytes": os.path.getsize(target),
        "sha256": presets.sha256_of(target),
    }
    entry["check"] = {**recipe.check, "value": measure_check(model, recipe.check)}
    if recipe.full_size:  # What narrowing costs, on the same slice.
        entry["full_size"] = {"model": recipe.full_size, "check_value": measure_check(load_model(recipe.full_size), recipe.check)}
    manifest[name] = entry
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", action="append", choices=sorted(RECIPES), help="Presets to build (default: all).")
    parser.add_argument("--workdir", action="append", default=[], help="name=folder: reuse an existing run for a recipe.")
    arguments = parser.parse_args()
    folders = dict(value.split("=", 1) for value in arguments.workdir)
    unknown = set(folders) - set(RECIPES)
    if unknown:
        raise ValueError(f"--workdir names unknown presets {sorted(unknown)}. Valid: {sorted(RECIPES)}.")
    manifest = {preset.pop("name"): preset for preset in presets.list_presets()}
    for name in arguments.name or list(RECIPES):  # In order: the classifier first, the cVAE's check uses it.
        entry = build(name, folders.get(name, os.path.join("workdirs", "presets", name)), manifest)
        write_json_atomic(presets.MANIFEST, dict(sorted(manifest.items())))
        print(f"{name}: {entry['bytes'] / 1e6:.1f} MB, check {entry['check']['metric']} = {entry['check']['value']:.4f}", flush=True)
    total = sum(entry["bytes"] for entry in manifest.values())
    print(f"{len(manifest)} presets, {total / 1e6:.1f} MB in {presets.FOLDER}")


if __name__ == "__main__":
    main()
