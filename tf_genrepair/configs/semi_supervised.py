"""Named semi-supervised experiments: generative models that see every image but only a few labels."""

from tf_genrepair.configs.schema import (
    GENERATOR_TRAINING,
    DataConfig,
    ExperimentConfig,
    SemiSupervisedVAEConfig,
    TrainConfig,
)


def ssvae_mnist() -> ExperimentConfig:
    """M2 (Kingma et al. 2014) on binarized MNIST with 100 labels (ten per class, seed 0), a CNN q(y|x).

    Batches of 100 unlabelled and 50 labelled digits; an epoch is one pass over the 55,000 training
    images (the last 5,000 are held out for selection). alpha weighs the labelled cross-entropy.
    """
    return ExperimentConfig(
        name="ssvae_mnist",
        kind="ssvae",
        data=DataConfig(batch_size=100, binarize=True, train_split=GENERATOR_TRAINING, eval_split="test", num_labels=100, labelled_batch_size=50),
        model=SemiSupervisedVAEConfig(classification_weight=10.0),
        train=TrainConfig(epochs=20, learning_rate=1e-3, steps_per_execution=10),
    )


def ssvae_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: M2 with small networks on the shipped digits, 100 labels."""
    return ExperimentConfig(
        name="ssvae_mnist_smoke",
        kind="ssvae",
        data=DataConfig(name="sample", batch_size=64, shuffle_buffer=4000, binarize=True, eval_split="test[:500]", num_labels=100, labelled_batch_size=32),
        model=SemiSupervisedVAEConfig(latent_dim=8, hidden_units=64, classifier_width=8, classification_weight=10.0),
        train=TrainConfig(epochs=2, steps_per_epoch=20, learning_rate=2e-3),
    )


EXPERIMENTS = {function.__name__: function for function in (ssvae_mnist, ssvae_mnist_smoke)}
