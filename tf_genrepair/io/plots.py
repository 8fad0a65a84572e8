"""Pictures a person would rather look at than read, saved atomically as PNG with matplotlib."""

import textwrap
from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")  # Files only; never needs a display.
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

from tf_genrepair.io.atomic import atomic_path  # noqa: E402


def _save(figure: plt.Figure, path: str) -> str:
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path


def _show(axis: plt.Axes, image: np.ndarray) -> None:
    image = np.clip(np.asarray(image, np.float32), 0.0, 1.0)
    if image.ndim == 3 and image.shape[-1] == 1:
        axis.imshow(image[..., 0], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    else:
        axis.imshow(image, interpolation="nearest")
    axis.set_xticks([])
    axis.set_yticks([])


def save_image_grid(images: np.ndarray, path: str, *, columns: int = 8, title: str | None = None) -> str:
    """Saves `[N, H, W, C]` images in [0, 1] as a grid.

    Args:
        images: The images; values outside [0, 1] are clipped.
        path: Output PNG path (written atomically).
        columns: Images per row.
        title: Optional figure title.

    Returns:
        `path`.

    Example:
        >>> save_image_grid(generated, "samples.png", columns=10, title="epoch 5")
    """
    images = np.asarray(images)
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(f"`images` must be a non-empty [N, H, W, C] array. Received: shape={images.shape}")
    rows = -(-len(images) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(columns * 0.9, rows * 0.9 + (0.4 if title else 0)), squeeze=False)
    for index, axis in enumerate(axes.flat):
        if index < len(images):
            _show(axis, images[index])
        else:
            axis.axis("off")
    if title:
        figure.suptitle(title)
    return _save(figure, path)


def save_image_table(
    rows: Mapping[str, np.ndarray],
    path: str,
    *,
    column_labels: Sequence[str] | None = None,
    title: str | None = None,
    cell_inches: float = 1.1,
) -> str:
    """Saves a labelled table of images: one row per entry of `rows`, `[N, H, W, C]` each.

    Used for before/after comparisons (rows clean, damaged, restored) and for a
    corruption gallery (one row per corruption, one column per severity).

    Example:
        >>> save_image_table({"clean": clean, "damaged": damaged, "restored": restored}, "before_after.png")
    """
    if not rows:
        raise ValueError("`rows` must hold at least one row of images. Received none.")
    columns = max(len(images) for images in rows.values())
    size = cell_inches
    figure, axes = plt.subplots(len(rows), columns, figsize=(columns * size + 1.5, len(rows) * size + 0.5), squeeze=False)
    for row_axes, (label, images) in zip(axes, rows.items()):
        for column, axis in enumerate(row_axes):
            if column < len(images):
                _show(axis, images[column])
            else:
                axis.axis("off")
        row_axes[0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    for axis, label in zip(axes[0], column_labels or []):
        axis.set_title(textwrap.fill(label, 24), fontsize=9)  # Long method names wrap instead of running into the next column.
    if title:  # Just above the top row: the square images leave the figure's top edge far away.
        axes[0][0].apply_aspect()
        figure.suptitle(title, y=axes[0][0].get_position().y1 + 0.3 / figure.get_figheight(), va="bottom")
    return _save(figure, path)


def save_curves(
    x_values: Sequence[float],
    series: Mapping[str, Sequence[float]],
    path: str,
    *,
    x_label: str,
    y_label: str,
    title: str | None = None,
    dashed: Sequence[str] = (),
    errors: Mapping[str, Sequence[float]] | None = None,
) -> str:
    """Saves a line plot with one labelled line per entry of `series` (e.g. accuracy vs severity).

    The x ticks are `x_values`; series named in `dashed` are drawn dashed; a series named in `errors` gets
    error bars of those half-widths (e.g. standard deviations over seeds).

    Example:
        >>> save_curves([1, 2, 3, 4, 5], {"damaged": [0.9, 0.8, 0.6, 0.4, 0.3]}, "accuracy.png",
        ...             x_label="severity", y_label="accuracy")
    """
    figure, axis = plt.subplots(figsize=(5, 3.5))
    for label, values in series.items():
        error = (errors or {}).get(label)
        axis.errorbar(list(x_values), list(values), yerr=None if error is None else list(error), marker="o", capsize=3, label=label,
                      linestyle="--" if label in dashed else "-")
    x_values = list(x_values)
    axis.set_xticks(x_values if len(x_values) <= 12 else x_values[:: -(-len(x_values) // 10)])  # At most about 10 labels.
    axis.set_xlabel(x_label)
    axis.set_ylabel(y_label)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    if title:
        axis.set_title(title)
    return _save(figure, path)
