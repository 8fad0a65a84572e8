"""The recognition study: train (or reuse) the models it needs, measure what restoration and generation win back, report.

    study = get_study("recognition_mnist")
    report = run_study(study, "runs/recognition", models_root="workdirs")
"""

import contextlib
import json
import os
import time
from typing import Iterator, Sequence

import keras
import numpy as np

from tf_genrepair.configs import RecognitionStudy, TrainedModel
from tf_genrepair.configs.overrides import variant
from tf_genrepair.configs.studies import few_label_variant, with_reference_classifier
from tf_genrepair.corruptions import CLASSIC_CORRUPTIONS, CORRUPTIONS
from tf_genrepair.data import load_arrays
from tf_genrepair.evaluation.generated_data import class_sampler, generated_data_gain
from tf_genrepair.evaluation.leave_one_family_out import evaluate_leave_one_family_out
from tf_genrepair.evaluation.recognition_gain import (
    RestoreFunction,
    check_labelled_images,
    evaluate_external,
    evaluate_recognition_gain,
)
from tf_genrepair.evaluation.report import (
    external_markdown,
    generated_data_markdown,
    latent_probe_markdown,
    leave_one_family_out_markdown,
    per_corruption_markdown,
    save_before_after,
    save_corruption_gallery,
    summarize,
    summary_markdown,
    timing_markdown,
    write_report,
)
from tf_genrepair.io.atomic import make_folder
from tf_genrepair.io.plots import save_image_grid
from tf_genrepair.models import load_model
from tf_genrepair.restoration import GenerativePriorRestorer, baselines_for
from tf_genrepair.training import train_and_evaluate

AUGMENTED = "augmented"
CLEAN_CHECK = "clean test images (no damage)"  # Scored like an external set: does restoring or gating hurt undamaged images?
CLEAN = "clean"
EXAMPLES_PER_GRID = 8
SAMPLES_PER_CLASS = 10


def _corruptions(study: RecognitionStudy) -> tuple[str, ...]:
    """The study's damage: its corruptions (the classic twelve by default), then the unknown damage."""
    known = tuple(study.corruptions) if study.corruptions is not None else CLASSIC_CORRUPTIONS
    return known + tuple(study.unknown_damage)


def ensure_trained(model: TrainedModel, models_root: str, *, classifier_path: str | None = None) -> str:
    """Returns the folder of a trained model, training it there first if it has no `model.keras` (resumes a partial run).

    A model that `starts_from` another is fine-tuned from that one's weights in the same models root, trained first if need be.
    """
    workdir = os.path.join(models_root, model.folder_name)
    if not os.path.exists(os.path.join(workdir, "model.keras")):
        config = model.experiment
        if classifier_path:
            config = with_reference_classifier(config, classifier_path)  # The study's own classifier, wherever it lives.
        if model.starts_from is not None:
            source = ensure_trained(model.starts_from, models_root, classifier_path=classifier_path)
            config = variant(config, config.name, f"train.initial_weights={os.path.join(source, 'model.keras')}")
        print(f"Training {config.name} in {workdir}", flush=True)
        train_and_evaluate(config, workdir)
    return workdir


def _load(workdir: str, *, best_generator: bool = False) -> keras.Model:
    model = load_model(os.path.join(workdir, "model.keras"))
    best = os.path.join(workdir, "best_generator.weights.h5")
    if best_generator and os.path.exists(best):  # The collapse guard's pick, not the last epoch.
        model.sampling_network().load_weights(best)
    return model


def _arrays(name: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    images, labels = load_arrays(name, split=split)
    if (labels < 0).any():
        raise ValueError(f"Dataset {name}: every image needs a label (for a folder: one sub-folder per class).")
    return check_labelled_images(images, labels)


def _restorer_fn(model: keras.Model) -> RestoreFunction:
    # Test sets come in one size: nothing to bucket, and the network sees the images as they are.
    return lambda damaged, mask: model.restore(damaged, mask, batch_size=256, size_ladder=None)


class _Models:
    """The study's trained models, loaded from (or trained into) the models root."""

    def __init__(self, study: RecognitionStudy, models_root: str) -> None:
        classifier_dir = ensure_trained(study.classifier, models_root)
        classifier_path = os.path.join(classifier_dir, "model.keras")

        def folder(model: TrainedModel) -> str:
            return ensure_trained(model, models_root, classifier_path=classifier_path)

        self.classifiers = {CLEAN: _load(classifier_dir)}
        if study.augmented_classifier:
            self.classifiers[AUGMENTED] = _load(folder(study.augmented_classifier))
        self.restorers = {name: _restorer_fn(_load(folder(model))) for name, model in study.restorers.items()}
        self.held_out = {family: _restorer_fn(_load(folder(model))) for family, model in study.leave_one_family_out.items()}
        self.priors = {
            name: GenerativePriorRestorer(
                _load(folder(model), best_generator=True), steps=study.prior_steps, restarts=study.prior_restarts, seed=study.seed
            ).restore
            for name, model in study.priors.items()
        }
        self.generators = {name: _load(folder(model), best_generator=True) for name, model in study.conditional_generators.items()}
        self.semi_supervised = {
            count: {name: _load(folder(few_label_variant(model, study, count))) for name, model in study.semi_supervised.items()}
            for count in (study.label_counts if study.semi_supervised else ())
        }
        self.latent_probe = None
        if study.latent_vae:
            with open(os.path.join(folder(study.latent_vae), "metrics.json")) as handle:
                self.latent_probe = json.load(handle).get("latent_linear_probe_accuracy")


def _pictures(study: RecognitionStudy, models: _Models, images: np.ndarray, folder: str) -> None:
    """Before/after grids per corruption, the corruption gallery and generated sample grids."""
    save_corruption_gallery(images[0], list(CORRUPTIONS), os.path.join(folder, "corruptions.png"), seed=study.seed)
    examples = images[:EXAMPLES_PER_GRID]
    severity = max(study.severities)
    for name in _corruptions(study):
        methods = {**models.restorers, **(baselines_for(name) if study.classical_baselines else {})}
        save_before_after(examples, name, severity, methods, os.path.join(folder, f"before_after_{name}.png"), seed=study.seed)
    class_samplers = {name: generator for name, generator in models.generators.items()}
    for count, semi_supervised in models.semi_supervised.items():
        class_samplers.update({f"{name}_{count}labels": model for name, model in semi_supervised.items() if model.samples_by_class})
    for name, generator in class_samplers.items():
        labels = np.repeat(np.arange(generator.num_classes), SAMPLES_PER_CLASS)
        path = os.path.join(folder, f"samples_{name}.png")
        images_of_classes = generator.sample(len(labels), labels=labels, seed=study.seed)
        save_image_grid(images_of_classes, path, columns=SAMPLES_PER_CLASS, title=f"{name}: one row per class")


def _prior_section(study: RecognitionStudy, models: _Models, images: np.ndarray, labels: np.ndarray) -> tuple[dict, str]:
    """Generative-prior restorers next to the learned ones, on the first `prior_images` test images."""
    count = min(study.prior_images, len(images))
    restorers = {**models.restorers, **models.priors}
    report = evaluate_recognition_gain(
        {CLEAN: models.classifiers[CLEAN]}, restorers, images[:count], labels[:count], _corruptions(study), study.severities, seed=study.seed, gate_margin=study.gate_margin
    )
    text = summary_markdown(summarize(report), title=f"Generative-prior restoration (first {count} test images)")
    return report, text


class _Stages:
    """Announces each stage of a run and records its seconds."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.started = time.time()

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        print(f"== {name}", flush=True)
        began = time.time()
        yield
        self.seconds[name] = time.time() - began

    @property
    def total(self) -> float:
        return time.time() - self.started


def run_study(study: RecognitionStudy, output_dir: str, *, models_root: str | None = None, external: Sequence[str] = ()) -> dict:
    """Trains what is missing, evaluates, and writes `report.md`, `report.json` and PNGs to `output_dir`.

    Args:
        study: E.g. `get_study("recognition_mnist")`.
        output_dir: Report folder.
        models_root: Folder holding one sub-folder per trained model (default `<output_dir>/models`);
            models already trained there are reused.
        external: Damaged labelled sets without a clean reference (`npz:<path>`, `folder:<path>`,
            `tfds:<name>`), evaluated for accuracy only.

    Returns:
        The report (also in `report.json`).
    """
    images, labels = _arrays(study.data, study.test_split)
    external_sets = {spec: _arrays(spec, "test") for spec in external}  # A malformed set fails before any training.
    for spec, (external_images, _) in external_sets.items():
        if external_images.shape[1:] != images.shape[1:]:
            raise ValueError(f"External set {spec} holds images of shape {external_images.shape[1:]}; the study's models take {images.shape[1:]}.")
    models_root = models_root or os.path.join(output_dir, "models")
    make_folder(output_dir)
    stages = _Stages()
    with stages("training or loading models"):
        models = _Models(study, models_root)
    with stages("recognition under damage"):
        baselines = baselines_for if study.classical_baselines else None
        report = evaluate_recognition_gain(
            models.classifiers, models.restorers, images, labels, _corruptions(study), study.severities, baselines=baselines, seed=study.seed,
            gate_margin=study.gate_margin,
        )
    sections = []
    if models.held_out:
        with stages("leave one family out"):
            report["leave_one_family_out"] = evaluate_leave_one_family_out(
                models.classifiers[CLEAN], models.held_out, images, labels, study.severities, seed=study.seed
            )
        sections.append(leave_one_family_out_markdown(report["leave_one_family_out"]))
    if models.priors:
        with stages("generative-prior restoration"):
            report["generative_prior"], text = _prior_section(study, models, images, labels)
        sections.append(text)
    if models.generators or models.semi_supervised:
        with stages("few labels: generated data and semi-supervised models"):
            train_images, train_labels = _arrays(study.data, study.few_label_split)
            samplers = {name: class_sampler(model, study.seed) for name, model in models.generators.items()}
            report["generated_data"] = generated_data_gain(
                train_images, train_labels, images, labels, samplers, semi_supervised=models.semi_supervised,
                label_counts=study.label_counts, generated_per_class=study.generated_per_class, steps=study.few_label_steps, seed=study.seed,
            )
        sections.append(generated_data_markdown(report["generated_data"]))
    if models.latent_probe is not None:
        report["latent_linear_probe_accuracy"] = models.latent_probe
        sections.append(latent_probe_markdown(models.latent_probe))
    checks = {CLEAN_CHECK: (images, labels)} if study.clean_check else {}
    for spec, (external_images, external_labels) in {**checks, **external_sets}.items():
        with stages(f"external set {spec}"):
            external_report = evaluate_external(
                models.classifiers, models.restorers, external_images, external_labels, name=spec, gate_margin=study.gate_margin
            )
        report.setdefault("external", []).append(external_report)
        sections.append(external_markdown(spec, external_report))
    with stages("pictures"):
        _pictures(study, models, images, output_dir)
    report.update(study=study.name, seconds=stages.total, seconds_per_stage=stages.seconds)
    augmented = AUGMENTED if study.augmented_classifier else None
    known = [name for name in _corruptions(study) if name not in study.unknown_damage]
    summary = summarize(report, augmented_classifier=augmented, corruptions=known)
    sections.insert(0, per_corruption_markdown(report, augmented_classifier=augmented, corruptions=known))
    if study.unknown_damage:
        unknown = summarize(report, augmented_classifier=augmented, corruptions=study.unknown_damage)
        sections.insert(0, summary_markdown(unknown, title="Damage outside the classic twelve (new families and compositions)"))
        report["summary_unknown_damage"] = unknown
    sections.append(timing_markdown(stages.seconds))
    write_report(report, output_dir, title=f"{study.name}: recognition under damage", summary=summary, sections=sections)
    report["summary"] = summary
    return report
