"""The distributed-fit patches refuse Keras or TensorFlow releases they were not checked against."""

import keras
import pytest
import tensorflow as tf

from tf_genrepair.training.distribute import (
    PATCHED_KERAS,
    PATCHED_TENSORFLOW,
    check_patched_versions,
)


def test_the_installed_versions_are_the_patched_ones():
    check_patched_versions()
    assert keras.__version__.startswith(PATCHED_KERAS + ".") and tf.__version__.startswith(PATCHED_TENSORFLOW + ".")


@pytest.mark.parametrize("keras_version, tensorflow_version", [("3.16.0", "2.21.0"), ("3.15.1", "2.22.0"), ("3.1.5", "2.21.0")])
def test_other_versions_are_named_in_the_error(keras_version, tensorflow_version):
    with pytest.raises(RuntimeError, match=f"found Keras {keras_version} and TensorFlow {tensorflow_version}"):
        check_patched_versions(keras_version, tensorflow_version)
