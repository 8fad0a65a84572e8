"""The recognition study: train (or reuse) the models it needs, measure what restoration and generation win back, report.

    study = get_study("recognition_mnist")
    report = run_study(study, "runs/recognition", models_root="workdirs")
"""

import contextlib
import dataclasses
import json
import os
import time
from typing import Callable, Iterator, Mapping, Sequence

import keras
import numpy as np

from tf_genrepair.baselines import baselines_for
from tf_genrepair.configs import get_experiment
from tf_genrepair.corruptions import CORRUPTIONS
from tf_genrepair.data import load_arrays
from tf_genrepair.evaluation import Restorer, check_labelled_images, evaluate_external, evaluate_recognition_gain
from tf_genrepair.file_tools import load_keras_model
from tf_genrepair.files import make_folder
from tf_genrepair.generated_data import generated_data_gain, generated_data_markdown
from tf_genrepair.recognition_report import (
    rows_markdown,
    save_before_after,
    save_corruption_gallery,
    summarize,
    summary_markdown,
    write_report,
)
from tf_genrepair.restoration.prior import GenerativePriorRestorer
from tf_genrepair.training import train_and_evaluate
from tf_genrepair.visualize import save_image_grid

AUGMENTED = "augmented"
CLEAN = "clean"
EXAMPLES_PER_GRID = 8
SAMPLES_PER_CLASS = 10


@dataclasses.dataclass(frozen=True)
class TrainedModel:
    """A model the study needs: a named experiment, its overrides, and its folder under the models root."""

    experiment: str
    overrides: tuple[str, ...] = ()
    folder: str | None = None  # Default: the experiment's name.

    @property
    def folder_name(self) -> str:
        return self.folder or self.experiment


@dataclasses.dataclass(frozen=True)
class RecognitionStudy:
    """What to train, what to damage, and what to measure."""

    name: str
    classifier: TrainedModel
    augmented_classifier: TrainedModel | None = None
    restorers: Mapping[str, TrainedModel] = dataclasses.field(default_factory=dict)
    priors: Mapping[str, TrainedModel] = dataclasses.field(default_factory=dict)  # Unconditional GAN/VAE as restoration priors.
    conditional_generators: Mapping[str, TrainedModel] = dataclasses.field(default_factory=dict)
    latent_vae: TrainedModel | None = None
    data: str = "mnist"
    train_split: str = "train"
    test_split: str = "test"
    corruptions: tuple[str, ...] = tuple(CORRUPTIONS)
    severities: tuple[int, ...] = (3, 5)
    classical_baselines: bool = True
    prior_images: int = 500  # Generative-prior restoration optimises per image: run on the first N test images.
    prior_steps: int = 100
    prior_restarts: int = 2
    label_counts: tuple[int, ...] = (100, 1000)
    generated_per_class: int = 1000
    few_label_steps: int = 600
    seed: int = 0


def recognition_mnist() -> RecognitionStudy:
    """The full study on the MNIST test set: every corruption at severities 3 and 5."""
    return RecognitionStudy(
        name="recognition_mnist",
        classifier=TrainedModel("classifier_mnist"),
        augmented_classifier=TrainedModel("classifier_mnist_augmented"),
        restorers={
            "unet": TrainedModel("restore_mnist", ("train.epochs=6",)),
            "unet_recognition": TrainedModel("restore_mnist_recognition", ("train.epochs=6",)),
            "unet_adversarial": TrainedModel("restore_mnist_adversarial", ("train.epochs=6",)),
        },
        # The DCGAN prior measured 0.4 s an image here (the VAE prior 0.02 s): too slow for 24 settings.
        priors={"vae_prior": TrainedModel("vae_mnist")},
        conditional_generators={"cgan": TrainedModel("cgan_mnist"), "cvae": TrainedModel("cvae_mnist")},
        latent_vae=TrainedModel("vae_mnist"),
    )


def recognition_demo() -> RecognitionStudy:
    """The main job of `make demo`: small models on the shipped digits, minutes on 2 CPU cores."""
    classifier = ("model.width=16", "model.feature_dim=64", "train.epochs=4", "data.eval_split=test")
    return RecognitionStudy(
        name="recognition_demo",
        data="sample",
        classifier=TrainedModel("classifier_mnist_smoke", classifier, folder="classifier"),
        augmented_classifier=TrainedModel("classifier_mnist_smoke", classifier + ("data.augmentation=all",), folder="classifier_augmented"),
        restorers={"unet": TrainedModel("restore_mnist_smoke", ("train.epochs=6", "train.steps_per_epoch=125"), folder="restorer")},
        conditional_generators={"cvae": TrainedModel("cvae_mnist_smoke", ("model.width=256", "model.latent_dim=16", "train.epochs=15", "train.steps_per_epoch=None"), folder="cvae")},
        label_counts=(100, 1000),
        generated_per_class=300,
        few_label_steps=300,
    )


def recognition_smoke() -> RecognitionStudy:
    """Seconds on a CPU: tiny models, three corruptions, 200 test digits (for tests)."""
    return RecognitionStudy(
        name="recognition_smoke",
        data="sample",
        test_split="test[:200]",
        classifier=TrainedModel("classifier_mnist_smoke"),
        augmented_classifier=TrainedModel("classifier_mnist_augmented_smoke"),
        restorers={"unet": TrainedModel("restore_mnist_smoke")},
        priors={"vae_prior": TrainedModel("vae_mnist_smoke")},
        conditional_generators={"cvae": TrainedModel("cvae_mnist_smoke")},
        latent_vae=TrainedModel("vae_mnist_smoke"),
        corruptions=("box", "gaussian_noise", "gaussian_blur"),
        severities=(5,),
        prior_images=40,
        prior_steps=10,
        label_counts=(100,),
        generated_per_class=20,
        few_label_steps=30,
    )


STUDIES: Mapping[str, Callable[[], RecognitionStudy]] = {
    "recognition_mnist": recognition_mnist,
    "recognition_demo": recognition_demo,
    "recognition_smoke": recognition_smoke,
}


def get_study(name: str) -> RecognitionStudy:
    """Returns the named study, or raises naming the valid ones."""
    if name not in STUDIES:
        raise ValueError(f"Unknown study {name!r}. Valid studies: {', '.join(STUDIES)}")
    return STUDIES[name]()


def ensure_trained(model: TrainedModel, models_root: str, *, classifier_path: str | None = None) -> str:
    """Returns the folder of a trained model, training it there first if it has no `model.keras` (resumes a partial run)."""
    workdir = os.path.join(models_root, model.folder_name)
    if not os.path.exists(os.path.join(workdir, "model.keras")):
        config = get_experiment(model.experiment, list(model.overrides))
        if config.evaluation.classifier and classifier_path:
            config.evaluation.classifier = classifier_path  # The study's own classifier, wherever it lives.
        print(f"Training {model.experiment} in {workdir}", flush=True)
        train_and_evaluate(config, workdir)
    return workdir


def _load(workdir: str, *, best_generator: bool = False) -> keras.Model:
    model = load_keras_model(os.path.join(workdir, "model.keras"))
    best = os.path.join(workdir, "best_generator.weights.h5")
    if best_generator and os.path.exists(best):  # The collapse guard's pick, not the last epoch.
        model.sampling_network().load_weights(best)
    return model


def _arrays(name: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    images, labels = load_arrays(name, split=split)
    if (labels < 0).any():
        raise ValueError(f"Dataset {name}: every image needs a label (for a folder: one sub-folder per class).")
    return check_labelled_images(images, labels)


def _sampler(model: keras.Model, seed: int) -> Callable[[np.ndarray], np.ndarray]:
    def sample(labels: np.ndarray) -> np.ndarray:
        return np.concatenate([model.sample(len(part), labels=part, seed=seed + index) for index, part in enumerate(np.array_split(labels, max(1, len(labels) // 1000)))])

    return sample


def _restorer_fn(model: keras.Model) -> Restorer:
    return lambda damaged, mask: model.restore(damaged, mask, batch_size=256)


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
        self.priors = {
            name: GenerativePriorRestorer(
                _load(folder(model), best_generator=True), steps=study.prior_steps, restarts=study.prior_restarts, seed=study.seed
            ).restore
            for name, model in study.priors.items()
        }
        self.generators = {name: _load(folder(model), best_generator=True) for name, model in study.conditional_generators.items()}
        self.latent_probe = None
        if study.latent_vae:
            with open(os.path.join(folder(study.latent_vae), "metrics.json")) as handle:
                self.latent_probe = json.load(handle).get("latent_linear_probe_accuracy")


def _pictures(study: RecognitionStudy, models: _Models, images: np.ndarray, folder: str) -> None:
    """Before/after grids per corruption, the corruption gallery and generated sample grids."""
    save_corruption_gallery(images[0], list(CORRUPTIONS), os.path.join(folder, "corruptions.png"), seed=study.seed)
    examples = images[:EXAMPLES_PER_GRID]
    severity = max(study.severities)
    for name in study.corruptions:
        methods = {**models.restorers, **(baselines_for(name) if study.classical_baselines else {})}
        save_before_after(examples, name, severity, methods, os.path.join(folder, f"before_after_{name}.png"), seed=study.seed)
    for name, generator in models.generators.items():
        labels = np.repeat(np.arange(generator.num_classes), SAMPLES_PER_CLASS)
        path = os.path.join(folder, f"samples_{name}.png")
        images_of_classes = generator.sample(len(labels), labels=labels, seed=study.seed)
        save_image_grid(images_of_classes, path, columns=SAMPLES_PER_CLASS, title=f"{name}: one row per class")


def _prior_section(study: RecognitionStudy, models: _Models, images: np.ndarray, labels: np.ndarray) -> tuple[dict, str]:
    """Generative-prior restorers next to the learned ones, on the first `prior_images` test images."""
    count = min(study.prior_images, len(images))
    restorers = {**models.restorers, **models.priors}
    report = evaluate_recognition_gain(
        {CLEAN: models.classifiers[CLEAN]}, restorers, images[:count], labels[:count], study.corruptions, study.severities, seed=study.seed
    )
    text = summary_markdown(summarize(report)).replace("## Summary", f"## Generative-prior restoration (first {count} test images)", 1)
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
            models.classifiers, models.restorers, images, labels, study.corruptions, study.severities, baselines=baselines, seed=study.seed
        )
    sections = []
    if models.priors:
        with stages("generative-prior restoration"):
            report["generative_prior"], text = _prior_section(study, models, images, labels)
        sections.append(text)
    if models.generators:
        with stages("generated data for recognition"):
            train_images, train_labels = _arrays(study.data, study.train_split)
            samplers = {name: _sampler(model, study.seed) for name, model in models.generators.items()}
            report["generated_data"] = generated_data_gain(
                train_images, train_labels, images, labels, samplers,
                label_counts=study.label_counts, generated_per_class=study.generated_per_class, steps=study.few_label_steps, seed=study.seed,
            )
        sections.append(generated_data_markdown(report["generated_data"]))
    if models.latent_probe is not None:
        report["latent_linear_probe_accuracy"] = models.latent_probe
        sections.append(f"## VAE latent codes as features\n\nLinear classifier on the VAE's posterior means: test accuracy **{models.latent_probe:.4f}**.\n")
    for spec, (external_images, external_labels) in external_sets.items():
        with stages(f"external set {spec}"):
            external_report = evaluate_external(models.classifiers, models.restorers, external_images, external_labels, name=spec)
        report.setdefault("external", []).append(external_report)
        sections.append(f"## External set `{spec}` (accuracy only, no clean reference)\n\n" + rows_markdown(external_report))
    with stages("pictures"):
        _pictures(study, models, images, output_dir)
    report.update(study=study.name, seconds=stages.total, seconds_per_stage=stages.seconds)
    summary = summarize(report, augmented_classifier=AUGMENTED if study.augmented_classifier else None)
    timing = "## Time\n\n" + "\n".join(f"- {stage}: {seconds:.0f} s" for stage, seconds in stages.seconds.items()) + "\n"
    write_report(report, output_dir, title=f"{study.name}: recognition under damage", summary=summary, sections=[*sections, timing])
    report["summary"] = summary
    return report
