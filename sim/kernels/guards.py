"""Checks on whole arrays, compiled so they allocate nothing on the hot path."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def first_non_finite(a):
    """Flat index of the first NaN or infinite value of ``a``, or -1 when all are finite.

    a : float[...] (any shape; read in C order)
    """
    flat = a.ravel()
    for k in range(flat.size):
        if not np.isfinite(flat[k]):
            return k
    return -1
