r"""Operational crowd models: social force with body contact, and the collision-free speed model.

Both are one Numba kernel over agents (``prange`` over chunks of CHUNK agents taken in cell
order, serial below PARALLEL_MIN_AGENTS): each agent reads the current state of everyone and
writes only its own next state (see :mod:`models.crowd.agents`), summing its neighbours in
cell order, so the result is race-free and bit-identical whatever the number of threads.

Social force with contact (Helbing, Farkas & Vicsek 2000, Nature 407:487)
-------------------------------------------------------------------------
    m_i dv_i/dt = m_i (v_i^des e_i - v_i) / tau_i + sum_j f_ij + sum_W f_iW + xi_i,       (1)
    v_i^des = v0_i, or with a headway time T_h > 0: min(v0_i, max(d_h,i, 0) / T_h),
    f_ij = [A w_ij exp((r_ij - d_ij)/B) + k g(r_ij - d_ij)] n_ij + kappa g(r_ij - d_ij) dv^t_ji t_ij,
    f_iW = [A_W exp((r_i - d_iW)/B_W) + k g(r_i - d_iW)] n_iW - kappa g(r_i - d_iW) (v_i . t_iW) t_iW,
    w_ij = lambda + (1 - lambda) (1 + cos phi_ij) / 2,   cos phi_ij = -n_ij . e_i,
with r_ij = r_i + r_j, n_ij = (x_i - x_j)/d_ij, t_ij = (-n_ij,y, n_ij,x), dv^t_ji = (v_j - v_i) . t_ij,
g(x) = max(x, 0). d_iW and n_iW are the distance and unit vector from the nearest point of
wall segment W to the centre. w_ij is the anisotropy of Helbing et al. (2005, Transp. Sci.
39:1; Johansson, Helbing & Shukla 2007, Adv. Complex Syst. 10:271): persons ahead (phi = 0)
weigh fully, persons behind lambda. HFV's isotropic model is lambda = 1, A_W = A, B_W = B; there
A, B, k, kappa are global, so f_ji = -f_ij to the last bit (Newton's third law holds exactly per
pair). The anisotropic social term is a psychological force and obeys no such law; the contact
terms always do. d_h,i is the distance person i can walk along e_i before touching someone
(min over j with e_i . (x_j - x_i) > 0 and lateral offset s_ij below r_ij of
e_i . (x_j - x_i) - sqrt(r_ij^2 - s_ij^2)): the speed heuristic of Moussaid, Helbing &
Theraulaz (2011, PNAS 108:6884), who pair it with body contact forces for crowd disasters;
T_h = 0 is HFV's constant desired speed. In d_h, r_ij is r_i + r_j, or 2 r_h with a headway radius
r_h (``headway_radius``: half the length a body takes along its walking direction, as the
collision-free speed model's l/2). Only persons walking the same way count
(e_i . e_j > 0): one walks round, not up to, someone coming the other way. m, tau, v0, r are per agent. xi_i is a
fluctuating force (HFV's
fluctuation term), white noise drawn by the model every step (zero by default). Pair (wall)
terms are cut off beyond a gap of ``repulsion_ranges`` = 8 B (8 B_W): A e^-8 = 0.67 N, 0.3 % of
the driving force m v0 / tau = 214 N of a default walker.

Calibration (work in progress). HFV's A = 2000 N, B = 0.08 m, tau = 0.5 s, the defaults, were set
for escape panic. Through the bottleneck of Seyfried et al. (2009) and Kretz et al. (2006) they
give a specific flow that rises with the door width (1.44 1/(m s) at 0.8 m, where arches form,
to 2.51 at 2.5 m) where the measured one stays near 1.8 (``hazsim validate crowd_bottleneck``).
A = 3000 N, B = 0.25 m, A_W = 1000 N, B_W = 0.042 m, lambda = 1, speed cap 1.15 v0, tau = 0.27 s,
radii 0.20-0.25 m and a fluctuation of 100 N fit them within -7 % to +8 % at 0.8-2.5 m, but with
B = 0.25 m three persons beside a 1 m door can hold each other in a static standoff (RiMEA 12),
so that set is not the default yet. The headway time gives the corridor a speed-density
relation; with HFV's walls it lowers the flow through doors of 0.8-1.2 m by a third or more.
HFV's wall repulsion (2000 N at contact, ten times a walker's drive) holds people off door
posts, and the sliding friction builds arches at narrow doors. Without friction, with a faint
wall repulsion (A_W = 100 N, B_W = 0.02 m), T_h = 0.55 s, tau = 0.3 s and radii 0.18-0.22 m the
specific flow through the 4 m long bottleneck is within -6 % to +9 % at 0.8-2.5 m (mean of
three runs per width), and the corridor diagram's RMSE falls from 0.42 to 0.14 m/s; but a 1 m
door in a thin wall then passes 3.4 persons/s, above the 1.0-2.5 of RiMEA 8 (HFV: 1.6), and
a crowd turning a corner (RiMEA 15) is slower than on the long straight route. So HFV's
values stay the defaults until one set holds for all three. (Those figures are from an earlier
set-up of the bottleneck validation, each study in its own geometry with the exit on the
bottleneck's end; in test_13's geometry, with a room behind, HFV's values give -17 % at 0.8 m,
-2 % at 1.0 m, +22 % at 1.2 m and +38 % to +48 % at 1.6-2.5 m, and the headway set -4.6 % to +6.9 %
at 0.8-2.5 m, with a corridor RMSE of 0.16 m/s over all ten runs.)
Stop 27 (test_13's geometry, persons walking on past the exits, corridor speeds over the data's
0.625 s, one seed): HFV's values -12 %, +3 %, +23 %, +40 %, +50 %, +49 % at 0.8-2.5 m and corridor
RMSE 0.242 m/s. A headway with the bodies' own radii (T_h = 0.5-0.8 s) takes 30-66 % off every
width. With r_h = 0.14 m and T_h = 0.7 s the corridor fits (RMSE 0.17; with A_W = 200 N,
B_W = 0.04 m 0.082; with kappa = 2.4e4 as well 0.076) but narrow doors do not: -25 %, -19 % at
0.8 and 1.0 m (+1 % to +9 % at 1.2-2.5 m; a fluctuation of 100 N: -32 %, -12 %). A disc 0.4-0.6 m
wide passes a 0.8 m door in single file, which the headway caps at v / (2 r_h + v T_h), about 1.1
persons/s; the measured 1.45 needs persons to turn their shoulders and zip. HFV's values stay the
defaults: their friction and wall forces are those of the crush studies the model is for.

Integration: semi-implicit (symplectic) Euler, v^{n+1} = v^n + h F(x^n, v^n)/m, then
x^{n+1} = x^n + h v^{n+1}, over n_sub sub-steps h = dt / n_sub of the caller's step dt, with
h <= c sqrt(m_min / k), c = 0.1 (2.6 ms for 80 kg: dt = 0.01 s takes 4 sub-steps).
Why c = 0.1: symplectic Euler on the damped oscillator x'' + gamma x' + omega^2 x = 0 is stable
iff h^2 omega^2 + 2 h gamma <= 4. In the densest packing (triangular lattice, every disc
touching six others) the largest eigenvalue of the contact stiffness matrix is 6 k_eff / m
(zone-boundary mode M), with k_eff = k + (A/B) e^{delta/B} the slope of the normal force at
overlap delta; the tangential friction is a damping matrix of the same structure, largest
eigenvalue gamma = 6 kappa delta / m. With c = 0.1 (h = 2.58 ms at m = 80 kg) the condition holds
for overlaps up to delta = 0.042 m on all six contacts at once (6 x 5.0 kN: a compressive force
per unit circumference of about 1.6e4 N/m, ten times HFV's injury level of 1600 N/m); a lone
pair (eigenvalue 2 k_eff/m) is stable up to h = 1.4 sqrt(m/k). The driving term adds a rate
1/tau = 2 s^-1, negligible. Lower c for harder crushes.

Speed cap: |v_i| <= v_max,i = max(c_v v0_i, v_floor) after each sub-step, c_v = 1.3 (the v^max
of Helbing & Molnar 1995, PRE 51:4282, used with HFV's model); the floor (default
1.3 x 1.34 m/s) keeps a standing agent (v0 = 0) movable by the crowd. The cap also bounds the
displacement per sub-step, which keeps wall checks local (below).

Shared vertices. Where segments meet (a polygon's corner, a joint of collinear segments) the
wall is one surface: an interaction whose nearest point is a segment end V counts only if no
other segment ending at V has its nearest point elsewhere (it is then nearer, or as near, and
carries the interaction) and, when several have it at V, only for the lowest index
(:func:`models.crowd.geometry.acts_once`). Otherwise a body at a joint would be pushed, and
would load the wall, twice.

Diagnostics of the last sub-step (positions at most h old): per agent the radial contact
force sum F_i = sum_j k g(r_ij - d_ij) + sum_W k g(r_i - d_iW) (N) and the compressive force per
unit circumference F_i / (2 pi r_i) (N/m; HFV: injury above 1600 N/m); per wall segment its
normal contact load sum_i k g(r_i - d_iW) (N), from a second pass over walls (each wall sums the
agents of the cells near it in cell order: deterministic, no atomics).

Collision-free speed model (Tordeux, Chraibi & Seyfried 2016, Traffic and Granular Flow '15,
pp. 225-232, arXiv:1512.05597), with a turning time
--------------------------------------------------------------------------------------------
    dx_i/dt = V(s_i) h_i,                                                              (2)
    tau_e dh_i/dt = e_i - h_i  (h_i kept a unit vector; tau_e = 0: h_i = e_i),
    e_i = u(e0_i + sum_j R(s_ij) n_ij + sum_W R_W(d_iW) n_iW),  u(z) = z / |z|,
    R(s) = a exp((q_i + q_j - s)/D),  R_W(d) = a_W exp((r_i - d)/D_W),
    V(s) = min(v0_i, max(0, (s - l)/T)),
    s_i - l = min over j in J_i of (s_ij - l_ij),
    J_i = { j : h_i . (x_j - x_i) >= 0 and |h_i^perp . (x_j - x_i)| <= l_ij },
s_ij = |x_i - x_j|, l_ij = r_i + r_j (the body length l for equal agents). J_i is the paper's
cone: neighbours ahead (h_i . e_ij <= 0 with e_ij = n_ij) whose centre lies within l_ij of the
line of motion (|h_i^perp . e_ij| <= l / s_ij), i.e. the bodies the agent would hit walking
along h_i. No one ahead: V = v0. First-order update: x^{n+1} = x^n + dt V(s_i) h_i; the velocity
written is V h_i. r_i is the model's radius l/2 (``radius``, as JuPedSim's agent radius: the
same for everyone; the depth of a body along its walking direction) or, with ``radius`` None,
each person's body radius. q_i is the radius in the neighbour repulsion (``repulsion_radius``;
None, the default: each person's body radius, half the shoulder width): the direction keeps
shoulders apart while the speed sees the body's depth, a disc's cheap stand-in for the elliptical
bodies of the generalized model (Xu, Chraibi, Tordeux & Zhang 2019, Physica A 535:122521). In
Tordeux et al.'s model q = r and h_i = e_i. The heading h_i is the agents' ``heading_x/y`` (zero:
none yet, the agent takes e_i at once); it relaxes explicitly, h^{n+1} = u(h^n + k (e_i - h^n))
with k = min(1, dt / tau_e) (Xu et al. 2019's smoothing of the direction). So a head-on
repulsion that reverses e_i does not reverse the walk: the average keeps h's direction, the
person ahead stays in the cone and the person slows down instead of stepping back; e_i merely
turned sideways is followed within a few tau_e. Without the heading, persons facing a door post
and each other near a bottleneck's entrance swap between opposite directions every step at full
speed, going nowhere: a first-order model's backward stepping that Xu et al. (2019) remove by
smoothing the direction, and JuPedSim's CollisionFreeSpeedModelV3 by relaxing the heading angle.
A target (nearly) behind, a goal reversed (an exit closed ahead of a lone walker), is an
unstable balance of the average, left slowly or, exactly behind, never: the heading then gets a
sideways part of at least REVERSAL_NUDGE towards the target's side (left when exactly behind)
and turns round in about 0.3 s. Repulsion is
cut off beyond a gap of 10 D (R = a e^-10 = 3.6e-4) and 10 D_W; the neighbour cut-off also
covers l + v0 T, beyond which V = v0 anyway, so the speed is exact.

Calibration. The kernel was checked term by term against Tordeux et al. (2016, eqs. 2-5) and
JuPedSim 1.x (speed, cone, both repulsions). The defaults are JuPedSim's repulsion strengths and
ranges (a = 8, D = 0.1 m, a_W = 5, D_W = 0.02 m) with T = 0.7 s, a model radius l/2 = 0.14 m for
everyone, the repulsion from each person's body radius (0.2-0.3 m) and tau_e = 0.05 s. Measured
with persons walking on past the exits (``exit_walk_on_m``, :mod:`models.crowd.model`), three
seeds each:

* Bottleneck (``hazsim validate crowd_bottleneck``: jupedsim's test_13 geometry, a 2 m long
  bottleneck with a room behind, 150 persons, the pooled Kretz/Seyfried reference ~1.73-1.86
  1/(m s)): -7.2 % to +6.0 % at 0.8-2.5 m (seed 1: +3.4, +0.4, -6.3, +2.4, +0.3, +0.1 %; the 1.2 m
  door is the lowest in every seed: -6.3, -5.1, -7.2 %); everyone through. The measured 0.5 m
  bottleneck 040_c_56_h- replayed: all 75 through, flow 0.88-1.02 against 1.16 1/s, last crossing
  at 73-81 s against 65.6 s.
* A door in a wall (a 10 m x 10 m room, 150 persons, the exit on the door line): J/b = 1.97,
  2.04 and 1.99 1/(m s) through 0.8, 1.2 and 1.8 m (Kretz et al. 2006: about 1.8 through a door
  in a thin wall).
* Corridor diagram (``hazsim validate crowd_fundamental``, all ten HERMES runs, each person's
  speed the displacement over the data's 0.625 s): RMSE 0.079, 0.088 and 0.070 m/s (goal 0.10),
  bias +0.04 m/s. Below 0.75 persons/m2 the model is 0.10-0.12 m/s slow (lanes behind the
  entrance; nobody steps aside to overtake), at 0.9-2.1 0.06-0.12 fast, above 2.1 within 0.07.
* What each part does (seed 1, corridor RMSE / worst bottleneck error): the former defaults (T =
  0.8 s, l/2 = 0.15 m, q = r, no turning) 0.135 / -5.5 %: their crowd packs into lanes 0.3 m apart
  in front of a narrow exit, 5-6 persons/m2 where the measured corridor holds 3.4 at the same
  flow. The repulsion from the body radius alone: 0.068 / -18.8 % (a crowd keeps its shoulders
  apart, a door passes fewer); with T = 0.7 s and l/2 = 0.14 m: 0.097 / -8.7 %, but three persons
  at the 0.8 m bottleneck's entrance swap directions for minutes and never get through. tau_e =
  0.05 s ends that (all through); 0.1 s: 0.115 / -10.2 %, 0.3 s: 0.194 / -19.1 % (a crowd that
  turns slowly presses on into a jam). T = 0.6 s: 0.122 / +10.9 %; T = 0.65 s: 0.095 / -13.6 %.
  Turning the heading's angle (by dt / tau_e of it a step) in place of the average brings the
  deadlock back (3 of 150 left at 0.8 m in every seed): a repulsion that reverses e_i then turns
  the walk round, 36 degrees a step.
* RiMEA 4 (a corridor filled at random at 0.5-6 persons/m2, speeds over 1-3 s): up to 0.34 m/s
  above Weidmann's curve at 1.1-1.9 persons/m2, where the measured unidirectional HERMES corridor
  itself lies up to 0.33 above it.
* Tried earlier and not kept: a lateral avoidance term after the anticipation velocity model (Xu,
  Chraibi & Seyfried 2021, Transp. Res. C 133:103464; a_L = 1-2, D_L = 0.3-0.5 m, t_a = 1 s) lifted
  the slow bins but sped up the dense ones and took 20-44 % off the bottleneck flow; an elliptical
  body with the full shoulder width in the cone stopped two persons side by side at a bottleneck's
  entrance for good.

No wall crossing, ever
----------------------
After the model proposes q for an agent at p (the sub-step start; p0 is the start of the
caller's step, p0 = p for the speed model), the kernels:
  1. test the leg p -> q against every nearby segment ab with orientation tests
     o(a, b, c) = (b - a) x (c - a) (:func:`models.crowd.geometry.blocks`): the leg is
     *blocked* by ab unless p and q lie strictly on one side of line ab, or a and b lie
     strictly on one side of line pq (collinear: blocked if the projections overlap). Blocked
     includes touching, so it is a superset of a proper crossing (p, q strictly on opposite
     sides, the crossing point on the closed segment);
  2. if blocked, stop at the earliest blocking point X = p + t (q - p), t = o_p / (o_p - o_q),
     pulled back by eps along the wall normal towards p's side, and zero the velocity's normal
     component; if that point is itself blocked (a corner), stay at p;
  3. push the centre out to ``min_wall_distance`` from any wall closer than that;
  4. accept any position (2's, 3's) only if neither the leg p -> z nor the chord p0 -> z is
     blocked; otherwise keep the last accepted one, falling back to p.
Every accepted z is joined to p and to p0 by segments that no wall touches, and p0 -> p was
itself accepted: so between two consecutive positions (sub-step or caller step) the centre
never passes through a wall segment, by construction and whatever the forces. A segment
p -> z can only touch walls within max(|z - p|, |p0 - p|) of p; the kernels use the bucket of p
in the wall index (:class:`models.crowd.geometry.WallIndex`: segments within ``reach``) when
that distance plus 2 min_wall_distance is below reach, and test all segments otherwise
(:func:`models.crowd.geometry.wall_candidates`), so the guarantee does not depend on speeds.
An agent whose centre lies exactly on a wall stays there (no side to push it to): spawn
agents off walls.

Symbols
-------
============ ============================================================= ============
symbol       meaning                                                       unit
============ ============================================================= ============
x_i, v_i     position, velocity of agent i                                 m, m s-1
m_i          mass                                                          kg
tau_i        relaxation time                                               s
v0_i         desired speed                                                 m s-1
e_i, e0_i    direction (CSM: steered), desired direction (unit or zero)    1
h_i          CSM heading: the direction walked                             1
tau_e        CSM turning time of the heading                               s
q_i          CSM repulsion radius                                          m
r_i          body radius                                                   m
d_ij, s_ij   distance between centres                                      m
r_ij, l_ij   sum of radii r_i + r_j                                        m
n_ij, t_ij   unit normal (from j to i) and tangent                         1
A, B         social repulsion strength and range                           N, m
lambda       anisotropy: weight of persons behind                          1
w_ij         anisotropy weight of j seen by i                              1
phi_ij       angle between e_i and the direction from i to j               rad
A_W, B_W     wall repulsion strength and range                             N, m
c_v          speed cap v_max / v0                                          1
xi_i         fluctuating force                                             N
v_i^des      desired speed                                                 m s-1
d_h,i        headway: distance walkable along e_i before a contact         m
T_h          headway time of the desired speed                             s
k            body compression stiffness                                    kg s-2
kappa        sliding friction coefficient                                  kg m-1 s-1
g(x)         max(x, 0): contact only                                       m
d_iW, n_iW   distance to, and unit normal from, wall segment W             m, 1
a, D         CSM neighbour repulsion strength and range                    1, m
a_W, D_W     CSM wall repulsion strength and range                         1, m
T            CSM time gap                                                  s
V(s)         CSM speed function                                            m s-1
h            sub-step dt / n_sub                                           s
c            sub-step factor, h <= c sqrt(m/k)                             1
r_c, r_cW    agent-agent and agent-wall cut-off (centre distance)          m
eps          pull-back from a wall after a blocked move                    m
============ ============================================================= ============
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from models.crowd.agents import Agents
from models.crowd.geometry import (
    WallIndex,
    any_blocks,
    blocks,
    bucket_of,
    cell_coords,
    closest_point,
    orient,
    acts_once,
    segment_parameter,
    segment_point,
    wall_candidates,
)
from models.crowd.neighbours import ROW_RADIUS, ROW_VX, ROW_VY, ROW_X, ROW_Y, CellList

INF = math.inf
# Below this many active agents (walls) the kernels loop serially: starting threads would cost more
# than the work.
PARALLEL_MIN_AGENTS = 256
PARALLEL_MIN_WALLS = 64
# Agents per parallel work item; each item allocates one neighbour buffer.
CHUNK = 64
# Least sideways part of a CSM heading whose target lies behind it (the turn then grows by the
# factor 1 / (1 - 2 dt / tau_e) a step: round in about 0.3 s with the defaults).
REVERSAL_NUDGE = 1.0e-3


# -- parameters ----------------------------------------------------------------------------
def radius_arg(radius: float | None) -> float:
    """A kernel's form of an optional fixed radius (m): the radius, or 0 for each agent's own."""
    return 0.0 if radius is None else radius


@dataclass(frozen=True)
class SocialForceParams:
    """HFV (2000) parameters, the integration choices, and the wall guard (SI units)."""

    A: float = 2000.0  # N
    B: float = 0.08  # m
    k: float = 1.2e5  # kg s-2
    kappa: float = 2.4e5  # kg m-1 s-1
    lam: float = 1.0  # anisotropy lambda: 1 isotropic (HFV 2000)
    A_W: float = 2000.0  # N, wall repulsion strength
    B_W: float = 0.08  # m, wall repulsion range
    T_h: float = 0.0  # s, headway time of the desired speed (0: off, HFV)
    headway_radius: float | None = None  # m, r_h: half the length a body takes along e_i (None: its radius)
    speed_cap: float = 1.3  # v_max / v0 (Helbing & Molnar 1995)
    speed_floor: float = 1.3 * 1.34  # m/s, v_max of an agent whose 1.3 v0 is lower
    substep_factor: float = 0.1  # c in h <= c sqrt(m/k); see the module docstring
    repulsion_ranges: float = 8.0  # pair (wall) terms beyond a gap of this many B (B_W) are dropped
    min_wall_distance: float = 0.05  # m, centres are pushed out to this distance from walls
    pullback: float = 1.0e-6  # m, eps

    def cutoffs(self, r_max: float, v0_max: float = 0.0) -> tuple[float, float]:
        """(r_c, r_cW): agent-agent and agent-wall cut-offs (centre distances, m); r_c also covers the
        headway 2 r_max + v0_max T_h beyond which nobody limits the desired speed."""
        reach = max(self.repulsion_ranges * self.B, v0_max * self.T_h)
        return 2.0 * r_max + reach, r_max + self.repulsion_ranges * self.B_W

    def substeps(self, dt: float, m_min: float) -> int:
        """n_sub = ceil(dt / (c sqrt(m_min / k)))."""
        return max(1, int(math.ceil(dt / (self.substep_factor * math.sqrt(m_min / self.k)) - 1e-9)))


@dataclass(frozen=True)
class CollisionFreeSpeedParams:
    """Tordeux et al. (2016) parameters (SI units): JuPedSim 1.x CollisionFreeSpeedModel's repulsions,
    and the time gap and model radius of the calibration in the module docstring (JuPedSim's own
    T = 1 s with each body's radius: ``T=1.0, radius=None``)."""

    a: float = 8.0  # strength_neighbor_repulsion
    D: float = 0.1  # m, range_neighbor_repulsion
    a_wall: float = 5.0  # strength_geometry_repulsion
    D_wall: float = 0.02  # m, range_geometry_repulsion
    T: float = 0.7  # s, time_gap
    radius: float | None = 0.14  # m, l/2 of every agent (None: each agent's own body radius)
    repulsion_ranges: float = 10.0  # repulsion dropped beyond this many D (D_W) of gap
    min_wall_distance: float = 0.05  # m
    pullback: float = 1.0e-6  # m
    repulsion_radius: float | None = None  # m, r in R(s) (None: each agent's own body radius)
    turning_time: float = 0.05  # s, tau_e (0: the walking direction is e_i at once)

    def model_radius(self, r_max: float) -> float:
        """The largest radius l/2 the model uses when the largest body radius is r_max (m)."""
        return r_max if self.radius is None else self.radius

    def turning_rate(self, dt: float) -> float:
        """The kernels' turn argument: the fraction dt / tau_e (at most 1) of the way to e_i the heading
        turns per step; 0 without turning."""
        return 0.0 if self.turning_time <= 0.0 else min(1.0, dt / self.turning_time)

    def repulsion_cutoff(self, r_max: float) -> float:
        """r_rep: centre distance beyond which the neighbour repulsion is dropped."""
        r = r_max if self.repulsion_radius is None else self.repulsion_radius
        return 2.0 * r + self.repulsion_ranges * self.D

    def cutoffs(self, r_max: float, v0_max: float) -> tuple[float, float]:
        """(r_c, r_cW): r_c covers the repulsion and the headway l + v0 T that can slow anyone."""
        r = self.model_radius(r_max)
        r_c = max(2.0 * r + v0_max * self.T, self.repulsion_cutoff(r_max))
        return r_c, r + self.repulsion_ranges * self.D_wall


# -- the wall guard shared by both kernels ----------------------------------------------------
@njit(cache=True, error_model="numpy")
def guard_move(px, py, p0x, p0y, qx, qy, ux, uy, segments, wall_start, wall_ids, wx0, wy0, wh, wnx, wny,
               reach, d_min, eps):
    """Steps 1-4 of the module docstring: the accepted position and velocity after a move p -> q.

    (p0x, p0y) is the start of the caller's step. Returns (x, y, ux, uy).
    """
    if segments.shape[0] == 0:
        return qx, qy, ux, uy
    dq = math.sqrt((qx - px) ** 2 + (qy - py) ** 2)
    d0 = math.sqrt((p0x - px) ** 2 + (p0y - py) ** 2)
    need = max(dq, d0) + 2.0 * d_min + eps
    lo, hi, all_walls = wall_candidates(px, py, need, segments, wall_start, wall_ids, wx0, wy0, wh, wnx, wny, reach)
    # Farthest accepted point from p: walls within d_min of it are then still in the bucket.
    limit = INF if all_walls else reach - d_min
    # 1. The earliest wall the leg touches (lowest index on a tie).
    w_hit = -1
    t_hit = INF
    for kk in range(lo, hi):
        w = kk if all_walls else wall_ids[kk]
        ax = segments[w, 0]
        ay = segments[w, 1]
        bx = segments[w, 2]
        by = segments[w, 3]
        if blocks(ax, ay, bx, by, px, py, qx, qy):
            o_p = orient(ax, ay, bx, by, px, py)
            o_q = orient(ax, ay, bx, by, qx, qy)
            t = o_p / (o_p - o_q) if o_p != o_q else 0.0
            if t < t_hit:
                t_hit = t
                w_hit = w
    zx = qx
    zy = qy
    if w_hit >= 0:
        # 2. Stop at the wall, eps back on p's side; keep only the tangential velocity.
        ax = segments[w_hit, 0]
        ay = segments[w_hit, 1]
        bx = segments[w_hit, 2]
        by = segments[w_hit, 3]
        length = math.sqrt((bx - ax) ** 2 + (by - ay) ** 2)
        nx = -(by - ay) / length
        ny = (bx - ax) / length
        o_p = orient(ax, ay, bx, by, px, py)
        if o_p < 0.0 or (o_p == 0.0 and orient(ax, ay, bx, by, qx, qy) > 0.0):
            nx = -nx
            ny = -ny
        zx = px + t_hit * (qx - px) + eps * nx
        zy = py + t_hit * (qy - py) + eps * ny
        v_n = ux * nx + uy * ny
        ux -= v_n * nx
        uy -= v_n * ny
        if any_blocks(px, py, zx, zy, lo, hi, all_walls, segments, wall_ids):
            return px, py, 0.0, 0.0
    if any_blocks(p0x, p0y, zx, zy, lo, hi, all_walls, segments, wall_ids):
        return px, py, 0.0, 0.0
    # 3. Push the centre out to d_min from walls closer than that (two sweeps for corners).
    for _ in range(2):
        for kk in range(lo, hi):
            w = kk if all_walls else wall_ids[kk]
            cx, cy = closest_point(segments[w, 0], segments[w, 1], segments[w, 2], segments[w, 3], zx, zy)
            dx = zx - cx
            dy = zy - cy
            d = math.sqrt(dx * dx + dy * dy)
            if d >= d_min or d == 0.0:
                continue
            nx = dx / d
            ny = dy / d
            sx = cx + d_min * nx
            sy = cy + d_min * ny
            if math.sqrt((sx - px) ** 2 + (sy - py) ** 2) > limit:
                continue
            # 4. Accept only a point joined to p and to p0 without touching any wall.
            if any_blocks(px, py, sx, sy, lo, hi, all_walls, segments, wall_ids):
                continue
            if any_blocks(p0x, p0y, sx, sy, lo, hi, all_walls, segments, wall_ids):
                continue
            zx = sx
            zy = sy
            v_n = ux * nx + uy * ny
            if v_n < 0.0:
                ux -= v_n * nx
                uy -= v_n * ny
    return zx, zy, ux, uy


@njit(cache=True, error_model="numpy")
def settle(px, py, p0x, p0y, qx, qy, ux, uy, segments, wall_start, wall_ids, wx0, wy0, wh, wnx, wny, reach, d_min,
           eps):
    """:func:`guard_move`, skipped where it has nothing to do: no wall listed near p and a move short
    enough for the bucket to hold every wall it could touch (same result, fewer operations)."""
    if segments.shape[0] == 0:
        return qx, qy, ux, uy
    c = bucket_of(px, py, wx0, wy0, wh, wnx, wny)
    if wall_start[c] == wall_start[c + 1]:
        need = max(abs(qx - px) + abs(qy - py), abs(p0x - px) + abs(p0y - py)) + 2.0 * d_min + eps
        if need <= reach:  # the 1-norm bounds the distance
            return qx, qy, ux, uy
    return guard_move(px, py, p0x, p0y, qx, qy, ux, uy, segments, wall_start, wall_ids, wx0, wy0, wh, wnx, wny,
                      reach, d_min, eps)


# -- neighbour gathering shared by both models ------------------------------------------------
@njit(cache=True, error_model="numpy")
def block_capacity(cell_start, cnx, cny):
    """An upper bound of the agents in any 3 x 3 block of cells (9 x the fullest cell, at most
    all of them): the size of a neighbour buffer."""
    fullest = 0
    for c in range(cnx * cny):
        fullest = max(fullest, cell_start[c + 1] - cell_start[c])
    return min(9 * fullest, cell_start[cnx * cny])


@njit(cache=True, error_model="numpy")
def gather_neighbours(k_i, px, py, r_c2, cell_start, xs, ys, cx0, cy0, ch, cnx, cny, d2b, kb):
    """Neighbours of the agent at (px, py), k_i in cell order, closer than sqrt(r_c2); returns m.

    Writes kb = j's place in cell order and d2b = |x_i - x_j|^2 for the first m entries, in
    cell order. A coincident centre (d2 = 0) is kept: it has no normal (the forces skip it) but
    it is ahead (the speed model stops).
    """
    ix, iy = cell_coords(px, py, cx0, cy0, ch, cnx, cny)
    x_lo = max(ix - 1, 0)
    x_hi = min(ix + 2, cnx)
    m = 0
    for cy in range(max(iy - 1, 0), min(iy + 2, cny)):
        # Cells x_lo..x_hi - 1 of a row are consecutive in cell order: one contiguous run.
        for kk in range(cell_start[cy * cnx + x_lo], cell_start[cy * cnx + x_hi]):
            dx = px - xs[kk]
            dy = py - ys[kk]
            d2 = dx * dx + dy * dy
            if d2 < r_c2 and kk != k_i:
                d2b[m] = d2
                kb[m] = kk
                m += 1
    return m


# -- social force with contact (HFV 2000) ---------------------------------------------------
@njit(cache=True, error_model="numpy")
def _social_force_chunk(c, n_active, capacity, x, y, vx, vy, radius, v0, tau, mass, ex, ey, xi_x, xi_y,
                        x_start, y_start,
                        cell_start, cell_agents, xs, ys, rs, vxs, vys, cx0, cy0, ch, cnx, cny,
                        segments, wall_start, wall_ids, wx0, wy0, wh, wnx, wny, reach, end_vertex, vertex_start,
                        vertex_segments, A, B, lam, A_W, B_W, T_h, r_h, k, kappa, speed_cap, speed_floor, r_c, r_cW,
                        d_min, eps, h,
                        x_new, y_new, vx_new, vy_new, f_radial, compression):
    """Agents c CHUNK ... (c + 1) CHUNK - 1 in cell order (i: slot, k_i: place in cell order), sharing one
    neighbour buffer; each writes slot i of the outputs only."""
    d2b = np.empty(capacity)
    kb = np.empty(capacity, dtype=np.int64)
    r_c2 = r_c * r_c
    r_cW2 = r_cW * r_cW
    for k_i in range(c * CHUNK, min((c + 1) * CHUNK, n_active)):
        i = cell_agents[k_i]
        px = x[i]
        py = y[i]
        ux = vx[i]
        uy = vy[i]
        r_i = radius[i]
        m_i = mass[i]
        fx = xi_x[i]
        fy = xi_y[i]
        f_rad = 0.0
        e_x = ex[i]
        e_y = ey[i]
        d_h = math.inf  # distance walkable along e before touching someone (headway)
        m = gather_neighbours(k_i, px, py, r_c2, cell_start, xs, ys, cx0, cy0, ch, cnx, cny, d2b, kb)
        for q in range(m):
            if d2b[q] == 0.0:  # coincident centres have no normal
                continue
            kk = kb[q]
            d_ij = math.sqrt(d2b[q])
            n_x = (px - xs[kk]) / d_ij
            n_y = (py - ys[kk]) / d_ij
            overlap = r_i + rs[kk] - d_ij
            if T_h > 0.0:
                ahead = -(n_x * e_x + n_y * e_y) * d_ij  # e_i . (x_j - x_i)
                j = cell_agents[kk]
                if ahead > 0.0 and e_x * ex[j] + e_y * ey[j] > 0.0:  # ahead, walking the same way
                    r_ij = 2.0 * r_h if r_h > 0.0 else r_i + rs[kk]
                    side2 = d_ij * d_ij - ahead * ahead
                    if side2 < r_ij * r_ij:
                        d_h = min(d_h, ahead - math.sqrt(r_ij * r_ij - side2))
            # anisotropy: w = lam + (1 - lam)(1 + cos phi)/2, cos phi = -n_ij . e_i
            f_n = A * math.exp(overlap / B) * (lam + (1.0 - lam) * 0.5 * (1.0 - n_x * e_x - n_y * e_y))
            if overlap > 0.0:
                f_n += k * overlap
                f_rad += k * overlap
                t_x = -n_y
                t_y = n_x
                dv_t = (vxs[kk] - ux) * t_x + (vys[kk] - uy) * t_y
                fx += kappa * overlap * dv_t * t_x
                fy += kappa * overlap * dv_t * t_y
            fx += f_n * n_x
            fy += f_n * n_y
        if segments.shape[0] > 0:
            wc = bucket_of(px, py, wx0, wy0, wh, wnx, wny)
            for kk in range(wall_start[wc], wall_start[wc + 1]):
                w = wall_ids[kk]
                t = segment_parameter(segments[w, 0], segments[w, 1], segments[w, 2], segments[w, 3], px, py)
                qx, qy = segment_point(segments[w, 0], segments[w, 1], segments[w, 2], segments[w, 3], t)
                dx = px - qx
                dy = py - qy
                d2 = dx * dx + dy * dy
                if d2 >= r_cW2 or d2 == 0.0:
                    continue
                if not acts_once(w, t, px, py, segments, end_vertex, vertex_start, vertex_segments):
                    continue
                d_iW = math.sqrt(d2)
                n_x = dx / d_iW
                n_y = dy / d_iW
                overlap = r_i - d_iW
                f_n = A_W * math.exp(overlap / B_W)
                if overlap > 0.0:
                    f_n += k * overlap
                    f_rad += k * overlap
                    t_x = -n_y
                    t_y = n_x
                    v_t = ux * t_x + uy * t_y
                    fx -= kappa * overlap * v_t * t_x
                    fy -= kappa * overlap * v_t * t_y
                fx += f_n * n_x
                fy += f_n * n_y
        # Driving term m (v0 e - v) / tau (tau = inf: no driving), the desired speed limited by the
        # headway: v_des = min(v0, max(d_h, 0) / T_h) (Moussaid et al. 2011; T_h = 0: off).
        v_des = v0[i]
        if T_h > 0.0 and d_h < math.inf:
            v_des = min(v_des, max(d_h, 0.0) / T_h)
        fx += m_i * (v_des * e_x - ux) / tau[i]
        fy += m_i * (v_des * e_y - uy) / tau[i]
        # Symplectic Euler: velocity first, then position with the new velocity.
        ux += h * fx / m_i
        uy += h * fy / m_i
        v_max = max(speed_cap * v0[i], speed_floor)
        speed2 = ux * ux + uy * uy
        if speed2 > v_max * v_max:
            scale = v_max / math.sqrt(speed2)
            ux *= scale
            uy *= scale
        zx, zy, ux, uy = settle(px, py, x_start[i], y_start[i], px + h * ux, py + h * uy, ux, uy, segments,
                                wall_start, wall_ids, wx0, wy0, wh, wnx, wny, reach, d_min, eps)
        x_new[i] = zx
        y_new[i] = zy
        vx_new[i] = ux
        vy_new[i] = uy
        f_radial[i] = f_rad
        compression[i] = f_rad / (2.0 * math.pi * r_i)



@njit(cache=True, parallel=True, error_model="numpy")
def social_force_kernel(x, y, vx, vy, active, radius, v0, tau, mass, ex, ey, xi_x, xi_y,
                        x_start, y_start,
                        cell_start, cell_agents, ordered, cx0, cy0, ch, cnx, cny,
                        segments, wall_start, wall_ids, wx0, wy0, wh, wnx, wny, reach, end_vertex, vertex_start,
                        vertex_segments, A, B, lam, A_W, B_W, T_h, r_h, k, kappa, speed_cap, speed_floor, r_c, r_cW,
                        d_min, eps, h,
                        x_new, y_new, vx_new, vy_new, f_radial, compression):
    """One sub-step h of eq. (1), symplectic Euler, then the wall guard; writes the *_new arrays.

    Current state x, y, vx, vy (float[N]); per agent radius, v0, tau, mass, desired direction
    ex, ey; x_start, y_start: positions at the start of the caller's step (p0). Cell list
    (cell_start, cell_agents, and ``ordered`` with rows x, y, radius, vx, vy in cell order,
    see :class:`~models.crowd.neighbours.CellList`) over the grid (cx0, cy0, ch, cnx, cny),
    built from the current state; wall index as :class:`~models.crowd.geometry.WallIndex`.
    f_radial (N) and compression (N/m) are written for every slot (0 for free ones). Agents are
    visited in cell order (neighbours' data are close in memory), in chunks of CHUNK.
    """
    n_active = cell_start[cnx * cny]
    for i in range(x.size):
        if not active[i]:
            x_new[i] = x[i]
            y_new[i] = y[i]
            vx_new[i] = vx[i]
            vy_new[i] = vy[i]
            f_radial[i] = 0.0
            compression[i] = 0.0
    capacity = block_capacity(cell_start, cnx, cny)
    n_chunks = (n_active + CHUNK - 1) // CHUNK
    xs = ordered[ROW_X]
    ys = ordered[ROW_Y]
    rs = ordered[ROW_RADIUS]
    vxs = ordered[ROW_VX]
    vys = ordered[ROW_VY]
    if n_active >= PARALLEL_MIN_AGENTS:
        for c in prange(n_chunks):
            _social_force_chunk(c, n_active, capacity, x, y, vx, vy, radius, v0, tau, mass, ex, ey, xi_x, xi_y,
                                x_start, y_start,
                                cell_start, cell_agents, xs, ys, rs, vxs, vys, cx0, cy0, ch, cnx, cny, segments,
                                wall_start, wall_ids, wx0, wy0, wh, wnx, wny, reach, end_vertex, vertex_start,
                                vertex_segments, A, B, lam, A_W, B_W, T_h, r_h, k, kappa,
                                speed_cap,
                                speed_floor, r_c, r_cW, d_min, eps, h, x_new, y_new, vx_new, vy_new, f_radial,
                                compression)
    else:
        for c in range(n_chunks):
            _social_force_chunk(c, n_active, capacity, x, y, vx, vy, radius, v0, tau, mass, ex, ey, xi_x, xi_y,
                                x_start, y_start,
                                cell_start, cell_agents, xs, ys, rs, vxs, vys, cx0, cy0, ch, cnx, cny, segments,
                                wall_start, wall_ids, wx0, wy0, wh, wnx, wny, reach, end_vertex, vertex_start,
                                vertex_segments, A, B, lam, A_W, B_W, T_h, r_h, k, kappa,
                                speed_cap,
                                speed_floor, r_c, r_cW, d_min, eps, h, x_new, y_new, vx_new, vy_new, f_radial,
                                compression)


@njit(cache=True, error_model="numpy")
def _wall_load(w, cell_start, xs, ys, rs, r_max, k, cx0, cy0, ch, cnx, cny, segments, end_vertex, vertex_start,
               vertex_segments):
    """sum_i k g(r_i - d_iW) over the agents of the cells within r_max of wall w, in cell order."""
    ax = segments[w, 0]
    ay = segments[w, 1]
    bx = segments[w, 2]
    by = segments[w, 3]
    ix0, iy0 = cell_coords(min(ax, bx) - r_max, min(ay, by) - r_max, cx0, cy0, ch, cnx, cny)
    ix1, iy1 = cell_coords(max(ax, bx) + r_max, max(ay, by) + r_max, cx0, cy0, ch, cnx, cny)
    total = 0.0
    for cy in range(iy0, iy1 + 1):
        for kk in range(cell_start[cy * cnx + ix0], cell_start[cy * cnx + ix1 + 1]):
            t = segment_parameter(ax, ay, bx, by, xs[kk], ys[kk])
            qx, qy = segment_point(ax, ay, bx, by, t)
            d = math.sqrt((xs[kk] - qx) ** 2 + (ys[kk] - qy) ** 2)
            overlap = rs[kk] - d
            if overlap > 0.0 and d > 0.0 and acts_once(w, t, xs[kk], ys[kk], segments, end_vertex, vertex_start,
                                                        vertex_segments):
                total += k * overlap
    return total


@njit(cache=True, parallel=True, error_model="numpy")
def wall_contact_loads(cell_start, ordered, r_max, k, cx0, cy0, ch, cnx, cny, segments, end_vertex, vertex_start,
                       vertex_segments, out):
    """out[W] = sum_i k g(r_i - d_iW) (N): the normal contact load on each wall segment.

    One pass per wall over the agents of the cells within r_max of it, in cell order (walls in
    parallel when there are many: each writes only its own entry). Cell list as in
    :func:`social_force_kernel` (rows x, y, radius of ``ordered`` are read).
    """
    xs = ordered[ROW_X]
    ys = ordered[ROW_Y]
    rs = ordered[ROW_RADIUS]
    if segments.shape[0] >= PARALLEL_MIN_WALLS:
        for w in prange(segments.shape[0]):
            out[w] = _wall_load(w, cell_start, xs, ys, rs, r_max, k, cx0, cy0, ch, cnx, cny, segments, end_vertex,
                                vertex_start, vertex_segments)
    else:
        for w in range(segments.shape[0]):
            out[w] = _wall_load(w, cell_start, xs, ys, rs, r_max, k, cx0, cy0, ch, cnx, cny, segments, end_vertex,
                                vertex_start, vertex_segments)


@njit(cache=True, error_model="numpy")
def wall_contact_line_load(x, y, radius, active, k, segments, wall_start, wall_ids, wx0, wy0, wh, wnx, wny, reach,
                           end_vertex, vertex_start, vertex_segments, gx0, gy0, gdx, gdy, out):
    """out[j, i] += the wall contact forces k g(r_i - d_iW) (N) acting at points q of cell (j, i)
    (q: each touching segment's nearest point, shared vertices once), over the cell's side
    sqrt(gdx gdy): the load per metre of the wall crossing the cell (N/m). Agents in slot order."""
    ny, nx = out.shape
    side = math.sqrt(gdx * gdy)
    for i in range(x.size):
        if not active[i]:
            continue
        px = x[i]
        py = y[i]
        r_i = radius[i]
        wc = bucket_of(px, py, wx0, wy0, wh, wnx, wny)
        for kk in range(wall_start[wc], wall_start[wc + 1]):
            w = wall_ids[kk]
            t = segment_parameter(segments[w, 0], segments[w, 1], segments[w, 2], segments[w, 3], px, py)
            qx, qy = segment_point(segments[w, 0], segments[w, 1], segments[w, 2], segments[w, 3], t)
            d = math.sqrt((px - qx) ** 2 + (py - qy) ** 2)
            if d >= r_i or d == 0.0:
                continue
            if not acts_once(w, t, px, py, segments, end_vertex, vertex_start, vertex_segments):
                continue
            ci = min(max(int(math.floor((qx - gx0) / gdx)), 0), nx - 1)
            cj = min(max(int(math.floor((qy - gy0) / gdy)), 0), ny - 1)
            out[cj, ci] += k * (r_i - d) / side


# -- collision-free speed model (Tordeux et al. 2016) ---------------------------------------
@njit(cache=True, error_model="numpy")
def _collision_free_speed_chunk(c, n_active, capacity, x, y, radius, v0, ex, ey, hx, hy, cell_start, cell_agents, xs,
                                ys, rs, cx0, cy0, ch, cnx, cny, segments, wall_start, wall_ids, wx0, wy0, wh, wnx, wny,
                                reach, a, D, a_W, D_W, T, r_fix, r_rep_fix, turn, r_c, r_rep, r_cW, d_min, eps, dt,
                                x_new, y_new, vx_new, vy_new):
    """Agents c CHUNK ... (c + 1) CHUNK - 1 in cell order (i: slot, k_i: place in cell order), sharing one
    neighbour buffer; each writes slot i of the outputs only. r_fix > 0: every radius is r_fix."""
    d2b = np.empty(capacity)
    sb = np.empty(capacity)
    kb = np.empty(capacity, dtype=np.int64)
    r_c2 = r_c * r_c
    r_rep2 = r_rep * r_rep
    r_cW2 = r_cW * r_cW
    for k_i in range(c * CHUNK, min((c + 1) * CHUNK, n_active)):
        i = cell_agents[k_i]
        px = x[i]
        py = y[i]
        r_i = r_fix if r_fix > 0.0 else radius[i]
        q_i = r_rep_fix if r_rep_fix > 0.0 else radius[i]
        e_x = ex[i]
        e_y = ey[i]
        m = gather_neighbours(k_i, px, py, r_c2, cell_start, xs, ys, cx0, cy0, ch, cnx, cny, d2b, kb)
        for q in range(m):  # distances first: a loop the compiler vectorises
            sb[q] = math.sqrt(d2b[q])
        # Direction: desired direction plus exponential repulsion from neighbours and walls.
        for q in range(m):
            if d2b[q] < r_rep2 and d2b[q] > 0.0:
                kk = kb[q]
                s_ij = sb[q]
                q_j = r_rep_fix if r_rep_fix > 0.0 else rs[kk]
                R = a * math.exp((q_i + q_j - s_ij) / D) / s_ij
                e_x += R * (px - xs[kk])
                e_y += R * (py - ys[kk])
        if segments.shape[0] > 0:
            wc = bucket_of(px, py, wx0, wy0, wh, wnx, wny)
            for kk in range(wall_start[wc], wall_start[wc + 1]):
                w = wall_ids[kk]
                qx, qy = closest_point(segments[w, 0], segments[w, 1], segments[w, 2], segments[w, 3], px, py)
                dx = px - qx
                dy = py - qy
                d2 = dx * dx + dy * dy
                if d2 >= r_cW2 or d2 == 0.0:
                    continue
                d_iW = math.sqrt(d2)
                R = a_W * math.exp((r_i - d_iW) / D_W)
                e_x += R * dx / d_iW
                e_y += R * dy / d_iW
        norm = math.sqrt(e_x * e_x + e_y * e_y)
        if norm > 0.0:
            e_x /= norm
            e_y /= norm
            # Turning: the heading relaxes towards e_i over tau_e (only agent i reads or writes its
            # heading, so updating it in place is race-free).
            h_x = hx[i]
            h_y = hy[i]
            if turn > 0.0 and h_x * h_x + h_y * h_y > 0.0:
                cross = h_x * e_y - h_y * e_x
                if h_x * e_x + h_y * e_y < 0.0 and abs(cross) < REVERSAL_NUDGE:
                    # e_i (nearly) reversed: an unstable balance the average leaves slowly, or never;
                    # start the turn to the side e_i lies on (left when exactly behind)
                    side = REVERSAL_NUDGE if cross >= 0.0 else -REVERSAL_NUDGE
                    h_x -= side * h_y
                    h_y += side * hx[i]
                h_x += turn * (e_x - h_x)
                h_y += turn * (e_y - h_y)
                h_norm = math.sqrt(h_x * h_x + h_y * h_y)
                if h_norm > 0.0:
                    e_x = h_x / h_norm
                    e_y = h_y / h_norm
            hx[i] = e_x
            hy[i] = e_y
        # Speed: the smallest gap s_ij - l_ij to a neighbour in the cone ahead along e_i.
        gap = INF
        for q in range(m):
            kk = kb[q]
            dx = xs[kk] - px
            dy = ys[kk] - py
            if e_x * dx + e_y * dy < 0.0:  # behind
                continue
            l_ij = r_i + (r_fix if r_fix > 0.0 else rs[kk])
            if abs(e_x * dy - e_y * dx) > l_ij:  # beside the path
                continue
            gap = min(gap, sb[q] - l_ij)
        V = min(v0[i], max(0.0, gap / T))
        if norm == 0.0:
            V = 0.0
        ux = V * e_x
        uy = V * e_y
        zx, zy, ux, uy = settle(px, py, px, py, px + dt * ux, py + dt * uy, ux, uy, segments, wall_start, wall_ids,
                                wx0, wy0, wh, wnx, wny, reach, d_min, eps)
        x_new[i] = zx
        y_new[i] = zy
        vx_new[i] = ux
        vy_new[i] = uy


@njit(cache=True, parallel=True, error_model="numpy")
def collision_free_speed_kernel(x, y, active, radius, v0, ex, ey, hx, hy,
                                cell_start, cell_agents, ordered, cx0, cy0, ch, cnx, cny,
                                segments, wall_start, wall_ids, wx0, wy0, wh, wnx, wny, reach,
                                a, D, a_W, D_W, T, r_fix, r_rep_fix, turn, r_c, r_rep, r_cW, d_min, eps, dt,
                                x_new, y_new, vx_new, vy_new):
    """One step dt of eq. (2), first order, then the wall guard; writes the *_new arrays.

    r_fix > 0: the radius l/2 of every agent (else each agent's ``radius``). r_c: neighbour cut-off
    (headway), r_rep <= r_c: neighbour repulsion cut-off, r_cW: wall repulsion cut-off (centre
    distances, m). Cell list as in :func:`social_force_kernel` (rows
    x, y, radius of ``ordered`` are read).
    """
    n_active = cell_start[cnx * cny]
    for i in range(x.size):
        if not active[i]:
            x_new[i] = x[i]
            y_new[i] = y[i]
            vx_new[i] = 0.0
            vy_new[i] = 0.0
    capacity = block_capacity(cell_start, cnx, cny)
    n_chunks = (n_active + CHUNK - 1) // CHUNK
    xs = ordered[ROW_X]
    ys = ordered[ROW_Y]
    rs = ordered[ROW_RADIUS]
    if n_active >= PARALLEL_MIN_AGENTS:
        for c in prange(n_chunks):
            _collision_free_speed_chunk(c, n_active, capacity, x, y, radius, v0, ex, ey, hx, hy, cell_start,
                                        cell_agents, xs, ys, rs, cx0, cy0, ch, cnx, cny, segments, wall_start,
                                        wall_ids, wx0, wy0, wh, wnx, wny, reach, a, D, a_W, D_W, T, r_fix, r_rep_fix,
                                        turn, r_c, r_rep, r_cW, d_min, eps, dt, x_new, y_new, vx_new, vy_new)
    else:
        for c in range(n_chunks):
            _collision_free_speed_chunk(c, n_active, capacity, x, y, radius, v0, ex, ey, hx, hy, cell_start,
                                        cell_agents, xs, ys, rs, cx0, cy0, ch, cnx, cny, segments, wall_start,
                                        wall_ids, wx0, wy0, wh, wnx, wny, reach, a, D, a_W, D_W, T, r_fix, r_rep_fix,
                                        turn, r_c, r_rep, r_cW, d_min, eps, dt, x_new, y_new, vx_new, vy_new)


# -- drivers --------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def active_extents(active, radius, v0, mass):
    """(number of active agents, largest radius, largest desired speed, smallest mass) in one pass."""
    n = 0
    r_max = 0.0
    v0_max = 0.0
    m_min = INF
    for i in range(active.size):
        if active[i]:
            n += 1
            r_max = max(r_max, radius[i])
            v0_max = max(v0_max, v0[i])
            m_min = min(m_min, mass[i])
    return n, r_max, v0_max, m_min


@dataclass(eq=False)
class SocialForceBuffers:
    """Outputs and scratch of :func:`social_force_step`, allocated once.

    radial_force (N) and compression (N/m) per agent slot, wall_load (N) per wall segment,
    all from the last sub-step; x_start, y_start hold the positions at the start of the step;
    no_fluctuation is zero (the fluctuating force of a step without one).
    """

    radial_force: np.ndarray
    compression: np.ndarray
    wall_load: np.ndarray
    x_start: np.ndarray
    y_start: np.ndarray
    no_fluctuation: np.ndarray

    @classmethod
    def empty(cls, capacity: int, n_walls: int) -> SocialForceBuffers:
        return cls(*(np.zeros(capacity) for _ in range(2)), np.zeros(n_walls),
                   *(np.zeros(capacity) for _ in range(3)))

    def fit(self, capacity: int, n_walls: int) -> None:
        """Reallocate where the population or the walls outgrew the buffers."""
        if self.radial_force.size != capacity:
            self.radial_force, self.compression = np.zeros(capacity), np.zeros(capacity)
            self.x_start, self.y_start = np.zeros(capacity), np.zeros(capacity)
            self.no_fluctuation = np.zeros(capacity)
        if self.wall_load.size != n_walls:
            self.wall_load = np.zeros(n_walls)


def _check_indexes(cells: CellList, walls: WallIndex, r_c: float, r_cW: float) -> None:
    if cells.cell_size < r_c:
        raise ValueError(f"cell size {cells.cell_size} m is below the interaction cut-off {r_c:.3f} m")
    if walls.n_walls and walls.reach < r_cW:
        raise ValueError(f"wall index reach {walls.reach} m is below the wall cut-off {r_cW:.3f} m")


def social_force_step(agents: Agents, ex: np.ndarray, ey: np.ndarray, walls: WallIndex, cells: CellList,
                      params: SocialForceParams, dt: float, buffers: SocialForceBuffers,
                      n_sub: int | None = None, fluctuation: tuple[np.ndarray, np.ndarray] | None = None) -> int:
    """Advance the agents by dt (s) with eq. (1) in n_sub sub-steps; returns n_sub.

    ex, ey: desired direction per slot (unit or zero), held over the step. ``fluctuation``:
    the fluctuating force xi_i (N) per slot, x and y, held over the step (none: zero). n_sub
    defaults to :meth:`SocialForceParams.substeps` for the lightest active agent. The cell list
    is rebuilt every sub-step; its cell size must be >= r_c from :meth:`SocialForceParams.cutoffs`.
    """
    active = agents.active
    n_active, r_max, v0_max, m_min = active_extents(active, agents.radius, agents.desired_speed, agents.mass)
    if n_active == 0:
        return 0
    r_c, r_cW = params.cutoffs(r_max, v0_max)
    _check_indexes(cells, walls, r_c, r_cW)
    if n_sub is None:
        n_sub = params.substeps(dt, m_min)
    h = dt / n_sub
    buffers.fit(agents.capacity, walls.n_walls)
    xi_x, xi_y = fluctuation if fluctuation is not None else (buffers.no_fluctuation, buffers.no_fluctuation)
    np.copyto(buffers.x_start, agents.x)
    np.copyto(buffers.y_start, agents.y)
    for sub in range(n_sub):
        cells.build(agents.x, agents.y, active, agents.radius, agents.vx, agents.vy)
        social_force_kernel(agents.x, agents.y, agents.vx, agents.vy, active, agents.radius, agents.desired_speed,
                            agents.relaxation_time, agents.mass, ex, ey, xi_x, xi_y, buffers.x_start,
                            buffers.y_start,
                            *cells.kernel_args(), *walls.kernel_args(), *walls.vertex_args, params.A, params.B,
                            params.lam, params.A_W,
                            params.B_W, params.T_h, radius_arg(params.headway_radius), params.k, params.kappa,
                            params.speed_cap, params.speed_floor, r_c, r_cW, params.min_wall_distance,
                            params.pullback, h, agents.x_next, agents.y_next, agents.vx_next, agents.vy_next,
                            buffers.radial_force, buffers.compression)
        if sub == n_sub - 1 and walls.n_walls:
            # Same positions as the last kernel's forces: the cell list is still that of x, y.
            wall_contact_loads(cells.cell_start, cells.ordered, r_max, params.k, cells.x0, cells.y0,
                               cells.cell_size, cells.nx, cells.ny, walls.segments, *walls.vertex_args,
                               buffers.wall_load)
        agents.swap()
    return n_sub


def collision_free_speed_step(agents: Agents, ex: np.ndarray, ey: np.ndarray, walls: WallIndex, cells: CellList,
                              params: CollisionFreeSpeedParams, dt: float) -> None:
    """Advance the agents by dt (s) with eq. (2); the cell size must be >= r_c of
    :meth:`CollisionFreeSpeedParams.cutoffs`."""
    active = agents.active
    n_active, r_max, v0_max, _ = active_extents(active, agents.radius, agents.desired_speed, agents.mass)
    if n_active == 0:
        return
    r_c, r_cW = params.cutoffs(r_max, v0_max)
    r_rep = params.repulsion_cutoff(r_max)
    _check_indexes(cells, walls, r_c, r_cW)
    cells.build(agents.x, agents.y, active, agents.radius)
    collision_free_speed_kernel(agents.x, agents.y, active, agents.radius, agents.desired_speed, ex, ey,
                                agents.heading_x, agents.heading_y, *cells.kernel_args(), *walls.kernel_args(),
                                params.a, params.D, params.a_wall, params.D_wall, params.T, radius_arg(params.radius),
                                radius_arg(params.repulsion_radius), params.turning_rate(dt), r_c, r_rep, r_cW,
                                params.min_wall_distance, params.pullback, dt, agents.x_next, agents.y_next,
                                agents.vx_next, agents.vy_next)
    agents.swap()

