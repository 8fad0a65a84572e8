"""The experiment schema: one dataclass per section, and one model section per model kind.

An experiment names its model kind (`kind`) and carries that kind's own section as
`model`, so every field means one thing: a GAN has `base_filters` and `hidden_units`,
a restorer `denoiser_layers` and `unet_levels`, never one `width` or `depth` read four ways.
"""

import dataclasses
import typing
from typing import Any


@dataclasses.dataclass
class DataConfig:
    """Where the data comes from, how it is batched and, for restorers, how it is damaged."""

    name: str = "mnist"
    train_split: str = "train"
    eval_split: str = "test"
    batch_size: int = 128
    shuffle_buffer: int = 60_000
    augmentation: str | None = None  # A corruption applied to half the training images: damage a classifier learns to
    # see through, or, for restorers, a change that is part of the picture (kept in the target, e.g. affine|elastic).
    augmentation_severity: int = 5  # Upper end of the augmentation severity range 1..N.
    flip_and_crop: bool = False  # Classifiers: random horizontal flips and 4-pixel shifted crops (the usual CIFAR training).
    binarize: bool = False  # VAEs: dynamic binarization of training images, a fixed draw of the test set.
    eval_name: str | None = None  # Dataset of eval_split when it differs from `name` (e.g. bsd:Set12).
    color_mode: str | None = None  # grayscale or rgb to convert every image (e.g. digits for an RGB smoke run); None keeps them.
    patch_size: int | None = None  # Restorers: random square training patches of this side.
    patches_per_image: int = 1
    corruption: str | None = None  # Restorers: the damage to learn to undo (registry name, '|' mixes).
    severity: tuple[int, int] = (1, 5)  # Restorers: severity range of `corruption`.
    noise_sigma_range: tuple[float, float] = (0.0, 55.0)  # Noise-level-map denoisers: training sigma range, 0..255 units.
    eval_noise_sigma: float = 25.0  # Noise-level-map denoisers: sigma of the evaluation noise, 0..255 units.
    num_labels: int | None = None  # Semi-supervised models: size of the class-balanced labelled subset.
    labelled_batch_size: int = 32  # Semi-supervised models: labelled examples per batch (batch_size: unlabelled ones).


@dataclasses.dataclass
class ClassifierConfig:
    """The classifier network: the digit CNN or a CIFAR ResNet."""

    network: str = "digit"  # digit (digit_classifier_network) or residual (residual_classifier_network).
    image_shape: tuple[int, int, int] = (28, 28, 1)
    num_classes: int = 10
    width: int = 32  # Filters of the first convolution (doubled in the second block; residual: in the first stage).
    feature_dim: int = 128  # digit: units of the penultimate `features` layer (FID/KID features).
    dropout: float = 0.3  # digit.
    blocks_per_stage: int = 3  # residual: basic blocks per stage (3: ResNet-20, 5: ResNet-32).
    weight_decay: float = 5e-4  # residual: L2 on every kernel.
    label_smoothing: float = 0.0  # Cross-entropy against (1 - s) * one-hot + s / num_classes (0: the plain loss).


@dataclasses.dataclass
class GANConfig:
    """A GAN (kind `gan`) or class-conditional GAN (kind `cgan`): networks and adversarial training."""

    network: str = "dcgan"  # dcgan or mlp.
    image_shape: tuple[int, int, int] = (28, 28, 1)
    num_classes: int = 10  # Used by kind `cgan`.
    latent_dim: int = 100
    base_filters: int = 64  # dcgan: filters of the widest convolution.
    hidden_units: int = 128  # mlp: units of each of the two hidden layers.
    dropout: float = 0.3  # dcgan discriminator.
    discriminator_stages: int = 2  # dcgan discriminator: strided convolutions (2: the TensorFlow tutorial's).
    adversarial_loss: str = "non_saturating"  # minimax, non_saturating, least_squares, wasserstein or hinge.
    discriminator_steps: int = 1
    simultaneous_updates: bool = False
    gradient_penalty_weight: float = 10.0
    r1_weight: float = 0.0
    label_smoothing: float = 0.0
    ema_decay: float | None = None
    class_loss_weight: float = 0.0  # cgan with the dcgan network: AC-GAN's auxiliary classification loss (0: off).


@dataclasses.dataclass
class VAEConfig:
    """A VAE (kind `vae`) or conditional VAE (kind `cvae`): networks, likelihood and bound."""

    network: str = "mlp"  # mlp, conv, or spatial (latents on the H/4 x W/4 grid; latent_dim a multiple of its cells).
    image_shape: tuple[int, int, int] = (28, 28, 1)
    num_classes: int = 10  # Used by kind `cvae`.
    latent_dim: int = 50
    hidden_units: int = 512  # mlp: units of each of the two hidden layers.
    base_filters: int = 32  # conv: filters of the first convolution.
    likelihood: str = "bernoulli"  # bernoulli, gaussian, gaussian_fixed or discretized_logistic.
    objective: str = "elbo"  # elbo or iwae.
    training_samples: int = 1  # Latent samples per example in training (k of the IWAE bound).
    beta: float = 1.0
    kl_warmup_steps: int = 0
    free_bits: float = 0.0


@dataclasses.dataclass
class SemiSupervisedVAEConfig:
    """A semi-supervised VAE (kind `ssvae`, Kingma et al. 2014's M2): q(y|x), q(z|x,y) and p(x|y,z)."""

    image_shape: tuple[int, int, int] = (28, 28, 1)
    num_classes: int = 10
    latent_dim: int = 50
    hidden_units: int = 500  # Units of each of the two hidden layers of the encoder and decoder.
    classifier_width: int = 32  # q(y|x) is the digit classifier network of this width.
    likelihood: str = "bernoulli"
    classification_weight: float = 1.0  # alpha: weight of the labelled cross-entropy of q(y|x).
    code_model: str | None = None  # M1+M2: a trained VAE (.keras) whose codes M2 models; likelihood then `gaussian`.


@dataclasses.dataclass
class SemiSupervisedGANConfig:
    """A semi-supervised GAN (kind `ssgan`, Salimans et al. 2016): a K+1-class discriminator and feature matching."""

    image_shape: tuple[int, int, int] = (28, 28, 1)
    num_classes: int = 10
    latent_dim: int = 100
    generator_units: tuple[int, ...] = (500, 500)
    discriminator_units: tuple[int, ...] = (1000, 500, 250, 250, 250)
    input_noise: float = 0.3  # Standard deviation of the Gaussian noise on the discriminator's input.
    hidden_noise: float = 0.5  # ... and after each of its hidden layers.
    weight_norm: bool = True  # Weight-normalised discriminator layers and generator output (Salimans et al.).
    unsupervised_weight: float = 0.5  # Weight of the real/fake term against the labelled cross-entropy (0.5: Salimans et al.'s code, which halves both terms).
    average_decay: float | None = 0.999  # Moving average of the discriminator's weights that classifies (None: the weights themselves).


@dataclasses.dataclass
class RestorerConfig:
    """A restorer: its network and the terms of its loss."""

    network: str = "unet"  # denoiser or unet.
    channels: int = 1  # Image channels.
    filters: int = 32  # denoiser: filters of every layer; unet: filters of the first level (doubled per level).
    denoiser_layers: int = 15
    downscale: int = 2  # denoiser: pixel-unshuffle factor (FFDNet-style); 1 is DnCNN.
    noise_level_input: bool = False  # denoiser: take a noise-level map (one model for a range of sigma).
    unet_levels: int = 2
    prefill: bool = False  # unet: correct a push-pull fill of the holes instead of seeing zeros there.
    reconstruction: str = "l1"  # Reconstruction loss or mixture, e.g. l1:1,ssim:0.2.
    hole_weight: float = 1.0  # Loss weight of missing pixels relative to observed ones.
    preserve_observed: bool = False  # Copy observed pixels from the input.
    adversarial_weight: float = 0.0  # Weight of the patch-discriminator term (correction generation).
    adversarial_loss: str = "non_saturating"
    recognition_weight: float = 0.0  # Weight of the frozen `recognition_classifier`'s term (recognition_loss).
    recognition_classifier: str | None = None  # A trained Classifier `.keras` file.
    recognition_loss: str = "cross_entropy"  # cross_entropy (with the labels) or distillation (to its prediction on the clean image).
    distillation_temperature: float = 1.0  # Softmax temperature of the distillation term.


@dataclasses.dataclass
class TrainConfig:
    """Optimisation and run control."""

    epochs: int = 10
    steps_per_epoch: int | None = None
    learning_rate: float = 1e-3
    beta_1: float = 0.9
    optimizer: str = "adam"  # adam, or sgd (Nesterov momentum `momentum`); models compiled by ModelKind's default.
    momentum: float = 0.9
    seed: int = 0
    strategy: str = "default"
    steps_per_execution: int = 1
    jit_compile: bool = False
    precision: str = "float32"  # Or mixed_bfloat16: bf16 compute, float32 weights (fast on CPUs with AVX512-BF16/AMX).
    time_budget_minutes: float | None = None  # Stop after this much training time, annealing the learning rate over it.
    validation_every_epochs: int = 1
    checkpoint_every_steps: int | None = None  # Also checkpoint every this many steps (epoch ends always are).
    # A trained `.keras` model of the same kind whose network weights a fresh run starts from (a grayscale one is
    # inflated to RGB); a resumed run loads its checkpoint instead.
    initial_weights: str | None = None


@dataclasses.dataclass
class EvaluationConfig:
    """Evaluation during and after training: sample quality of generators (the collapse guard), likelihoods."""

    classifier: str | None = None  # A trained Classifier `.keras` file scoring samples; None skips sample quality.
    every_epochs: int = 1
    quality_samples: int = 5000  # Samples generated per sample-quality evaluation.
    # Generators pick their best epoch by FID against real_split: held-out training images, never the test set.
    real_split: str = "train[55000:]"
    second_real_split: str = "train[50000:55000]"  # Only for the reference FID between two real sets.
    log_likelihood_samples: int = 0  # VAEs: k of the importance-sampled log-likelihood of data.eval_split (0: skip).


# Generators train on MNIST's first 55,000 training images and are selected on the other 5,000.
GENERATOR_TRAINING = "train[:55000]"
SMOKE_GENERATOR_TRAINING = "train[:3500]"  # The shipped sample holds 4,000 training digits.
# CIFAR-10 experiments train on 49,000 of the 50,000 training images and validate on the other 1,000.
CIFAR10_TRAINING = "train[:98%]"
CIFAR10_VALIDATION = "train[98%:]"
# Overrides that move an MNIST experiment to CIFAR-10: its data, a smoke run's 1,000 images, a generator's selection.
CIFAR10_DATA = ("data.name=cifar10", f"data.train_split={CIFAR10_TRAINING}", f"data.eval_split={CIFAR10_VALIDATION}", "data.shuffle_buffer=49000")
CIFAR10_SMOKE_DATA = (*CIFAR10_DATA, "data.train_split=train[:1000]", "data.shuffle_buffer=1000")
# Generators pick their epoch on the 1,000 held-out images; the reference FID's second real set is training images.
CIFAR10_SELECTION = (f"evaluation.real_split={CIFAR10_VALIDATION}", "evaluation.second_real_split=train[96%:98%]")


def smoke_generator_evaluation(**fields) -> EvaluationConfig:
    """Sample quality of a smoke generator against the 500 shipped training digits it never trains on."""
    return EvaluationConfig(quality_samples=200, real_split="train[3500:]", second_real_split="train[3000:3500]", **fields)


MODEL_SECTIONS: dict[str, type] = {
    "classifier": ClassifierConfig,
    "gan": GANConfig,
    "cgan": GANConfig,
    "vae": VAEConfig,
    "cvae": VAEConfig,
    "restorer": RestorerConfig,
    "ssvae": SemiSupervisedVAEConfig,
    "ssgan": SemiSupervisedGANConfig,
}
ModelSection = ClassifierConfig | GANConfig | VAEConfig | RestorerConfig | SemiSupervisedVAEConfig | SemiSupervisedGANConfig


class LegacyConfigError(ValueError):
    """A `config.json` written before model sections were split by kind."""


@dataclasses.dataclass
class ExperimentConfig:
    """A complete, named experiment: the model kind and one section per concern."""

    name: str
    kind: str
    model: ModelSection
    data: DataConfig = dataclasses.field(default_factory=DataConfig)
    train: TrainConfig = dataclasses.field(default_factory=TrainConfig)
    evaluation: EvaluationConfig = dataclasses.field(default_factory=EvaluationConfig)

    def __post_init__(self) -> None:
        if self.kind not in MODEL_SECTIONS:
            raise ValueError(f"Unknown model kind {self.kind!r}. Valid kinds: {', '.join(MODEL_SECTIONS)}")
        expected = MODEL_SECTIONS[self.kind]
        if not isinstance(self.model, expected):
            raise ValueError(f"Kind {self.kind!r} takes a {expected.__name__} model section. Received: {type(self.model).__name__}")

    def to_dict(self) -> dict[str, Any]:
        """The config as plain JSON-ready data."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "ExperimentConfig":
        """Rebuilds a config written by `to_dict` (e.g. a run's `config.json`).

        Raises:
            LegacyConfigError: for a config written before model sections were split by kind
                (its `model` section holds `kind`). Such files are not migrated: rebuild the
                config from its named experiment, `get_experiment(values["name"])`.
        """
        if "kind" not in values and "kind" in values.get("model", {}):
            raise LegacyConfigError(
                f"This config ({values.get('name')!r}) has the flat `model` section of tf_genrepair before 0.2 "
                "(model.kind, model.width, ...), which is not read any more. Rebuild it from the named experiment: "
                f"get_experiment({values.get('name')!r}, overrides) and the override keys listed in docs/architecture.md."
            )
        sections = {
            "model": MODEL_SECTIONS.get(values.get("kind"), ClassifierConfig),
            "data": DataConfig,
            "train": TrainConfig,
            "evaluation": EvaluationConfig,
        }
        parsed = {name: section_from_dict(section, values[name]) for name, section in sections.items() if name in values}
        return cls(name=values["name"], kind=values["kind"], **parsed)


def section_from_dict(section: type, values: dict[str, Any]) -> Any:
    """Builds one config section, turning JSON lists back into the tuples the fields declare."""
    hints = typing.get_type_hints(section)
    unknown = sorted(set(values) - set(hints))
    if unknown:
        raise ValueError(f"{section.__name__} has no field(s) {', '.join(unknown)}. Valid fields: {', '.join(hints)}")
    return section(**{key: tuple(value) if isinstance(value, list) and "tuple" in str(hints[key]) else value for key, value in values.items()})
