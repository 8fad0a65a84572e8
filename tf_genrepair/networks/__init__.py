"""Network graphs (no losses, no training logic)."""

from tf_genrepair.networks.classifier import digit_classifier_network, mlp_classifier_network, residual_classifier_network
from tf_genrepair.networks.dcgan import dcgan_discriminator, dcgan_generator
from tf_genrepair.networks.dncnn import residual_denoiser
from tf_genrepair.networks.mlp import mlp_discriminator, mlp_generator
from tf_genrepair.networks.patch_discriminator import patch_discriminator
from tf_genrepair.networks.semi_supervised_gan import feature_matching_generator, k_plus_one_discriminator
from tf_genrepair.networks.unet import inpainting_unet
from tf_genrepair.networks.vae import (
    conv_decoder,
    conv_encoder,
    mlp_decoder,
    mlp_encoder,
    spatial_decoder,
    spatial_encoder,
)

__all__ = [
    "conv_decoder",
    "conv_encoder",
    "dcgan_discriminator",
    "dcgan_generator",
    "digit_classifier_network",
    "feature_matching_generator",
    "inpainting_unet",
    "k_plus_one_discriminator",
    "mlp_classifier_network",
    "residual_classifier_network",
    "mlp_decoder",
    "mlp_discriminator",
    "mlp_encoder",
    "mlp_generator",
    "patch_discriminator",
    "residual_denoiser",
    "spatial_decoder",
    "spatial_encoder",
]
