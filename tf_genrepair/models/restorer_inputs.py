"""The restorer input contract, used by the networks, `Restorer.restore`, the exports and the file tools.

A restorer takes, in this order and under these names:
- `images`: `[N, H, W, C]` damaged images, float32 in [0, 1] (noise may overshoot);
- `masks`: `[N, H, W, 1]`, 1 where a pixel was observed, 0 where it is missing;
- `noise_levels` (only networks built with a noise-level input): `[N, H, W, 1]` noise standard
  deviation in [0, 1] units; callers may give anything that broadcasts to it (one value for all,
  one `[N, 1, 1, 1]` value per image, or a per-pixel map).
"""

from typing import Callable, Sequence

import numpy as np

from tf_genrepair.models.tiling import tiled_apply

INPUT_NAMES = ("images", "masks", "noise_levels")
Forward = Callable[[list[np.ndarray]], np.ndarray]  # [images, masks(, noise_levels)] -> restored
# Heights and widths the network sees (beyond the last rung: multiples of half of it). TensorFlow and
# oneDNN keep state per input shape, so a server receiving every size would grow without bound; powers
# of two keep the shapes few.
SIZE_LADDER = (32, 64, 128, 256, 512, 1024)


def bucketed_size(size: int, ladder: Sequence[int] = SIZE_LADDER) -> int:
    """The smallest rung of `ladder` that holds `size`, or beyond the last rung the next multiple of half of it.

    Example:
        >>> bucketed_size(28), bucketed_size(500), bucketed_size(1300)
        (32, 512, 1536)
    """
    for rung in ladder:
        if size <= rung:
            return rung
    step = ladder[-1] // 2
    return -(-size // step) * step


def parse_size_ladder(text: str) -> tuple[int, ...] | None:
    """`default` -> SIZE_LADDER, `off` -> None, `64,128,256` -> those sides (positive, increasing): the tools' `--size_ladder`."""
    if text == "default":
        return SIZE_LADDER
    if text == "off":
        return None
    try:
        sides = tuple(int(part) for part in text.split(","))
    except ValueError:
        sides = ()
    if not sides or any(side < 1 for side in sides) or list(sides) != sorted(set(sides)):
        raise ValueError(f"A size ladder is 'default', 'off' or increasing positive sides such as 64,128,256. Received: {text!r}")
    return sides


def _channel_name(channels: int) -> str:
    return {1: "1-channel (grayscale)", 3: "3-channel (RGB)"}.get(channels, f"{channels}-channel")


def restorer_inputs(
    images: np.ndarray,
    masks: np.ndarray | None = None,
    noise_levels: float | np.ndarray | None = None,
    *,
    channels: int,
    noise_level_input: bool,
) -> list[np.ndarray]:
    """Checks and completes one batch of restorer inputs: `[images, masks(, noise_levels)]`, each `[N, H, W, .]` float32.

    Args:
        images: `[N, H, W, channels]`, float in [0, 1], finite.
        masks: `[N, H, W, 1]`, 1 where observed; None: every pixel observed.
        noise_levels: Broadcastable to `[N, H, W, 1]`; required when `noise_level_input`.
        channels: The restorer's image channels.
        noise_level_input: Whether the restorer takes `noise_levels`.

    Example:
        >>> inputs = restorer_inputs(noisy, None, 25 / 255, channels=1, noise_level_input=True)
    """
    images = np.asarray(images, np.float32)
    if images.ndim != 4:
        raise ValueError(f"`images` must be [N, H, W, {channels}]. Received: shape={images.shape}")
    if images.shape[-1] != channels:
        raise ValueError(
            f"This restorer takes {_channel_name(channels)} images and received {_channel_name(images.shape[-1])} ones "
            f"(shape {images.shape}); convert them first (`load_dataset(..., color_mode=...)`, `read_image(path, color_mode)`)."
        )
    if not np.all(np.isfinite(images)):
        raise ValueError("`images` contains NaN or infinite values.")
    plane = images.shape[:3] + (1,)
    masks = np.ones(plane, np.float32) if masks is None else np.asarray(masks, np.float32)
    if masks.shape != plane:
        raise ValueError(f"`masks` must have shape {plane} to match the images. Received: shape={masks.shape}")
    if not noise_level_input:
        return [images, masks]
    if noise_levels is None:
        raise ValueError("This restorer takes a noise level: pass `noise_levels`, a standard deviation in [0, 1] units (e.g. 25 / 255).")
    try:
        levels = np.broadcast_to(np.asarray(noise_levels, np.float32), plane).astype(np.float32)
    except ValueError as error:
        raise ValueError(f"`noise_levels` must broadcast to {plane}. Received: shape={np.shape(noise_levels)}") from error
    return [images, masks, levels]


def _split(stacked: np.ndarray, sizes: Sequence[int]) -> list[np.ndarray]:
    return np.split(stacked, np.cumsum(sizes)[:-1], axis=-1)


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


def apply_restorer(
    forward: Forward,
    inputs: list[np.ndarray],
    *,
    tile_size: int | None = None,
    overlap: int = 64,
    batch_size: int = 32,
    self_ensemble: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    size_ladder: Sequence[int] | None = SIZE_LADDER,
) -> np.ndarray:
    """Runs `forward` on checked `inputs` in batches, tile by tile when `tile_size` is given; output clipped to [0, 1].

    Shape bucketing (on by default): each side the network sees whole (not cut into tiles) is padded at
    the bottom or right, mirrored, up to `bucketed_size`, and the output cropped back, so any stream of
    image sizes reaches the network as a few shapes and the memory TensorFlow and oneDNN keep per
    shape stays bounded. Pixels within the network's receptive field of the bottom and right edges can
    differ slightly from an unpadded run (they see mirrored context there instead of the network's own
    padding); the rest is unchanged. Tiles then go through one at a time, so the number of tiles of an
    image never becomes a new batch shape either. `size_ladder=None` runs every size as it comes.

    Args:
        forward: `[images, masks(, noise_levels)] -> restored` for one batch.
        inputs: From `restorer_inputs`.
        tile_size: Side of the square tiles for large images (None: whole images).
        overlap: Pixels shared by neighbouring tiles; seams are blended across it.
        batch_size: Images (or tiles) per forward pass.
        self_ensemble: Average the outputs for the 8 rotations and flips of the input, each
            turned back (geometric self-ensemble, Timofte et al. 2016): 8 times the time.
        on_progress: Called with (batches or tiles done, in all) after each forward pass.
        size_ladder: The sizes sides are padded up to (`SIZE_LADDER`); None runs every size as it comes.

    Example:
        >>> restored = apply_restorer(restorer.forward, restorer_inputs(photos, channels=1, noise_level_input=False), tile_size=512)
    """
    sizes = [part.shape[-1] for part in inputs]
    stacked = np.concatenate(inputs, axis=-1)
    height, width = stacked.shape[1:3]
    if size_ladder is not None:
        def padded(side: int) -> int:  # A side longer than the tiles is cut into whole tiles: no padding needed.
            return side if tile_size is not None and side > tile_size else bucketed_size(side, size_ladder)

        stacked = np.pad(stacked, [(0, 0), (0, padded(height) - height), (0, padded(width) - width), (0, 0)], mode="symmetric")

    def forward_stacked(batch: np.ndarray) -> np.ndarray:
        return np.asarray(forward(_split(batch, sizes)))

    run = _dihedral_average(forward_stacked) if self_ensemble else forward_stacked
    if tile_size is None:
        starts = range(0, len(stacked), batch_size)
        parts = []
        for start in starts:
            parts.append(run(stacked[start : start + batch_size]))
            if on_progress is not None:
                on_progress(len(parts), len(starts))
        restored = np.concatenate(parts)
    else:
        # Bucketed, tiles go one at a time: a tile count never becomes a new batch shape.
        tile_batch = 1 if size_ladder is not None else batch_size
        restored = tiled_apply(
            run, stacked, output_channels=sizes[0], tile_size=tile_size, overlap=overlap, batch_size=tile_batch, on_progress=on_progress
        )
    return np.clip(restored[:, :height, :width], 0.0, 1.0)


def restore_images(
    forward: Forward,
    images: np.ndarray,
    masks: np.ndarray | None = None,
    noise_levels: float | np.ndarray | None = None,
    *,
    channels: int,
    noise_level_input: bool,
    **options,
) -> np.ndarray:
    """`restorer_inputs` then `apply_restorer` (`options`), for a batch `[N, H, W, C]` or one `[H, W, C]` image.

    Example:
        >>> restored = restore_images(restorer.forward, photo, channels=1, noise_level_input=False, tile_size=512)
    """
    images = np.asarray(images, np.float32)
    single = images.ndim == 3
    if single:
        images = images[np.newaxis]
        masks = None if masks is None else np.asarray(masks, np.float32)[np.newaxis]
        noise_levels = noise_levels if np.ndim(noise_levels) < 3 else np.asarray(noise_levels, np.float32)[np.newaxis]
    inputs = restorer_inputs(images, masks, noise_levels, channels=channels, noise_level_input=noise_level_input)
    restored = apply_restorer(forward, inputs, **options)
    return restored[0] if single else restored
