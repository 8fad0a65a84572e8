"""Named GAN experiments: the classic MLP GAN, DCGAN and the class-conditional DCGAN."""

from tf_genrepair.configs.classifiers import CIFAR10_CLASSIFIER, REFERENCE_CLASSIFIER
from tf_genrepair.configs.overrides import variant
from tf_genrepair.configs.schema import (
    CIFAR10_DATA,
    CIFAR10_SELECTION,
    CIFAR10_SMOKE_DATA,
    GENERATOR_TRAINING,
    SMOKE_GENERATOR_TRAINING,
    DataConfig,
    EvaluationConfig,
    ExperimentConfig,
    GANConfig,
    TrainConfig,
    smoke_generator_evaluation,
)


def _gan_experiment(name: str, *, kind: str, network: str, epochs: int, batch_size: int) -> ExperimentConfig:
    # bfloat16 compute measured 1.5x float32 on 2 AVX512-BF16 cores; XLA measured 0.6x (benchmarks/RESULTS.md).
    return ExperimentConfig(
        name=name,
        kind=kind,
        data=DataConfig(batch_size=batch_size, shuffle_buffer=60_000, train_split=GENERATOR_TRAINING),
        model=GANConfig(network=network, base_filters=64, hidden_units=128, ema_decay=0.99, simultaneous_updates=True),
        train=TrainConfig(epochs=epochs, learning_rate=2e-4, beta_1=0.5, steps_per_execution=10, precision="mixed_bfloat16"),
        evaluation=EvaluationConfig(classifier=REFERENCE_CLASSIFIER),
    )


def _gan_smoke(name: str, *, kind: str, network: str) -> ExperimentConfig:
    return ExperimentConfig(
        name=name,
        kind=kind,
        data=DataConfig(name="sample", batch_size=64, shuffle_buffer=4000, train_split=SMOKE_GENERATOR_TRAINING),
        model=GANConfig(network=network, base_filters=8, hidden_units=32, latent_dim=16),
        train=TrainConfig(epochs=2, steps_per_epoch=10, learning_rate=2e-4, beta_1=0.5),
        evaluation=smoke_generator_evaluation(),
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


def _cifar10(config: ExperimentConfig, *, smoke: bool) -> ExperimentConfig:
    """`config` on CIFAR-10 in RGB: trained on 49,000 images, the collapse guard on the CIFAR classifier's features
    against the other 1,000 (smoke: 1,000 training images and no guard)."""
    if smoke:
        overrides = (*CIFAR10_SMOKE_DATA, "evaluation.classifier=none")
    else:
        overrides = (*CIFAR10_DATA, f"evaluation.classifier={CIFAR10_CLASSIFIER}", "evaluation.quality_samples=1000")
    return variant(config, config.name, *overrides, *CIFAR10_SELECTION, "model.image_shape=32,32,3")


def dcgan_cifar10() -> ExperimentConfig:
    """dcgan_mnist's networks (the TensorFlow tutorial's size) at 32x32x3 on CIFAR-10, batch 128."""
    return _cifar10(_gan_experiment("dcgan_cifar10", kind="gan", network="dcgan", epochs=20, batch_size=128), smoke=False)


def dcgan_cifar10_smoke() -> ExperimentConfig:
    """Seconds on a CPU: a narrow DCGAN on 1,000 CIFAR-10 images."""
    return _cifar10(_gan_smoke("dcgan_cifar10_smoke", kind="gan", network="dcgan"), smoke=True)


def cgan_cifar10() -> ExperimentConfig:
    """Class-conditional DCGAN at 32x32x3 on CIFAR-10: label embedding in G, a projection discriminator that also
    classifies (AC-GAN's auxiliary loss, weight 1: the projection alone conditions weakly) with a third strided
    stage for deeper class features; 100 minutes of training with both learning rates annealed over the time
    (the projection-discriminator paper decays them too), `epochs` only an upper bound."""
    config = _gan_experiment("cgan_cifar10", kind="cgan", network="dcgan", epochs=60, batch_size=128)
    overrides = ("model.class_loss_weight=1.0", "model.discriminator_stages=3", "train.time_budget_minutes=100")
    return _cifar10(variant(config, config.name, *overrides), smoke=False)


def cgan_cifar10_smoke() -> ExperimentConfig:
    """Seconds on a CPU: a narrow conditional DCGAN with the auxiliary classifier and three stages on 1,000 CIFAR-10 images."""
    config = _gan_smoke("cgan_cifar10_smoke", kind="cgan", network="dcgan")
    return _cifar10(variant(config, config.name, "model.class_loss_weight=1.0", "model.discriminator_stages=3"), smoke=True)


EXPERIMENTS = {
    function.__name__: function
    for function in (
        gan_mnist, gan_mnist_smoke, dcgan_mnist, dcgan_mnist_smoke, cgan_mnist, cgan_mnist_smoke,
        dcgan_cifar10, dcgan_cifar10_smoke, cgan_cifar10, cgan_cifar10_smoke,
    )
}
