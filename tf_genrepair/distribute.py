"""`make_strategy`: one flag value picks how training is distributed."""

import tensorflow as tf

STRATEGIES = ("default", "mirrored", "multi_worker")


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
