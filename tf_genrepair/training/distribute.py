"""`make_strategy`: one flag value picks how training is distributed."""

import keras
import tensorflow as tf

STRATEGIES = ("default", "mirrored", "multi_worker")
# The Keras and TensorFlow releases the `keras.src` patches below were read against and tested with
# (tests/training/distribute_test.py, tests/bin/multi_worker_test.py); setup.cfg pins the same.
PATCHED_KERAS = "3.15"
PATCHED_TENSORFLOW = "2.21"


def check_patched_versions(keras_version: str = keras.__version__, tensorflow_version: str = tf.__version__) -> None:
    """Raises unless Keras and TensorFlow are the releases the distributed-fit patches were checked against."""
    found = (".".join(keras_version.split(".")[:2]), ".".join(tensorflow_version.split(".")[:2]))
    if found != (PATCHED_KERAS, PATCHED_TENSORFLOW):
        raise RuntimeError(
            f"tf_genrepair patches Keras {PATCHED_KERAS} internals for distributed fit and was tested with TensorFlow "
            f"{PATCHED_TENSORFLOW}; found Keras {keras_version} and TensorFlow {tensorflow_version}. Install "
            f"keras=={PATCHED_KERAS}.* tensorflow=={PATCHED_TENSORFLOW}.* or re-check the patches in tf_genrepair/training/distribute.py."
        )


def _fix_keras_distributed_fit() -> None:
    """Works around two Keras 3.15 `fit` bugs under tf.distribute strategies (idempotent).

    1. Under a strategy, `fit` builds the model from a batch it takes off the training
       iterator; under MultiWorkerMirroredStrategy with `steps_per_epoch` that batch is
       lost, so training silently starts at the second batch and differs from a
       single-process run. The build is given the dataset's element spec instead: shapes
       are all it needs, and no batch is taken.
    2. Under MultiWorkerMirroredStrategy, the logged values of each replica are averaged
       with `strategy.reduce("MEAN", v, axis=0)`, which fails on the scalar losses and
       metrics every `train_step` returns ("Invalid reduction dimension 0 for input with 0
       dimensions", tensorflow/tensorflow#72388). They are averaged over replicas instead
       (`axis=None`), as MirroredStrategy does.
    """
    check_patched_versions()
    from keras.src.backend.tensorflow import trainer

    if getattr(trainer, "fixed_by_tf_genrepair", False):
        return
    keras_build = trainer.TensorFlowTrainer._maybe_symbolic_build
    keras_reduce = trainer.reduce_per_replica

    def build_from_element_spec(model, iterator=None, data_batch=None):
        if iterator is not None and data_batch is None:
            data_batch = iterator.data_adapter.get_tf_dataset().element_spec
        return keras_build(model, data_batch=data_batch)

    def reduce_per_replica(values, strategy, reduction):
        if reduction in ("auto", "mean") and trainer._collective_all_reduce_multi_worker(strategy):
            return tf.nest.map_structure(lambda value: strategy.reduce("MEAN", value, axis=None), values)
        return keras_reduce(values, strategy, reduction)

    trainer.TensorFlowTrainer._maybe_symbolic_build = build_from_element_spec
    trainer.reduce_per_replica = reduce_per_replica
    trainer.fixed_by_tf_genrepair = True


def make_strategy(name: str = "default", *, num_cpu_devices: int | None = None) -> tf.distribute.Strategy:
    """Returns a `tf.distribute.Strategy`.

    Args:
        name: `default` (one device), `mirrored` (every GPU, or `num_cpu_devices`
            logical CPUs when there is no GPU), or `multi_worker` (from `TF_CONFIG`).
        num_cpu_devices: Split the CPU into this many logical devices for `mirrored`;
            must be asked before TensorFlow initialises its devices.

    Returns:
        The strategy; build and compile models inside its `scope()`.

    Example:
        >>> strategy = make_strategy("mirrored", num_cpu_devices=2)
    """
    if name not in STRATEGIES:
        raise ValueError(f"Unknown strategy {name!r}. Valid strategies: {', '.join(STRATEGIES)}")
    if name == "default":
        return tf.distribute.get_strategy()
    _fix_keras_distributed_fit()
    if name == "multi_worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if tf.config.list_physical_devices("GPU"):
        return tf.distribute.MirroredStrategy()
    if num_cpu_devices:
        cpu = tf.config.list_physical_devices("CPU")[0]
        if len(tf.config.get_logical_device_configuration(cpu) or []) != num_cpu_devices:
            tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * num_cpu_devices)
        devices = [device.name for device in tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(devices)
    return tf.distribute.MirroredStrategy()


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """Whether this process writes the run's files: always, except on the non-chief workers of a multi-worker run.

    The chief is the `chief` task, or worker 0 when the cluster names no chief.

    Example:
        >>> if is_chief(strategy):
        ...     model.save(path)
    """
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    return resolver.task_type == "worker" and resolver.task_id == 0 and "chief" not in resolver.cluster_spec().as_dict()
