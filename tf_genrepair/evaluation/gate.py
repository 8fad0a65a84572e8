"""Do no harm: per image, classify the restoration only when the classifier is more sure of it than of the damaged input.

Restoration trained on some damage can hurt on other damage (an edge map, a strong shift):
the restorer returns a confident-looking image of the wrong thing. The gate asks the classifier
itself. With `p_d` and `p_r` the class probabilities of the damaged and the restored image, it
classifies the restored image when `max p_r > max p_d + margin`, else the damaged one, so on
damage the restorer cannot repair the pipeline falls back to classify-alone.
"""

from typing import Callable

import keras
import numpy as np

from tf_genrepair.corruptions import get_corruption
from tf_genrepair.models import predict_labels
from tf_genrepair.networks import digit_classifier_network


def class_probabilities(scores: np.ndarray) -> np.ndarray:
    """Rows of class probabilities: `scores` as they are when they already are probabilities, else their softmax (logits)."""
    scores = np.asarray(scores, np.float64)
    if scores.min() >= 0.0 and np.allclose(scores.sum(axis=-1), 1.0, atol=1e-4):
        return scores
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


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


class LearnedGate:
    """A small CNN that looks at a damaged image and its restoration and says whether to classify the restoration.

    The classifier's confidence is weak evidence on damage it never saw: a classifier trained on
    clean digits is confidently wrong on hazy or shifted ones. This gate learns, on training images
    damaged at random (`get_corruption("blind")` by default, never the test set), where the restored
    image is classified correctly and the damaged one not (target 1) and the reverse (target 0);
    pairs where both or neither are right carry no weight, and the two outcomes are weighted equally.

    Args:
        network: Maps `[B, H, W, 2C]` (damaged and restored images stacked on channels) to 2 logits.

    Example:
        >>> gate = LearnedGate.train(classifier, restorer.restore, train_images, train_labels)
        >>> use_restored = gate.choose(damaged, restored)
    """

    def __init__(self, network: keras.Model) -> None:
        self.network = network

    @classmethod
    def train(
        cls,
        classifier,
        restore: Callable[[np.ndarray, np.ndarray], np.ndarray],
        images: np.ndarray,
        labels: np.ndarray,
        *,
        corruption: str = "blind",
        severity: int = 5,
        epochs: int = 3,
        batch_size: int = 256,
        width: int = 16,
        seed: int = 0,
    ) -> "LearnedGate":
        """Damages `images` with `corruption`, restores and classifies them, and fits the gate network on the outcomes."""
        damaged = np.concatenate(
            [get_corruption(corruption)(images[start : start + 1024], severity=severity, seed=[seed, index])[0].numpy()
             for index, start in enumerate(range(0, len(images), 1024))]
        )
        restored = np.clip(np.asarray(restore(damaged, np.ones(damaged.shape[:3] + (1,), np.float32)), np.float32), 0.0, 1.0)
        damaged_right = predict_labels(classifier, damaged, batch_size=batch_size) == labels
        restored_right = predict_labels(classifier, restored, batch_size=batch_size) == labels
        helps, hurts = restored_right & ~damaged_right, damaged_right & ~restored_right
        if not helps.any() or not hurts.any():
            raise ValueError(f"The gate needs examples where restoration helps and where it hurts. Received: {helps.sum()} and {hurts.sum()}")
        weights = np.where(helps, 0.5 / helps.sum(), np.where(hurts, 0.5 / hurts.sum(), 0.0)) * len(images)
        keras.utils.set_random_seed(seed)
        network = digit_classifier_network(image_shape=images.shape[1:3] + (2 * images.shape[-1],), num_classes=2, width=width, name="gate")
        network.compile(optimizer=keras.optimizers.Adam(1e-3), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        network.fit(np.concatenate([damaged, restored], axis=-1), helps.astype(np.int32), sample_weight=weights, epochs=epochs,
                    batch_size=batch_size, verbose=2)
        return cls(network)

    def choose(self, damaged: np.ndarray, restored: np.ndarray) -> np.ndarray:
        """`[N]` bool, True where the restored image should be classified."""
        logits = self.network.predict(np.concatenate([damaged, restored], axis=-1).astype(np.float32), batch_size=512, verbose=0)
        return logits[:, 1] > logits[:, 0]
