"""`train_and_evaluate(config, workdir)`: the one entry point shared by the binary and the tests."""

import hashlib
import json
import math
import os
import sys
import time

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.callbacks import GenerativeQuality, RestorationPreview, SampleGrid, StopOnNonFiniteLoss, TimeBudget
from tf_genrepair.checkpoints import TrainingCheckpoints
from tf_genrepair.configs import ExperimentConfig
from tf_genrepair.data import (
    binarize_once,
    classification_dataset,
    denoising_dataset,
    generation_dataset,
    load_arrays,
    load_dataset,
    restoration_dataset,
)
from tf_genrepair.distribute import is_chief, make_strategy
from tf_genrepair.files import atomic_path, make_folder, write_json_atomic
from tf_genrepair.metrics import extract_features, fid, psnr
from tf_genrepair.latent_probe import linear_probe_accuracy
from tf_genrepair.likelihoods import get_likelihood
from tf_genrepair.models import GAN, VAE, Classifier, ConditionalGAN, ConditionalVAE, Restorer
from tf_genrepair.networks import (
    conv_decoder,
    conv_encoder,
    dcgan_discriminator,
    dcgan_generator,
    digit_classifier_network,
    inpainting_unet,
    mlp_decoder,
    mlp_discriminator,
    mlp_encoder,
    mlp_generator,
    patch_discriminator,
    residual_denoiser,
)
from tf_genrepair.precision import dtype_policy

MODEL_KINDS = ("classifier", "gan", "cgan", "vae", "cvae", "restorer")
GENERATIVE_KINDS = ("gan", "cgan", "vae", "cvae")
CONDITIONAL_KINDS = ("cgan", "cvae")
GAN_NETWORKS = ("dcgan", "mlp")
VAE_NETWORKS = ("mlp", "conv")
RESTORER_NETWORKS = ("denoiser", "unet")


def _build_gan(config: ExperimentConfig) -> GAN:
    model = config.model
    num_classes = model.num_classes if model.kind == "cgan" else None
    shape = model.image_shape
    if model.network == "dcgan":
        generator = dcgan_generator(latent_dim=model.latent_dim, image_shape=shape, base_filters=model.width, num_classes=num_classes)
        discriminator = dcgan_discriminator(image_shape=shape, base_filters=model.width, dropout=model.dropout, num_classes=num_classes)
    elif model.network == "mlp":
        hidden = (model.width, model.width)
        generator = mlp_generator(latent_dim=model.latent_dim, image_shape=shape, hidden_units=hidden, num_classes=num_classes)
        discriminator = mlp_discriminator(image_shape=shape, hidden_units=hidden, num_classes=num_classes)
    else:
        raise ValueError(f"Unknown GAN network {model.network!r}. Valid networks: {', '.join(GAN_NETWORKS)}")
    options = dict(
        latent_dim=model.latent_dim,
        discriminator_steps=model.discriminator_steps,
        simultaneous_updates=model.simultaneous_updates,
        gradient_penalty_weight=model.gradient_penalty_weight,
        r1_weight=model.r1_weight,
        label_smoothing=model.label_smoothing,
        ema_decay=model.ema_decay,
        seed=config.train.seed,
    )
    if num_classes:
        return ConditionalGAN(generator=generator, discriminator=discriminator, num_classes=num_classes, **options)
    return GAN(generator=generator, discriminator=discriminator, **options)


def _build_vae(config: ExperimentConfig) -> VAE:
    model = config.model
    num_classes = model.num_classes if model.kind == "cvae" else None
    shared = dict(latent_dim=model.latent_dim, image_shape=model.image_shape, num_classes=num_classes)
    parameters_per_channel = get_likelihood(model.likelihood).parameters_per_channel
    if model.network == "mlp":
        hidden = (model.width, model.width)
        encoder = mlp_encoder(hidden_units=hidden, **shared)
        decoder = mlp_decoder(hidden_units=hidden, parameters_per_channel=parameters_per_channel, **shared)
    elif model.network == "conv":
        encoder = conv_encoder(base_filters=model.width, **shared)
        decoder = conv_decoder(base_filters=model.width, parameters_per_channel=parameters_per_channel, **shared)
    else:
        raise ValueError(f"Unknown VAE network {model.network!r}. Valid networks: {', '.join(VAE_NETWORKS)}")
    options = dict(
        latent_dim=model.latent_dim,
        likelihood=model.likelihood,
        objective=model.objective,
        num_samples=model.num_samples,
        beta=model.beta,
        kl_warmup_steps=model.kl_warmup_steps,
        free_bits=model.free_bits,
        seed=config.train.seed,
    )
    if num_classes:
        return ConditionalVAE(encoder, decoder, num_classes=num_classes, **options)
    return VAE(encoder, decoder, **options)


def _load_classifier(config: ExperimentConfig) -> keras.Model:
    path = config.evaluation.classifier
    if not path or not os.path.exists(path):
        raise FileNotFoundError(
            f"evaluation.classifier={path} does not exist. Train classifier_mnist first and point "
            "--override evaluation.classifier=<model.keras> at it."
        )
    return keras.saving.load_model(path)


def _build_restorer(config: ExperimentConfig) -> Restorer:
    model = config.model
    channels = model.image_shape[-1]
    if model.network == "denoiser":
        network = residual_denoiser(
            channels=channels, depth=model.depth, width=model.width, downscale=model.downscale, noise_level_input=model.noise_level_input
        )
    elif model.network == "unet":
        network = inpainting_unet(channels=channels, base_filters=model.width, levels=model.depth, prefill=model.prefill)
    else:
        raise ValueError(f"Unknown restorer network {model.network!r}. Valid networks: {', '.join(RESTORER_NETWORKS)}")
    return Restorer(
        network,
        reconstruction=model.reconstruction,
        hole_weight=model.hole_weight,
        preserve_observed=model.preserve_observed,
        discriminator=patch_discriminator(channels=channels, base_filters=model.width) if model.adversarial_weight else None,
        adversarial_loss=model.loss,
        adversarial_weight=model.adversarial_weight,
        classifier=_load_classifier(config) if model.recognition_weight else None,
        recognition_weight=model.recognition_weight,
    )


def build_model(config: ExperimentConfig) -> keras.Model:
    """Builds the (uncompiled) model that `config.model` describes."""
    model = config.model
    if model.kind == "classifier":
        network = digit_classifier_network(
            image_shape=model.image_shape,
            num_classes=model.num_classes,
            width=model.width,
            feature_dim=model.feature_dim,
            dropout=model.dropout,
        )
        return Classifier(network=network)
    if model.kind in ("gan", "cgan"):
        return _build_gan(config)
    if model.kind in ("vae", "cvae"):
        return _build_vae(config)
    if model.kind == "restorer":
        return _build_restorer(config)
    raise ValueError(f"Unknown model kind {model.kind!r}. Valid kinds: {', '.join(MODEL_KINDS)}")


def _compile(model: keras.Model, config: ExperimentConfig, steps: int) -> None:
    train = config.train
    options = dict(jit_compile=train.jit_compile, steps_per_execution=train.steps_per_execution)
    if isinstance(model, GAN):
        model.compile(
            generator_optimizer=keras.optimizers.Adam(train.learning_rate, beta_1=train.beta_1),
            discriminator_optimizer=keras.optimizers.Adam(train.learning_rate, beta_1=train.beta_1),
            loss=config.model.loss,
            **options,
        )
        return
    # A time budget anneals the rate itself (TimeBudget); otherwise a cosine over the planned steps.
    schedule = train.learning_rate if train.time_budget_minutes else keras.optimizers.schedules.CosineDecay(
        train.learning_rate, decay_steps=max(1, steps * train.epochs)
    )
    extra = {}
    if isinstance(model, Restorer) and model.discriminator is not None:
        extra["discriminator_optimizer"] = keras.optimizers.Adam(train.learning_rate, beta_1=0.5)
    model.compile(optimizer=keras.optimizers.Adam(schedule, beta_1=train.beta_1), **options, **extra)


def _restoration_datasets(config: ExperimentConfig) -> tuple[tf.data.Dataset, tf.data.Dataset]:
    """Damaged/clean training pairs drawn on the fly, and evaluation pairs (whole images)."""
    data, seed, model = config.data, config.train.seed, config.model
    source = load_dataset(data.name, split=data.train_split, patch_size=data.patch_size, patches_per_image=data.patches_per_image, seed=seed)
    eval_source = load_dataset(data.eval_name or data.name, split=data.eval_split)
    eval_batch = 1 if data.patch_size else 512  # Natural images differ in size; evaluate them one at a time.
    with_labels = bool(model.recognition_weight)
    if model.noise_level_input:
        sigma_range = (data.noise_sigma_range[0] / 255.0, data.noise_sigma_range[1] / 255.0)
        eval_sigma = (data.eval_noise_sigma / 255.0,) * 2
        train = denoising_dataset(source, sigma_range=sigma_range, batch_size=data.batch_size, seed=seed, shuffle_buffer=data.shuffle_buffer)
        return train, denoising_dataset(eval_source, sigma_range=eval_sigma, batch_size=eval_batch, seed=seed, augment=False, fresh_damage=False)
    if not data.corruption:
        raise ValueError("A restorer without a noise-level map needs data.corruption, e.g. --override data.corruption=box|free_form")
    options = dict(severity=tuple(data.severity), seed=seed, with_labels=with_labels)
    train = restoration_dataset(source, data.corruption, batch_size=data.batch_size, shuffle_buffer=data.shuffle_buffer, **options)
    return train, restoration_dataset(eval_source, data.corruption, batch_size=eval_batch, fresh_damage=False, **options)


def _datasets(config: ExperimentConfig) -> tuple[tf.data.Dataset, tf.data.Dataset | None]:
    data, seed, kind = config.data, config.train.seed, config.model.kind
    if kind == "restorer":
        return _restoration_datasets(config)
    source = load_dataset(data.name, split=data.train_split)
    if kind in GENERATIVE_KINDS:
        conditional = kind in CONDITIONAL_KINDS
        train = generation_dataset(
            source, batch_size=data.batch_size, seed=seed, conditional=conditional, binarize=data.binarize, shuffle_buffer=data.shuffle_buffer
        )
        if kind in ("gan", "cgan"):
            return train, None
        images, labels = _real_images(config, data.eval_split, with_labels=True)
        images = binarize_once(images, seed=seed) if data.binarize else images
        evaluation = tf.data.Dataset.from_tensor_slices((images, labels) if conditional else images).batch(500)
        return train, evaluation
    augmentation = dict(corruption=data.augmentation, severity=(1, data.augmentation_severity)) if data.augmentation else {}
    train = classification_dataset(source, batch_size=data.batch_size, seed=seed, shuffle_buffer=data.shuffle_buffer, **augmentation)
    evaluation = classification_dataset(load_dataset(data.name, split=data.eval_split), batch_size=512, seed=seed)
    return train, evaluation


def _real_images(config: ExperimentConfig, split: str, *, with_labels: bool = False):
    """The images (and labels) of one split as arrays."""
    images, labels = load_arrays(config.data.name, split=split)
    return (images, labels.astype(np.int32)) if with_labels else images


def _test_log_likelihood(model: VAE, config: ExperimentConfig) -> dict[str, float]:
    """Importance-sampled NLL (nats) of the evaluation split, binarized once exactly as for the test ELBO."""
    evaluation = config.evaluation
    images, labels = _real_images(config, config.data.eval_split, with_labels=True)
    images = binarize_once(images, seed=config.train.seed) if config.data.binarize else images
    conditional = config.model.kind in CONDITIONAL_KINDS
    log_likelihood = model.log_likelihood(images, labels if conditional else None, num_samples=evaluation.log_likelihood_samples)
    return {"test_nll": float(-log_likelihood.mean()), "log_likelihood_samples": evaluation.log_likelihood_samples}


def _damaged_psnr(evaluation: tf.data.Dataset) -> dict[str, float]:
    """Mean PSNR of the damaged evaluation inputs against the clean images (the score to beat)."""
    scores = [psnr(clean[0] if isinstance(clean, tuple) else clean, inputs[0]) for inputs, clean in evaluation]
    return {"damaged_psnr": float(tf.reduce_mean(tf.concat(scores, axis=0)))}


def _latent_probe(model: VAE, config: ExperimentConfig) -> dict[str, float]:
    """Accuracy of a linear classifier on posterior means (train split to eval split)."""
    conditional = config.model.kind in CONDITIONAL_KINDS
    features = {}
    for split in (config.data.train_split, config.data.eval_split):
        images, labels = _real_images(config, split, with_labels=True)
        means = np.concatenate(
            [model.encode(images[start : start + 1000], labels[start : start + 1000] if conditional else None)[0] for start in range(0, len(images), 1000)]
        )
        features[split] = (means, labels)
    (train_means, train_labels), (test_means, test_labels) = features[config.data.train_split], features[config.data.eval_split]
    accuracy = linear_probe_accuracy(train_means, train_labels, test_means, test_labels, num_classes=config.model.num_classes)
    return {"latent_linear_probe_accuracy": accuracy}


def _quality_guard(config: ExperimentConfig, workdir: str) -> tuple[GenerativeQuality | None, dict]:
    """The collapse guard and the FID between two real splits (the floor a generator can reach)."""
    evaluation = config.evaluation
    if config.model.kind not in GENERATIVE_KINDS or not evaluation.classifier:
        return None, {}
    if not os.path.exists(evaluation.classifier):
        raise FileNotFoundError(
            f"evaluation.classifier={evaluation.classifier} does not exist. Train classifier_mnist first, point "
            "--override evaluation.classifier=<model.keras> at a trained Classifier, or set it to none."
        )
    classifier = keras.saving.load_model(evaluation.classifier)
    features = classifier.feature_extractor()
    real_features = extract_features(features, _real_images(config, evaluation.real_split))
    second_real = extract_features(features, _real_images(config, evaluation.second_real_split))
    guard = GenerativeQuality(
        classifier,
        real_features,
        best_path=os.path.join(workdir, "best_generator.weights.h5"),
        history_path=os.path.join(workdir, "sample_quality.jsonl"),
        every_epochs=evaluation.every_epochs,
        num_samples=evaluation.num_samples,
    )
    return guard, {"real_split_fid": fid(real_features, second_real)}


def _callbacks(config: ExperimentConfig, workdir: str, evaluation, guard, checkpoints: TrainingCheckpoints, chief: bool) -> list:
    """Divergence stop first (so bad weights are never checkpointed), then checkpoints, then the chief's logs and pictures."""
    callbacks = [StopOnNonFiniteLoss(checkpoints.folder, initial_step=checkpoints.global_step), checkpoints]
    if config.train.time_budget_minutes:
        callbacks.append(TimeBudget(config.train.time_budget_minutes))
    if not chief:
        return callbacks
    callbacks.append(keras.callbacks.TensorBoard(os.path.join(workdir, "tensorboard")))
    if config.model.kind in GENERATIVE_KINDS:
        callbacks.append(SampleGrid(os.path.join(workdir, "samples"), tensorboard_dir=os.path.join(workdir, "tensorboard", "samples")))
        callbacks += [guard] if guard else []
    if config.model.kind == "restorer":
        preview_inputs, preview_clean = next(iter(evaluation))
        preview_clean = preview_clean[0] if isinstance(preview_clean, tuple) else preview_clean
        callbacks.append(RestorationPreview(preview_inputs, preview_clean, os.path.join(workdir, "previews")))
    return callbacks


def _fit(model: keras.Model, config: ExperimentConfig, train: tf.data.Dataset, evaluation, steps: int, checkpoints: TrainingCheckpoints, callbacks: list) -> None:
    """Trains from where the checkpoints say the run stopped: the data stream skips the steps already done.

    A run killed mid-epoch first finishes that epoch in a shorter `fit`, then runs the
    remaining epochs on a freshly built stream (a second iterator over the same dataset
    would draw the next shuffle order and damage seeds), so a resumed deterministic run
    sees the same batches and ends with the same weights as an uninterrupted one.
    """
    done = checkpoints.global_step
    options = dict(validation_data=evaluation, validation_freq=config.train.validation_every_epochs, callbacks=callbacks, verbose=1 if sys.stdout.isatty() else 2)
    epoch, step_in_epoch = divmod(done, steps)
    if step_in_epoch and epoch < config.train.epochs:
        model.fit(train.repeat().skip(done), initial_epoch=epoch, epochs=epoch + 1, steps_per_epoch=steps - step_in_epoch, **options)
        epoch, done = epoch + 1, (epoch + 1) * steps
        train = _datasets(config)[0]
    if epoch < config.train.epochs and not model.stop_training:
        model.fit(train.repeat().skip(done), initial_epoch=epoch, epochs=config.train.epochs, steps_per_epoch=steps, **options)
    checkpoints.restore(model)  # A finished run trains nothing: load its final state (a no-op once fit has loaded it).


def train_and_evaluate(config: ExperimentConfig, workdir: str) -> dict[str, float]:
    """Trains the experiment in `workdir`, resuming from its newest checkpoint if one exists, and evaluates it.

    Writes `config.json` (the resolved config), TensorBoard logs, the whole training
    state in `checkpoints/` after each epoch (and every `train.checkpoint_every_steps`
    steps), the trained model as `model.keras` and `metrics.json`. Generative models
    also write a sample grid per epoch (`samples/`) and, with `evaluation.classifier`
    set, sample quality per epoch and the best generator by FID (the collapse guard).
    In a multi-worker run only the chief writes; every worker trains, evaluates and
    prints its metrics with a digest of its final weights (`weights_sha256`).

    Args:
        config: The experiment, e.g. `get_experiment("classifier_mnist")`.
        workdir: Output folder; rerunning with the same folder resumes.

    Returns:
        The evaluation metrics, e.g. `{"accuracy": 0.993, "loss": 0.02}`.

    Example:
        >>> metrics = train_and_evaluate(get_experiment("classifier_mnist_smoke"), "/tmp/run")
    """
    strategy = make_strategy(config.train.strategy)
    chief = is_chief(strategy)
    if chief:
        make_folder(workdir)
        write_json_atomic(os.path.join(workdir, "config.json"), config.to_dict())
    keras.utils.set_random_seed(config.train.seed)
    train, evaluation = _datasets(config)
    guard, reference = _quality_guard(config, workdir) if chief else (None, {})
    steps = config.train.steps_per_epoch or int(train.cardinality())
    if steps < 0:  # Unknown length (e.g. an image folder): count the batches once.
        steps = int(train.reduce(0, lambda count, _: count + 1))
    if steps == 0:
        raise ValueError(f"The training data of {config.name} ({config.data.name}, split {config.data.train_split}) is empty.")
    # On the repeated stream Keras runs whole executions: an epoch is a whole number of them.
    steps = math.ceil(steps / config.train.steps_per_execution) * config.train.steps_per_execution
    with strategy.scope(), dtype_policy(config.train.precision):
        model = build_model(config)
        _compile(model, config, steps)
    checkpoints = TrainingCheckpoints(
        os.path.join(workdir, "checkpoints"), steps_per_epoch=steps, every_steps=config.train.checkpoint_every_steps, write=chief
    )
    started = time.time()
    _fit(model, config, train, evaluation, steps, checkpoints, _callbacks(config, workdir, evaluation, guard, checkpoints, chief))
    train_seconds = time.time() - started
    metrics = {"train_seconds": train_seconds, **reference}
    if evaluation is not None:
        metrics.update({name: float(value) for name, value in model.evaluate(evaluation, return_dict=True, verbose=0).items()})
    if guard:
        metrics.update({f"final_{key}": value for key, value in guard.evaluate().items()})
        metrics.update({f"best_{key}": value for key, value in (guard.best or {}).items()})
    if isinstance(model, Restorer):
        metrics.update(_damaged_psnr(evaluation))
    if isinstance(model, VAE):
        metrics.update(_latent_probe(model, config))
        if config.evaluation.log_likelihood_samples:
            metrics.update(_test_log_likelihood(model, config))
    if chief:
        with atomic_path(os.path.join(workdir, "model.keras")) as temporary:
            model.save(temporary)
        write_json_atomic(os.path.join(workdir, "metrics.json"), metrics)
    print(json.dumps({"experiment": config.name, "workdir": workdir, "chief": chief, "weights_sha256": _weights_digest(model), **metrics}))
    return metrics


def _weights_digest(model: keras.Model) -> str:
    """SHA-256 of every weight's bytes: equal on all workers of a multi-worker run that stayed in sync."""
    digest = hashlib.sha256()
    for weight in model.get_weights():
        digest.update(np.ascontiguousarray(weight).tobytes())
    return digest.hexdigest()
