"""`train_and_evaluate(config, workdir)`: the one entry point shared by the binary and the tests."""

import json
import os
import sys

import keras

from tf_genrepair.configs import ExperimentConfig
from tf_genrepair.data import classification_dataset, load_dataset
from tf_genrepair.distribute import make_strategy
from tf_genrepair.files import atomic_path, write_json_atomic
from tf_genrepair.models.classifier import Classifier
from tf_genrepair.networks.classifier import digit_classifier_network

MODEL_KINDS = ("classifier",)


def build_model(config: ExperimentConfig) -> keras.Model:
    """Builds the (uncompiled) model that `config.model` describes."""
    model = config.model
    if model.kind == "classifier":
        network = digit_classifier_network(
            image_shape=model.image_shape,
            num_classes=model.num_classes,
            width=model.width,
            feature_dim=model.feature_dim,
            dropout=model.dropout,
        )
        classifier = Classifier(network=network)
        classifier(keras.ops.zeros((1, *model.image_shape)))  # Build, so a backup can be restored into it.
        return classifier
    raise ValueError(f"Unknown model kind {model.kind!r}. Valid kinds: {', '.join(MODEL_KINDS)}")


def _datasets(config: ExperimentConfig):
    data, seed = config.data, config.train.seed
    augmentation = dict(corruption=data.augmentation, severity=(1, data.augmentation_severity)) if data.augmentation else {}
    train = classification_dataset(
        load_dataset(data.name, split=data.train_split),
        batch_size=data.batch_size,
        seed=seed,
        shuffle_buffer=data.shuffle_buffer,
        **augmentation,
    )
    evaluation = classification_dataset(load_dataset(data.name, split=data.eval_split), batch_size=512, seed=seed)
    return train, evaluation


def train_and_evaluate(config: ExperimentConfig, workdir: str) -> dict[str, float]:
    """Trains the experiment in `workdir`, resuming from its backup if one exists, and evaluates it.

    Writes `config.json` (the resolved config), TensorBoard logs, a resumable backup
    after each epoch, the trained model as `model.keras` and `metrics.json`.

    Args:
        config: The experiment, e.g. `get_experiment("classifier_mnist")`.
        workdir: Output folder; rerunning with the same folder resumes.

    Returns:
        The evaluation metrics, e.g. `{"accuracy": 0.993, "loss": 0.02}`.

    Example:
        >>> metrics = train_and_evaluate(get_experiment("classifier_mnist_smoke"), "/tmp/run")
    """
    os.makedirs(workdir, exist_ok=True)
    write_json_atomic(os.path.join(workdir, "config.json"), config.to_dict())
    keras.utils.set_random_seed(config.train.seed)
    strategy = make_strategy(config.train.strategy)
    train, evaluation = _datasets(config)
    steps = config.train.steps_per_epoch or int(train.cardinality())
    if steps < 0:  # Unknown length (e.g. an image folder): count the batches once.
        steps = int(train.reduce(0, lambda count, _: count + 1))
    with strategy.scope():
        model = build_model(config)
        schedule = keras.optimizers.schedules.CosineDecay(config.train.learning_rate, decay_steps=max(1, steps * config.train.epochs))
        model.compile(optimizer=keras.optimizers.Adam(schedule))
    callbacks = [
        keras.callbacks.BackupAndRestore(os.path.join(workdir, "backup"), delete_checkpoint=False),
        keras.callbacks.TensorBoard(os.path.join(workdir, "tensorboard")),
    ]
    model.fit(
        train.repeat() if config.train.steps_per_epoch else train,
        epochs=config.train.epochs,
        steps_per_epoch=config.train.steps_per_epoch,
        validation_data=evaluation,
        callbacks=callbacks,
        verbose=1 if sys.stdout.isatty() else 2,
    )
    metrics = {name: float(value) for name, value in model.evaluate(evaluation, return_dict=True, verbose=0).items()}
    with atomic_path(os.path.join(workdir, "model.keras")) as temporary:
        model.save(temporary)
    write_json_atomic(os.path.join(workdir, "metrics.json"), metrics)
    print(json.dumps({"experiment": config.name, "workdir": workdir, **metrics}))
    return metrics
