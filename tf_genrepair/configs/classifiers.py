"""Named classifier experiments."""

from tf_genrepair.configs.overrides import variant
from tf_genrepair.configs.schema import (
    ClassifierConfig,
    DataConfig,
    ExperimentConfig,
    TrainConfig,
)

REFERENCE_CLASSIFIER = "workdirs/classifier_mnist/model.keras"  # Where `classifier_mnist` lands with the documented commands.


def classifier_mnist() -> ExperimentConfig:
    """The reference MNIST classifier (>= 99.0% test accuracy)."""
    return ExperimentConfig(name="classifier_mnist", kind="classifier", model=ClassifierConfig(), train=TrainConfig(epochs=6, learning_rate=2e-3))


def classifier_mnist_augmented() -> ExperimentConfig:
    """The reference classifier trained with every corruption (severities 1-5) on half of each batch.

    The honest alternative to restoration: the same network taught to read damaged digits.
    """
    return variant(classifier_mnist(), "classifier_mnist_augmented", "data.augmentation=classic")


def classifier_mnist_smoke() -> ExperimentConfig:
    """Seconds on a CPU: the shipped sample digits, one short epoch."""
    return ExperimentConfig(
        name="classifier_mnist_smoke",
        kind="classifier",
        data=DataConfig(name="sample", eval_split="test[:500]", batch_size=64, shuffle_buffer=4000),
        model=ClassifierConfig(width=8, feature_dim=32),
        train=TrainConfig(epochs=2),
    )


def classifier_mnist_augmented_smoke() -> ExperimentConfig:
    """Seconds on a CPU: classifier_mnist_smoke with every corruption as augmentation."""
    return variant(classifier_mnist_smoke(), "classifier_mnist_augmented_smoke", "data.augmentation=classic")


EXPERIMENTS = {
    function.__name__: function
    for function in (classifier_mnist, classifier_mnist_smoke, classifier_mnist_augmented, classifier_mnist_augmented_smoke)
}
