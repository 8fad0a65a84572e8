"""TF Serving requests without a server: build REST `:predict` bodies and gRPC `PredictRequest`s,
and answer them from a loaded SavedModel the way the model server does (to test a client, or an
export, before deploying).

    body = rest_body({"images": batch}, signature_name="serving_default")          # POST .../models/restorer:predict
    response = answer_rest(tf.saved_model.load("exports/restorer/1"), body)     # {"predictions": [...]}
"""

from typing import Any, Mapping

import numpy as np
import tensorflow as tf

DEFAULT_SIGNATURE = "serving_default"
FORMS = ("instances", "inputs")


def _signature(loaded: Any, name: str):
    if name not in loaded.signatures:
        raise ValueError(f"Unknown signature_name {name!r}. This model serves: {', '.join(sorted(loaded.signatures))}")
    return loaded.signatures[name]


def _input_specs(signature) -> dict[str, tf.TensorSpec]:
    return dict(signature.structured_input_signature[1])


def _convert(name: str, value: Any, dtype: tf.DType) -> tf.Tensor:
    """A request value as a tensor of the input's dtype; integer inputs refuse fractional values."""
    array = np.asarray(value)
    if array.dtype == object:
        raise ValueError(f"input '{name}' is ragged: every instance must have the same shape")
    if dtype.is_integer and array.size and np.issubdtype(array.dtype, np.floating) and not np.all(np.mod(array, 1) == 0):
        raise ValueError(f"input '{name}' expects {dtype.name} values; received fractional numbers")
    if dtype.is_integer and array.size and (array.min() < dtype.min or array.max() > dtype.max):
        raise ValueError(f"input '{name}' expects {dtype.name} values in [{dtype.min}, {dtype.max}]")
    return tf.constant(array.astype(dtype.as_numpy_dtype))


def _check_names(given: set[str], specs: Mapping[str, tf.TensorSpec]) -> None:
    if given != set(specs):
        raise ValueError(f"Request inputs {sorted(given)} do not match the signature's inputs {sorted(specs)}")


def rest_body(inputs: Mapping[str, np.ndarray], *, signature_name: str = DEFAULT_SIGNATURE, form: str = "instances") -> dict:
    """The JSON body of a TF Serving REST `:predict` request.

    Args:
        inputs: Input name -> array (batched along axis 0 for the `instances` form).
        signature_name: The signature to call.
        form: `instances` (row format: one entry per example) or `inputs` (columnar format).

    Example:
        >>> body = rest_body({"images": images}, form="inputs")  # json.dumps(body) is the request
    """
    if form not in FORMS:
        raise ValueError(f"`form` must be one of {FORMS}. Received: form={form!r}")
    arrays = {name: np.asarray(value) for name, value in inputs.items()}
    if form == "inputs":
        columns = {name: array.tolist() for name, array in arrays.items()}
        return {"signature_name": signature_name, "inputs": next(iter(columns.values())) if len(columns) == 1 else columns}
    sizes = {len(array) for array in arrays.values() if array.ndim}
    if len(sizes) != 1 or any(array.ndim == 0 for array in arrays.values()):
        raise ValueError("The `instances` form needs every input batched with one batch size; use form='inputs' for scalars such as `seed`.")
    (size,) = sizes
    if len(arrays) == 1:
        instances = next(iter(arrays.values())).tolist()
    else:
        instances = [{name: array[index].tolist() for name, array in arrays.items()} for index in range(size)]
    return {"signature_name": signature_name, "instances": instances}


def answer_rest(loaded: Any, body: Mapping[str, Any]) -> dict:
    """Answers a REST `:predict` body from a loaded SavedModel as TF Serving would.

    Returns:
        `{"predictions": [...]}` for the `instances` form (a dict per example when the
        signature has several outputs), `{"outputs": ...}` for the `inputs` form.
    """
    signature = _signature(loaded, body.get("signature_name", DEFAULT_SIGNATURE))
    specs = _input_specs(signature)
    if ("instances" in body) == ("inputs" in body):
        raise ValueError("A :predict body holds exactly one of 'instances' or 'inputs'.")
    if "inputs" in body:
        columns = body["inputs"]
        if not isinstance(columns, dict):
            if len(specs) != 1:
                raise ValueError(f"This signature has several inputs {sorted(specs)}: 'inputs' must be an object naming them.")
            columns = {next(iter(specs)): columns}
        _check_names(set(columns), specs)
        outputs = signature(**{name: _convert(name, value, specs[name].dtype) for name, value in columns.items()})
        values = {name: tensor.numpy().tolist() for name, tensor in outputs.items()}
        return {"outputs": next(iter(values.values())) if len(values) == 1 else values}
    instances = body["instances"]
    if not isinstance(instances, list) or not instances:
        raise ValueError("'instances' must be a non-empty list.")
    if len(specs) == 1:
        (name,) = specs
        columns = {name: instances}
    else:
        if not all(isinstance(instance, dict) for instance in instances):
            raise ValueError(f"This signature has several inputs {sorted(specs)}: each instance must be an object naming them.")
        _check_names(set(instances[0]), specs)
        columns = {name: [instance[name] for instance in instances] for name in specs}
    outputs = signature(**{name: _convert(name, value, specs[name].dtype) for name, value in columns.items()})
    arrays = {name: tensor.numpy() for name, tensor in outputs.items()}
    if len(arrays) == 1:
        return {"predictions": next(iter(arrays.values())).tolist()}
    return {"predictions": [{name: array[index].tolist() for name, array in arrays.items()} for index in range(len(instances))]}


def grpc_request(inputs: Mapping[str, np.ndarray], *, model_name: str, signature_name: str = DEFAULT_SIGNATURE):
    """A `tensorflow_serving.apis.predict_pb2.PredictRequest` (needs `pip install tensorflow-serving-api`)."""
    from tensorflow_serving.apis import (
        predict_pb2,  # Optional dependency, imported when used.
    )

    request = predict_pb2.PredictRequest()
    request.model_spec.name = model_name
    request.model_spec.signature_name = signature_name
    for name, value in inputs.items():
        request.inputs[name].CopyFrom(tf.make_tensor_proto(np.asarray(value)))
    return request


def answer_grpc(loaded: Any, request):
    """Answers a gRPC `PredictRequest` from a loaded SavedModel as TF Serving would: a `PredictResponse`."""
    from tensorflow_serving.apis import predict_pb2

    signature = _signature(loaded, request.model_spec.signature_name or DEFAULT_SIGNATURE)
    specs = _input_specs(signature)
    _check_names(set(request.inputs), specs)
    feeds = {}
    for name, proto in request.inputs.items():
        tensor = tf.make_ndarray(proto)
        if tensor.dtype != specs[name].dtype.as_numpy_dtype:
            raise ValueError(f"input '{name}' expects {specs[name].dtype.name}; the request holds {tensor.dtype}")
        feeds[name] = tf.constant(tensor)
    response = predict_pb2.PredictResponse()
    response.model_spec.CopyFrom(request.model_spec)
    for name, tensor in signature(**feeds).items():
        response.outputs[name].CopyFrom(tf.make_tensor_proto(tensor.numpy()))
    return response
