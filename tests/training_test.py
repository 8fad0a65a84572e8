"""train_and_evaluate writes a complete, resumable work dir."""

import json
import os

from tf_genrepair.configs import ExperimentConfig, get_experiment
from tf_genrepair.training import train_and_evaluate


def test_workdir_holds_config_metrics_model_and_logs(smoke_run):
    metrics, workdir = smoke_run
    assert {"config.json", "metrics.json", "model.keras", "backup", "tensorboard"} <= set(os.listdir(workdir))
    with open(os.path.join(workdir, "config.json")) as handle:
        assert ExperimentConfig.from_dict(json.load(handle)) == get_experiment("classifier_mnist_smoke")
    with open(os.path.join(workdir, "metrics.json")) as handle:
        assert json.load(handle) == metrics


def test_rerun_resumes_from_the_backup_instead_of_retraining(tmp_path):
    config = get_experiment("classifier_mnist_smoke", ["train.epochs=1"])
    first = train_and_evaluate(config, str(tmp_path))
    second = train_and_evaluate(config, str(tmp_path))  # The backup says epoch 1 is done: no more training.
    assert second["accuracy"] == first["accuracy"]
