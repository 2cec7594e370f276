"""Checks on whole arrays, compiled so they allocate nothing on the hot path."""

from __future__ import annotations

import numpy as np
from numba import njit

# Values tested per block before the block's flag is read: long enough to vectorise.
_BLOCK = 512


@njit(cache=True)
def _non_finite_bits(bits, exponent):
    """Flat index of the first element whose exponent bits are all set (inf or NaN), or -1.

    Works on the integer view of the floats: the test is an AND and a compare per value,
    which vectorises (a float test with an early exit does not), and a block is rescanned
    only when it holds a hit.
    """
    n = bits.size
    for start in range(0, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        hits = 0
        for k in range(start, stop):
            hits += (bits[k] & exponent) == exponent
        if hits:
            for k in range(start, stop):
                if (bits[k] & exponent) == exponent:
                    return k
    return -1


def first_non_finite(a: np.ndarray) -> int:
    """Flat index (C order) of the first NaN or infinite value of float array ``a``, or -1.

    >>> first_non_finite(np.array([[1.0, 2.0], [np.inf, np.nan]]))
    2
    >>> first_non_finite(np.zeros(3, np.float32))
    -1
    """
    flat = np.ravel(a)
    if flat.dtype == np.float64:
        return int(_non_finite_bits(flat.view(np.uint64), np.uint64(0x7FF0000000000000)))
    if flat.dtype == np.float32:
        return int(_non_finite_bits(flat.view(np.uint32), np.uint32(0x7F800000)))
    finite = np.isfinite(flat)
    return -1 if finite.all() else int(np.argmin(finite))
