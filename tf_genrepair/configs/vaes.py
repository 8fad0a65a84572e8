"""Named VAE experiments: MLP and convolutional VAEs, the IWAE bound, the conditional VAE."""

from tf_genrepair.configs.classifiers import REFERENCE_CLASSIFIER
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
    TrainConfig,
    VAEConfig,
    smoke_generator_evaluation,
)


def _vae_experiment(name: str, *, kind: str = "vae", network: str = "mlp", objective: str = "elbo", training_samples: int = 1) -> ExperimentConfig:
    return ExperimentConfig(
        name=name,
        kind=kind,
        data=DataConfig(batch_size=100, binarize=True, train_split=GENERATOR_TRAINING),
        model=VAEConfig(
            network=network,
            hidden_units=512,
            base_filters=32,
            latent_dim=50 if network == "mlp" else 32,
            objective=objective,
            training_samples=training_samples,
        ),
        train=TrainConfig(epochs=100, learning_rate=1e-3, steps_per_execution=20),
        evaluation=EvaluationConfig(classifier=REFERENCE_CLASSIFIER if kind == "cvae" else None, log_likelihood_samples=5000),
    )


def _vae_smoke(name: str, *, kind: str = "vae", network: str = "mlp", objective: str = "elbo", training_samples: int = 1) -> ExperimentConfig:
    return ExperimentConfig(
        name=name,
        kind=kind,
        data=DataConfig(name="sample", batch_size=64, shuffle_buffer=4000, binarize=True, train_split=SMOKE_GENERATOR_TRAINING, eval_split="test[:500]"),
        model=VAEConfig(network=network, hidden_units=64, base_filters=8, latent_dim=8, objective=objective, training_samples=training_samples),
        train=TrainConfig(epochs=2, steps_per_epoch=10, learning_rate=2e-3),
        evaluation=smoke_generator_evaluation(log_likelihood_samples=20),
    )


def vae_mnist() -> ExperimentConfig:
    """VAE, one stochastic layer (50 latents), MLP 512-512, Bernoulli decoder, dynamically binarized MNIST."""
    return _vae_experiment("vae_mnist")


def vae_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: a small VAE on the shipped digits."""
    return _vae_smoke("vae_mnist_smoke")


def iwae_mnist() -> ExperimentConfig:
    """The vae_mnist networks trained on the IWAE bound with k = 50 (Burda et al. 2016)."""
    return _vae_experiment("iwae_mnist", objective="iwae", training_samples=50)


def iwae_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: a small IWAE (k = 5) on the shipped digits."""
    return _vae_smoke("iwae_mnist_smoke", objective="iwae", training_samples=5)


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


# RGB 8-bit pixels instead of binarized digits, selected on CIFAR images.
CIFAR10_VAE = ("data.binarize=false", "model.image_shape=32,32,3", "model.likelihood=discretized_logistic", *CIFAR10_SELECTION)


def vae_cifar10() -> ExperimentConfig:
    """Convolutional VAE (64 latents, 32 base filters) with a discretised-logistic decoder (256 levels per channel) on
    49,000 CIFAR-10 images for 30 minutes (about 2 minutes per epoch on 2 CPU cores), validated on the other 1,000;
    its test likelihood is measured in bits per dimension by the benchmark."""
    return variant(
        _vae_experiment("vae_cifar10", network="conv"), "vae_cifar10", *CIFAR10_DATA, *CIFAR10_VAE, "model.latent_dim=64",
        "train.epochs=30", "train.time_budget_minutes=30", "evaluation.log_likelihood_samples=0",
    )


def vae_cifar10_spatial() -> ExperimentConfig:
    """vae_cifar10 with its 1,024 latents on the 8x8 grid (16 per cell; `spatial` network), so the code keeps where
    things are; 30 minutes on 2 CPU cores, like vae_cifar10."""
    return variant(
        _vae_experiment("vae_cifar10_spatial", network="spatial"), "vae_cifar10_spatial", *CIFAR10_DATA, *CIFAR10_VAE,
        "model.latent_dim=1024", "train.epochs=40", "train.time_budget_minutes=30", "evaluation.log_likelihood_samples=0",
    )


def vae_cifar10_spatial_smoke() -> ExperimentConfig:
    """Seconds on a CPU: a narrow spatial-latent VAE (4 latents per cell of the 8x8 grid) on 1,000 CIFAR-10 images."""
    return variant(_vae_smoke("vae_cifar10_spatial_smoke", network="spatial"), "vae_cifar10_spatial_smoke", *CIFAR10_SMOKE_DATA, *CIFAR10_VAE,
                   "model.latent_dim=256")


def vae_cifar10_smoke() -> ExperimentConfig:
    """Seconds on a CPU: a narrow discretised-logistic convolutional VAE on 1,000 CIFAR-10 images."""
    return variant(_vae_smoke("vae_cifar10_smoke", network="conv"), "vae_cifar10_smoke", *CIFAR10_SMOKE_DATA, *CIFAR10_VAE)


EXPERIMENTS = {
    function.__name__: function
    for function in (
        vae_mnist, vae_mnist_smoke, iwae_mnist, iwae_mnist_smoke, cvae_mnist, cvae_mnist_smoke, conv_vae_mnist, conv_vae_mnist_smoke,
        vae_cifar10, vae_cifar10_smoke, vae_cifar10_spatial, vae_cifar10_spatial_smoke,
    )
}
