"""`.keras` files saved before the package was reshaped still load, and compute what they computed then."""

import os

import numpy as np
import pytest

from tf_genrepair.models import MODEL_KINDS, load_model

FOLDER = os.path.join(os.path.dirname(__file__), "..", "fixtures", "legacy_models")
KIND_OF_FILE = {
    "classifier": "classifier",
    "gan_mlp": "gan",
    "cgan_dcgan": "cgan",
    "vae_conv": "vae",
    "cvae_mlp": "cvae",
    "denoiser_noise_level": "restorer",
    "unet_prefill": "restorer",
    "unet_adversarial": "restorer",
}


@pytest.fixture(scope="module")
def inputs() -> dict[str, np.ndarray]:
    with np.load(os.path.join(FOLDER, "inputs.npz")) as arrays:
        return dict(arrays)


def _outputs(model, inputs: dict[str, np.ndarray]) -> np.ndarray:
    """The call the saving commit recorded for the model's kind (see tests/fixtures/legacy_models/made_by.py.txt)."""
    if model.kind == "classifier":
        return np.asarray(model(inputs["images"]))
    if model.kind in ("gan", "cgan"):
        return model.generate(2, seed=5)
    if model.kind in ("vae", "cvae"):
        return model.reconstruct(inputs["images"], inputs["labels"] if model.conditional else None)
    noise_levels = 0.1 if model.noise_level_input else None  # Recorded at the inputs' own size: no shape bucketing.
    return model.restore(inputs["images"], inputs["mask"], noise_levels=noise_levels, size_ladder=None)


@pytest.mark.parametrize("name", sorted(KIND_OF_FILE))
def test_a_file_saved_by_the_old_layout_loads_and_computes_the_same(name, inputs):
    model = load_model(os.path.join(FOLDER, f"{name}.keras"))
    assert type(model) is MODEL_KINDS[KIND_OF_FILE[name]]
    with np.load(os.path.join(FOLDER, f"{name}.npz")) as recorded:
        np.testing.assert_allclose(_outputs(model, inputs), recorded["expected"], rtol=1e-5, atol=1e-6)
