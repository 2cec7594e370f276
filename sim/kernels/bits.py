"""Bit casts between float64 and 64-bit integers for Numba kernels (no conversion: the same 64 bits).

Used where a kernel reads a float's exponent and mantissa directly: the first guess of an inverse cube root
(models/flood/finite_volume.py) and the row of a turbulence table (models/gas_dispersion/particles.py).
"""

from __future__ import annotations

from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic


@intrinsic
def float_bits(typingctx, x):
    """The IEEE 754 bits of a float64 as an int64."""
    if x != types.float64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@intrinsic
def bits_float(typingctx, bits):
    """The float64 whose IEEE 754 bits are the 64-bit integer ``bits`` (signed or unsigned)."""
    if not isinstance(bits, types.Integer) or bits.bitwidth != 64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(bits), codegen
