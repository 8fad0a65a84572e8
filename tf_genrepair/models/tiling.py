"""Tiled inference: restore images larger than memory allows, without visible seams."""

from typing import Callable

import numpy as np


def _tile_starts(size: int, tile: int, stride: int) -> list[int]:
    """Tile offsets covering `[0, size)`; the last tile is flush with the far edge."""
    if size <= tile:
        return [0]
    starts = list(range(0, size - tile, stride))
    return starts + [size - tile]


def _edge_ramp(length: int, overlap: int, margin: int, at_start_border: bool, at_end_border: bool) -> np.ndarray:
    """Blend weights along one axis of a tile: 0 in the `margin` next to an inner edge, rising linearly across the overlap.

    The margin discards the pixels the network saw only near the tile's cut edge; the
    ramp cross-fades neighbours over the rest of the overlap. Image borders keep weight 1.
    """
    positions = np.arange(length, dtype=np.float64)
    ramp_length = max(overlap - 2 * margin, 1)
    rising = np.clip((positions - margin + 1) / ramp_length, 0.0, 1.0)
    weights = np.ones(length)
    if not at_start_border:
        weights = np.minimum(weights, rising)
    if not at_end_border:
        weights = np.minimum(weights, rising[::-1])
    return weights


def tiled_apply(
    function: Callable[[np.ndarray], np.ndarray],
    images: np.ndarray,
    *,
    output_channels: int,
    tile_size: int,
    overlap: int = 64,
    batch_size: int = 16,
    on_progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Applies a fully convolutional `function` tile by tile and blends overlapping tiles.

    Neighbouring tiles share `overlap` pixels. In each shared strip, a quarter of the
    overlap next to each tile's inner edge is discarded (the network saw only padding
    beyond it) and the rest is cross-faded linearly. When that quarter is at least the
    network's receptive-field radius, the result equals untiled inference.

    Args:
        function: Maps a `[B, tile, tile, C_in]` batch to `[B, tile, tile, output_channels]`.
        images: `[N, H, W, C_in]` inputs (e.g. damaged image, mask and noise map stacked).
        output_channels: Channels of the output.
        tile_size: Side of the square tiles.
        overlap: Pixels shared by neighbouring tiles, `0 <= overlap < tile_size`.
        batch_size: Tiles per call of `function`.
        on_progress: Called with (tiles done, tiles in all) after each call of `function`.

    Returns:
        `[N, H, W, output_channels]`.

    Example:
        >>> restored = tiled_apply(lambda batch: network.predict(batch), photo[None], output_channels=1, tile_size=256)
    """
    if not 0 <= overlap < tile_size:
        raise ValueError(f"`overlap` must satisfy 0 <= overlap < tile_size. Received: overlap={overlap}, tile_size={tile_size}")
    count, height, width, _ = images.shape
    tile_height, tile_width = min(tile_size, height), min(tile_size, width)
    stride = tile_size - overlap
    margin = overlap // 4
    rows, columns = _tile_starts(height, tile_height, stride), _tile_starts(width, tile_width, stride)
    placements = [(index, top, left) for index in range(count) for top in rows for left in columns]
    total = np.zeros((count, height, width, output_channels), np.float64)
    weight_sum = np.zeros((count, height, width, 1), np.float64)
    for start in range(0, len(placements), batch_size):
        chunk = placements[start : start + batch_size]
        tiles = np.stack([images[index, top : top + tile_height, left : left + tile_width] for index, top, left in chunk])
        outputs = function(tiles)
        for (index, top, left), output in zip(chunk, outputs):
            vertical = _edge_ramp(tile_height, overlap, margin, top == 0, top + tile_height == height)
            horizontal = _edge_ramp(tile_width, overlap, margin, left == 0, left + tile_width == width)
            weights = (vertical[:, np.newaxis] * horizontal[np.newaxis, :])[..., np.newaxis]
            total[index, top : top + tile_height, left : left + tile_width] += weights * output
            weight_sum[index, top : top + tile_height, left : left + tile_width] += weights
        if on_progress is not None:
            on_progress(start + len(chunk), len(placements))
    return (total / weight_sum).astype(np.float32)
