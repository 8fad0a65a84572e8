"""`Restorer`: trains a restoration network on `((images, masks[, noise_levels]), clean)` pairs."""

from typing import Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.data import denoising_dataset, load_dataset, restoration_dataset
from tf_genrepair.losses import (
    distillation_loss,
    get_adversarial_loss,
    parse_loss_mixture,
    reconstruction_loss,
)
from tf_genrepair.metrics import psnr
from tf_genrepair.models.kind import ModelKind, Signatures, experiment_learning_rate
from tf_genrepair.models.loading import load_model
from tf_genrepair.models.replica_random import global_batch_size
from tf_genrepair.models.restorer_inputs import INPUT_NAMES, SIZE_LADDER, restore_images
from tf_genrepair.models.signature_checks import (
    checked_images,
    checked_plane,
    concrete,
    from_uint8,
    image_outputs,
)
from tf_genrepair.networks import (
    inpainting_unet,
    patch_discriminator,
    residual_denoiser,
)

NETWORKS = ("denoiser", "unet")
RECOGNITION_LOSSES = ("cross_entropy", "distillation")


def _split_targets(targets: tf.Tensor | Sequence[tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor | None]:
    """`clean` or `(clean, labels)`; labels feed the recognition term."""
    if isinstance(targets, (tuple, list)):
        return targets[0], targets[1]
    return targets, None


@keras.saving.register_keras_serializable(package="tf_genrepair")
class Restorer(ModelKind, keras.Model):
    """Restores damaged images with a network passed in; images are float32 in [0, 1].

    The loss is a reconstruction loss (a mixture of `l1`, `l2`, `charbonnier`, `ssim`),
    with missing pixels (mask 0) weighted `hole_weight` times observed ones, plus two
    optional terms: an adversarial term from a conditional patch discriminator, which
    makes the restorer a conditional GAN that generates the clean image from the damaged
    one (correction generation, Isola et al. 2017), and a recognition term from a frozen
    classifier: its cross-entropy on the restored image (Liu et al. 2018), which needs
    `(clean, labels)` targets, or its distillation from the clean image to the restored one
    (the KL divergence between its softened predictions, Hinton et al. 2015), which needs
    no labels. With `preserve_observed`, observed pixels are copied
    from the input and the network only fills the missing ones (inpainting).

    Args:
        network: Maps `[images, masks]` (or `[images, masks, noise_levels]`, the contract of
            `models/restorer_inputs.py`) to the restored images.
        reconstruction: A loss name or mixture, e.g. `"l1"` or `"l1:1,ssim:0.2"`.
        hole_weight: Weight of missing pixels relative to observed ones in the loss.
        preserve_observed: Return `mask * damaged + (1 - mask) * network output`.
        discriminator: Optional `[damaged, candidate] -> scores` patch discriminator.
        adversarial_loss: Name of the adversarial loss pair (see `losses.py`).
        adversarial_weight: Weight of the generator's adversarial term.
        classifier: Optional frozen classifier (images -> logits) for the recognition term.
        recognition_weight: Weight of the recognition term.
        recognition_loss: `"cross_entropy"` (with the labels) or `"distillation"` (to the
            classifier's own prediction on the clean image).
        distillation_temperature: Softmax temperature of the distillation term.

    Example:
        >>> restorer = Restorer(residual_denoiser(), reconstruction="l2")
        >>> restorer.compile(optimizer=keras.optimizers.Adam(1e-3))
        >>> restorer.fit(restoration_dataset(load_dataset("sample"), "gaussian_noise", severity=(1, 5), batch_size=64))
        >>> clean = restorer.restore(noisy, noise_levels=25 / 255)
    """

    kind = "restorer"
    restores = True

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
        recognition_loss: str = "cross_entropy",
        distillation_temperature: float = 1.0,
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
        if recognition_loss not in RECOGNITION_LOSSES:
            raise ValueError(f"Unknown recognition loss {recognition_loss!r}. Valid losses: {', '.join(RECOGNITION_LOSSES)}")
        if not distillation_temperature > 0:
            raise ValueError(f"`distillation_temperature` must be positive. Received: {distillation_temperature}")
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
        self.recognition_loss = recognition_loss
        self.distillation_temperature = distillation_temperature
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
        self.build_optimizers()

    def get_compile_config(self) -> dict | None:
        if not self.compiled:  # An uncompiled restorer (e.g. built for export) saves without a compile state.
            return None
        serialize = keras.saving.serialize_keras_object
        discriminator_optimizer = getattr(self, "discriminator_optimizer", None)
        return {
            "optimizer": serialize(self.optimizer),
            "discriminator_optimizer": serialize(discriminator_optimizer) if discriminator_optimizer is not None else None,
        }

    def compile_from_config(self, config: dict) -> None:
        """Recompiles a loaded restorer with its saved optimizers (also reads the plain Keras compile config of older files)."""
        deserialize = keras.saving.deserialize_keras_object
        discriminator_optimizer = config.get("discriminator_optimizer")
        self.compile(
            optimizer=deserialize(config["optimizer"]),
            discriminator_optimizer=deserialize(discriminator_optimizer) if discriminator_optimizer is not None else None,
        )

    def optimizer_variables(self) -> dict[str, list]:
        """The network's optimizer, and the patch discriminator's when there is one."""
        groups = {"optimizer": self.network.trainable_variables}
        if self.discriminator is not None:
            groups["discriminator_optimizer"] = self.discriminator.trainable_variables
        return groups

    @property
    def channels(self) -> int:
        """Image channels the network takes."""
        return int(self.network.inputs[0].shape[-1])

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
        if self.classifier is not None and (labels is not None or self.recognition_loss == "distillation"):
            extras["recognition"] = self._recognition_loss(clean, labels, restored)
            total = total + self.recognition_weight * extras["recognition"]
        return total, reconstruction, extras

    def _recognition_loss(self, clean, labels, restored) -> tf.Tensor:
        """Per-example recognition term of the frozen classifier on the restored images."""
        logits = tf.cast(self.classifier(restored, training=False), tf.float32)
        if self.recognition_loss == "cross_entropy":
            return keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
        clean_logits = tf.cast(self.classifier(clean, training=False), tf.float32)
        return distillation_loss(clean_logits, logits, temperature=self.distillation_temperature)

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
        images: np.ndarray,
        masks: np.ndarray | None = None,
        *,
        noise_levels: float | np.ndarray | None = None,
        tile_size: int | None = None,
        overlap: int = 64,
        batch_size: int = 32,
        self_ensemble: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
        size_ladder: Sequence[int] | None = SIZE_LADDER,
    ) -> np.ndarray:
        """Restores images of any size, tiled when `tile_size` is given; output clipped to [0, 1].

        Args:
            images: `[N, H, W, C]` or one `[H, W, C]` image, float32 in [0, 1] (noise may overshoot).
            masks: Same layout with one channel, 1 where observed; default all observed.
            noise_levels: Noise standard deviation, one value or anything that broadcasts to the
                masks' shape; required by networks with a noise-level input.
            tile_size: Side of the square tiles for large images (None: whole images).
            overlap: Pixels shared by neighbouring tiles; seams are blended across it.
            batch_size: Images (or tiles) per forward pass.
            self_ensemble: Average over the 8 rotations and flips of the input (8 times the time).
            on_progress: Called with (tiles or batches done, in all) after each forward pass.
            size_ladder: Sides seen whole are padded (mirrored) up to these sizes and cropped back, so
                that any stream of sizes reaches the network as a few shapes and memory stays bounded
                (None: every size as it comes). Pixels within the receptive field of the bottom and
                right edges can change slightly.

        Returns:
            Restored images with the layout of `images`.

        Example:
            >>> restored = restorer.restore(photo, noise_levels=25 / 255, tile_size=256)
        """
        return restore_images(
            self.forward,
            images,
            masks,
            noise_levels,
            channels=self.channels,
            noise_level_input=self.noise_level_input,
            tile_size=tile_size,
            overlap=overlap,
            batch_size=batch_size,
            self_ensemble=self_ensemble,
            on_progress=on_progress,
            size_ladder=size_ladder,
        )

    def forward(self, inputs: list[np.ndarray]) -> np.ndarray:
        """One batch through the model: `[images, masks(, noise_levels)]` arrays -> restored array."""
        return np.asarray(self([tf.constant(part) for part in inputs], training=False))

    # --- Experiments. ---

    @classmethod
    def from_experiment(cls, config) -> "Restorer":
        """The network and loss terms of a `RestorerConfig` (`config.model`)."""
        model = config.model
        if model.network == "denoiser":
            network = residual_denoiser(
                channels=model.channels,
                depth=model.denoiser_layers,
                width=model.filters,
                downscale=model.downscale,
                noise_level_input=model.noise_level_input,
            )
        elif model.network == "unet":
            network = inpainting_unet(channels=model.channels, base_filters=model.filters, levels=model.unet_levels, prefill=model.prefill)
        else:
            raise ValueError(f"Unknown restorer network {model.network!r}. Valid networks: {', '.join(NETWORKS)}")
        classifier = None
        if model.recognition_weight:
            if not model.recognition_classifier:
                raise ValueError("model.recognition_weight needs model.recognition_classifier, a trained Classifier .keras file.")
            classifier = load_model(model.recognition_classifier)
        return cls(
            network,
            reconstruction=model.reconstruction,
            hole_weight=model.hole_weight,
            preserve_observed=model.preserve_observed,
            discriminator=patch_discriminator(channels=model.channels, base_filters=model.filters) if model.adversarial_weight else None,
            adversarial_loss=model.adversarial_loss,
            adversarial_weight=model.adversarial_weight,
            classifier=classifier,
            recognition_weight=model.recognition_weight,
            recognition_loss=model.recognition_loss,
            distillation_temperature=model.distillation_temperature,
        )

    @classmethod
    def experiment_datasets(cls, config) -> tuple[tf.data.Dataset, tf.data.Dataset]:
        """Damaged/clean training pairs drawn on the fly, and evaluation pairs damaged once (whole images)."""
        data, seed, model = config.data, config.train.seed, config.model
        source = load_dataset(
            data.name, split=data.train_split, color_mode=data.color_mode, patch_size=data.patch_size, patches_per_image=data.patches_per_image, seed=seed
        )
        eval_source = load_dataset(data.eval_name or data.name, split=data.eval_split, color_mode=data.color_mode)
        eval_batch = 1 if data.patch_size else 512  # Natural images differ in size; evaluate them one at a time.
        if model.noise_level_input:
            sigma_range = (data.noise_sigma_range[0] / 255.0, data.noise_sigma_range[1] / 255.0)
            eval_sigma = (data.eval_noise_sigma / 255.0,) * 2
            train = denoising_dataset(source, sigma_range=sigma_range, batch_size=data.batch_size, seed=seed, shuffle_buffer=data.shuffle_buffer)
            evaluation = denoising_dataset(eval_source, sigma_range=eval_sigma, batch_size=eval_batch, seed=seed, augment=False, fresh_damage=False)
            return train, evaluation
        if not data.corruption:
            raise ValueError("A restorer without a noise-level map needs data.corruption, e.g. data.corruption=box|free_form")
        options = dict(
            severity=tuple(data.severity),
            seed=seed,
            with_labels=bool(model.recognition_weight) and model.recognition_loss == "cross_entropy",
            augmentation=data.augmentation,
            augmentation_severity=(1, data.augmentation_severity),
        )
        train = restoration_dataset(source, data.corruption, batch_size=data.batch_size, shuffle_buffer=data.shuffle_buffer, **options)
        return train, restoration_dataset(eval_source, data.corruption, batch_size=eval_batch, fresh_damage=False, **options)

    def compile_for_experiment(self, config, *, total_steps: int) -> None:
        """Adam on the network (`config.train`); the patch discriminator's Adam uses beta_1 = 0.5, as pix2pix."""
        train = config.train
        discriminator_optimizer = keras.optimizers.Adam(train.learning_rate, beta_1=0.5) if self.discriminator is not None else None
        self.compile(
            optimizer=keras.optimizers.Adam(experiment_learning_rate(train, total_steps), beta_1=train.beta_1),
            discriminator_optimizer=discriminator_optimizer,
            jit_compile=train.jit_compile,
            steps_per_execution=train.steps_per_execution,
        )

    def experiment_metrics(self, config, evaluation: tf.data.Dataset | None) -> dict[str, float]:
        """Mean PSNR of the damaged evaluation inputs against the clean images: the score to beat."""
        scores = [psnr(clean[0] if isinstance(clean, tuple) else clean, inputs[0]) for inputs, clean in evaluation]
        return {"damaged_psnr": float(tf.reduce_mean(tf.concat(scores, axis=0)))}

    # --- Export. ---

    def serving_signatures(self) -> Signatures:
        """`serving_default` (images -> restored), `restore_masked` (images, masks -> restored) and their uint8 twins.

        Networks with a noise-level input also take `noise_levels` (broadcast to `[batch, height, width, 1]`:
        send `[batch, 1, 1, 1]` for one level per image). Any batch, height and width the network accepts.
        """
        image_specs = {"float": tf.TensorSpec(None, tf.float32, name="images"), "uint8": tf.TensorSpec(None, tf.uint8, name="images")}
        mask_spec = tf.TensorSpec(None, tf.float32, name="masks")
        noise_spec = tf.TensorSpec(None, tf.float32, name="noise_levels")

        def signature(pixels: str, masked: bool) -> tf.types.experimental.ConcreteFunction:
            specs = [image_specs[pixels]] + ([mask_spec] if masked else []) + ([noise_spec] if self.noise_level_input else [])

            def serve(*inputs: tf.Tensor) -> dict[str, tf.Tensor]:
                named = dict(zip(INPUT_NAMES if masked else INPUT_NAMES[::2], inputs))
                images = from_uint8(named["images"]) if pixels == "uint8" else named["images"]
                images = checked_images(images, "images", self.channels)
                planes = [checked_plane(named["masks"], "masks", images) if masked else tf.ones_like(images[..., :1])]
                if self.noise_level_input:
                    planes.append(checked_plane(named["noise_levels"], "noise_levels", images, broadcast=True))
                return image_outputs(self([images, *planes], training=False), "restored")

            return concrete(serve, *specs)

        return {
            "serving_default": signature("float", masked=False),
            "restore_masked": signature("float", masked=True),
            "restore_uint8": signature("uint8", masked=False),
            "restore_masked_uint8": signature("uint8", masked=True),
        }

    def serving_metadata(self) -> dict[str, int]:
        return {"image_channels": self.channels}

    def portable_model(self, image_size: tuple[int, int] | None) -> tuple[keras.Model, list]:
        """The restorer itself, taking the named contract inputs at `image_size` (or any size)."""
        height, width = image_size or (None, None)
        sizes = dict(images=self.channels, masks=1, noise_levels=1)
        names = INPUT_NAMES if self.noise_level_input else INPUT_NAMES[:2]
        return self, [[keras.InputSpec(shape=(None, height, width, sizes[name]), dtype="float32", name=name) for name in names]]

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
            "recognition_loss": self.recognition_loss,
            "distillation_temperature": self.distillation_temperature,
        }

    @classmethod
    def from_config(cls, config: dict) -> "Restorer":
        config = dict(config)
        for key in ("network", "discriminator", "classifier"):
            if config.get(key) is not None:
                config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

