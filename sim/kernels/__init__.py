"""Shared Numba kernels: written once, used by every model and renderer."""
