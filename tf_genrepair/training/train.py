"""`train_and_evaluate(config, workdir)`: the one entry point shared by the binary, the studies and the tests.

Everything that depends on the model kind is asked of the model class (`ModelKind`): how it is
built, fed, compiled and scored; this module only runs the training.
"""

import hashlib
import json
import math
import os
import sys

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.configs import ExperimentConfig
from tf_genrepair.data import load_arrays
from tf_genrepair.io.atomic import atomic_path, make_folder, write_json_atomic
from tf_genrepair.metrics import extract_features, fid
from tf_genrepair.models import ModelKind, get_model_kind, load_model
from tf_genrepair.training.callbacks import (
    GenerativeQuality,
    ResidentMemory,
    RestorationPreview,
    SampleGrid,
    StopOnNonFiniteLoss,
    TimeBudget,
)
from tf_genrepair.training.checkpoints import TrainingCheckpoints
from tf_genrepair.training.warm_start import warm_start
from tf_genrepair.training.distribute import is_chief, make_strategy
from tf_genrepair.training.precision import dtype_policy


def _real_images(config: ExperimentConfig, split: str) -> np.ndarray:
    """The images of one split of `config.data.name` as an array."""
    return load_arrays(config.data.name, split=split)[0]


def _quality_guard(config: ExperimentConfig, workdir: str) -> tuple[GenerativeQuality | None, dict]:
    """The collapse guard and the FID between two real splits (a reference point, not a lower bound)."""
    evaluation = config.evaluation
    if not get_model_kind(config.kind).generative or not evaluation.classifier:
        return None, {}
    if not os.path.exists(evaluation.classifier):
        raise FileNotFoundError(
            f"evaluation.classifier={evaluation.classifier} does not exist. Train classifier_mnist first, point "
            "evaluation.classifier at a trained Classifier .keras file, or set it to none."
        )
    classifier = load_model(evaluation.classifier)
    features = classifier.feature_extractor()
    real_features = extract_features(features, _real_images(config, evaluation.real_split))
    second_real = extract_features(features, _real_images(config, evaluation.second_real_split))
    guard = GenerativeQuality(
        classifier,
        real_features,
        best_path=os.path.join(workdir, "best_generator.weights.h5"),
        history_path=os.path.join(workdir, "sample_quality.jsonl"),
        every_epochs=evaluation.every_epochs,
        num_samples=evaluation.quality_samples,
    )
    return guard, {"real_split_fid": fid(real_features, second_real)}


def _callbacks(model: ModelKind, config: ExperimentConfig, workdir: str, evaluation, guard, checkpoints: TrainingCheckpoints, chief: bool) -> list:
    """Divergence stop first (so bad weights are never checkpointed), then checkpoints, then the chief's logs and pictures."""
    callbacks = [StopOnNonFiniteLoss(checkpoints.folder, initial_step=checkpoints.global_step), checkpoints]
    if config.train.time_budget_minutes:
        callbacks.append(TimeBudget(config.train.time_budget_minutes, spent_seconds=checkpoints.train_seconds))
    if not chief:
        return callbacks
    callbacks.append(ResidentMemory(os.path.join(workdir, "resident_memory.jsonl")))  # Before TensorBoard, which then logs it.
    callbacks.append(keras.callbacks.TensorBoard(os.path.join(workdir, "tensorboard")))
    if model.generative:
        callbacks.append(SampleGrid(os.path.join(workdir, "samples"), tensorboard_dir=os.path.join(workdir, "tensorboard", "samples")))
        callbacks += [guard] if guard else []
    if model.restores:
        preview_inputs, preview_clean = next(iter(evaluation))
        preview_clean = preview_clean[0] if isinstance(preview_clean, tuple) else preview_clean
        callbacks.append(RestorationPreview(preview_inputs, preview_clean, os.path.join(workdir, "previews")))
    return callbacks


def _fit(model: keras.Model, config: ExperimentConfig, train: tf.data.Dataset, evaluation, steps: int, checkpoints: TrainingCheckpoints, callbacks: list) -> None:
    """Trains from where the checkpoints say the run stopped: the data stream skips the steps already done.

    A run killed mid-epoch first finishes that epoch in a shorter `fit`, then runs the
    remaining epochs on a freshly built stream (a second iterator over the same dataset
    would draw the next shuffle order and damage seeds), so a resumed deterministic run
    sees the same batches and ends with the same weights as an uninterrupted one.
    """
    done = checkpoints.global_step
    options = dict(validation_data=evaluation, validation_freq=config.train.validation_every_epochs, callbacks=callbacks, verbose=1 if sys.stdout.isatty() else 2)
    epoch, step_in_epoch = divmod(done, steps)
    if step_in_epoch and epoch < config.train.epochs:
        model.fit(train.repeat().skip(done), initial_epoch=epoch, epochs=epoch + 1, steps_per_epoch=steps - step_in_epoch, **options)
        epoch, done = epoch + 1, (epoch + 1) * steps
        train = type(model).experiment_datasets(config)[0]
    if epoch < config.train.epochs and not model.stop_training:
        model.fit(train.repeat().skip(done), initial_epoch=epoch, epochs=config.train.epochs, steps_per_epoch=steps, **options)
    checkpoints.restore(model)  # A finished run trains nothing: load its final state (a no-op once fit has loaded it).


def train_and_evaluate(config: ExperimentConfig, workdir: str) -> dict[str, float]:
    """Trains the experiment in `workdir`, resuming from its newest checkpoint if one exists, and evaluates it.

    Writes `config.json` (the resolved config), TensorBoard logs, the whole training
    state in `checkpoints/` after each epoch (and every `train.checkpoint_every_steps`
    steps), the trained model as `model.keras` and `metrics.json`. Generative models
    also write a sample grid per epoch (`samples/`) and, with `evaluation.classifier`
    set, sample quality per epoch and the best generator by FID (the collapse guard).
    In a multi-worker run only the chief writes; every worker trains, evaluates and
    prints its metrics with a digest of its final weights (`weights_sha256`).

    Args:
        config: The experiment, e.g. `get_experiment("classifier_mnist")`.
        workdir: Output folder; rerunning with the same folder resumes.

    Returns:
        The evaluation metrics, e.g. `{"accuracy": 0.993, "loss": 0.02}`.

    Example:
        >>> metrics = train_and_evaluate(get_experiment("classifier_mnist_smoke"), "/tmp/run")
    """
    strategy = make_strategy(config.train.strategy)
    chief = is_chief(strategy)
    if chief:
        make_folder(workdir)
        write_json_atomic(os.path.join(workdir, "config.json"), config.to_dict())
    keras.utils.set_random_seed(config.train.seed)
    model_kind = get_model_kind(config.kind)
    train, evaluation = model_kind.experiment_datasets(config)
    guard, reference = _quality_guard(config, workdir) if chief else (None, {})
    steps = config.train.steps_per_epoch or int(train.cardinality())
    if steps < 0:  # Unknown length (e.g. an image folder): count the batches once.
        steps = int(train.reduce(0, lambda count, _: count + 1))
    if steps == 0:
        raise ValueError(f"The training data of {config.name} ({config.data.name}, split {config.data.train_split}) is empty.")
    # On the repeated stream Keras runs whole executions: an epoch is a whole number of them.
    steps = math.ceil(steps / config.train.steps_per_execution) * config.train.steps_per_execution
    with strategy.scope(), dtype_policy(config.train.precision):
        model = model_kind.from_experiment(config)
        model.compile_for_experiment(config, total_steps=steps * config.train.epochs)
    checkpoints = TrainingCheckpoints(
        os.path.join(workdir, "checkpoints"), steps_per_epoch=steps, every_steps=config.train.checkpoint_every_steps, write=chief
    )
    if config.train.initial_weights and checkpoints.restore_from is None:
        warm_start(model, config.train.initial_weights)
    _fit(model, config, train, evaluation, steps, checkpoints, _callbacks(model, config, workdir, evaluation, guard, checkpoints, chief))
    metrics = {"train_seconds": checkpoints.train_seconds, "train_epochs": checkpoints.global_step / steps, **reference}
    if evaluation is not None:
        metrics.update({name: float(value) for name, value in model.evaluate(evaluation, return_dict=True, verbose=0).items()})
    if guard:
        metrics.update({f"final_{key}": value for key, value in guard.evaluate().items()})
        metrics.update({f"best_{key}": value for key, value in (guard.best or {}).items()})
    metrics.update(model.experiment_metrics(config, evaluation))
    if chief:
        with atomic_path(os.path.join(workdir, "model.keras")) as temporary:
            model.save(temporary)
        write_json_atomic(os.path.join(workdir, "metrics.json"), metrics)
    print(json.dumps({"experiment": config.name, "workdir": workdir, "chief": chief, "weights_sha256": _weights_digest(model), **metrics}))
    return metrics


def _weights_digest(model: keras.Model) -> str:
    """SHA-256 of every weight's bytes: equal on all workers of a multi-worker run that stayed in sync."""
    digest = hashlib.sha256()
    for weight in model.get_weights():
        digest.update(np.ascontiguousarray(weight).tobytes())
    return digest.hexdigest()
