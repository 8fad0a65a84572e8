"""Do no harm: per image, classify the restoration only when the classifier is more sure of it than of the damaged input.

Restoration trained on some damage can hurt on other damage (an edge map, a strong shift):
the restorer returns a confident-looking image of the wrong thing. The gate asks the classifier
itself. With `p_d` and `p_r` the class probabilities of the damaged and the restored image, it
classifies the restored image when `max p_r > max p_d + margin`, else the damaged one, so on
damage the restorer cannot repair the pipeline falls back to classify-alone.
"""

from typing import Callable

import numpy as np

from tf_genrepair.models import class_probabilities


def gate_choice(damaged_probabilities: np.ndarray, restored_probabilities: np.ndarray, *, margin: float = 0.0) -> np.ndarray:
    """`[N]` bool, True where the restored image is classified: its top-class probability exceeds the damaged one's by more than `margin`.

    Example:
        >>> use_restored = gate_choice(class_probabilities(logits_damaged), class_probabilities(logits_restored))
    """
    if margin < 0:
        raise ValueError(f"`margin` must be >= 0. Received: margin={margin}")
    return restored_probabilities.max(axis=-1) > damaged_probabilities.max(axis=-1) + margin


class ConfidenceGate:
    """restore -> classify that falls back to the damaged input wherever the restoration lowers the classifier's confidence.

    Args:
        classifier: A Keras model from images to logits or probabilities.
        restore: `(images, masks) -> restored images` for a whole array, e.g. `restorer.restore`.
        margin: How much more confident the classifier must be of the restoration.
        batch_size: Images per restoration and classification batch.

    Example:
        >>> gate = ConfidenceGate(classifier, restorer.restore)
        >>> labels = gate.predict_labels(scans)
    """

    def __init__(self, classifier, restore: Callable[[np.ndarray, np.ndarray], np.ndarray], *, margin: float = 0.0, batch_size: int = 256) -> None:
        self.classifier = classifier
        self.restore = restore
        self.margin = margin
        self.batch_size = batch_size

    def __call__(self, images: np.ndarray, masks: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The images to classify (restored or as given, per image) and where the restored one was chosen."""
        images = np.asarray(images, np.float32)
        masks = np.ones(images.shape[:3] + (1,), np.float32) if masks is None else np.asarray(masks, np.float32)
        restored = np.clip(np.asarray(self.restore(images, masks), np.float32), 0.0, 1.0)
        if restored.shape != images.shape:
            raise ValueError(f"The restorer returned shape {restored.shape} for images of shape {images.shape}.")
        damaged_probabilities = class_probabilities(self.classifier.predict(images, batch_size=self.batch_size, verbose=0))
        restored_probabilities = class_probabilities(self.classifier.predict(restored, batch_size=self.batch_size, verbose=0))
        use_restored = gate_choice(damaged_probabilities, restored_probabilities, margin=self.margin)
        return np.where(use_restored[:, None, None, None], restored, images), use_restored

    def predict_labels(self, images: np.ndarray, masks: np.ndarray | None = None) -> np.ndarray:
        """Class ids `[N]` of the gated pipeline."""
        chosen, _ = self(images, masks)
        return np.argmax(self.classifier.predict(chosen, batch_size=self.batch_size, verbose=0), axis=-1)

