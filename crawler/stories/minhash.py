"""MinHash signatures of a text and their LSH bands: near-duplicates found by index lookups.

One-permutation hashing with densification, 64 bins over word 5-shingles; 16 bands of
4 rows are stored, so the candidates for a new article come from an index, whatever the
size of the archive. The values are stored: changing the hashing needs a migration.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence

SHINGLE = 5


BINS = 64


BAND_ROWS = 4


MIN_SKETCH_WORDS = 25  # shorter texts are left to the headline test


_MASK = (1 << 63) - 1


_BIN_RANGE = (_MASK + 1) // BINS  # values within a bin stay below this


def _hash64(data: str) -> int:
    return int.from_bytes(hashlib.blake2b(data.encode(), digest_size=8).digest(), "big") & _MASK


def minhash(tokens: Sequence[str]) -> tuple[int, ...] | None:
    """One-permutation MinHash with rotation densification (Shrivastava & Li, 2014).

    One hash per shingle instead of one per shingle per permutation: pure
    Python stays around a millisecond for a long article.
    """
    if len(tokens) < MIN_SKETCH_WORDS:
        return None
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes  # `_hash64` inlined: the hot loop
    bins: list[int | None] = [None] * BINS
    for i in range(len(tokens) - SHINGLE + 1):
        shingle = " ".join(tokens[i : i + SHINGLE]).encode()
        value = from_bytes(blake2b(shingle, digest_size=8).digest(), "big") & _MASK
        slot, rest = value % BINS, value // BINS
        current = bins[slot]
        if current is None or rest < current:
            bins[slot] = rest
    result = []
    for i in range(BINS):  # an empty bin borrows the next filled one, marked by the distance
        distance = 0
        while (filled := bins[(i + distance) % BINS]) is None:
            distance += 1
        result.append(filled + distance * _BIN_RANGE)
    return tuple(result)


def band_keys(signature: tuple[int, ...]) -> list[int]:
    keys = []
    for band in range(BINS // BAND_ROWS):
        rows = signature[band * BAND_ROWS : (band + 1) * BAND_ROWS]
        keys.append(_hash64(f"{band}:" + ",".join(map(str, rows))) - (1 << 62))
    return keys


def estimate(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / BINS


def pack(signature: tuple[int, ...] | None) -> bytes | None:
    return None if signature is None else struct.pack(f"<{BINS}q", *signature)


def unpack(blob: bytes | None) -> tuple[int, ...] | None:
    return None if blob is None else struct.unpack(f"<{BINS}q", blob)
