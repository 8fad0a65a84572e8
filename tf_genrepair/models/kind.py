"""`ModelKind`: what the training, export and evaluation code asks a model instead of guessing.

Every model class of the package mixes this in and answers for itself:
- `kind`: its name in experiment configs (`ExperimentConfig.kind`);
- `conditional`: whether it takes class labels; `generative`: whether it samples images;
  `restores`: whether it maps damaged images to restored ones;
- `optimizer_variables()`: each optimizer it trains with, by attribute name, and the variables
  that optimizer updates (checkpoints, time budgets and resumption cover every one);
- `from_experiment(config)`, `experiment_datasets(config)`, `compile_for_experiment(...)`,
  `experiment_metrics(...)`: how an experiment builds, feeds, compiles and scores it;
- `serving_signatures()`, `serving_metadata()`, `portable_model(...)`: what it exports.

A new model kind implements these in `models/`, registers its class in `models/registry.py`
and its config section in `configs/schema.py`; nothing in `training/`, `deploy/` or
`evaluation/` changes.
"""

from typing import ClassVar

import keras
import tensorflow as tf

Signatures = dict[str, tf.types.experimental.ConcreteFunction]


def experiment_learning_rate(train, total_steps: int) -> float | keras.optimizers.schedules.LearningRateSchedule:
    """A cosine decay over the planned steps, or a plain rate when a time budget anneals it (`TimeBudget`)."""
    if train.time_budget_minutes:
        return train.learning_rate
    return keras.optimizers.schedules.CosineDecay(train.learning_rate, decay_steps=max(1, total_steps))


OPTIMIZERS = ("adam", "sgd")


def experiment_optimizer(train, total_steps: int) -> keras.optimizers.Optimizer:
    """`train.optimizer` at `experiment_learning_rate`: Adam (`beta_1`) or SGD with Nesterov `momentum`."""
    rate = experiment_learning_rate(train, total_steps)
    if train.optimizer == "adam":
        return keras.optimizers.Adam(rate, beta_1=train.beta_1)
    if train.optimizer == "sgd":
        return keras.optimizers.SGD(rate, momentum=train.momentum, nesterov=True)
    raise ValueError(f"`train.optimizer` must be one of {OPTIMIZERS}. Received: {train.optimizer!r}")


class ModelKind:
    """Mixin for the package's `keras.Model` subclasses; see the module docstring."""

    kind: ClassVar[str]
    conditional: ClassVar[bool] = False
    generative: ClassVar[bool] = False
    restores: ClassVar[bool] = False

    # --- Training. ---

    def optimizer_variables(self) -> dict[str, list]:
        """Attribute name of each optimizer the model trains with -> the variables it updates."""
        return {"optimizer": self.trainable_variables}

    def training_optimizers(self) -> list[keras.optimizers.Optimizer]:
        """Every optimizer the model trains with (compiled models only)."""
        return [getattr(self, name) for name in self.optimizer_variables()]

    def build_optimizers(self) -> None:
        """Creates every optimizer's slots now (in the caller's strategy scope), so a checkpoint can be loaded into them."""
        for name, variables in self.optimizer_variables().items():
            optimizer = getattr(self, name)
            if not optimizer.built:
                optimizer.build(variables)

    @classmethod
    def from_preset(cls, name: str) -> "ModelKind":
        """A shipped pretrained model (`tf_genrepair.presets.list_presets()`), checked to be of this class.

        Example:
            >>> restorer = Restorer.from_preset("restore_mnist")
        """
        from tf_genrepair.models.loading import load_model

        model = load_model(f"preset:{name}")
        if not isinstance(model, cls):
            raise ValueError(f"Preset {name!r} holds a {type(model).__name__}, not a {cls.__name__}.")
        return model

    @classmethod
    def from_experiment(cls, config) -> "ModelKind":
        """Builds the (uncompiled) model that `config.model` describes."""
        raise NotImplementedError(f"{cls.__name__} does not build from an experiment config.")

    @classmethod
    def experiment_datasets(cls, config) -> tuple[tf.data.Dataset, tf.data.Dataset | None]:
        """Training batches and evaluation batches (or None) for `config`."""
        raise NotImplementedError(f"{cls.__name__} does not say which datasets it trains on.")

    def compile_for_experiment(self, config, *, total_steps: int) -> None:
        """Compiles with `experiment_optimizer` (`config.train`) and `experiment_compile_arguments`, then builds it."""
        train = config.train
        self.compile(
            optimizer=experiment_optimizer(train, total_steps),
            jit_compile=train.jit_compile,
            steps_per_execution=train.steps_per_execution,
            **self.experiment_compile_arguments(config),
        )
        self.build_optimizers()

    def experiment_compile_arguments(self, config) -> dict:
        """Further `compile` arguments `config` asks for (none by default; e.g. a classifier's smoothed loss)."""
        return {}

    def experiment_metrics(self, config, evaluation: tf.data.Dataset | None) -> dict[str, float]:
        """Figures beyond `evaluate()` reported after training (none by default)."""
        return {}

    # --- Export. ---

    def serving_signatures(self) -> Signatures:
        """The named SavedModel signatures TF Serving serves."""
        raise ValueError(f"A {type(self).__name__} has no serving signatures.")

    def serving_metadata(self) -> dict[str, int]:
        """Integers a client needs and cannot read from the signatures (saved beside them)."""
        return {}

    def portable_model(self, image_size: tuple[int, int] | None) -> tuple[keras.Model, list]:
        """The Keras model to write as TFLite or ONNX, and its input signature."""
        raise ValueError(f"Cannot convert a {type(self).__name__}: TFLite and ONNX export takes a Restorer, Classifier, GAN or ConditionalGAN.")
