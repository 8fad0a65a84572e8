"""How good generated samples are, judged by a reference classifier: classes covered, confidence, FID."""

import keras
import numpy as np

from tf_genrepair.metrics.feature_distances import (
    extract_features,
    fid,
    precision_recall_coverage,
)


def sample_quality(
    classifier: keras.Model,
    samples: np.ndarray,
    real_features: np.ndarray,
    *,
    requested_labels: np.ndarray | None = None,
    batch_size: int = 500,
) -> dict[str, float]:
    """Scores generated images in [0, 1] with a trained `Classifier`.

    Args:
        classifier: A `Classifier` (logits out, `feature_extractor()` for FID).
        samples: Generated images `[N, H, W, C]` in [0, 1].
        real_features: Classifier features of held-out real images (`extract_features`).
        requested_labels: For conditional samples, the class each was asked to be.
        batch_size: Inference batch size.

    Returns:
        `class_entropy` (nats, of the predicted-class histogram; ln 10 = 2.303 is uniform),
        `mean_confidence` (mean max-softmax), `fid` on the classifier's features,
        `precision`, `recall`, `density`, `coverage`, and `label_agreement` when labels are given.

    Example:
        >>> quality = sample_quality(classifier, gan.generate(5000, seed=0), real_features)
    """
    logits = classifier.predict(samples, batch_size=batch_size, verbose=0)
    probabilities = keras.ops.convert_to_numpy(keras.ops.softmax(logits, axis=-1))
    predicted = probabilities.argmax(axis=-1)
    histogram = np.bincount(predicted, minlength=probabilities.shape[-1]) / len(predicted)
    nonzero = histogram[histogram > 0]
    fake_features = extract_features(classifier.feature_extractor(), samples, batch_size=batch_size)
    subset = min(len(real_features), len(fake_features), 2000)
    quality = {
        "class_entropy": float(max(0.0, -(nonzero * np.log(nonzero)).sum())),
        "mean_confidence": float(probabilities.max(axis=-1).mean()),
        "fid": fid(real_features, fake_features),
        **precision_recall_coverage(real_features[:subset], fake_features[:subset]),
    }
    if requested_labels is not None:
        quality["label_agreement"] = float(np.mean(predicted == np.asarray(requested_labels)))
    return quality


def generator_quality(model: keras.Model, classifier: keras.Model, real_features: np.ndarray, *, num_samples: int = 5000, seed: int = 1) -> dict[str, float]:
    """`sample_quality` of `num_samples` fresh samples of a generative model.

    A model that takes a class (`conditional`, or `samples_by_class`) is asked for the classes 0..K-1
    in turn and scored on label agreement too; any other is sampled with `generate`.

    Example:
        >>> quality = generator_quality(cgan, classifier, real_features)   # quality["label_agreement"]
    """
    if getattr(model, "conditional", False) or getattr(model, "samples_by_class", False):
        labels = np.arange(num_samples) % model.num_classes
        return sample_quality(classifier, model.sample(num_samples, labels=labels, seed=seed), real_features, requested_labels=labels)
    return sample_quality(classifier, model.generate(num_samples, seed=seed), real_features)
