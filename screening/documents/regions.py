"""Text regions of an upright page: its ink's connected components joined into words.

:func:`page_components` labels the ink once (:mod:`screening.documents.ink`) and keeps,
per component, its box, size and stroke orientation (second moments).
:func:`find_text_regions` joins components into words and word groups — side by side, on
the same line, of similar size — so that a printed label and the larger handwriting
written after it on the same ruled line become separate regions, whatever the layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from screening.documents.ink import PageInk, S

MIN_COMPONENT = max(4, round(6 * S * S))  # ink pixels: smaller components are specks


@dataclass(frozen=True, slots=True)
class PageComponents:
    labels: np.ndarray  # HxW int: component index + 1, 0 for no ink
    boxes: np.ndarray  # n x 4 (x0, y0, x1, y1), work pixels
    sizes: np.ndarray  # n ink pixels
    angles: np.ndarray  # n orientations (radians) from second moments
    label_ids: np.ndarray  # n: the value of each component in ``labels``


@dataclass(frozen=True, slots=True)
class TextRegion:
    """One word or word group: its box in work pixels, in the caller's pixels, and the
    indices of its components in :class:`PageComponents`."""

    box_work: tuple[int, int, int, int]
    box: tuple[int, int, int, int]
    members: tuple[int, ...] = ()


def page_components(ink: np.ndarray) -> PageComponents:
    labels, count = ndimage.label(ink, structure=np.ones((3, 3), bool))
    if not count:
        empty = np.zeros(0)
        return PageComponents(
            labels, np.zeros((0, 4), np.int64), empty, empty, np.zeros(0, np.int64)
        )
    index = np.arange(1, count + 1)
    sizes = np.bincount(labels.ravel(), minlength=count + 1)[1:].astype(np.float64)
    slices = ndimage.find_objects(labels)
    boxes = np.asarray([(s[1].start, s[0].start, s[1].stop, s[0].stop) for s in slices], np.int64)
    yy, xx = np.indices(ink.shape, dtype=np.float64)
    n = np.maximum(sizes, 1)
    mx = ndimage.sum_labels(xx, labels, index) / n
    my = ndimage.sum_labels(yy, labels, index) / n
    cxx = ndimage.sum_labels(xx * xx, labels, index) / n - mx * mx
    cyy = ndimage.sum_labels(yy * yy, labels, index) / n - my * my
    cxy = ndimage.sum_labels(xx * yy, labels, index) / n - mx * my
    angles = 0.5 * np.arctan2(2 * cxy, cxx - cyy)
    heights = boxes[:, 3] - boxes[:, 1]
    keep = (sizes >= MIN_COMPONENT) & (heights >= 3) & (heights <= 100 * S)
    return PageComponents(labels, boxes[keep], sizes[keep], angles[keep], index[keep])


def group_words(boxes: np.ndarray) -> list[np.ndarray]:
    """Indices of components joined into words and word groups: side by side (a gap
    under about two thirds of their height), on the same line, and of similar size."""
    n = len(boxes)
    parent = np.arange(n)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    order = np.argsort(boxes[:, 0], kind="stable")
    sorted_boxes = boxes[order]
    starts = sorted_boxes[:, 0]
    heights = (sorted_boxes[:, 3] - sorted_boxes[:, 1]).astype(np.float64)
    for pos in range(n):
        _, y0, x1, y1 = sorted_boxes[pos]
        hi = heights[pos]
        # Components starting before this one ends plus the largest allowed gap.
        stop = int(np.searchsorted(starts, x1 + 0.7 * max(hi * 2.2, 6), side="right"))
        if stop <= pos + 1:
            continue
        cand = np.arange(pos + 1, stop)
        other = sorted_boxes[cand]
        hj = heights[cand]
        ok = (
            (other[:, 0] - x1 <= 0.7 * np.maximum(np.maximum(hi, hj), 6))
            & (
                np.minimum(y1, other[:, 3]) - np.maximum(y0, other[:, 1])
                >= 0.4 * np.minimum(hi, hj)
            )
            & (np.maximum(hi, hj) <= 2.2 * np.maximum(1, np.minimum(hi, hj)))
        )
        root = find(int(order[pos]))
        for j in order[cand[ok]]:
            parent[find(int(j))] = root
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return [np.asarray(g) for g in groups.values()]


def find_text_regions(page: PageInk, components: PageComponents) -> list[TextRegion]:
    """Words and word groups of ink (:func:`group_words`), kept when text-sized."""
    regions: list[TextRegion] = []
    for members in group_words(components.boxes):
        group = components.boxes[members]
        x0, y0 = int(group[:, 0].min()), int(group[:, 1].min())
        x1, y1 = int(group[:, 2].max()), int(group[:, 3].max())
        w, h = x1 - x0, y1 - y0
        if not (8 * S <= h <= 90 * S and w >= max(24 * S, 0.8 * h)):
            continue
        if float(components.sizes[members].sum()) < 60 * S * S:
            continue
        box_work = (x0, y0, w, h)
        regions.append(
            TextRegion(
                box_work=box_work,
                box=page.box_to_input(box_work),
                members=tuple(int(m) for m in members),
            )
        )
    return regions
