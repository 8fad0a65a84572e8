"""Network graphs (no losses, no training logic)."""

from tf_genrepair.networks.classifier import digit_classifier_network

__all__ = ["digit_classifier_network"]
