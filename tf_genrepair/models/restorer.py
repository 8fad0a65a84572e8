"""`Restorer`: trains a restoration network on `((damaged, mask[, noise_level]), clean)` pairs."""

from typing import Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.losses import get_adversarial_loss, parse_loss_mixture, reconstruction_loss
from tf_genrepair.metrics import psnr
from tf_genrepair.models.replica_random import global_batch_size
from tf_genrepair.restoration.tiling import tiled_apply


def _split_targets(targets: tf.Tensor | Sequence[tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor | None]:
    """`clean` or `(clean, labels)`; labels feed the recognition term."""
    if isinstance(targets, (tuple, list)):
        return targets[0], targets[1]
    return targets, None


@keras.saving.register_keras_serializable(package="tf_genrepair")
class Restorer(keras.Model):
    """Restores damaged images with a network passed in; images are float32 in [0, 1].

    The loss is a reconstruction loss (a mixture of `l1`, `l2`, `charbonnier`, `ssim`),
    with missing pixels (mask 0) weighted `hole_weight` times observed ones, plus two
    optional terms: an adversarial term from a conditional patch discriminator, which
    makes the restorer a conditional GAN that generates the clean image from the damaged
    one (correction generation, Isola et al. 2017), and a recognition term, the
    cross-entropy of a frozen classifier on the restored image (Liu et al. 2018), which
    needs `(clean, labels)` targets. With `preserve_observed`, observed pixels are copied
    from the input and the network only fills the missing ones (inpainting).

    Args:
        network: Maps `[damaged, mask]` (or `[damaged, mask, noise_level]`) to the restored image.
        reconstruction: A loss name or mixture, e.g. `"l1"` or `"l1:1,ssim:0.2"`.
        hole_weight: Weight of missing pixels relative to observed ones in the loss.
        preserve_observed: Return `mask * damaged + (1 - mask) * network output`.
        discriminator: Optional `[damaged, candidate] -> scores` patch discriminator.
        adversarial_loss: Name of the adversarial loss pair (see `losses.py`).
        adversarial_weight: Weight of the generator's adversarial term.
        classifier: Optional frozen classifier (images -> logits) for the recognition term.
        recognition_weight: Weight of the recognition term.

    Example:
        >>> restorer = Restorer(residual_denoiser(), reconstruction="l2")
        >>> restorer.compile(optimizer=keras.optimizers.Adam(1e-3))
        >>> restorer.fit(restoration_dataset(load_dataset("sample"), "gaussian_noise", severity=(1, 5), batch_size=64))
        >>> clean = restorer.restore(noisy, noise_level=25 / 255)
    """

    def __init__(
        self,
        network: keras.Model,
        *,
        reconstruction: str = "l1",
        hole_weight: float = 1.0,
        preserve_observed: bool = False,
        discriminator: keras.Model | None = None,
        adversarial_loss: str = "non_saturating",
        adversarial_weight: float = 0.0,
        classifier: keras.Model | None = None,
        recognition_weight: float = 0.0,
        **kwargs,
    ) -> None:
        # Inputs stay float32 (no autocast to a mixed policy's bfloat16): observed pixels are copied
        # exactly and the networks cast for themselves.
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if adversarial_weight and discriminator is None:
            raise ValueError(f"`adversarial_weight` needs a `discriminator`. Received: adversarial_weight={adversarial_weight}, discriminator=None")
        if recognition_weight and classifier is None:
            raise ValueError(f"`recognition_weight` needs a `classifier`. Received: recognition_weight={recognition_weight}, classifier=None")
        # === Layers ===
        self.network = network
        self.discriminator = discriminator
        self.classifier = classifier
        if classifier is not None:
            classifier.trainable = False
        # === Config ===
        self.reconstruction = reconstruction
        self.reconstruction_mixture = parse_loss_mixture(reconstruction)
        self.hole_weight = hole_weight
        self.preserve_observed = preserve_observed
        self.adversarial_loss = adversarial_loss
        pair = get_adversarial_loss(adversarial_loss)  # Kept as two functions: Keras would track a tuple as a list.
        self.discriminator_loss_fn, self.generator_loss_fn = pair.discriminator, pair.generator
        self.adversarial_weight = adversarial_weight
        self.recognition_weight = recognition_weight
        self.noise_level_input = len(network.inputs) == 3
        # === Trackers ===
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.psnr_tracker = keras.metrics.Mean(name="psnr")
        self.adversarial_tracker = keras.metrics.Mean(name="adversarial_loss")
        self.discriminator_tracker = keras.metrics.Mean(name="discriminator_loss")
        self.recognition_tracker = keras.metrics.Mean(name="recognition_loss")
        self.built = True  # The networks arrive built.

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        trackers = [self.loss_tracker, self.reconstruction_tracker, self.psnr_tracker]
        trackers += [self.adversarial_tracker, self.discriminator_tracker] if self.discriminator is not None else []
        return trackers + ([self.recognition_tracker] if self.classifier is not None else [])

    def compile(
        self,
        optimizer: str | keras.optimizers.Optimizer = "adam",
        *,
        discriminator_optimizer: str | keras.optimizers.Optimizer | None = None,
        **kwargs,
    ) -> None:
        """Compiles with the restorer's optimizer (and the discriminator's, when there is one)."""
        super().compile(optimizer=optimizer, **kwargs)
        if self.discriminator is not None:
            self.discriminator_optimizer = keras.optimizers.get(discriminator_optimizer or "adam")

    def call(self, inputs: Sequence[tf.Tensor], training: bool | None = None) -> tf.Tensor:
        damaged, mask = inputs[0], inputs[1]
        restored = tf.cast(self.network(list(inputs), training=training), tf.float32)
        if self.preserve_observed:
            restored = mask * damaged + (1.0 - mask) * restored
        return restored

    def _loss_terms(self, inputs, clean, labels, restored) -> tuple[tf.Tensor, tf.Tensor, dict[str, tf.Tensor]]:
        """Per-example generator-side total and reconstruction losses, and the extra terms."""
        mask = inputs[1]
        weights = mask + self.hole_weight * (1.0 - mask)
        reconstruction = reconstruction_loss(clean, restored, weights, mixture=self.reconstruction_mixture)
        total, extras = reconstruction, {}
        if self.discriminator is not None:
            fake_scores = tf.cast(self.discriminator([inputs[0], restored], training=True), tf.float32)
            extras["adversarial"] = self.generator_loss_fn(fake_scores)
            total = total + self.adversarial_weight * extras["adversarial"]
        if self.classifier is not None and labels is not None:
            logits = tf.cast(self.classifier(restored, training=False), tf.float32)
            extras["recognition"] = keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
            total = total + self.recognition_weight * extras["recognition"]
        return total, reconstruction, extras

    def train_step(self, data) -> dict[str, tf.Tensor]:
        inputs, targets = data[0], data[1]
        clean, labels = _split_targets(targets)
        batch = global_batch_size(tf.shape(clean)[0])
        with tf.GradientTape() as tape, tf.GradientTape() as discriminator_tape:
            restored = self(inputs, training=True)
            total, reconstruction, extras = self._loss_terms(inputs, clean, labels, restored)
            loss = tf.nn.compute_average_loss(total, global_batch_size=batch)
            if self.discriminator is not None:
                discriminator_per_example = self._discriminator_loss(inputs[0], clean, tf.stop_gradient(restored), training=True)
                discriminator_loss = tf.nn.compute_average_loss(discriminator_per_example, global_batch_size=batch)
        weights = self.network.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
        if self.discriminator is not None:
            critic_weights = self.discriminator.trainable_variables
            self.discriminator_optimizer.apply_gradients(zip(discriminator_tape.gradient(discriminator_loss, critic_weights), critic_weights))
            self.discriminator_tracker.update_state(discriminator_per_example)
        return self._update_trackers(total, reconstruction, extras, clean, restored)

    def test_step(self, data) -> dict[str, tf.Tensor]:
        inputs, targets = data[0], data[1]
        clean, labels = _split_targets(targets)
        restored = self(inputs, training=False)
        total, reconstruction, extras = self._loss_terms(inputs, clean, labels, restored)
        if self.discriminator is not None:
            self.discriminator_tracker.update_state(self._discriminator_loss(inputs[0], clean, restored, training=False))
        return self._update_trackers(total, reconstruction, extras, clean, restored)

    def _discriminator_loss(self, damaged: tf.Tensor, clean: tf.Tensor, restored: tf.Tensor, *, training: bool) -> tf.Tensor:
        """Per-example loss of the patch discriminator telling `(damaged, clean)` from `(damaged, restored)`."""
        real_scores = tf.cast(self.discriminator([damaged, clean], training=training), tf.float32)
        fake_scores = tf.cast(self.discriminator([damaged, restored], training=training), tf.float32)
        return self.discriminator_loss_fn(real_scores, fake_scores)

    def _update_trackers(self, total, reconstruction, extras, clean, restored) -> dict[str, tf.Tensor]:
        self.loss_tracker.update_state(total)
        self.reconstruction_tracker.update_state(reconstruction)
        self.psnr_tracker.update_state(psnr(clean, restored))
        if "adversarial" in extras:
            self.adversarial_tracker.update_state(extras["adversarial"])
        if "recognition" in extras:
            self.recognition_tracker.update_state(extras["recognition"])
        return {tracker.name: tracker.result() for tracker in self.metrics}

    def restore(
        self,
        damaged: np.ndarray,
        mask: np.ndarray | None = None,
        *,
        noise_level: float | np.ndarray | None = None,
        tile_size: int | None = None,
        overlap: int = 64,
        batch_size: int = 32,
        self_ensemble: bool = False,
    ) -> np.ndarray:
        """Restores images of any size, tiled when `tile_size` is given; output clipped to [0, 1].

        Args:
            damaged: `[N, H, W, C]` or one `[H, W, C]` image, float32 in [0, 1] (noise may overshoot).
            mask: Same layout with one channel, 1 where observed; default all observed.
            noise_level: Noise standard deviation (scalar or a `[.., H, W, 1]` map) for
                networks that take one; required for them.
            tile_size: Side of the square tiles for large images (None: whole images).
            overlap: Pixels shared by neighbouring tiles; seams are blended across it.
            batch_size: Images (or tiles) per forward pass.
            self_ensemble: Average the outputs for the 8 rotations and flips of the input, each
                turned back (geometric self-ensemble, Timofte et al. 2016): 8 times the time.

        Returns:
            Restored images with the layout of `damaged`.

        Example:
            >>> restored = restorer.restore(photo, noise_level=25 / 255, tile_size=256)
        """
        damaged = np.asarray(damaged, np.float32)
        single = damaged.ndim == 3
        images = damaged[np.newaxis] if single else damaged
        if images.ndim != 4 or images.shape[-1] != self.network.inputs[0].shape[-1]:
            raise ValueError(
                f"`damaged` must be [N, H, W, {self.network.inputs[0].shape[-1]}] or [H, W, C]. Received: shape={damaged.shape}"
            )
        if not np.all(np.isfinite(images)):
            raise ValueError("`damaged` contains NaN or infinite values.")
        planes = [images, self._mask_plane(mask, images, single)]
        if self.noise_level_input:
            if noise_level is None:
                raise ValueError("This restorer's network takes a noise level: pass `noise_level` (e.g. 25 / 255).")
            planes.append(np.broadcast_to(np.asarray(noise_level, np.float32), images.shape[:3] + (1,)).astype(np.float32))
        stacked = np.concatenate(planes, axis=-1)
        channels = images.shape[-1]

        def forward(batch: np.ndarray) -> np.ndarray:
            split = [batch[..., :channels], batch[..., channels : channels + 1]] + ([batch[..., channels + 1 :]] if self.noise_level_input else [])
            return np.asarray(self([tf.constant(part) for part in split], training=False))

        if self_ensemble:
            forward = _dihedral_average(forward)
        if tile_size is None:
            restored = np.concatenate([forward(stacked[start : start + batch_size]) for start in range(0, len(stacked), batch_size)])
        else:
            restored = tiled_apply(forward, stacked, output_channels=channels, tile_size=tile_size, overlap=overlap, batch_size=batch_size)
        restored = np.clip(restored, 0.0, 1.0)
        return restored[0] if single else restored

    @staticmethod
    def _mask_plane(mask: np.ndarray | None, images: np.ndarray, single: bool) -> np.ndarray:
        if mask is None:
            return np.ones(images.shape[:3] + (1,), np.float32)
        mask = np.asarray(mask, np.float32)
        mask = mask[np.newaxis] if single else mask
        if mask.shape != images.shape[:3] + (1,):
            raise ValueError(f"`mask` must have shape {images.shape[:3] + (1,)} to match the images. Received: shape={mask.shape}")
        return mask

    def get_config(self) -> dict:
        serialize = keras.saving.serialize_keras_object
        return {
            **super().get_config(),
            "network": serialize(self.network),
            "reconstruction": self.reconstruction,
            "hole_weight": self.hole_weight,
            "preserve_observed": self.preserve_observed,
            "discriminator": serialize(self.discriminator) if self.discriminator is not None else None,
            "adversarial_loss": self.adversarial_loss,
            "adversarial_weight": self.adversarial_weight,
            "classifier": serialize(self.classifier) if self.classifier is not None else None,
            "recognition_weight": self.recognition_weight,
        }

    @classmethod
    def from_config(cls, config: dict) -> "Restorer":
        config = dict(config)
        for key in ("network", "discriminator", "classifier"):
            if config.get(key) is not None:
                config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


def _dihedral_average(forward: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """`forward` averaged over the 8 rotations and flips of its `[N, H, W, C]` input, each undone on the output."""

    def averaged(batch: np.ndarray) -> np.ndarray:
        total = 0.0
        for turns in range(4):
            for flip in (False, True):
                view = np.rot90(batch, turns, axes=(1, 2))
                output = forward(np.ascontiguousarray(view[:, :, ::-1] if flip else view))
                total = total + np.rot90(output[:, :, ::-1] if flip else output, -turns, axes=(1, 2))
        return total / 8.0

    return averaged
