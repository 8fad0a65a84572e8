"""`section.field=value` overrides, parsed to each field's declared type."""

import dataclasses
import types
import typing
from typing import Any, Sequence

from tf_genrepair.configs.schema import ExperimentConfig


def _parse_value(text: str, annotation: Any, key: str) -> Any:
    """Converts the text of an override to the field's declared type."""
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        if text.lower() == "none" and type(None) in arguments:
            return None
        (annotation,) = [argument for argument in arguments if argument is not type(None)]
        origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    try:
        if annotation is bool:
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError(text)
            return text.lower() in ("true", "1")
        if origin is tuple:
            return tuple(_parse_value(part, arguments[0], key) for part in text.strip("()").split(",") if part.strip())
        return annotation(text)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Override {key}={text!r} is not a valid {getattr(annotation, '__name__', annotation)}.") from error


def valid_override_keys(config: ExperimentConfig) -> list[str]:
    """Every `section.field` key an override may set (the `model` keys depend on the kind)."""
    return [
        f"{section.name}.{field.name}"
        for section in dataclasses.fields(config)
        if dataclasses.is_dataclass(getattr(config, section.name))
        for field in dataclasses.fields(getattr(config, section.name))
    ]


def apply_overrides(config: ExperimentConfig, overrides: Sequence[str]) -> ExperimentConfig:
    """Returns a copy of `config` with `section.field=value` overrides applied.

    Example:
        >>> config = apply_overrides(get_experiment("classifier_mnist"), ["train.epochs=2"])
    """
    config = ExperimentConfig.from_dict(config.to_dict())
    for override in overrides:
        key, separator, text = override.partition("=")
        section_name, _, field_name = key.strip().partition(".")
        section = getattr(config, section_name, None)
        fields = {field.name: field for field in dataclasses.fields(section)} if dataclasses.is_dataclass(section) else {}
        if not separator or field_name not in fields:
            raise ValueError(
                f"Unknown override {override!r} for a {config.kind} experiment; expected key=value with key one of: "
                f"{', '.join(valid_override_keys(config))}"
            )
        hints = typing.get_type_hints(type(section))
        setattr(section, field_name, _parse_value(text.strip(), hints[field_name], key))
    return config


def variant(base: ExperimentConfig, name: str, *overrides: str) -> ExperimentConfig:
    """A named experiment that is `base` with `section.field=value` overrides."""
    config = apply_overrides(base, overrides)
    config.name = name
    return config
