"""Named recognition studies: which trained models to compare, on what damage, measuring what."""

import dataclasses
from typing import Callable, Mapping

from tf_genrepair.configs.classifiers import (
    classifier_cifar10,
    classifier_cifar10_augmented,
    classifier_cifar10_augmented_smoke,
    classifier_cifar10_smoke,
    classifier_mnist,
    classifier_mnist_augmented,
    classifier_mnist_augmented_smoke,
    classifier_mnist_smoke,
)
from tf_genrepair.configs.gans import cgan_mnist
from tf_genrepair.configs.overrides import variant
from tf_genrepair.configs.restorers import (
    restore_cifar10,
    restore_cifar10_recognition,
    restore_cifar10_recognition_smoke,
    restore_cifar10_smoke,
    restore_mnist,
    restore_mnist_adversarial,
    restore_mnist_blind,
    restore_mnist_blind_smoke,
    restore_mnist_recognition,
    restore_mnist_smoke,
)
from tf_genrepair.configs.schema import CIFAR10_TRAINING, GENERATOR_TRAINING, SMOKE_GENERATOR_TRAINING, ExperimentConfig
from tf_genrepair.configs.semi_supervised import ssgan_mnist, ssvae_mnist, ssvae_mnist_smoke
from tf_genrepair.configs.vaes import (
    cvae_mnist,
    cvae_mnist_smoke,
    vae_mnist,
    vae_mnist_smoke,
)


@dataclasses.dataclass(frozen=True)
class TrainedModel:
    """A model a study needs: the experiment that trains it, and its folder under the models root."""

    experiment: ExperimentConfig
    folder: str | None = None  # Default: the experiment's name.
    starts_from: "TrainedModel | None" = None  # A model whose weights it is fine-tuned from (its train.initial_weights).

    @property
    def folder_name(self) -> str:
        return self.folder or self.experiment.name


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
    # Semi-supervised models (kinds ssvae, ssgan), each trained once per label count on that many labels only.
    semi_supervised: Mapping[str, TrainedModel] = dataclasses.field(default_factory=dict)
    data: str = "mnist"
    train_split: str = "train"
    few_label_split: str = GENERATOR_TRAINING  # The few labels (and semi-supervised training) come from here.
    test_split: str = "test"
    corruptions: tuple[str, ...] | None = None  # None: the twelve classic corruptions.
    # Damage outside the classic twelve (new families, `composition2`, `composition3`), rows like the others.
    unknown_damage: tuple[str, ...] = ()
    clean_check: bool = True  # Also score every restorer and gate on the undamaged test images (do no harm).
    gate_margin: float = 0.0  # Confidence margin of the gated rows.
    # Family -> a restorer trained blind without it, scored on that family (leave-one-family-out).
    leave_one_family_out: Mapping[str, TrainedModel] = dataclasses.field(default_factory=dict)
    severities: tuple[int, ...] = (3, 5)
    classical_baselines: bool = True
    prior_images: int = 500  # Generative-prior restoration optimises per image: run on the first N test images.
    prior_steps: int = 100
    prior_restarts: int = 2
    label_counts: tuple[int, ...] = (100, 1000)
    generated_per_class: int = 1000
    few_label_steps: int = 600
    seed: int = 0


def with_reference_classifier(config: ExperimentConfig, path: str) -> ExperimentConfig:
    """`config` with every classifier it reads (sample quality, the recognition term) pointed at `path`."""
    config = variant(config, config.name)
    if config.evaluation.classifier:
        config.evaluation.classifier = path
    if getattr(config.model, "recognition_classifier", None):
        config.model.recognition_classifier = path
    return config


# The new families the blind restorer trains on (colour ones leave digits alone), and compositions.
UNKNOWN_DAMAGE = (
    "brightness", "contrast", "gamma", "haze", "vignetting", "uneven_illumination", "defocus_blur", "zoom_blur", "glass_blur",
    "blots", "pen_lines", "stripes", "elastic", "affine", "posterize", "bit_depth", "composition2", "composition3",
)


def few_label_variant(model: TrainedModel, study: "RecognitionStudy", count: int) -> TrainedModel:
    """`model` trained on the `count` labels the study's few-label classifier gets: the same split, count and seed."""
    overrides = (f"data.train_split={study.few_label_split}", f"data.num_labels={count}", f"train.seed={study.seed}")
    name = f"{model.experiment.name}_{count}labels"
    return TrainedModel(variant(model.experiment, name, *overrides), folder=f"{model.folder_name}_{count}labels")


def _without(base: ExperimentConfig, family: str, *overrides: str) -> TrainedModel:
    """`base` (a blind restorer, warps as content) trained with `family` also left out of its damage.

    Leaving out the geometric family drops the warped targets too, so that restorer never sees a warp.
    """
    name = f"{base.name}_without_{family}"
    if family == "geometric":
        return TrainedModel(variant(base, name, "data.corruption=blind-geometric", "data.augmentation=none", *overrides))
    return TrainedModel(variant(base, name, f"data.corruption=blind-geometric-{family}", *overrides))


def _six_epochs(config: ExperimentConfig) -> TrainedModel:
    return TrainedModel(variant(config, config.name, "train.epochs=6"))


def recognition_mnist() -> RecognitionStudy:
    """The full study on the MNIST test set: every corruption at severities 3 and 5 (restorers trained 6 epochs)."""
    return RecognitionStudy(
        name="recognition_mnist",
        classifier=TrainedModel(classifier_mnist()),
        augmented_classifier=TrainedModel(classifier_mnist_augmented()),
        restorers={
            "unet": _six_epochs(restore_mnist()),
            "unet_recognition": _six_epochs(restore_mnist_recognition()),
            "unet_adversarial": _six_epochs(restore_mnist_adversarial()),
            "unet_blind": TrainedModel(restore_mnist_blind()),
        },
        unknown_damage=UNKNOWN_DAMAGE,
        leave_one_family_out={
            family: _without(restore_mnist_blind(), family, "train.epochs=6")
            for family in ("missing_values", "noise", "damage", "lighting", "blur", "occluders", "geometric", "quantisation")
        },
        # The DCGAN prior measured 0.4 s an image here (the VAE prior 0.02 s): too slow for 24 settings.
        priors={"vae_prior": TrainedModel(vae_mnist())},
        conditional_generators={"cgan": TrainedModel(cgan_mnist()), "cvae": TrainedModel(cvae_mnist())},
        latent_vae=TrainedModel(vae_mnist()),
        semi_supervised={"ssvae": TrainedModel(ssvae_mnist()), "ssgan": TrainedModel(ssgan_mnist())},
    )


def recognition_demo() -> RecognitionStudy:
    """The main job of `make demo`: small models on the shipped digits, minutes on 2 CPU cores."""
    classifier = ("model.width=16", "model.feature_dim=64", "train.epochs=4", "data.eval_split=test")
    cvae = ("model.hidden_units=256", "model.latent_dim=16", "train.epochs=15", "train.steps_per_epoch=None")
    return RecognitionStudy(
        name="recognition_demo",
        data="sample",
        classifier=TrainedModel(variant(classifier_mnist_smoke(), "classifier_demo", *classifier), folder="classifier"),
        augmented_classifier=TrainedModel(
            variant(classifier_mnist_augmented_smoke(), "classifier_augmented_demo", *classifier), folder="classifier_augmented"
        ),
        restorers={
            "unet": TrainedModel(variant(restore_mnist_smoke(), "restore_demo", "train.epochs=6", "train.steps_per_epoch=125"), folder="restorer"),
            "unet_blind": TrainedModel(
                variant(restore_mnist_blind_smoke(), "restore_blind_demo", "train.epochs=6", "train.steps_per_epoch=125"), folder="restorer_blind"
            ),
        },
        unknown_damage=("haze", "contrast", "pen_lines", "elastic", "affine", "composition2"),
        leave_one_family_out={
            family: _without(restore_mnist_blind_smoke(), family, "train.epochs=2", "train.steps_per_epoch=125")
            for family in ("lighting", "geometric")
        },
        conditional_generators={"cvae": TrainedModel(variant(cvae_mnist_smoke(), "cvae_demo", *cvae), folder="cvae")},
        semi_supervised={"ssvae": TrainedModel(variant(ssvae_mnist_smoke(), "ssvae_demo", "train.epochs=4", "train.steps_per_epoch=100"), folder="ssvae")},
        few_label_split=SMOKE_GENERATOR_TRAINING,
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
        classifier=TrainedModel(classifier_mnist_smoke()),
        augmented_classifier=TrainedModel(classifier_mnist_augmented_smoke()),
        restorers={"unet": TrainedModel(restore_mnist_smoke())},
        priors={"vae_prior": TrainedModel(vae_mnist_smoke())},
        conditional_generators={"cvae": TrainedModel(cvae_mnist_smoke())},
        latent_vae=TrainedModel(vae_mnist_smoke()),
        semi_supervised={"ssvae": TrainedModel(ssvae_mnist_smoke())},
        corruptions=("box", "gaussian_noise", "gaussian_blur"),
        unknown_damage=("haze",),
        leave_one_family_out={"lighting": _without(restore_mnist_blind_smoke(), "lighting", "train.epochs=1")},
        severities=(5,),
        prior_images=40,
        prior_steps=10,
        few_label_split=SMOKE_GENERATOR_TRAINING,
        label_counts=(100,),
        generated_per_class=20,
        few_label_steps=30,
    )


def recognition_cifar10() -> RecognitionStudy:
    """CIFAR-10's test set under every classic corruption (in RGB) at severities 3 and 5: the ResNet-20 alone, behind the
    RGB all-corruption U-Net (trained 6 epochs, as in recognition_mnist; also fine-tuned with the classifier's
    cross-entropy in its loss) or the classical baselines, and trained on the damage itself."""
    unet = _six_epochs(restore_cifar10())
    return RecognitionStudy(
        name="recognition_cifar10",
        data="cifar10",
        train_split=CIFAR10_TRAINING,
        classifier=TrainedModel(classifier_cifar10()),
        augmented_classifier=TrainedModel(classifier_cifar10_augmented()),
        restorers={"unet": unet, "unet_recognition": TrainedModel(restore_cifar10_recognition(), starts_from=unet)},
        few_label_split=CIFAR10_TRAINING,
        label_counts=(),
    )


def recognition_cifar10_smoke() -> RecognitionStudy:
    """Seconds on a CPU: recognition_cifar10's pipeline with tiny models, three corruptions, 200 test images (for tests)."""
    unet = TrainedModel(restore_cifar10_smoke())
    return dataclasses.replace(
        recognition_cifar10(),
        name="recognition_cifar10_smoke",
        test_split="test[:200]",
        classifier=TrainedModel(classifier_cifar10_smoke()),
        augmented_classifier=TrainedModel(classifier_cifar10_augmented_smoke()),
        restorers={"unet": unet, "unet_recognition": TrainedModel(restore_cifar10_recognition_smoke(), starts_from=unet)},
        corruptions=("box", "gaussian_noise", "gaussian_blur"),
        severities=(5,),
    )


STUDIES: Mapping[str, Callable[[], RecognitionStudy]] = {
    "recognition_cifar10": recognition_cifar10,
    "recognition_cifar10_smoke": recognition_cifar10_smoke,
    "recognition_mnist": recognition_mnist,
    "recognition_demo": recognition_demo,
    "recognition_smoke": recognition_smoke,
}


def get_study(name: str) -> RecognitionStudy:
    """Returns the named study, or raises naming the valid ones.

    Example:
        >>> study = get_study("recognition_smoke")
    """
    if name not in STUDIES:
        raise ValueError(f"Unknown study {name!r}. Valid studies: {', '.join(STUDIES)}")
    return STUDIES[name]()
