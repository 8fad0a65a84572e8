"""`GenerativeModel`: sampling, interpolation and the `generate`/`sample` serving signatures, written once for GANs and VAEs."""

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.data import generation_dataset, load_dataset
from tf_genrepair.models.kind import ModelKind, Signatures
from tf_genrepair.models.labels import requested_labels
from tf_genrepair.models.latents import latents_from_seed
from tf_genrepair.models.signature_checks import (
    checked_labels,
    checked_latents,
    concrete,
    image_outputs,
)


class GenerativeModel(ModelKind):
    """Mixin for models that turn latent codes (and, when `conditional`, class labels) into images in [0, 1].

    Subclasses set `latent_dim` (and `num_classes` when conditional) and implement
    `decode_latents` and `sampling_network`; everything that samples goes through
    `decode_latents`, so `generate()`, `sample()`, the collapse guard, generative-prior
    restoration and the exported signatures agree by construction.
    """

    generative = True
    latent_dim: int
    num_classes: int | None = None

    def decode_latents(self, latents: tf.Tensor, labels: tf.Tensor | None) -> tf.Tensor:
        """Images in [0, 1] for `[B, latent_dim]` latents (and `[B]` labels when conditional), in TensorFlow ops."""
        raise NotImplementedError

    def sampling_network(self) -> keras.Model:
        """The network whose weights decide the samples (saved as the collapse guard's best generator)."""
        raise NotImplementedError

    def latents(self, num_images: int, *, seed: int) -> np.ndarray:
        """Standard normal latent codes `[num_images, latent_dim]`, reproducible from `seed`."""
        return latents_from_seed(num_images, self.latent_dim, seed).numpy()

    def sample(self, num_images: int, *, labels: int | np.ndarray, seed: int = 0, latents: np.ndarray | None = None) -> np.ndarray:
        """Images in [0, 1] of the requested classes (one label for all, or one per image); conditional models only.

        Example:
            >>> digits = cgan.sample(10, labels=np.arange(10), seed=0)
        """
        if not self.conditional:
            raise ValueError(f"A {type(self).__name__} is unconditional: call generate() instead of sample(labels=...).")
        labels = requested_labels(labels, num_images, self.num_classes)
        latents = self.latents(num_images, seed=seed) if latents is None else latents
        return self.decode_latents(tf.constant(latents, tf.float32), tf.constant(labels)).numpy()

    def generate(self, num_images: int, *, seed: int = 0, latents: np.ndarray | None = None) -> np.ndarray:
        """Images in [0, 1] at latent draws from `seed` (or the given `latents`); conditional models cycle the classes.

        Example:
            >>> grid = model.generate(64, seed=0)
        """
        if self.conditional:
            return self.sample(num_images, labels=np.arange(num_images) % self.num_classes, seed=seed, latents=latents)
        latents = self.latents(num_images, seed=seed) if latents is None else latents
        return self.decode_latents(tf.constant(latents, tf.float32), None).numpy()

    def interpolate(self, start: np.ndarray, end: np.ndarray, *, steps: int = 8, label: int | None = None) -> np.ndarray:
        """Images along the straight line between two latent codes `[latent_dim]` (a VAE's from `encode`).

        Example:
            >>> row = gan.interpolate(gan.latents(1, seed=0)[0], gan.latents(1, seed=1)[0], steps=10)
        """
        weights = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
        path = (1.0 - weights) * np.asarray(start, np.float32) + weights * np.asarray(end, np.float32)
        if self.conditional:
            if label is None:
                raise ValueError(f"A {type(self).__name__} needs the `label` of the interpolated images.")
            return self.sample(steps, labels=label, latents=path)
        if label is not None:
            raise ValueError(f"A {type(self).__name__} is unconditional: `label` does not apply. Received: label={label}")
        return self.generate(steps, latents=path)

    # --- Experiments. ---

    @classmethod
    def generation_training_data(cls, config) -> tf.data.Dataset:
        """Training batches of images (and labels for conditional models) from `config.data`."""
        data = config.data
        return generation_dataset(
            load_dataset(data.name, split=data.train_split),
            batch_size=data.batch_size,
            seed=config.train.seed,
            conditional=cls.conditional,
            binarize=data.binarize,
            shuffle_buffer=data.shuffle_buffer,
        )

    # --- Export. ---

    def serving_signatures(self) -> Signatures:
        """`generate` (= `serving_default`): latents[, labels] -> images; `sample`: count (or labels) and seed -> images."""

        def decode(latents: tf.Tensor, labels: tf.Tensor | None) -> dict[str, tf.Tensor]:
            labels = None if labels is None else checked_labels(labels, self.num_classes)
            return image_outputs(self.decode_latents(checked_latents(latents, self.latent_dim), labels))

        latent_spec = tf.TensorSpec(None, tf.float32, name="latents")
        label_spec = tf.TensorSpec([None], tf.int32, name="labels")
        seed_spec = tf.TensorSpec([], tf.int32, name="seed")
        if self.conditional:
            generate = concrete(decode, latent_spec, label_spec)
            sample = concrete(lambda labels, seed: decode(latents_from_seed(tf.size(labels), self.latent_dim, seed), labels), label_spec, seed_spec)
        else:
            generate = concrete(lambda latents: decode(latents, None), latent_spec)
            count_spec = tf.TensorSpec([], tf.int32, name="count")
            sample = concrete(lambda count, seed: decode(latents_from_seed(count, self.latent_dim, seed), None), count_spec, seed_spec)
        return {"serving_default": generate, "generate": generate, "sample": sample}

    def serving_metadata(self) -> dict[str, int]:
        return {"num_classes": int(self.num_classes)} if self.conditional else {}

    def portable_model(self, image_size: tuple[int, int] | None) -> tuple[keras.Model, list]:
        """`decode_latents` as a Keras model: `latents` (and `labels`) -> images in [0, 1]."""
        latents = keras.InputSpec(shape=(None, self.latent_dim), dtype="float32", name="latents")
        if self.conditional:
            return _LatentDecoder(self), [[latents, keras.InputSpec(shape=(None,), dtype="int32", name="labels")]]
        return _LatentDecoder(self), [latents]


class _LatentDecoder(keras.Model):
    """A generative model's `decode_latents` as a Keras model, for the TFLite and ONNX exporters."""

    def __init__(self, source: GenerativeModel) -> None:
        super().__init__(name="latent_decoder")
        self.source = source
        self.built = True  # The source arrives built.

    def call(self, inputs) -> tf.Tensor:
        latents, labels = inputs if self.source.conditional else (inputs, None)
        return self.source.decode_latents(latents, labels)
