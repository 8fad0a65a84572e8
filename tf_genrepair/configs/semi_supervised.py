"""Named semi-supervised experiments: generative models that see every image but only a few labels."""

from tf_genrepair.configs.schema import (
    GENERATOR_TRAINING,
    DataConfig,
    ExperimentConfig,
    SemiSupervisedGANConfig,
    SemiSupervisedVAEConfig,
    TrainConfig,
)

# The labelled subset and the unlabelled stream come from the training split; the models are
# validated on held-out training images, never on the test set.
VALIDATION = "train[55000:]"
SMOKE_SPLITS = {"train_split": "train[:3500]", "eval_split": "train[3500:]"}
M1_MODEL = "workdirs/vae_mnist/model.keras"  # M1 of M1+M2: `genrepair-train --experiment=vae_mnist --workdir=workdirs/vae_mnist`.


def ssvae_mnist() -> ExperimentConfig:
    """M2 (Kingma et al. 2014) on binarized MNIST with 100 labels (ten per class, seed 0), a CNN q(y|x).

    Batches of 100 unlabelled and 50 labelled digits; an epoch is one pass over the 55,000 training
    images (the last 5,000 are held out for selection). alpha weighs the labelled cross-entropy.
    """
    return ExperimentConfig(
        name="ssvae_mnist",
        kind="ssvae",
        data=DataConfig(batch_size=100, binarize=True, train_split=GENERATOR_TRAINING, eval_split=VALIDATION, num_labels=100, labelled_batch_size=50),
        model=SemiSupervisedVAEConfig(classification_weight=10.0),
        train=TrainConfig(epochs=20, learning_rate=1e-3, steps_per_execution=10),
    )


def ssvae_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: M2 with small networks on the shipped digits, 100 labels."""
    return ExperimentConfig(
        name="ssvae_mnist_smoke",
        kind="ssvae",
        data=DataConfig(name="sample", batch_size=64, shuffle_buffer=4000, binarize=True, **SMOKE_SPLITS, num_labels=100, labelled_batch_size=32),
        model=SemiSupervisedVAEConfig(latent_dim=8, hidden_units=64, classifier_width=8, classification_weight=10.0),
        train=TrainConfig(epochs=2, steps_per_epoch=20, learning_rate=2e-3),
    )


def ssvae_m1m2_mnist() -> ExperimentConfig:
    """M1+M2 (Kingma et al. 2014): M2 on the 50-dimensional codes of `vae_mnist` (M1, trained on the images alone), 100 labels.

    Train M1 first: `genrepair-train --experiment=vae_mnist --workdir=workdirs/vae_mnist`. M2's
    encoder and decoder have two hidden layers of 500 units, q(y | z1) is an MLP of the same size,
    and p(z1 | y, z2) is Gaussian. Batches as in `ssvae_mnist`.
    """
    return ExperimentConfig(
        name="ssvae_m1m2_mnist",
        kind="ssvae",
        data=DataConfig(batch_size=100, binarize=True, train_split=GENERATOR_TRAINING, eval_split=VALIDATION, num_labels=100, labelled_batch_size=50),
        model=SemiSupervisedVAEConfig(likelihood="gaussian", classification_weight=10.0, code_model=M1_MODEL),
        train=TrainConfig(epochs=20, learning_rate=1e-3, steps_per_execution=10),
    )


def ssvae_m1m2_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: M1+M2 with small networks on the shipped digits; M1 from `vae_mnist_smoke` (set model.code_model)."""
    config = ssvae_mnist_smoke()
    config.name = "ssvae_m1m2_mnist_smoke"
    config.model.likelihood = "gaussian"
    config.model.code_model = "workdirs/vae_mnist_smoke/model.keras"
    return config


def ssgan_mnist() -> ExperimentConfig:
    """Salimans et al. (2016)'s MNIST model: 100 labels (ten per class, seed 0), batches of 100 labelled and 100 unlabelled digits.

    Adam 3e-3 (beta_1 0.5) for both players, annealed by a cosine over the run; an epoch is one pass over
    the 55,000 training images (the last 5,000 are held out).
    """
    return ExperimentConfig(
        name="ssgan_mnist",
        kind="ssgan",
        data=DataConfig(batch_size=100, train_split=GENERATOR_TRAINING, eval_split=VALIDATION, num_labels=100, labelled_batch_size=100),
        model=SemiSupervisedGANConfig(),
        train=TrainConfig(epochs=60, learning_rate=3e-3, beta_1=0.5, steps_per_execution=10),
    )


def ssgan_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: the semi-supervised GAN with small networks on the shipped digits, 100 labels."""
    return ExperimentConfig(
        name="ssgan_mnist_smoke",
        kind="ssgan",
        data=DataConfig(name="sample", batch_size=64, shuffle_buffer=4000, **SMOKE_SPLITS, num_labels=100, labelled_batch_size=32),
        model=SemiSupervisedGANConfig(latent_dim=16, generator_units=(64,), discriminator_units=(128, 64), average_decay=0.9),
        train=TrainConfig(epochs=2, steps_per_epoch=20, learning_rate=3e-3, beta_1=0.5),
    )


EXPERIMENTS = {
    function.__name__: function
    for function in (ssvae_mnist, ssvae_mnist_smoke, ssvae_m1m2_mnist, ssvae_m1m2_mnist_smoke, ssgan_mnist, ssgan_mnist_smoke)
}
