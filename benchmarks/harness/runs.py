"""A benchmark's own training run: trained in its work dir, or reused when that dir holds a finished one."""

import json
import os

import keras

from tf_genrepair.configs import ExperimentConfig
from tf_genrepair.models import load_model
from tf_genrepair.training import train_and_evaluate


def trained_run(config: ExperimentConfig, workdir: str) -> tuple[keras.Model, dict]:
    """The model `config` trains in `workdir` (trained there first unless finished) and that run's `metrics.json`.

    A reused run keeps the training time and epochs it recorded; one trained with another config (e.g. other
    `--override`s) is refused rather than reported under this one's settings.
    """
    metrics_path = os.path.join(workdir, "metrics.json")
    if not os.path.exists(metrics_path):
        train_and_evaluate(config, workdir)
    with open(os.path.join(workdir, "config.json"), encoding="utf-8") as handle:
        recorded = json.load(handle)
    wanted = json.loads(json.dumps(config.to_dict()))
    if recorded != wanted:
        differing = sorted(f"{section}.{key}" for section, values in wanted.items() if isinstance(values, dict)
                           for key in values if recorded.get(section, {}).get(key) != values[key])
        raise ValueError(f"{workdir} holds a run of another config (differs in {differing or 'its name'}): "
                         "pass a fresh --workdir or the settings it was trained with.")
    with open(metrics_path, encoding="utf-8") as handle:
        return load_model(os.path.join(workdir, "model.keras")), json.load(handle)
