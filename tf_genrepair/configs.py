"""Experiment configs: dataclasses, named experiments and `key=value` overrides."""

import dataclasses
import types
import typing
from typing import Any, Callable, Sequence


@dataclasses.dataclass
class DataConfig:
    """Where the data comes from and how it is batched."""

    name: str = "mnist"
    train_split: str = "train"
    eval_split: str = "test"
    batch_size: int = 128
    shuffle_buffer: int = 60_000
    augmentation: str | None = None  # A corruption name used as training augmentation.
    augmentation_severity: int = 5  # Upper end of the severity range 1..N.
    binarize: bool = False  # VAEs: dynamic binarization of training images, a fixed draw of the test set.
    eval_name: str | None = None  # Dataset of eval_split when it differs from `name` (e.g. bsd:Set12).
    patch_size: int | None = None  # Restorers: random square training patches of this side.
    patches_per_image: int = 1
    corruption: str | None = None  # Restorers: the damage to learn to undo (registry name, '|' mixes).
    severity: tuple[int, int] = (1, 5)  # Restorers: severity range of `corruption`.
    noise_sigma_range: tuple[float, float] = (0.0, 55.0)  # Noise-level-map denoisers: training sigma range, 0..255 units.
    eval_noise_sigma: float = 25.0  # Noise-level-map denoisers: sigma of the evaluation noise, 0..255 units.


@dataclasses.dataclass
class ModelConfig:
    """Which model to build, its networks and its algorithm options."""

    kind: str = "classifier"  # classifier, gan, cgan, vae, cvae or restorer.
    network: str = "dcgan"  # GANs: mlp or dcgan; VAEs: mlp or conv; restorers: denoiser or unet.
    image_shape: tuple[int, int, int] = (28, 28, 1)
    num_classes: int = 10
    width: int = 32  # Classifier filters; GAN base filters (dcgan) or hidden units (mlp).
    feature_dim: int = 128
    dropout: float = 0.3
    latent_dim: int = 100
    loss: str = "non_saturating"
    discriminator_steps: int = 1
    simultaneous_updates: bool = False
    gradient_penalty_weight: float = 10.0
    r1_weight: float = 0.0
    label_smoothing: float = 0.0
    ema_decay: float | None = None
    likelihood: str = "bernoulli"  # VAEs: bernoulli, gaussian, gaussian_fixed or discretized_logistic.
    objective: str = "elbo"  # VAEs: elbo or iwae.
    num_samples: int = 1  # VAEs: latent samples per example in training (k of the IWAE bound).
    beta: float = 1.0
    kl_warmup_steps: int = 0
    free_bits: float = 0.0
    depth: int = 15  # Restorers: denoiser layers, or U-Net levels.
    downscale: int = 2  # Denoisers: pixel-unshuffle factor (FFDNet-style); 1 is DnCNN.
    noise_level_input: bool = False  # Denoisers: take a noise-level map (one model for a range of sigma).
    prefill: bool = False  # U-Nets: correct a push-pull fill of the holes instead of seeing zeros there.
    reconstruction: str = "l1"  # Restorers: reconstruction loss or mixture, e.g. l1:1,ssim:0.2.
    hole_weight: float = 1.0  # Restorers: loss weight of missing pixels relative to observed ones.
    preserve_observed: bool = False  # Restorers: copy observed pixels from the input.
    adversarial_weight: float = 0.0  # Restorers: weight of the patch-discriminator term (correction generation).
    recognition_weight: float = 0.0  # Restorers: weight of the frozen evaluation.classifier's cross-entropy.


@dataclasses.dataclass
class TrainConfig:
    """Optimisation and run control."""

    epochs: int = 10
    steps_per_epoch: int | None = None
    learning_rate: float = 1e-3
    beta_1: float = 0.9
    seed: int = 0
    strategy: str = "default"
    steps_per_execution: int = 1
    jit_compile: bool = False
    precision: str = "float32"  # Or mixed_bfloat16: bf16 compute, float32 weights (fast on CPUs with AVX512-BF16/AMX).
    time_budget_minutes: float | None = None  # Stop after this much training time, annealing the learning rate over it.
    validation_every_epochs: int = 1
    checkpoint_every_steps: int | None = None  # Also checkpoint every this many steps (epoch ends always are).


@dataclasses.dataclass
class EvaluationConfig:
    """Periodic evaluation of generators against a reference classifier (the collapse guard)."""

    classifier: str | None = None  # A trained Classifier `.keras` file; None skips sample quality.
    every_epochs: int = 1
    num_samples: int = 5000
    real_split: str = "test[:5000]"
    second_real_split: str = "test[5000:]"
    log_likelihood_samples: int = 0  # VAEs: k of the importance-sampled log-likelihood of data.eval_split (0: skip).


@dataclasses.dataclass
class ExperimentConfig:
    """A complete, named experiment."""

    name: str
    data: DataConfig = dataclasses.field(default_factory=DataConfig)
    model: ModelConfig = dataclasses.field(default_factory=ModelConfig)
    train: TrainConfig = dataclasses.field(default_factory=TrainConfig)
    evaluation: EvaluationConfig = dataclasses.field(default_factory=EvaluationConfig)

    def to_dict(self) -> dict[str, Any]:
        """The config as plain JSON-ready data."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "ExperimentConfig":
        """Rebuilds a config written by `to_dict`."""
        sections = {field.name: field.type for field in dataclasses.fields(cls) if field.name != "name"}
        return cls(name=values["name"], **{name: _section_from_dict(section, values[name]) for name, section in sections.items()})


def _section_from_dict(section: type, values: dict[str, Any]) -> Any:
    """Builds one config section, turning JSON lists back into the tuples the fields declare."""
    hints = typing.get_type_hints(section)
    return section(**{key: tuple(value) if isinstance(value, list) and "tuple" in str(hints[key]) else value for key, value in values.items()})


REFERENCE_CLASSIFIER = "workdirs/classifier_mnist/model.keras"  # Where `classifier_mnist` lands with the documented commands.


def _variant(base: ExperimentConfig, name: str, *overrides: str) -> ExperimentConfig:
    """A named experiment that is `base` with `section.field=value` overrides."""
    config = apply_overrides(base, overrides)
    config.name = name
    return config


def classifier_mnist() -> ExperimentConfig:
    """The reference MNIST classifier (>= 99.0% test accuracy)."""
    return ExperimentConfig(name="classifier_mnist", train=TrainConfig(epochs=6, learning_rate=2e-3))


def classifier_mnist_augmented() -> ExperimentConfig:
    """The reference classifier trained with every corruption (severities 1-5) on half of each batch.

    The honest alternative to restoration: the same network taught to read damaged digits.
    """
    return _variant(classifier_mnist(), "classifier_mnist_augmented", "data.augmentation=all")


def classifier_mnist_augmented_smoke() -> ExperimentConfig:
    """Seconds on a CPU: classifier_mnist_smoke with every corruption as augmentation."""
    return _variant(classifier_mnist_smoke(), "classifier_mnist_augmented_smoke", "data.augmentation=all")


def classifier_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: the shipped sample digits, one short epoch."""
    return ExperimentConfig(
        name="classifier_mnist_smoke",
        data=DataConfig(name="sample", eval_split="test[:500]", batch_size=64, shuffle_buffer=4000),
        model=ModelConfig(width=8, feature_dim=32),
        train=TrainConfig(epochs=2),
    )


def _gan_experiment(name: str, *, kind: str, network: str, epochs: int, batch_size: int) -> ExperimentConfig:
    # bfloat16 compute measured 1.5x float32 on 2 AVX512-BF16 cores; XLA measured 0.6x (benchmarks/RESULTS.md).
    return ExperimentConfig(
        name=name,
        data=DataConfig(batch_size=batch_size, shuffle_buffer=60_000),
        model=ModelConfig(
            kind=kind, network=network, width=64 if network == "dcgan" else 128, ema_decay=0.99, simultaneous_updates=True
        ),
        train=TrainConfig(epochs=epochs, learning_rate=2e-4, beta_1=0.5, steps_per_execution=10, precision="mixed_bfloat16"),
        evaluation=EvaluationConfig(classifier=REFERENCE_CLASSIFIER),
    )


def _gan_smoke(name: str, *, kind: str, network: str) -> ExperimentConfig:
    return ExperimentConfig(
        name=name,
        data=DataConfig(name="sample", batch_size=64, shuffle_buffer=4000),
        model=ModelConfig(kind=kind, network=network, width=8 if network == "dcgan" else 32, latent_dim=16),
        train=TrainConfig(epochs=2, steps_per_epoch=10, learning_rate=2e-4, beta_1=0.5),
        evaluation=EvaluationConfig(num_samples=200, real_split="test[:500]", second_real_split="test[500:]"),
    )


def gan_mnist() -> ExperimentConfig:
    """The classic MLP GAN (dense 128-128, leaky ReLU) on MNIST."""
    return _gan_experiment("gan_mnist", kind="gan", network="mlp", epochs=30, batch_size=64)


def gan_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: MLP GAN on the shipped digits."""
    return _gan_smoke("gan_mnist_smoke", kind="gan", network="mlp")


def dcgan_mnist() -> ExperimentConfig:
    """DCGAN of the TensorFlow tutorial's size, batch 256, on MNIST."""
    return _gan_experiment("dcgan_mnist", kind="gan", network="dcgan", epochs=11, batch_size=256)


def dcgan_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: a narrow DCGAN on the shipped digits."""
    return _gan_smoke("dcgan_mnist_smoke", kind="gan", network="dcgan")


def cgan_mnist() -> ExperimentConfig:
    """Class-conditional DCGAN (label embedding in G, projection in D) on MNIST."""
    return _gan_experiment("cgan_mnist", kind="cgan", network="dcgan", epochs=10, batch_size=256)


def cgan_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: a narrow conditional DCGAN on the shipped digits."""
    return _gan_smoke("cgan_mnist_smoke", kind="cgan", network="dcgan")


def _vae_experiment(name: str, *, kind: str = "vae", network: str = "mlp", objective: str = "elbo", num_samples: int = 1) -> ExperimentConfig:
    return ExperimentConfig(
        name=name,
        data=DataConfig(batch_size=100, binarize=True),
        model=ModelConfig(
            kind=kind,
            network=network,
            width=512 if network == "mlp" else 32,
            latent_dim=50 if network == "mlp" else 32,
            objective=objective,
            num_samples=num_samples,
        ),
        train=TrainConfig(epochs=100, learning_rate=1e-3, steps_per_execution=20),
        evaluation=EvaluationConfig(
            classifier=REFERENCE_CLASSIFIER if kind == "cvae" else None, log_likelihood_samples=5000
        ),
    )


def _vae_smoke(name: str, *, kind: str = "vae", network: str = "mlp", objective: str = "elbo", num_samples: int = 1) -> ExperimentConfig:
    return ExperimentConfig(
        name=name,
        data=DataConfig(name="sample", batch_size=64, shuffle_buffer=4000, binarize=True, eval_split="test[:500]"),
        model=ModelConfig(
            kind=kind, network=network, width=64 if network == "mlp" else 8, latent_dim=8, objective=objective, num_samples=num_samples
        ),
        train=TrainConfig(epochs=2, steps_per_epoch=10, learning_rate=2e-3),
        evaluation=EvaluationConfig(num_samples=200, real_split="test[:500]", second_real_split="test[500:]", log_likelihood_samples=20),
    )


def vae_mnist() -> ExperimentConfig:
    """VAE, one stochastic layer (50 latents), MLP 512-512, Bernoulli decoder, dynamically binarized MNIST."""
    return _vae_experiment("vae_mnist")


def vae_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: a small VAE on the shipped digits."""
    return _vae_smoke("vae_mnist_smoke")


def iwae_mnist() -> ExperimentConfig:
    """The vae_mnist networks trained on the IWAE bound with k = 50 (Burda et al. 2016)."""
    return _vae_experiment("iwae_mnist", objective="iwae", num_samples=50)


def iwae_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: a small IWAE (k = 5) on the shipped digits."""
    return _vae_smoke("iwae_mnist_smoke", objective="iwae", num_samples=5)


def cvae_mnist() -> ExperimentConfig:
    """Conditional VAE (label in encoder and decoder) on dynamically binarized MNIST."""
    return _vae_experiment("cvae_mnist", kind="cvae")


def cvae_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: a small conditional VAE on the shipped digits."""
    return _vae_smoke("cvae_mnist_smoke", kind="cvae")


def conv_vae_mnist() -> ExperimentConfig:
    """Convolutional VAE (32 latents, diagonal Gaussian posterior) on dynamically binarized MNIST."""
    return _vae_experiment("conv_vae_mnist", network="conv")


def conv_vae_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: a narrow convolutional VAE on the shipped digits."""
    return _vae_smoke("conv_vae_mnist_smoke", network="conv")


def denoise_bsd() -> ExperimentConfig:
    """FFDNet-style denoiser (15 layers, 64 filters, half resolution, noise-level map) on Train400 patches, sigma in [0, 55].

    Trained for 55 minutes of wall-clock time (the learning rate anneals over the budget);
    evaluated during training on Set12 at sigma 25. `benchmarks/denoise_bsd.py` scores BSD68.
    """
    return ExperimentConfig(
        name="denoise_bsd",
        data=DataConfig(
            name="bsd:Train400", eval_name="bsd:Set12", batch_size=16, shuffle_buffer=12800, patch_size=64, patches_per_image=32
        ),
        model=ModelConfig(kind="restorer", network="denoiser", width=64, depth=15, downscale=2, noise_level_input=True, reconstruction="l2"),
        # Batch 16 measured 1.8x the pixels/s of batch 32 on 2 CPU cores; 1e-3 diverged once at batch 32.
        train=TrainConfig(
            epochs=1000, learning_rate=4e-4, steps_per_execution=10, precision="mixed_bfloat16", time_budget_minutes=55.0, validation_every_epochs=5
        ),
    )


def denoise_bsd_smoke() -> ExperimentConfig:
    """Seconds on a CPU: a 4-layer noise-level-map denoiser on the shipped digits."""
    return ExperimentConfig(
        name="denoise_bsd_smoke",
        data=DataConfig(name="sample", eval_split="test[:200]", batch_size=32, shuffle_buffer=4000),
        model=ModelConfig(kind="restorer", network="denoiser", width=16, depth=4, downscale=2, noise_level_input=True, reconstruction="l2"),
        train=TrainConfig(epochs=2, steps_per_epoch=30, learning_rate=2e-3),
    )


# Cross-entropy (nats) next to an L1 loss of about 0.02: a nudge, not the objective.
RECOGNITION_TERM = ("model.recognition_weight=0.05", f"evaluation.classifier={REFERENCE_CLASSIFIER}")
ADVERSARIAL_TERM = "model.adversarial_weight=0.01"  # The pix2pix balance (L1 weight 100 to adversarial weight 1).


def _mnist_restorer(name: str, *, corruption: str, preserve_observed: bool, epochs: int, smoke: bool) -> ExperimentConfig:
    data = DataConfig(corruption=corruption, batch_size=64, shuffle_buffer=60_000)
    train = TrainConfig(epochs=epochs, learning_rate=1e-3, steps_per_execution=10, precision="mixed_bfloat16")
    width = 32
    if smoke:
        data = DataConfig(name="sample", eval_split="test[:200]", corruption=corruption, batch_size=32, shuffle_buffer=4000)
        train = TrainConfig(epochs=2, steps_per_epoch=60, learning_rate=3e-3)
        width = 16
    return ExperimentConfig(
        name=name,
        data=data,
        model=ModelConfig(
            kind="restorer",
            network="unet",
            width=width,
            depth=2,
            reconstruction="l1",
            hole_weight=6.0 if preserve_observed else 1.0,
            preserve_observed=preserve_observed,
        ),
        train=train,
    )


def inpaint_mnist() -> ExperimentConfig:
    """U-Net inpainting of MNIST under box, free-form and pixel-dropout masks (observed pixels kept)."""
    return _mnist_restorer("inpaint_mnist", corruption="box|free_form|pixel_dropout", preserve_observed=True, epochs=10, smoke=False)


def inpaint_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: a narrow inpainting U-Net on the shipped digits."""
    return _mnist_restorer("inpaint_mnist_smoke", corruption="box|free_form|pixel_dropout", preserve_observed=True, epochs=2, smoke=True)


def inpaint_bsd() -> ExperimentConfig:
    """U-Net (5 levels) correcting a push-pull fill, inpainting natural images under free-form strokes, 70 minutes.

    Patches are 176x176 (Train400 images are 180x180) so that the thickest training strokes approach the
    width of the thick strokes of the Set12 benchmark; the push-pull fill gives holes wider than that a
    smooth start.
    """
    return ExperimentConfig(
        name="inpaint_bsd",
        data=DataConfig(
            name="bsd:Train400",
            eval_name="bsd:Set12",
            batch_size=8,
            shuffle_buffer=800,
            patch_size=176,
            patches_per_image=2,
            corruption="free_form",
            severity=(1, 5),
        ),
        model=ModelConfig(
            kind="restorer", network="unet", width=24, depth=5, prefill=True, reconstruction="l1", hole_weight=6.0, preserve_observed=True
        ),
        train=TrainConfig(
            epochs=1000, learning_rate=1e-3, steps_per_execution=10, precision="mixed_bfloat16", time_budget_minutes=70.0, validation_every_epochs=5
        ),
    )


def inpaint_bsd_smoke() -> ExperimentConfig:
    """Seconds on a CPU: the inpaint_bsd set-up (patches, free-form strokes, prefilled U-Net) on the shipped digits."""
    config = _mnist_restorer("inpaint_bsd_smoke", corruption="free_form", preserve_observed=True, epochs=2, smoke=True)
    config.data.patch_size = 24
    config.model.prefill = True
    return config


def restore_mnist() -> ExperimentConfig:
    """One U-Net for every corruption of the registry, mixed, on MNIST."""
    return _mnist_restorer("restore_mnist", corruption="all", preserve_observed=False, epochs=10, smoke=False)


def restore_mnist_recognition() -> ExperimentConfig:
    """restore_mnist plus the frozen reference classifier's cross-entropy (recognition-aware, Liu et al. 2018)."""
    return _variant(restore_mnist(), "restore_mnist_recognition", *RECOGNITION_TERM)


def restore_mnist_adversarial() -> ExperimentConfig:
    """restore_mnist plus a conditional patch discriminator: correction generation as a conditional GAN."""
    return _variant(restore_mnist(), "restore_mnist_adversarial", ADVERSARIAL_TERM)


def restore_mnist_recognition_smoke() -> ExperimentConfig:
    """Seconds on a CPU: restore_mnist_smoke plus the recognition term."""
    return _variant(restore_mnist_smoke(), "restore_mnist_recognition_smoke", *RECOGNITION_TERM)


def restore_mnist_adversarial_smoke() -> ExperimentConfig:
    """Seconds on a CPU: restore_mnist_smoke plus the patch discriminator."""
    return _variant(restore_mnist_smoke(), "restore_mnist_adversarial_smoke", ADVERSARIAL_TERM)


def restore_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: a narrow all-corruption U-Net on the shipped digits."""
    config = _mnist_restorer("restore_mnist_smoke", corruption="all", preserve_observed=False, epochs=2, smoke=True)
    config.train.steps_per_epoch = 120  # Twelve corruptions to learn: twice the steps of the other smokes.
    return config


EXPERIMENTS: dict[str, Callable[[], ExperimentConfig]] = {
    "classifier_mnist": classifier_mnist,
    "classifier_mnist_smoke": classifier_mnist_smoke,
    "classifier_mnist_augmented": classifier_mnist_augmented,
    "classifier_mnist_augmented_smoke": classifier_mnist_augmented_smoke,
    "gan_mnist": gan_mnist,
    "gan_mnist_smoke": gan_mnist_smoke,
    "dcgan_mnist": dcgan_mnist,
    "dcgan_mnist_smoke": dcgan_mnist_smoke,
    "cgan_mnist": cgan_mnist,
    "cgan_mnist_smoke": cgan_mnist_smoke,
    "vae_mnist": vae_mnist,
    "vae_mnist_smoke": vae_mnist_smoke,
    "iwae_mnist": iwae_mnist,
    "iwae_mnist_smoke": iwae_mnist_smoke,
    "cvae_mnist": cvae_mnist,
    "cvae_mnist_smoke": cvae_mnist_smoke,
    "conv_vae_mnist": conv_vae_mnist,
    "conv_vae_mnist_smoke": conv_vae_mnist_smoke,
    "denoise_bsd": denoise_bsd,
    "denoise_bsd_smoke": denoise_bsd_smoke,
    "inpaint_mnist": inpaint_mnist,
    "inpaint_mnist_smoke": inpaint_mnist_smoke,
    "inpaint_bsd": inpaint_bsd,
    "inpaint_bsd_smoke": inpaint_bsd_smoke,
    "restore_mnist": restore_mnist,
    "restore_mnist_smoke": restore_mnist_smoke,
    "restore_mnist_recognition": restore_mnist_recognition,
    "restore_mnist_adversarial": restore_mnist_adversarial,
    "restore_mnist_recognition_smoke": restore_mnist_recognition_smoke,
    "restore_mnist_adversarial_smoke": restore_mnist_adversarial_smoke,
}


def _parse_value(text: str, annotation: Any, key: str) -> Any:
    """Converts the text of an override to the field's declared type."""
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        if text.lower() == "none" and type(None) in arguments:
            return None
        (annotation,) = [argument for argument in arguments if argument is not type(None)]
        origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    try:
        if annotation is bool:
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError(text)
            return text.lower() in ("true", "1")
        if origin is tuple:
            return tuple(_parse_value(part, arguments[0], key) for part in text.strip("()").split(",") if part.strip())
        return annotation(text)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Override {key}={text!r} is not a valid {getattr(annotation, '__name__', annotation)}.") from error


def valid_override_keys(config: ExperimentConfig) -> list[str]:
    """Every `section.field` key an override may set."""
    return [
        f"{section.name}.{field.name}"
        for section in dataclasses.fields(config)
        if dataclasses.is_dataclass(getattr(config, section.name))
        for field in dataclasses.fields(getattr(config, section.name))
    ]


def apply_overrides(config: ExperimentConfig, overrides: Sequence[str]) -> ExperimentConfig:
    """Returns a copy of `config` with `section.field=value` overrides applied.

    Example:
        >>> config = apply_overrides(get_experiment("classifier_mnist"), ["train.epochs=2"])
    """
    config = ExperimentConfig.from_dict(config.to_dict())
    for override in overrides:
        key, separator, text = override.partition("=")
        section_name, _, field_name = key.strip().partition(".")
        section = getattr(config, section_name, None)
        fields = {field.name: field for field in dataclasses.fields(section)} if dataclasses.is_dataclass(section) else {}
        if not separator or field_name not in fields:
            raise ValueError(
                f"Unknown override {override!r}; expected key=value with key one of: {', '.join(valid_override_keys(config))}"
            )
        hints = typing.get_type_hints(type(section))
        setattr(section, field_name, _parse_value(text.strip(), hints[field_name], key))
    return config


def get_experiment(name: str, overrides: Sequence[str] = ()) -> ExperimentConfig:
    """Returns the named experiment's config with `overrides` applied.

    Example:
        >>> config = get_experiment("classifier_mnist_smoke", ["train.epochs=2"])
    """
    if name not in EXPERIMENTS:
        raise ValueError(f"Unknown experiment {name!r}. Valid experiments: {', '.join(sorted(EXPERIMENTS))}")
    return apply_overrides(EXPERIMENTS[name](), overrides)
