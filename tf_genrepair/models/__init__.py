"""Algorithms: thin `keras.Model` subclasses around networks passed in."""

from tf_genrepair.models.classifier import Classifier
from tf_genrepair.models.conditional_gan import ConditionalGAN
from tf_genrepair.models.gan import GAN

__all__ = ["Classifier", "ConditionalGAN", "GAN"]
