"""Algorithms: thin `keras.Model` subclasses around networks passed in."""

from tf_genrepair.models.classifier import Classifier

__all__ = ["Classifier"]
