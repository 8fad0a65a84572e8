"""`LearnedGate`: a small network that learns, on training images, where classifying a restoration helps."""

from typing import Callable

import keras
import numpy as np

from tf_genrepair.evaluation.recognition_gain import corrupt, restore_in_batches
from tf_genrepair.models import predict_labels
from tf_genrepair.networks import digit_classifier_network


class LearnedGate:
    """A small CNN that looks at a damaged image and its restoration and says whether to classify the restoration.

    The classifier's confidence is weak evidence on damage it never saw: a classifier trained on
    clean digits is confidently wrong on hazy or shifted ones. This gate learns, on training images
    damaged at random (`get_corruption("blind")` by default, never the test set), where the restored
    image is classified correctly and the damaged one not (target 1) and the reverse (target 0);
    pairs where both or neither are right carry no weight. A pair restoration spoils weighs
    `harm_cost` times one it fixes, so the gate picks the restoration where the odds that it fixes
    the image are more than `harm_cost` times the odds that it spoils it. A gate belongs to one
    classifier and one restorer: train one per pair.

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
        harm_cost: float = 1.0,
        seed: int = 0,
    ) -> "LearnedGate":
        """Damages `images` with `corruption`, restores them (with the damage's masks, as evaluation does),
        classifies both, and fits the gate network on the outcomes."""
        if harm_cost <= 0:
            raise ValueError(f"`harm_cost` must be positive. Received: {harm_cost}")
        damaged, masks = corrupt(corruption, images, severity, seed=seed, batch_size=1024)
        restored = restore_in_batches(restore, damaged, masks, batch_size)
        damaged_right = predict_labels(classifier, damaged, batch_size=batch_size) == labels
        restored_right = predict_labels(classifier, restored, batch_size=batch_size) == labels
        helps, hurts = restored_right & ~damaged_right, damaged_right & ~restored_right
        if not helps.any() or not hurts.any():
            raise ValueError(f"The gate needs examples where restoration helps and where it hurts. Received: {helps.sum()} and {hurts.sum()}")
        weights = np.where(helps, 1.0, np.where(hurts, harm_cost, 0.0)) * len(images) / (helps.sum() + harm_cost * hurts.sum())
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
