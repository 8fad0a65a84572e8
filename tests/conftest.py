"""Shared fixtures: small real digits, the shared data folder, quiet TensorFlow."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from tf_genrepair.data import load_dataset  # noqa: E402


@pytest.fixture(scope="session")
def digits() -> np.ndarray:
    """32 real shipped test digits, float32 [32, 28, 28, 1] in [0, 1]."""
    images, _ = next(iter(load_dataset("sample", split="test[:32]").batch(32)))
    return images.numpy()


@pytest.fixture(scope="session")
def shared_data_dir() -> str:
    """The reference data folder from GENREPAIR_DATA_DIR; tests that need it skip without it."""
    path = os.environ.get("GENREPAIR_DATA_DIR")
    if not path or not os.path.isdir(os.path.join(path, "mnist")):
        pytest.skip("GENREPAIR_DATA_DIR with mnist/ is not available")
    return path


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory) -> tuple[dict, str]:
    """Trains `classifier_mnist_smoke` once per session: `(metrics, workdir)`."""
    from tf_genrepair.configs import get_experiment
    from tf_genrepair.training import train_and_evaluate

    workdir = str(tmp_path_factory.mktemp("classifier_smoke"))
    return train_and_evaluate(get_experiment("classifier_mnist_smoke"), workdir), workdir


@pytest.fixture(scope="session")
def smoke_classifier(smoke_run):
    """The classifier trained by `smoke_run`."""
    import keras

    return keras.saving.load_model(os.path.join(smoke_run[1], "model.keras"))
