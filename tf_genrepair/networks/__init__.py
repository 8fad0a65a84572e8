"""Network graphs (no losses, no training logic)."""

from tf_genrepair.networks.classifier import digit_classifier_network
from tf_genrepair.networks.dcgan import dcgan_discriminator, dcgan_generator
from tf_genrepair.networks.mlp import mlp_discriminator, mlp_generator

__all__ = ["dcgan_discriminator", "dcgan_generator", "digit_classifier_network", "mlp_discriminator", "mlp_generator"]
