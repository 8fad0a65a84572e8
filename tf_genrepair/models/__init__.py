"""Algorithms: thin `keras.Model` subclasses around networks passed in."""

from tf_genrepair.models.classifier import Classifier
from tf_genrepair.models.conditional_gan import ConditionalGAN
from tf_genrepair.models.conditional_vae import ConditionalVAE
from tf_genrepair.models.gan import GAN
from tf_genrepair.models.restorer import Restorer
from tf_genrepair.models.vae import VAE

__all__ = ["Classifier", "ConditionalGAN", "ConditionalVAE", "GAN", "Restorer", "VAE"]
