"""Algorithms: thin `keras.Model` subclasses around networks passed in, each answering for its own kind
(`ModelKind`), how an experiment builds it, and how saved models load."""

from tf_genrepair.models.classifier import Classifier, SmoothedSparseCrossentropy, class_probabilities, predict_labels
from tf_genrepair.models.conditional_gan import ConditionalGAN
from tf_genrepair.models.conditional_vae import ConditionalVAE
from tf_genrepair.models.gan import GAN
from tf_genrepair.models.generative import GenerativeModel
from tf_genrepair.models.kind import ModelKind
from tf_genrepair.models.latents import latents_from_seed
from tf_genrepair.models.loading import load_model
from tf_genrepair.models.registry import MODEL_KINDS, build_model, get_model_kind
from tf_genrepair.models.restorer import Restorer
from tf_genrepair.models.semi_supervised_gan import SemiSupervisedGAN
from tf_genrepair.models.semi_supervised_vae import SemiSupervisedVAE
from tf_genrepair.models.restorer_inputs import (
    INPUT_NAMES,
    apply_restorer,
    restore_images,
    restorer_inputs,
)
from tf_genrepair.models.tiling import tiled_apply
from tf_genrepair.models.vae import VAE

__all__ = [
    "INPUT_NAMES",
    "MODEL_KINDS",
    "Classifier",
    "ConditionalGAN",
    "ConditionalVAE",
    "GAN",
    "GenerativeModel",
    "ModelKind",
    "Restorer",
    "SemiSupervisedGAN",
    "SemiSupervisedVAE",
    "SmoothedSparseCrossentropy",
    "VAE",
    "apply_restorer",
    "build_model",
    "get_model_kind",
    "class_probabilities",
    "latents_from_seed",
    "load_model",
    "predict_labels",
    "restore_images",
    "restorer_inputs",
    "tiled_apply",
]
