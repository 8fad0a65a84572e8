"""A benchmark's own training run: trained in its work dir, or reused when that dir holds a finished one."""

import json
import os

import keras

from tf_genrepair.configs import ExperimentConfig
from tf_genrepair.models import load_model
from tf_genrepair.training import train_and_evaluate


def trained_run(config: ExperimentConfig, workdir: str) -> tuple[keras.Model, dict]:
    """The model `config` trains in `workdir` (trained there first unless finished) and that run's `metrics.json`.

    A reused run keeps the training time and epochs it recorded.
    """
    metrics_path = os.path.join(workdir, "metrics.json")
    if not os.path.exists(metrics_path):
        train_and_evaluate(config, workdir)
    with open(metrics_path, encoding="utf-8") as handle:
        return load_model(os.path.join(workdir, "model.keras")), json.load(handle)
