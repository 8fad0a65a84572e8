"""Experiment configs: the schema, `key=value` overrides, named experiments (one module per family) and studies.

    config = get_experiment("classifier_mnist_smoke", ["train.epochs=2"])
"""

from typing import Callable, Sequence

from tf_genrepair.configs import classifiers, gans, restorers, semi_supervised, vaes
from tf_genrepair.configs.classifiers import REFERENCE_CLASSIFIER
from tf_genrepair.configs.overrides import apply_overrides, valid_override_keys, variant
from tf_genrepair.configs.schema import (
    MODEL_SECTIONS,
    ClassifierConfig,
    DataConfig,
    EvaluationConfig,
    ExperimentConfig,
    GANConfig,
    LegacyConfigError,
    RestorerConfig,
    TrainConfig,
    VAEConfig,
)
from tf_genrepair.configs.studies import (
    STUDIES,
    RecognitionStudy,
    TrainedModel,
    get_study,
)

EXPERIMENTS: dict[str, Callable[[], ExperimentConfig]] = {
    **classifiers.EXPERIMENTS,
    **gans.EXPERIMENTS,
    **vaes.EXPERIMENTS,
    **restorers.EXPERIMENTS,
    **semi_supervised.EXPERIMENTS,
}


def get_experiment(name: str, overrides: Sequence[str] = ()) -> ExperimentConfig:
    """Returns the named experiment's config with `overrides` applied.

    Example:
        >>> config = get_experiment("classifier_mnist_smoke", ["train.epochs=2"])
    """
    if name not in EXPERIMENTS:
        raise ValueError(f"Unknown experiment {name!r}. Valid experiments: {', '.join(sorted(EXPERIMENTS))}")
    return apply_overrides(EXPERIMENTS[name](), overrides)


__all__ = [
    "EXPERIMENTS",
    "MODEL_SECTIONS",
    "REFERENCE_CLASSIFIER",
    "STUDIES",
    "ClassifierConfig",
    "DataConfig",
    "EvaluationConfig",
    "ExperimentConfig",
    "GANConfig",
    "LegacyConfigError",
    "RecognitionStudy",
    "RestorerConfig",
    "TrainConfig",
    "TrainedModel",
    "VAEConfig",
    "apply_overrides",
    "get_experiment",
    "get_study",
    "valid_override_keys",
    "variant",
]
