"""Lagrangian stochastic particle kernels: Thomson's (1987) well-mixed model, reflection, concentration.

Vertical velocity fluctuation (Thomson 1987, *J. Fluid Mech.* 180, 529, eq. 21 for Gaussian turbulence
inhomogeneous in z; Rodean 1996, *Stochastic Lagrangian Models of Turbulent Diffusion*, AMS Meteorol. Monogr. 48,
ch. 8):

    dw = [-w / T_w + 0.5 (1 + w^2 / s_w^2) d(s_w^2)/dz] dt + sqrt(2 s_w^2 / T_w) dW_3

Skewed vertical velocity in convective layers (tables whose <w'^3> is not zero): the well-mixed model of Thomson
(1987) for the bi-Gaussian PDF P(w, z) = A N(w; w_A, s_A) + B N(w; -w_B, s_B) of turbulence.py (Luhar & Britter
1989, *Atmos. Environ.* 23, 1911; Luhar, Hibberd & Hurley 1996, *Atmos. Environ.* 30, 1407; as in FLEXPART,
Cassiani, Stohl & Brioude 2015, *Boundary-Layer Meteorol.* 154, 367):

    dw = a(w, z) dt + sqrt(2 s_w^2 / T_w) dW_3,     a P = (s_w^2 / T_w) dP/dw + Phi,
    Phi = -d/dz int_{-inf}^{w} w' P(w', z) dw'     (Phi -> 0 as w -> -inf and, since <w> = 0, as w -> +inf).

With each component i = A, B of weight a_i (a_A = A, a_B = B), mean m_i (m_A = w_A, m_B = -w_B) and spread s_i,
xi_i = (w - m_i) / s_i, density n_i and distribution function F_i = (1 + erf(xi_i / sqrt 2)) / 2 (derived here,
equivalent to Luhar & Britter's 1989 form):

    int_{-inf}^{w} w' P dw' = sum_i a_i G_i,           G_i = m_i F_i - s_i^2 n_i,
    Phi = -sum_i [da_i/dz G_i + a_i (dm_i/dz F_i - n_i (dm_i/dz w + ds_i/dz (s_i + xi_i w)))],
    (1/P) dP/dw = -kappa w + lambda,   kappa = sum_i a_i n_i / s_i^2 / P,   lambda = sum_i a_i n_i m_i / s_i^2 / P.

A = B = 1/2, w_A = w_B = 0, s_A = s_B = s_w gives back Thomson's Gaussian drift above. The drift is integrated by
Heun's predictor-corrector, w' = w + a(w) dt_p + b dW, w <- w + (a(w) + a(w')) dt_p / 2 + b dW (the same dW;
Kloeden & Platen 1992, *Numerical Solution of Stochastic Differential Equations*, sec. 15.1, weak order 2 for
additive noise): the explicit Euler step, first order, left a uniform tracer 7 % denser near the ground than near h
at c_T = 0.05, Heun keeps it within the sampling error (tested). w is kept within 6 spreads of the nearer
component, [-w_B - 6 s_B, w_A + 6 s_A] (FLEXPART re-initialises the rare particle that leaves it). Reflection
(w -> -w) is exact only for a symmetric PDF (Thomson & Montgomery 1994, *Atmos. Environ.* 28, 1981); as in Luhar et
al. (1996) and Cassiani et al. (2015) it is kept, because <w'^3> vanishes at the ground and at h and the PDF is
(nearly) Gaussian where particles are reflected (S ~ 0.1 at 0.001 h). Initial velocities
drawn from a Gaussian relax to the bi-Gaussian within ~T_w.

Horizontal fluctuations along (u) and across (v) the mean wind, Langevin (Ornstein-Uhlenbeck) processes with the
statistics of the particle's height (Rodean 1996, eq. 8.1):

    du = -u / T_u dt + sqrt(2 s_u^2 / T_u) dW_1,    dv = -v / T_v dt + sqrt(2 s_v^2 / T_v) dW_2

Positions: dx = (U e + u e + v e_perp + u_m) dt, dz = (W + w) dt, explicit Euler with the updated velocity.
The linear damping is integrated by the trapezoidal rule (exact stationary variance of the Ornstein-Uhlenbeck
part for any dt_p / T), Thomson's drift explicitly; |w| is clipped at 6 s_w as a guard against the runaway of the
explicit w^2 drift. Each particle takes steps dt_p = max(c min(T_u, T_v, T_w), dt_min) (c ~ 0.05, Thomson 1987
sec. 5; Wilson & Sawford 1996, *Boundary-Layer Meteorol.* 78, 191), sub-cycling until it reaches t + dt exactly;
in the gridded kernel also |velocity| dt_p <= half a cell, so a step never jumps over a solid cell.

Boundaries: perfect reflection at the ground and at a lid, z -> 2 z_b - z, w -> -w. For Gaussian turbulence
this keeps a well-mixed tracer well mixed (Wilson & Flesch 1993, *Boundary-Layer Meteorol.* 62, 181). A step
ending in a solid cell of the gridded domain is reflected across each cell face it crossed, negating the
fluctuation normal to that face (QUIC-PLUME, Williams et al. 2004, LA-UR-04-0507). Particles leaving the grid
sideways or through its top are flagged inactive.

Dry deposition (optional: a surface deposition velocity v_s > 0 and the particles' masses m): the ground takes up
part of the mass of each particle that hits it, the rest is reflected (partial reflection, Boughton, Delaurentis &
Dunn 1987, *Boundary-Layer Meteorol.* 40, 147; Wilson & Sawford 1996, sec. 6):

    m -> R m,    R = (1 - alpha) / (1 + alpha),    alpha = v_s sqrt(pi / 2) / s_w    (R = 0 for alpha >= 1)

Derivation: with Gaussian w at the ground, the particles moving down carry the flux F = C_down s_w sqrt(2 / pi);
the reflected ones return R of it, so C = (1 + R) C_down and the net flux (1 - R) F equals v_s C when (1 - R) /
(1 + R) = alpha. v_s is the conductance of the layer the particles do not resolve (quasi-laminar and surface
resistances, v_s = 1 / (r_b + r_c); the turbulent transport down to the ground is the model's own). In the gridded
domain the ground, the tops of terrain cells and roofs take up mass; the vertical faces of solid cells reflect
perfectly (a stepped slope deposits on its treads only).

Random numbers: a counter-based generator (Salmon et al. 2011, SC'11, "Parallel random numbers: as easy as 1, 2,
3"): word n of particle p is v = H(k_p + n gamma), the SplitMix64 output function H with increment gamma (Steele,
Lea & Flood 2014, OOPSLA, "Fast splittable pseudorandom number generators"); the stream key k_p = H(H(seed gamma +
salt) + particle_id) is distinct for every id because H is a bijection. Each 32-bit half of a word gives one
normal deviate by the 128-layer ziggurat of Marsaglia & Tsang (2000, *J. Stat. Softw.* 5(8)), with the layer
index and the abscissa taken from disjoint bits (Doornik 2005, "An improved ziggurat method"); the ~1-3 % of
deviates that fall outside the fast path read further words of the same stream. A sub-step uses words n, n + 1
(three deviates; the fourth half-word is unused). Results depend only on (seed, particle_id, draw counter),
never on the number of threads.

Concentration: kernel density estimate with the Epanechnikov product kernel K(r) = 3/4 (1 - r^2), |r| < 1
(Silverman 1986, *Density Estimation*, sec. 4.2), plus the ground image of the vertical kernel, which makes the
estimate conserve mass above z = 0 (Wilson & Flesch 1993 reflection, de Haan 1999, *Atmos. Environ.* 33, 2007).

======== ========================================================= ========
symbol   meaning                                                   unit
======== ========================================================= ========
x, y, z  particle position (homogeneous: z above ground; gridded:  m
         above datum)
u, v, w  velocity fluctuations: along wind, across wind, vertical  m s-1
U        mean wind speed at the particle's height (table)          m s-1
e_x,e_y  unit vector pointing downwind                             1
u_m,v_m  plume-wide meander velocity added for this step            m s-1
s_u..s_w standard deviations of u, v, w (table)                    m s-1
ds_w2    d(s_w^2)/dz (table)                                       m s-2
T_u..T_w Lagrangian time scales (table)                            s
dt       model step; all particles arrive at t + dt                s
dt_p     particle sub-step                                         s
c_T      dt_p / min(T)                                             1
h        lid height above ground (inf: none)                       m
n        draw counter of the particle                              1
S        skewness <w'^3> / s_w^3 (table)                           1
A, B     weights of updrafts and downdrafts, A + B = 1             1
w_A, w_B mean speeds of updrafts (up) and downdrafts (down), >= 0  m s-1
s_A, s_B standard deviations of w in updrafts and downdrafts       m s-1
d*_z     their height derivatives dA/dz, dw_A/dz, ...              m-1, s-1
P        bi-Gaussian PDF of w at the particle's height             s m-1
n_i, F_i density (s m-1) and distribution function (1) of component i
xi_i     (w - m_i) / s_i, m_A = w_A, m_B = -w_B                    1
Phi      flux term of the well-mixed drift                         m s-2 (per unit P: a P = ...)
kappa    -d ln P/dw, coefficient of w                              s2 m-2
lambda   its remainder: d ln P/dw = -kappa w + lambda              s m-1
h_xy,h_z kernel bandwidths (half-widths of the support)            m
m        mass a particle carries                                   kg
v_s      surface deposition velocity, 1 / (r_b + r_c)              m s-1
r_b, r_c quasi-laminar and surface resistances                     s m-1
R        share of a particle's mass the ground reflects            1
alpha    v_s sqrt(pi / 2) / s_w                                    1
C_down   concentration of the particles moving down at the ground  kg m-3
F        their flux onto the ground                                kg m-2 s-1
======== ========================================================= ========
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from models.gas_dispersion.turbulence import (COL_DSIGMA_W2_DZ, COL_DW3_DZ, COL_SIGMA_U, COL_SIGMA_V, COL_SIGMA_W,
                                              COL_T_U, COL_T_V, COL_T_W, COL_U, COL_W3, LHH_M, ONE_BITS,
                                              TABLE_FRACTION_MASK, TABLE_FRACTION_SHIFT, TABLE_LAST_INTERVAL,
                                              TABLE_Q_MIN, TABLE_ROW_BASE, TABLE_ROW_SHIFT, TABLE_ROWS,
                                              ProfileTable, bigaussian_shape)
from sim.kernels.bits import bits_float, float_bits


# -- random numbers -------------------------------------------------------------------------------------------
def _ziggurat_tables(layers: int = 128, r: float = 3.442619855899, v: float = 9.91256303526217e-3):
    """(k, w, f) of Marsaglia & Tsang's (2000) 128-layer ziggurat, scaled for 25-bit signed integers j.

    Layer i spans x in [0, x_i); x_i from x_{i-1} by x = sqrt(-2 ln(v / x_{i-1} + exp(-x_{i-1}^2 / 2))), all
    layers of area v; the base layer holds the tail beyond r. A deviate is j w[i], accepted at once when
    |j| < k[i] (the part of the layer under the curve of the next one).
    """
    scale = float(ZIG_SCALE)
    k = np.zeros(layers, dtype=np.int64)
    w = np.zeros(layers)
    f = np.zeros(layers)
    q = v / math.exp(-0.5 * r * r)
    k[0] = int(r / q * scale)
    w[0], w[-1] = q / scale, r / scale
    f[0], f[-1] = 1.0, math.exp(-0.5 * r * r)
    x_prev = x = r
    for i in range(layers - 2, 0, -1):
        x = math.sqrt(-2.0 * math.log(v / x + math.exp(-0.5 * x * x)))
        k[i + 1] = int(x / x_prev * scale)
        x_prev = x
        f[i] = math.exp(-0.5 * x * x)
        w[i] = x / scale
    return k, w, f


GAMMA = np.uint64(0x9E3779B97F4A7C15)  # 2^64 / golden ratio, SplitMix64's increment
MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
MIX_2 = np.uint64(0x94D049BB133111EB)
SALT = np.uint64(0xD1B54A32D192ED03)
LOW_32 = np.uint64(0xFFFFFFFF)
LAYER_MASK = np.uint64(127)
SHIFT_7, SHIFT_27, SHIFT_30 = np.uint64(7), np.uint64(27), np.uint64(30)
SHIFT_31, SHIFT_32 = np.uint64(31), np.uint64(32)
TWO_POW_M32 = 2.0**-32
ZIG_SCALE = 1 << 24  # j is a 25-bit signed integer in [-2^24, 2^24)
ZIG_R = 3.442619855899  # start of the tail of the 128-layer ziggurat
ZIG_K, ZIG_W, ZIG_F = _ziggurat_tables()
SQRT_HALF_PI = 1.2533141373155003  # sqrt(pi / 2), partial reflection (deposition)
W_CLIP = 6.0  # |w| <= W_CLIP s_w (numerical guard, see langevin); skewed: W_CLIP s_i beyond the nearer mode
INV_SQRT_2PI = 0.3989422804014327
INV_SQRT_2 = 0.7071067811865476
DRAWS_PER_SUBSTEP = 2  # words n, n + 1: three deviates; rare rejections read further words
# Fastmath flags that cannot change results between runs or thread counts: no reassociation, no NaN/inf
# assumptions (the kernels compare with infinite lids). Reciprocals and FMA contraction give the homogeneous
# kernel 1.5x; the gridded kernel keeps strict IEEE arithmetic, because near walls its sub-step and reflection
# decisions amplify last-bit differences and its NumPy twin should agree to ~1e-12.
FAST = {"nsz", "arcp", "contract", "afn"}
STRICT = {"nsz"}


@njit(cache=True, inline="always")
def mix64(z):
    """SplitMix64 finalizer: a bijective avalanche hash of a uint64 (Steele et al. 2014)."""
    z = (z ^ (z >> SHIFT_30)) * MIX_1
    z = (z ^ (z >> SHIFT_27)) * MIX_2
    return z ^ (z >> SHIFT_31)


@njit(cache=True, inline="always")
def particle_key(seed, particle_id):
    """SplitMix64 seed of one particle's stream: distinct for distinct ids (mix64 is a bijection)."""
    return mix64(mix64(np.uint64(seed) * GAMMA + SALT) + np.uint64(particle_id))


@njit(cache=True, inline="always")
def draw(k, n):
    """The n-th 64-bit word of the stream with key k (SplitMix64 output n)."""
    return mix64(k + np.uint64(n) * GAMMA)


@njit(cache=True)
def normal_slow(k, n, j, i):
    """Marsaglia & Tsang (2000) rejection branch for a fast-path miss (j, layer i); further words from n on.

    Returns (deviate, next counter). The tail beyond r is sampled by Marsaglia's (1964) method.
    """
    while True:
        x = j * ZIG_W[i]
        if i == 0:
            while True:
                v = draw(k, n)
                n += 1
                x_t = -math.log((np.float64(v >> SHIFT_32) + 0.5) * TWO_POW_M32) / ZIG_R
                y_t = -math.log((np.float64(v & LOW_32) + 0.5) * TWO_POW_M32)
                if y_t + y_t >= x_t * x_t:
                    return (ZIG_R + x_t if j > 0 else -ZIG_R - x_t), n
        v = draw(k, n)
        n += 1
        uniform = (np.float64(v >> SHIFT_32) + 0.5) * TWO_POW_M32
        if ZIG_F[i] + uniform * (ZIG_F[i - 1] - ZIG_F[i]) < math.exp(-0.5 * x * x):
            return x, n
        bits = v & LOW_32
        i = np.int64(bits & LAYER_MASK)
        j = np.int64(bits >> SHIFT_7) - ZIG_SCALE
        if abs(j) < ZIG_K[i]:
            return j * ZIG_W[i], n


@njit(cache=True, inline="always")
def normal(bits, k, n):
    """N(0, 1) from 32 random bits (7 pick the layer, 25 the signed abscissa: disjoint, Doornik 2005)."""
    i = np.int64(bits & LAYER_MASK)
    j = np.int64(bits >> SHIFT_7) - ZIG_SCALE
    if abs(j) < ZIG_K[i]:
        return j * ZIG_W[i], n
    return normal_slow(k, n, j, i)


@njit(cache=True, inline="always")
def three_normals(k, n):
    """The three deviates of one sub-step from words n and n + 1; returns them and the next counter."""
    v_1 = draw(k, n)
    v_2 = draw(k, n + 1)
    n += DRAWS_PER_SUBSTEP
    n_1, n = normal(v_1 & LOW_32, k, n)
    n_2, n = normal(v_1 >> SHIFT_32, k, n)
    n_3, n = normal(v_2 & LOW_32, k, n)
    return n_1, n_2, n_3, n


@njit(cache=True)
def gaussian_draws(seed, particle_id, counter, out, next_counter):
    """out[p, :] = the three deviates a sub-step starting at counter[p] gives particle_id[p] (tests, twins)."""
    for p in range(particle_id.size):
        out[p, 0], out[p, 1], out[p, 2], next_counter[p] = three_normals(particle_key(seed, particle_id[p]),
                                                                          counter[p])


# -- profile table ----------------------------------------------------------------------------------------------
# Columns of the kernel table: what the Langevin step needs, precomputed so the particle loop has no divisions.
KT_U, KT_INV_T_U, KT_INV_T_V, KT_INV_T_W, KT_B_U, KT_B_V, KT_B_W, KT_INV_SW2, KT_HALF_DSW2, KT_T_MIN = range(10)
KT_COLUMNS = 10
# Skewed tables carry ten more: the bi-Gaussian parameters and their height derivatives. A kernel takes the
# skewed step when its table has these columns (table.shape[1] == KT_COLUMNS_SKEWED): the table is the flag.
(KT_A, KT_W_A, KT_W_B, KT_S_A, KT_S_B, KT_DA_DZ, KT_DW_A_DZ, KT_DW_B_DZ, KT_DS_A_DZ,
 KT_DS_B_DZ) = range(KT_COLUMNS, KT_COLUMNS + 10)
KT_COLUMNS_SKEWED = KT_COLUMNS + 10
F_STEP = 1.0e-6  # central-difference step in F for the derivatives of the (smooth, even) LHH shape functions


def kernel_table(table: ProfileTable, skewed: bool | None = None) -> np.ndarray:
    """(n, KT_COLUMNS) rows on the table's heights: U, 1/T_u, 1/T_v, 1/T_w, b_i = sqrt(2 s_i^2 / T_i),
    1/s_w^2, ds_w2 / 2, min(T_u, T_v, T_w). Kernels interpolate these between rows like the profiles
    (table_position).

    skewed: None (default) adds the bi-Gaussian columns when the table has a non-zero <w'^3> (convective layers),
    False never (Gaussian turbulence with the same s_w), True always (S = 0 rows give the Gaussian limit).
    Those columns: A, w_A, w_B, s_A, s_B and their z-derivatives by the chain rule through S(z) =
    <w'^3> / s_w^3 and F = m S^(1/3): dF/dz = F / (3 S) dS/dz (0 where S = 0; the derivative is singular but
    integrable as S -> 0 at the ground and at h), dS/dz = d<w'^3>/dz / s_w^3 - 1.5 S d(s_w^2)/dz / s_w^2.
    """
    v = table.values
    if v.shape[0] != TABLE_ROWS:  # the kernels index rows by table_position, unchecked
        raise ValueError(f"a profile table needs {TABLE_ROWS} rows (turbulence.table_fractions()), got {v.shape[0]}")
    out = np.empty((v.shape[0], KT_COLUMNS))
    out[:, KT_U] = v[:, COL_U]
    for col_t, col_s, col_inv, col_b in ((COL_T_U, COL_SIGMA_U, KT_INV_T_U, KT_B_U),
                                         (COL_T_V, COL_SIGMA_V, KT_INV_T_V, KT_B_V),
                                         (COL_T_W, COL_SIGMA_W, KT_INV_T_W, KT_B_W)):
        out[:, col_inv] = 1.0 / v[:, col_t]
        out[:, col_b] = np.sqrt(2.0 / v[:, col_t]) * v[:, col_s]
    out[:, KT_INV_SW2] = 1.0 / v[:, COL_SIGMA_W] ** 2
    out[:, KT_HALF_DSW2] = 0.5 * v[:, COL_DSIGMA_W2_DZ]
    out[:, KT_T_MIN] = np.minimum(np.minimum(v[:, COL_T_U], v[:, COL_T_V]), v[:, COL_T_W])
    w3 = v[:, COL_W3] if v.shape[1] > COL_W3 else np.zeros(v.shape[0])
    if skewed is None:
        skewed = bool(np.any(w3 != 0.0))
    if not skewed:
        return out
    dw3 = v[:, COL_DW3_DZ] if v.shape[1] > COL_DW3_DZ else np.zeros(v.shape[0])
    if np.any(w3 < 0.0):
        raise ValueError("table third moment <w'^3> must be >= 0 for the skewed (convective) closure")
    sigma_w, dsw2 = v[:, COL_SIGMA_W], v[:, COL_DSIGMA_W2_DZ]
    dsigma_w = 0.5 * dsw2 / sigma_w
    S = w3 / sigma_w**3
    dS = dw3 / sigma_w**3 - 1.5 * S * dsw2 / sigma_w**2
    F = LHH_M * np.cbrt(S)
    dF = np.where(S > 0.0, F / (3.0 * np.where(S > 0.0, S, 1.0)) * dS, 0.0)
    A, ratio_a, ratio_b = bigaussian_shape(F)
    A_hi, ratio_a_hi, ratio_b_hi = bigaussian_shape(F + F_STEP)
    A_lo, ratio_a_lo, ratio_b_lo = bigaussian_shape(F - F_STEP)
    s_A, s_B = ratio_a * sigma_w, ratio_b * sigma_w
    ds_A = dsigma_w * ratio_a + sigma_w * (ratio_a_hi - ratio_a_lo) / (2.0 * F_STEP) * dF
    ds_B = dsigma_w * ratio_b + sigma_w * (ratio_b_hi - ratio_b_lo) / (2.0 * F_STEP) * dF
    extra = np.empty((v.shape[0], KT_COLUMNS_SKEWED - KT_COLUMNS))
    extra[:, KT_A - KT_COLUMNS] = A
    extra[:, KT_W_A - KT_COLUMNS] = F * s_A
    extra[:, KT_W_B - KT_COLUMNS] = F * s_B
    extra[:, KT_S_A - KT_COLUMNS] = s_A
    extra[:, KT_S_B - KT_COLUMNS] = s_B
    extra[:, KT_DA_DZ - KT_COLUMNS] = (A_hi - A_lo) / (2.0 * F_STEP) * dF
    extra[:, KT_DW_A_DZ - KT_COLUMNS] = dF * s_A + F * ds_A
    extra[:, KT_DW_B_DZ - KT_COLUMNS] = dF * s_B + F * ds_B
    extra[:, KT_DS_A_DZ - KT_COLUMNS] = ds_A
    extra[:, KT_DS_B_DZ - KT_COLUMNS] = ds_B
    return np.ascontiguousarray(np.hstack([out, extra]))


@njit(cache=True, inline="always")
def table_position(z_lo, z_hi, z):
    """(row, weight): height z lies between table rows row and row + 1, weight on row + 1, linear in q = (z - z_lo)
    / (z_hi - z_lo) within the row; clamped to the table. The row is read from the bits of q, or of 1 - q in the
    upper half (turbulence.TABLE_BINADES): a shift and a subtraction where rows uniform in sqrt(q) needed a
    square root."""
    q = (z - z_lo) / (z_hi - z_lo)
    upper = q > 0.5
    half = 1.0 - q if upper else q
    half = min(half if half > TABLE_Q_MIN else TABLE_Q_MIN, 0.5)  # NaN to the first row: never out of bounds
    bits = np.uint64(float_bits(half))
    row = np.int64((bits >> TABLE_ROW_SHIFT) - TABLE_ROW_BASE)
    weight = bits_float(((bits & TABLE_FRACTION_MASK) << TABLE_FRACTION_SHIFT) | ONE_BITS) - 1.0
    if upper:
        return TABLE_LAST_INTERVAL - row, 1.0 - weight
    return row, weight


@njit(cache=True, inline="always")
def lookup(table, k, a):
    """The Gaussian columns interpolated between rows k and k + 1 with weight a on k + 1 (table_position)."""
    b = 1.0 - a
    j = k + 1  # 2-D indexing: a row view (table[k]) costs an array struct per call
    return (b * table[k, KT_U] + a * table[j, KT_U], b * table[k, KT_INV_T_U] + a * table[j, KT_INV_T_U],
            b * table[k, KT_INV_T_V] + a * table[j, KT_INV_T_V], b * table[k, KT_INV_T_W] + a * table[j, KT_INV_T_W],
            b * table[k, KT_B_U] + a * table[j, KT_B_U], b * table[k, KT_B_V] + a * table[j, KT_B_V],
            b * table[k, KT_B_W] + a * table[j, KT_B_W], b * table[k, KT_INV_SW2] + a * table[j, KT_INV_SW2],
            b * table[k, KT_HALF_DSW2] + a * table[j, KT_HALF_DSW2], b * table[k, KT_T_MIN] + a * table[j, KT_T_MIN])


@njit(cache=True, inline="always")
def lookup_skewed(table, k, a):
    """The bi-Gaussian columns (A, w_A, w_B, s_A, s_B, then their z-derivatives), as lookup."""
    b = 1.0 - a
    j = k + 1
    return (b * table[k, KT_A] + a * table[j, KT_A], b * table[k, KT_W_A] + a * table[j, KT_W_A],
            b * table[k, KT_W_B] + a * table[j, KT_W_B], b * table[k, KT_S_A] + a * table[j, KT_S_A],
            b * table[k, KT_S_B] + a * table[j, KT_S_B], b * table[k, KT_DA_DZ] + a * table[j, KT_DA_DZ],
            b * table[k, KT_DW_A_DZ] + a * table[j, KT_DW_A_DZ], b * table[k, KT_DW_B_DZ] + a * table[j, KT_DW_B_DZ],
            b * table[k, KT_DS_A_DZ] + a * table[j, KT_DS_A_DZ], b * table[k, KT_DS_B_DZ] + a * table[j, KT_DS_B_DZ])


@njit(cache=True, inline="always")
def substep_length(T_min, c_T, dt_min, t_left):
    """(dt_p, last): c_T min(T), at least dt_min; the remainder is split in two rather than left as a sliver."""
    dt_p = max(c_T * T_min, dt_min)
    if dt_p >= t_left:
        return t_left, True
    if 2.0 * dt_p > t_left:
        return 0.5 * t_left, False
    return dt_p, False


@njit(cache=True, inline="always")
def langevin(u, v, w, inv_T_u, inv_T_v, inv_T_w, b_u, b_v, b_w, inv_s_w2, half_ds_w2, dt_p, n_1, n_2, n_3):
    """One step of the three velocity fluctuations, b_i = sqrt(2 s_i^2 / T_i).

    The damping -w / T is integrated by the trapezoidal rule, which keeps the stationary variance of the
    Ornstein-Uhlenbeck part exactly s^2 for any dt_p / T (explicit Euler inflates it by 1 / (1 - dt_p / 2T));
    Thomson's drift term is explicit. |w| is clipped at W_CLIP s_w, a numerical guard against the runaway
    of the explicit w^2 drift (a Gaussian exceeds 6 s with probability 2e-9).
    """
    root_dt = math.sqrt(dt_p)
    r_u, r_v, r_w = 0.5 * dt_p * inv_T_u, 0.5 * dt_p * inv_T_v, 0.5 * dt_p * inv_T_w
    d_u, d_v, d_w = 1.0 + r_u, 1.0 + r_v, 1.0 + r_w
    inv = 1.0 / (d_u * d_v * d_w)  # one division for the three denominators
    drift = half_ds_w2 * (1.0 + w * w * inv_s_w2)
    u = (u * (1.0 - r_u) + b_u * root_dt * n_1) * (d_v * d_w * inv)
    v = (v * (1.0 - r_v) + b_v * root_dt * n_2) * (d_u * d_w * inv)
    w = (w * (1.0 - r_w) + drift * dt_p + b_w * root_dt * n_3) * (d_u * d_v * inv)
    q = w * w * inv_s_w2
    if q > W_CLIP * W_CLIP:
        w *= W_CLIP / math.sqrt(q)
    return u, v, w


@njit(cache=True, inline="always")
def skewed_drift(w, sw2_T, A, w_A, w_B, s_A, s_B, dA, dw_A, dw_B, ds_A, ds_B):
    """Well-mixed drift a(w, z) of Thomson (1987) for the bi-Gaussian PDF of Luhar & Britter (1989):
    a = (s_w^2 / T_w)(-kappa w + lambda) + Phi / P (module docstring); sw2_T = s_w^2 / T_w."""
    B = 1.0 - A
    xi_A = (w - w_A) / s_A
    xi_B = (w + w_B) / s_B
    n_A = INV_SQRT_2PI / s_A * math.exp(-0.5 * xi_A * xi_A)
    n_B = INV_SQRT_2PI / s_B * math.exp(-0.5 * xi_B * xi_B)
    F_A = 0.5 * (1.0 + math.erf(xi_A * INV_SQRT_2))
    F_B = 0.5 * (1.0 + math.erf(xi_B * INV_SQRT_2))
    inv_P = 1.0 / (A * n_A + B * n_B)
    q_A = A * n_A / (s_A * s_A)
    q_B = B * n_B / (s_B * s_B)
    G_A = w_A * F_A - s_A * s_A * n_A
    G_B = -w_B * F_B - s_B * s_B * n_B
    H_A = dw_A * F_A - n_A * (dw_A * w + ds_A * (s_A + xi_A * w))
    H_B = -dw_B * F_B - n_B * (-dw_B * w + ds_B * (s_B + xi_B * w))
    phi = -(dA * (G_A - G_B) + A * H_A + B * H_B)
    return (sw2_T * (q_A * w_A - q_B * w_B - (q_A + q_B) * w) + phi) * inv_P


@njit(cache=True, inline="always")
def skewed_w_step(w, b_w, A, w_A, w_B, s_A, s_B, dA, dw_A, dw_B, ds_A, ds_B, dt_p, root_dt, n_3):
    """One step of w in bi-Gaussian turbulence: Heun's predictor-corrector on the drift (module docstring),
    w kept within [-w_B - W_CLIP s_B, w_A + W_CLIP s_A]."""
    lo = -w_B - W_CLIP * s_B
    hi = w_A + W_CLIP * s_A
    w = min(max(w, lo), hi)
    sw2_T = 0.5 * b_w * b_w  # s_w^2 / T_w
    noise = b_w * root_dt * n_3
    a_0 = skewed_drift(w, sw2_T, A, w_A, w_B, s_A, s_B, dA, dw_A, dw_B, ds_A, ds_B)
    w_1 = min(max(w + a_0 * dt_p + noise, lo), hi)
    a_1 = skewed_drift(w_1, sw2_T, A, w_A, w_B, s_A, s_B, dA, dw_A, dw_B, ds_A, ds_B)
    w = w + 0.5 * (a_0 + a_1) * dt_p + noise
    return min(max(w, lo), hi)


@njit(cache=True, inline="always")
def langevin_skewed(u, v, w, inv_T_u, inv_T_v, b_u, b_v, b_w, A, w_A, w_B, s_A, s_B, dA, dw_A, dw_B, ds_A, ds_B,
                    dt_p, n_1, n_2, n_3):
    """langevin with the skewed vertical step: u, v as there (trapezoidal Ornstein-Uhlenbeck), w by
    skewed_w_step."""
    root_dt = math.sqrt(dt_p)
    r_u, r_v = 0.5 * dt_p * inv_T_u, 0.5 * dt_p * inv_T_v
    u = (u * (1.0 - r_u) + b_u * root_dt * n_1) / (1.0 + r_u)
    v = (v * (1.0 - r_v) + b_v * root_dt * n_2) / (1.0 + r_v)
    w = skewed_w_step(w, b_w, A, w_A, w_B, s_A, s_B, dA, dw_A, dw_B, ds_A, ds_B, dt_p, root_dt, n_3)
    return u, v, w


@njit(cache=True, inline="always")
def velocity_step(skewed, table, row, weight, u, v, w, i_u, i_v, i_w, b_u, b_v, b_w, i_s2, g_w, dt_p, n_1, n_2,
                  n_3):
    """The three fluctuations over dt_p at the table position (row, weight): Thomson's Gaussian step
    (langevin), or in a skewed table the bi-Gaussian one (langevin_skewed with the columns of lookup_skewed)."""
    if skewed:
        A, w_A, w_B, s_A, s_B, dA, dw_A, dw_B, ds_A, ds_B = lookup_skewed(table, row, weight)
        return langevin_skewed(u, v, w, i_u, i_v, b_u, b_v, b_w, A, w_A, w_B, s_A, s_B, dA, dw_A, dw_B, ds_A, ds_B,
                               dt_p, n_1, n_2, n_3)
    return langevin(u, v, w, i_u, i_v, i_w, b_u, b_v, b_w, i_s2, g_w, dt_p, n_1, n_2, n_3)


@njit(cache=True, inline="always")
def reflect_vertical(z, w, z_ground, z_lid):
    """Perfect reflection at the ground and at the lid (z_lid = inf: none)."""
    if z < z_ground:
        z = 2.0 * z_ground - z
        w = -w
    if z > z_lid:
        z = 2.0 * z_lid - z
        w = -w
        if z < z_ground:  # a step longer than the layer: put it on the ground
            z = z_ground
    return z, w


@njit(cache=True, inline="always")
def ground_uptake(v_s, inv_s_w2):
    """1 - R: the share of a particle's mass the ground takes up when it hits it (module docstring),
    2 alpha / (1 + alpha) with alpha = v_s sqrt(pi / 2) / s_w, all of it for alpha >= 1."""
    alpha = v_s * SQRT_HALF_PI * math.sqrt(inv_s_w2)
    if alpha >= 1.0:
        return 1.0
    return 2.0 * alpha / (1.0 + alpha)


# -- kernel a: horizontally homogeneous, flat ground --------------------------------------------------------------
@njit(cache=True, parallel=True, fastmath=FAST)
def advance_homogeneous(x, y, z, u_turb, v_turb, w_turb, particle_id, draws, active, table, z_lo, z_hi,
                        e_x, e_y, u_m, v_m, lid_m, dt, c_T, dt_min, seed, v_s=0.0, mass=None):
    """Advance every active particle by dt over flat ground at z = 0 (state arrays updated in place).

    With ``mass`` given, the ground takes up ground_uptake(v_s, .) of a particle's mass at each hit (dry
    deposition, module docstring; mass updated in place); without, the ground reflects perfectly.

    Each particle's state is read and written by its own iteration only, so the in-place update is the
    same as a next-buffer swap. table: kernel_table(profile) of a turbulence.ProfileTable, with its z_lo, z_hi;
    lid_m = inf for no lid. A table with the bi-Gaussian columns (KT_COLUMNS_SKEWED) takes the skewed w step.
    """
    skewed = table.shape[1] >= KT_COLUMNS_SKEWED
    for p in prange(x.size):
        if active[p] == 0:
            continue
        k = particle_key(seed, particle_id[p])
        n = draws[p]
        xp, yp, zp = x[p], y[p], z[p]
        u, v, w = u_turb[p], v_turb[p], w_turb[p]
        if mass is not None:
            m = mass[p]
        t_left = dt
        last = False
        while not last:
            row, weight = table_position(z_lo, z_hi, zp)
            U, i_u, i_v, i_w, b_u, b_v, b_w, i_s2, g_w, T_min = lookup(table, row, weight)
            dt_p, last = substep_length(T_min, c_T, dt_min, t_left)
            n_1, n_2, n_3, n = three_normals(k, n)
            u, v, w = velocity_step(skewed, table, row, weight, u, v, w, i_u, i_v, i_w, b_u, b_v, b_w, i_s2, g_w,
                                    dt_p, n_1, n_2, n_3)
            along = U + u
            xp += (along * e_x - v * e_y + u_m) * dt_p
            yp += (along * e_y + v * e_x + v_m) * dt_p
            z_next = zp + w * dt_p
            if mass is not None:
                if z_next < 0.0:
                    m -= ground_uptake(v_s, i_s2) * m
            zp, w = reflect_vertical(z_next, w, 0.0, lid_m)
            t_left -= dt_p
        x[p], y[p], z[p] = xp, yp, zp
        u_turb[p], v_turb[p], w_turb[p] = u, v, w
        draws[p] = n
        if mass is not None:
            mass[p] = m


# -- kernel b: gridded wind, terrain and buildings ---------------------------------------------------------------
@njit(cache=True, inline="always")
def trilinear(f, gk, gj, gi):
    """Trilinear value of f[k, j, i] at continuous indices (gk, gj, gi), clamped to the array."""
    nk, nj, ni = f.shape
    gk = min(max(gk, 0.0), nk - 1.0)
    gj = min(max(gj, 0.0), nj - 1.0)
    gi = min(max(gi, 0.0), ni - 1.0)
    k = min(int(gk), max(nk - 2, 0))
    j = min(int(gj), max(nj - 2, 0))
    i = min(int(gi), max(ni - 2, 0))
    c = gk - k
    b = gj - j
    a = gi - i
    k1, j1, i1 = min(k + 1, nk - 1), min(j + 1, nj - 1), min(i + 1, ni - 1)
    lower = ((1.0 - a) * ((1.0 - b) * f[k, j, i] + b * f[k, j1, i])
             + a * ((1.0 - b) * f[k, j, i1] + b * f[k, j1, i1]))
    upper = ((1.0 - a) * ((1.0 - b) * f[k1, j, i] + b * f[k1, j1, i])
             + a * ((1.0 - b) * f[k1, j, i1] + b * f[k1, j1, i1]))
    return (1.0 - c) * lower + c * upper


@njit(cache=True, inline="always")
def staggered_wind(u_face, v_face, w_face, fx, fy, fz):
    """Mean (U, V, W) at fractional cell coordinates (fx, fy, fz) = ((x - x0)/dx, ...) of an Arakawa C grid."""
    return (trilinear(u_face, fz - 0.5, fy - 0.5, fx),
            trilinear(v_face, fz - 0.5, fy, fx - 0.5),
            trilinear(w_face, fz, fy - 0.5, fx - 0.5))


@njit(cache=True, parallel=True, fastmath=STRICT)
def advance_gridded(x, y, z, u_turb, v_turb, w_turb, particle_id, draws, active, table, z_lo, z_hi,
                    x0, y0, z_bottom, dx, dy, dz, u_face, v_face, w_face, solid, surface_m, lid_m,
                    dt, c_T, dt_min, seed, u_m=0.0, v_m=0.0, v_s=0.0, mass=None):
    """Advance every active particle by dt through a staggered wind field with solid cells (in place).

    z is height above datum; turbulence comes from the table at the height above surface_m of the particle's
    column; lid_m is the lid height above that surface (inf: none). The grid bottom z_bottom is ground.
    u_turb, v_turb are along and across the local horizontal mean wind; (u_m, v_m) an optional plume-wide
    meander velocity added for this step, as in advance_homogeneous; a skewed table takes the skewed w step.
    With ``mass`` given, the grid bottom and the tops of solid cells take up ground_uptake(v_s, .) of a particle's
    mass at each hit (mass updated in place).
    """
    skewed = table.shape[1] >= KT_COLUMNS_SKEWED
    nz, ny, nx = solid.shape
    x_end, y_end, z_top = x0 + nx * dx, y0 + ny * dy, z_bottom + nz * dz
    for p in prange(x.size):
        if active[p] == 0:
            continue
        k = particle_key(seed, particle_id[p])
        n = draws[p]
        xp, yp, zp = x[p], y[p], z[p]
        u, v, w = u_turb[p], v_turb[p], w_turb[p]
        if mass is not None:
            m = mass[p]
        t_left = dt
        last = False
        while not last:
            fx, fy, fz = (xp - x0) / dx, (yp - y0) / dy, (zp - z_bottom) / dz
            i_old = min(max(int(math.floor(fx)), 0), nx - 1)
            j_old = min(max(int(math.floor(fy)), 0), ny - 1)
            k_old = min(max(int(math.floor(fz)), 0), nz - 1)
            ground = surface_m[j_old, i_old]
            row, weight = table_position(z_lo, z_hi, zp - ground)
            _, i_u, i_v, i_w, b_u, b_v, b_w, i_s2, g_w, T_min = lookup(table, row, weight)
            U, V, W = staggered_wind(u_face, v_face, w_face, fx, fy, fz)
            speed = math.sqrt(U * U + V * V)
            if speed > 1.0e-12:
                e_x, e_y = U / speed, V / speed
            else:
                e_x, e_y = 1.0, 0.0
            dt_p, last = substep_length(T_min, c_T, dt_min, t_left)
            # Courant limit with the velocity at the start of the sub-step: at most half a cell per step.
            rate = max(abs(U + u_m + u * e_x - v * e_y) / dx, abs(V + v_m + u * e_y + v * e_x) / dy,
                       abs(W + w) / dz)
            if rate * dt_p > 0.5:
                dt_p = 0.5 / rate
                last = False
            n_1, n_2, n_3, n = three_normals(k, n)
            u, v, w = velocity_step(skewed, table, row, weight, u, v, w, i_u, i_v, i_w, b_u, b_v, b_w, i_s2, g_w,
                                    dt_p, n_1, n_2, n_3)
            fl_x, fl_y = u * e_x - v * e_y, u * e_y + v * e_x  # fluctuation in grid axes
            x_new = xp + (U + u_m + fl_x) * dt_p
            y_new = yp + (V + v_m + fl_y) * dt_p
            z_next = zp + (W + w) * dt_p
            if mass is not None:
                if z_next < z_bottom:
                    m -= ground_uptake(v_s, i_s2) * m
            z_new, w = reflect_vertical(z_next, w, z_bottom, ground + lid_m)
            t_left -= dt_p
            if not (x0 <= x_new < x_end and y0 <= y_new < y_end and z_new < z_top):
                active[p] = 0
                xp, yp, zp = x_new, y_new, z_new
                break
            i = min(int((x_new - x0) / dx), nx - 1)  # min: the division can round up to nx at the edge
            j = min(int((y_new - y0) / dy), ny - 1)
            kk = min(int((z_new - z_bottom) / dz), nz - 1)
            if solid[kk, j, i] != 0:
                if i != i_old:
                    face = x0 + max(i, i_old) * dx
                    x_new = 2.0 * face - x_new
                    fl_x = -fl_x
                if j != j_old:
                    face = y0 + max(j, j_old) * dy
                    y_new = 2.0 * face - y_new
                    fl_y = -fl_y
                if kk != k_old:
                    face = z_bottom + max(kk, k_old) * dz
                    z_new = 2.0 * face - z_new
                    w = -w
                    if mass is not None:
                        if kk < k_old:  # down onto the top of a solid cell: ground or roof
                            m -= ground_uptake(v_s, i_s2) * m
                i = min(max(int(math.floor((x_new - x0) / dx)), 0), nx - 1)
                j = min(max(int(math.floor((y_new - y0) / dy)), 0), ny - 1)
                kk = min(max(int(math.floor((z_new - z_bottom) / dz)), 0), nz - 1)
                if solid[kk, j, i] != 0:  # cannot happen with half-cell steps; stay put, bounce back
                    x_new, y_new, z_new = xp, yp, zp
                    fl_x, fl_y, w = -fl_x, -fl_y, -w
                u = fl_x * e_x + fl_y * e_y
                v = -fl_x * e_y + fl_y * e_x
            xp, yp, zp = x_new, y_new, z_new
        x[p], y[p], z[p] = xp, yp, zp
        u_turb[p], v_turb[p], w_turb[p] = u, v, w
        draws[p] = n
        if mass is not None:
            mass[p] = m


@njit(cache=True, parallel=True)
def height_above_surface(x, y, z, x0, y0, dx, dy, surface_m, out):
    """out[p] = z[p] - surface_m of the particle's column (columns clamped to the grid)."""
    ny, nx = surface_m.shape
    for p in prange(x.size):
        i = min(max(int(math.floor((x[p] - x0) / dx)), 0), nx - 1)
        j = min(max(int(math.floor((y[p] - y0) / dy)), 0), ny - 1)
        out[p] = z[p] - surface_m[j, i]


# -- concentration ----------------------------------------------------------------------------------------------
@njit(cache=True, inline="always")
def epanechnikov(r):
    """K(r) = 3/4 (1 - r^2) on |r| < 1, integral 1."""
    return 0.75 * (1.0 - r * r) if r * r < 1.0 else 0.0


@njit(cache=True, inline="always")
def vertical_kernel(z_p, z_r, h_z):
    """Kernel of a particle at z_p seen at z_r, plus its image below the ground (1/m)."""
    return (epanechnikov((z_r - z_p) / h_z) + epanechnikov((z_r + z_p) / h_z)) / h_z


@njit(cache=True)
def _bin_by_row(y, weight, y0, dy, ny, reach):
    """Counting sort of particles with weight != 0 by grid row, rows -reach .. ny + reach - 1."""
    n_bins = ny + 2 * reach
    start = np.zeros(n_bins + 1, dtype=np.int64)
    row = np.full(y.size, -1, dtype=np.int64)
    for p in range(y.size):
        if weight[p] != 0.0:
            r = int(math.floor((y[p] - y0) / dy)) + reach
            if 0 <= r < n_bins:
                row[p] = r
                start[r + 1] += 1
    for r in range(n_bins):
        start[r + 1] += start[r]
    order = np.empty(start[n_bins], dtype=np.int64)
    fill = start[:-1].copy()
    for p in range(y.size):
        if row[p] >= 0:
            order[fill[row[p]]] = p
            fill[row[p]] += 1
    return order, start


@njit(cache=True, parallel=True)
def kde_grid(x, y, weight, x0, y0, dx, dy, nx, ny, h_xy, out):
    """out[j, i] = sum_p weight_p K_h(x_i - x_p) K_h(y_j - y_p), cell centres x0 + (i + 1/2) dx.

    Particles are binned by row first; each output row is then owned by one thread (no write races) and its
    sum runs in particle order, so the result does not depend on the number of threads.
    """
    reach = int(math.ceil(h_xy / dy)) + 1
    order, start = _bin_by_row(y, weight, y0, dy, ny, reach)
    for j in prange(ny):
        for i in range(nx):
            out[j, i] = 0.0
        y_c = y0 + (j + 0.5) * dy
        for r in range(j, j + 2 * reach + 1):  # bins of rows j - reach .. j + reach
            for q in range(start[r], start[r + 1]):
                p = order[q]
                k_y = epanechnikov((y_c - y[p]) / h_xy)
                if k_y == 0.0:
                    continue
                c = weight[p] * k_y / (h_xy * h_xy)
                i_lo = max(int(math.floor((x[p] - h_xy - x0) / dx - 0.5)), 0)
                i_hi = min(int(math.ceil((x[p] + h_xy - x0) / dx - 0.5)), nx - 1)
                for i in range(i_lo, i_hi + 1):
                    out[j, i] += c * epanechnikov((x0 + (i + 0.5) * dx - x[p]) / h_xy)


@njit(cache=True)
def _vertical_weights(z_agl, mass, active, receptor_height_m, h_z, out):
    for p in range(z_agl.size):
        out[p] = mass[p] * vertical_kernel(z_agl[p], receptor_height_m, h_z) if active[p] != 0 else 0.0


@njit(cache=True)
def concentration_at_height(x, y, z_agl, mass, active, x0, y0, dx, dy, nx, ny, receptor_height_m,
                            bandwidth_xy_m, bandwidth_z_m, out):
    """Mass concentration (kg/m3) at receptor_height_m above ground on the (ny, nx) grid of cell centres.

    z_agl: particle heights above the ground (homogeneous z, or height_above_surface for gridded runs).
    """
    weight = np.empty(x.size)
    _vertical_weights(z_agl, mass, active, receptor_height_m, bandwidth_z_m, weight)
    kde_grid(x, y, weight, x0, y0, dx, dy, nx, ny, bandwidth_xy_m, out)


@njit(cache=True)
def column_density(x, y, mass, active, x0, y0, dx, dy, nx, ny, bandwidth_xy_m, out):
    """Vertically integrated mass (kg/m2) on the (ny, nx) grid of cell centres."""
    weight = np.where(active != 0, mass, 0.0)
    kde_grid(x, y, weight, x0, y0, dx, dy, nx, ny, bandwidth_xy_m, out)


@njit(cache=True, parallel=True)
def concentration_at_points(x, y, z_agl, mass, active, receptor_x, receptor_y, receptor_z_agl,
                            bandwidth_xy_m, bandwidth_z_m, out):
    """Mass concentration (kg/m3) at point receptors (x, y, height above ground), e.g. sampling arcs."""
    h_xy, h_z = bandwidth_xy_m, bandwidth_z_m
    norm = 1.0 / (h_xy * h_xy)
    for r in prange(receptor_x.size):
        total = 0.0
        for p in range(x.size):
            if active[p] == 0:
                continue
            k_x = epanechnikov((receptor_x[r] - x[p]) / h_xy)
            if k_x == 0.0:
                continue
            k_y = epanechnikov((receptor_y[r] - y[p]) / h_xy)
            if k_y == 0.0:
                continue
            total += mass[p] * k_x * k_y * vertical_kernel(z_agl[p], receptor_z_agl[r], h_z)
        out[r] = total * norm


# -- Python helpers ---------------------------------------------------------------------------------------------
def silverman_bandwidths(x, y, z_agl, mass, active, cell_size_m: float, min_vertical_m: float = 1.0):
    """(bandwidth_xy_m, bandwidth_z_m): Silverman's rule for the Epanechnikov kernel, floored at the grid.

    h = 2.34 s n_eff^(-1/5) per axis (Silverman 1986, eq. 3.31 and Table 3.1, A(K) = 2.34 for the Epanechnikov
    kernel), s = min(standard deviation, interquartile range / 1.349) (robust to skewed clouds), n_eff = (sum m)^2
    / sum m^2 for unequal masses. Horizontal: the smaller of the x and y values (plumes are long and thin), at
    least one grid cell; vertical: at least min_vertical_m.
    """
    if not cell_size_m > 0.0:
        raise ValueError(f"cell_size_m must be > 0, got {cell_size_m}")
    keep = np.asarray(active) != 0
    m = np.asarray(mass, float)[keep]
    if m.size < 2 or not m.sum() > 0.0:
        return float(cell_size_m), float(min_vertical_m)
    n_eff = m.sum() ** 2 / np.sum(m * m)

    def spread(values):
        values = np.asarray(values, float)[keep]
        mean = np.average(values, weights=m)
        std = math.sqrt(np.average((values - mean) ** 2, weights=m))
        q75, q25 = np.percentile(values, [75.0, 25.0])
        iqr = (q75 - q25) / 1.349
        return min(std, iqr) if iqr > 0.0 else std

    factor = 2.34 * n_eff ** (-0.2)
    h_xy = max(factor * min(spread(x), spread(y)), float(cell_size_m))
    h_z = max(factor * spread(z_agl), float(min_vertical_m))
    return float(h_xy), float(h_z)


@dataclass
class ParticleState:
    """Struct of arrays of the particles (what the kernels take)."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    u_turb: np.ndarray
    v_turb: np.ndarray
    w_turb: np.ndarray
    mass_kg: np.ndarray
    particle_id: np.ndarray
    draws: np.ndarray
    active: np.ndarray

    @classmethod
    def empty(cls, n: int) -> "ParticleState":
        """n inactive particles with zeroed state and ids 0 .. n - 1."""
        f = [np.zeros(n) for _ in range(7)]
        return cls(*f, np.arange(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.uint8))
