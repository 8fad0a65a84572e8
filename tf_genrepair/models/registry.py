"""The model kinds of the package by their config name (`ExperimentConfig.kind`)."""

from tf_genrepair.models.classifier import Classifier
from tf_genrepair.models.conditional_gan import ConditionalGAN
from tf_genrepair.models.conditional_vae import ConditionalVAE
from tf_genrepair.models.gan import GAN
from tf_genrepair.models.kind import ModelKind
from tf_genrepair.models.restorer import Restorer
from tf_genrepair.models.semi_supervised_gan import SemiSupervisedGAN
from tf_genrepair.models.semi_supervised_vae import SemiSupervisedVAE
from tf_genrepair.models.vae import VAE

MODEL_KINDS: dict[str, type[ModelKind]] = {
    model.kind: model for model in (Classifier, GAN, ConditionalGAN, VAE, ConditionalVAE, Restorer, SemiSupervisedVAE, SemiSupervisedGAN)
}


def get_model_kind(kind: str) -> type[ModelKind]:
    """The model class of a config kind, e.g. `get_model_kind("cgan") is ConditionalGAN`.

    Example:
        >>> model = get_model_kind(config.kind).from_experiment(config)
    """
    if kind not in MODEL_KINDS:
        raise ValueError(f"Unknown model kind {kind!r}. Valid kinds: {', '.join(MODEL_KINDS)}")
    return MODEL_KINDS[kind]


def build_model(config) -> ModelKind:
    """Builds the (uncompiled) model an `ExperimentConfig` describes.

    Example:
        >>> model = build_model(get_experiment("classifier_mnist_smoke"))
    """
    return get_model_kind(config.kind).from_experiment(config)
