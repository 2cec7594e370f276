"""Crowd: pedestrians walking to exits through a walkable plan, with body contact for crush densities.

Governing equations
-------------------
Navigation (:mod:`models.crowd.floor_field`): each person walks, when unhindered, along the
desired direction e_i = -grad T / |grad T| of the travel time T to the nearest open exit (or
to the exit assigned to the person's source), the solution of the eikonal equation
|grad T| F = 1 by fast marching (Sethian 1996) on the simulation grid, with F = 1 m/s (so T
is the walking distance in metres). When ``closed_exits`` changes (an ``[[events]]`` entry)
the fields are marched again from that time on. Where T has no descent (e = 0: on an exit's
own cells, which a body narrower than a cell may reach before it touches the exit), a person
within a cell diagonal of the exit walks straight at the exit's nearest point.

Exit choice (``exit_choice``), for persons without an assigned exit (or whose assigned exit is
closed): ``nearest`` walks down the field to the nearest open exit; ``quickest`` (default)
estimates, as in the quickest-path strategy of Kemloh Wagoum, Seyfried & Holl (2012, Adv.
Complex Syst. 15:1250029; compare Kretz 2009, J. Stat. Mech. P03012), the time to leave by each
open exit k as the free walking time plus the time the persons ahead need to pass the exit,

    t_k(i) = T_k(x_i) / v0_i + Q_k(i) / C_k,     C_k = J_s w_k,

with T_k the walking distance to exit k alone (one field per exit, marched once), Q_k(i) the
persons heading for k whose T_k is smaller than person i's (nearest-cell values), and C_k the
exit's capacity: the specific flow J_s (1.8 persons per metre and second, about the bottleneck
flows of Seyfried et al. 2009, Transp. Sci. 43:395) times its width w_k (a line's length, a
polygon's perimeter, one body, 0.5 m, for a point). A person first takes the exit of least
t_k (at that moment nobody heads anywhere, so: the nearest), then re-estimates every
``route_choice_interval_s`` (staggered: person n at the phase frac(n g) of the interval, g the
golden ratio's fraction, so that the population does not decide at once, with no draw from the
run's generator; taken in rounds a tenth of the interval apart, CHOICE_ROUNDS, to bound the
cost; until their first round newcomers, and those whose exit closed, walk to the nearest
open exit) and switches only when the best exit's estimate undercuts the current one
by more than max(``route_switch_gain`` t_current, ``route_switch_gain_s``) (hysteresis against
oscillation). Persons who never walk (v0 = 0) are obstacles, not queue members: they count in no
Q_k. With a single exit the two choices are the same and no extra field is made. Why the
default: RiMEA test 11 expects a share of a crowd packed near one exit to take a farther one
because of the queue, which the nearest exit never gives.

Walking (:mod:`models.crowd.forces`), chosen by ``operational_model``:

- ``collision_free_speed`` (default): Tordeux, Chraibi & Seyfried (2016), dx_i/dt = V(s_i) h_i,
  with a turning heading h_i; the model of normal densities, validated against the measured
  corridor diagrams and bottleneck flows;
- ``social_force``: Helbing, Farkas & Vicsek (2000) with body compression and sliding friction,
  m_i dv_i/dt = m_i (v0_i e_i - v_i) / tau_i + sum_j f_ij + sum_W f_iW; the only one with contact
  forces, so the one to use at crush densities (its panic parameters overestimate normal
  flows through wide doors; see :mod:`models.crowd.forces`).

Both keep every centre from crossing a wall, whatever the forces.

Slope: on a plane terrain z = s_x x + s_y y (``slope`` = (dz/dx, dz/dy)) the desired speed of
each person is multiplied, every step, by Tobler's (1993) hiking function ratio

    v0_i(t) = v0_i W(s) / W(0),   W(s) = exp(-3.5 |s + 0.05|),   s = (s_x, s_y) . e_i(t),

with s the slope along the desired direction (positive uphill): 0.70 on a 10 % climb, the
fastest (1.19) on a 5 % descent. The navigation field itself stays isotropic (F = 1 m/s).

Stairs (``stairs``): an area (polygon or box) with its plan up direction u. A person on it walks,
instead of the slope-adjusted speed, at the stair's horizontal speed for their way, up where
e_i . u > 0: by default Weidmann's (1993) horizontal components for adults, 0.610 m/s up and
0.694 m/s down, capped at the person's own v0_i (or, with ``scale_with_person``, scaled by
v0_i / 1.34). The navigation fields see the stairs too: F = v_stair / 1.34 on stair cells (F = 1
elsewhere), so T is the flat-equivalent walking distance (a route over stairs costs its real
time); the way each stair cell is crossed comes from a first march at the slower stair speed.

Pre-movement (``pre_movement_s`` per source): each person stands (v0_i = 0; the forces of others
and the walls still act) for a time fixed, uniform in (low, high), or lognormal with median t_m
and log standard deviation s_l, ln t_pre ~ N(ln t_m, s_l) (ISO/TR 16738:2009; Purser &
Bensilum 2001), counted from when they enter; then walks (RiMEA test 5).

Populations (``sources``): ``count`` persons placed at t = 0 uniformly at random inside the
source's area (a polygon or a box) and the walkable space, without overlapping each other
and with the body clear of every wall (rejection sampling with the run's generator); and,
with ``rate_per_s``, Poisson arrivals between ``start_s`` and ``end_s`` placed the same way
when there is room (otherwise they wait, in order, and enter when room frees). The candidate
positions are drawn in batches and accepted in order by a compiled kernel (wall clearance and
overlap through a cell list); a source whose area is full tries again after a wait doubling from
one step up to PLACEMENT_BACKOFF_MAX_S (0.1 s), or at once when fewer persons stand in its area
than at the failed attempt, and spends PLACEMENT_TRIES candidates per person placed plus
PLACEMENT_EXTRA_TRIES on an attempt (the initial counts: PLACEMENT_TRIES per person). Per person:
desired speed from a normal distribution N(1.34, 0.26) m/s truncated to [0.5, 2.0] m/s
(Weidmann 1993's free walking speed; resampled until inside) unless fixed, radius uniform in
[0.2, 0.3] m unless fixed, mass 80 kg and relaxation time 0.5 s (HFV 2000).

Evacuation: a person whose body touches an open exit (centre within r_i of its line with its
foot on the line, i.e. in the doorway and not beside it; within r_i of a point or polygon
outline, or inside its polygon), or whose last step crossed its line, has left;
the model counts them per exit with their times. The part of a wall an open exit line lies
on is a door: the bodies do not feel it (so the wall's repulsion cannot hold people short of
the exit); closing the exit closes the door. The navigation fields keep every wall.

Walking on past a line exit (``exit_walk_on_m``, default 3 m): a person counted out through a
line exit is not removed there. They walk on along the exit's normal, away from the side they
came from (the segment nearest them), at their desired speed and under the same operational
model, and leave the model once they are ``exit_walk_on_m`` beyond where they were counted (or
WALK_ON_MAX_S after, at the latest; at once if the exit closes behind them). Why: a door's
capacity comes from the persons just through it, who still take up the space the next one
walks into. Removed on the line, each took the person ahead away with them, and a door in a
thin wall passed 5-8.5 persons/(m s) (a 10 m room, 150 persons, the collision-free speed
model), where measured doors pass about 1.8 (Kretz et al. 2006, J. Stat. Mech. P10014); walking
on, 2.0. 3 m is more than the headway l + v0 T = 1.4 m within which the collision-free speed
model feels the person ahead. Those walking on are outside the walkable plan (an open half-plane
beyond the door: nothing is known of it) and are still persons: in the agent fields, the
density, sound and images, and felt by the others; they are not in ``agents_present`` (they
have left). Polygon and point exits (areas one enters, such as a stairwell) remove persons as
they reach them.

Fields: per agent slot (``at = "agent"``; NaN where no one is in the slot) the person's id,
position, velocity, speed, radial contact force sum F_i (N), compression F_i / (2 pi r_i)
(N/m) and injury risk (1 where the compression exceeds ``injury_threshold_n_m``, HFV's
1600 N/m; 0 otherwise); on the grid, Helbing, Johansson & Al-Abideen's (2007) Gaussian
estimates (:mod:`models.crowd.crowd_fields`) of density, mean velocity, speed variance and
crowd pressure P = rho Var (critical about 0.02 s-2), Fruin's (1971) level of service, the
walls' contact line load (N/m: the contact forces k g(r_i - d_iW) of the social force acting
at wall points in a cell, over the cell's side, i.e. per metre of a wall crossing the cell once;
0 with the collision-free speed model, which keeps bodies off walls), and the walking distance
T to the nearest open exit; globally the persons present and evacuated.

Agent slots: the field arrays have a fixed length, ``agent_capacity``: the sum of the sources'
initial counts plus, per source with arrivals, a bound on its Poisson count over
[start_s, end_s] with mean lambda = rate (end_s - start_s): ceil(1.5 lambda + 10 sqrt(lambda)) + 1
(more than 10 standard deviations above the mean for lambda >= 1; at lambda = 1e4 the
bound is 16,001 against a 1e-23 chance of exceeding 11,000). A scenario whose bound exceeds
MAX_AGENTS (2e5) is refused. Should arrivals ever find every slot taken, they are dropped
and counted (``arrivals_dropped`` in the report). Person p keeps its slot while present;
slots are reused after people leave (the trajectories writer follows persons by
``agent_id``).

Renderers: microphones hear the crowd's voices (vocal effort rising with density),
screams of persons under injurious compression and footsteps (:mod:`models.crowd.sources`);
cameras see each person as an instance and the dense crowd as a region
(:mod:`models.crowd.visuals`); people counters and counting cameras read the agent and
density fields.

Symbols
=======
========  ======================================================  ==========
symbol    meaning                                                 unit
========  ======================================================  ==========
x_i, v_i  position, velocity of person i                          m, m s-1
v0_i      desired (free walking) speed                            m s-1
e_i       desired direction (floor field)                         1
r_i       body radius                                             m
m_i       mass                                                    kg
tau_i     relaxation time                                         s
T         walking distance to the nearest open exit (flat equiv.)  m
T_k       walking distance to exit k (flat equivalent)            m
t_k(i)    person i's estimated time to leave by exit k            s
Q_k(i)    persons heading for exit k nearer to it than person i    1
C_k       capacity (flow) of exit k, J_s w_k                      s-1
J_s       specific flow of an exit                                m-1 s-1
w_k       width of exit k                                         m
F_i       radial contact force sum                                N
C_i       compression F_i / (2 pi r_i)                            N m-1
s         slope along e_i (dz per metre walked)                   1
u         plan up direction of a stair (unit vector)              1
v_stair   horizontal walking speed on a stair, up or down         m s-1
F         floor speed of the navigation field (v_stair / 1.34)    1
t_pre     pre-movement time                                       s
W(s)      Tobler's hiking function (shape)                        1
rho       local density (Gaussian, smoothing length R)            m-2
Var       local velocity variance                                 m2 s-2
P         crowd pressure rho Var                                  s-2
lambda    expected arrivals of a source                           1
========  ======================================================  ==========

References: Helbing, Farkas & Vicsek 2000 (Nature 407:487); Tordeux, Chraibi & Seyfried 2016
(arXiv:1512.05597); Helbing, Johansson & Al-Abideen 2007 (PRE 75:046109); Weidmann 1993
(IVT Schriftenreihe 90); Tobler 1993 (NCGIA TR 93-1); Sethian 1996 (PNAS 93:1591); Fruin
1971; Evans & Hayden 1971 and Hopkins et al. 1993 via Lee & Hughes 2006 (Accid. Anal. Prev.
38:712); ISO/TR 16738:2009; Purser & Bensilum 2001 (Saf. Sci. 38:157); RiMEA 3.0 tests 1-15
(tests/models/crowd/test_rimea.py); Kemloh Wagoum, Seyfried & Holl 2012 (Adv. Complex Syst.
15:1250029); Kretz 2009 (J. Stat. Mech. P03012); Seyfried et al. 2009 (Transp. Sci. 43:395).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from models.crowd import crowd_fields, sources, visuals
from models.crowd.agents import Agents
from models.crowd.floor_field import ExitSpec, FloorField
from models.crowd.forces import (SocialForceBuffers, collision_free_speed_step, social_force_step,
                                 wall_contact_line_load)
from models.crowd.geometry import Geometry, WallIndex, blocks, closest_point
from models.crowd.neighbours import CellList
from models.crowd.params import MAX_RADIUS_M, CrowdParams, DesiredSpeed, PreMovementLogNormal, Source, Stair
from models.crowd.placement import accept_candidates, list_discs
from sim.fields import FieldSpec
from sim.grid import RasterGrid

TOBLER_RATE = 3.5  # per unit slope (Tobler 1993)
TOBLER_OFFSET = 0.05  # the fastest walking is on a 5 % descent
FLUCTUATION_STEP_S = 0.01  # s, the step the fluctuating force's fluctuation_n refers to
PLACEMENT_TRIES = 50  # candidate positions per person before a source counts as full
PLACEMENT_EXTRA_TRIES = 1000  # candidates beyond those, so that a nearly full area still finds its holes
PLACEMENT_BACKOFF_MAX_S = 0.1  # s, longest wait of a full source between two placement attempts
WEIDMANN_FLAT_M_S = 1.34  # m/s, Weidmann's (1993) mean free walking speed on the flat
ONE_PERSON_WIDE_M = 0.5  # m, the width a point exit passes: one body (shoulder breadth about 0.46 m, Fruin 1971)
GOLDEN_FRACTION = 0.5 * (math.sqrt(5.0) - 1.0)  # Weyl sequence frac(id g): evenly spread, rng-free phases
CHOICE_ROUNDS = 10  # exit choices are taken in this many rounds per route_choice_interval_s
WALK_ON_MAX_S = 30.0  # s, a person walking on past an exit leaves the model after this at the latest


def _chooses_quickest(params: CrowdParams) -> bool:
    """The quickest exit choice is on (and matters: there are at least two exits)."""
    return params.exit_choice == "quickest" and len(params.exits) >= 2


def _exit_field_indices(params: CrowdParams) -> list[int]:
    """The exits with a floor field of their own: the assigned ones, or every exit when choosing the quickest."""
    if _chooses_quickest(params):
        return list(range(len(params.exits)))
    names = [e.name for e in params.exits]
    return sorted({names.index(s.exit) for s in params.sources if s.exit is not None})


def _exit_width(exit: ExitSpec) -> float:
    """w_k (m): a line exit's length, a polygon exit's perimeter, a point exit one person wide."""
    if exit.point_m is not None:
        return ONE_PERSON_WIDE_M
    points = np.asarray(exit.line_m if exit.line_m is not None else list(exit.polygon_m) + [exit.polygon_m[0]])
    return max(float(np.hypot(*np.diff(points, axis=0).T).sum()), ONE_PERSON_WIDE_M)


def _filled(time: np.ndarray) -> np.ndarray:
    """T with every cell no exit reaches (walls, obstacles) given the value of the nearest cell that one does."""
    from scipy import ndimage

    reached = np.isfinite(time)
    if reached.all() or not reached.any():
        return time.copy()
    rows, cols = ndimage.distance_transform_edt(~reached, return_distances=False, return_indices=True)
    return time[rows, cols]


def tobler_ratio(slope_along: np.ndarray) -> np.ndarray:
    """W(s) / W(0) of Tobler's hiking function, W(s) = exp(-3.5 |s + 0.05|)."""
    return np.exp(-TOBLER_RATE * (np.abs(slope_along + TOBLER_OFFSET) - TOBLER_OFFSET))


def _agent(name: str, units: str, doc: str) -> FieldSpec:
    return FieldSpec(name, at="agent", units=units, intent="out", allow_nan=True, diagnostic=True,
                     running_max=False, doc=doc)


class Crowd:
    """Pedestrians walking to exits (social force or collision-free speed model) over a walkable plan."""

    name = "crowd"
    Params = CrowdParams
    summary_fields = ("crowd_density",)
    fixed_params = ("geometry", "exits", "sources", "exit_choice")
    references = ("Helbing, Farkas & Vicsek 2000 (Nature 407:487); Tordeux, Chraibi & Seyfried 2016 "
                  "(arXiv:1512.05597); Helbing, Johansson & Al-Abideen 2007 (PRE 75:046109); Weidmann 1993; "
                  "Tobler 1993 (NCGIA TR 93-1); Sethian 1996 (PNAS 93:1591); Fruin 1971; Kemloh Wagoum, Seyfried & "
                  "Holl 2012 (Adv. Complex Syst. 15:1250029)")

    fields = (
        _agent("agent_id", "1", "person id (stable while the person is present)"),
        _agent("agent_x", "m", "x of the person's centre"),
        _agent("agent_y", "m", "y of the person's centre"),
        _agent("agent_vx", "m s-1", "x velocity of the person"),
        _agent("agent_vy", "m s-1", "y velocity of the person"),
        _agent("agent_speed", "m s-1", "walking speed of the person"),
        _agent("agent_contact_force", "N", "radial contact force sum on the person's body"),
        _agent("agent_compression", "N m-1", "contact force per unit body circumference"),
        _agent("agent_injury_risk", "1", "compression above the injury threshold (1) or not (0)"),
        FieldSpec("crowd_density", at="cell", units="m-2", intent="out", diagnostic=True,
                  doc="local crowd density (Gaussian-weighted, persons per square metre)"),
        FieldSpec("crowd_velocity_x", at="cell", units="m s-1", intent="out", diagnostic=True, running_max=False,
                  doc="local mean crowd velocity, x component"),
        FieldSpec("crowd_velocity_y", at="cell", units="m s-1", intent="out", diagnostic=True, running_max=False,
                  doc="local mean crowd velocity, y component"),
        FieldSpec("crowd_speed_variance", at="cell", units="m2 s-2", intent="out", diagnostic=True,
                  running_max=False, doc="local variance of the persons' velocities"),
        FieldSpec("crowd_pressure", at="cell", units="s-2", intent="out", diagnostic=True,
                  doc="crowd pressure: density times velocity variance (turbulence near 0.02 s-2)"),
        FieldSpec("wall_contact_load", at="cell", units="N m-1", intent="out", diagnostic=True,
                  doc="contact force of bodies on the walls per metre of wall in the cell (social force)"),
        FieldSpec("crowd_level_of_service", at="cell", units="", intent="out", kind="level", diagnostic=True,
                  flag_values=(0, 1, 2, 3, 4, 5), flag_meanings=crowd_fields.FRUIN_MEANINGS,
                  doc="Fruin walkway level of service"),
        FieldSpec("floor_field_time", at="cell", units="m", intent="out", diagnostic=True, running_max=False,
                  allow_nan=True, doc="walking distance to the nearest open exit, stairs at their flat-equivalent "
                                      "length (NaN: none reachable)"),
        FieldSpec("agents_present", at="global", units="1", intent="out", diagnostic=True, running_max=False,
                  doc="persons in the scene"),
        FieldSpec("agents_evacuated", at="global", units="1", intent="out", diagnostic=True, running_max=False,
                  doc="persons who have left through an exit"),
    )

    def __init__(self, grid: RasterGrid, params: CrowdParams, rng: np.random.Generator) -> None:
        self.grid = grid
        self.params = params
        self.rng = rng
        p = params
        self.geometry = Geometry.from_spec(p.geometry)
        self.exit_names = [e.name for e in p.exits]
        self.agent_capacity = sum(s.slots for s in p.sources)
        self.agents = Agents.empty(self.agent_capacity)
        n = self.agent_capacity
        self.v0_base = np.zeros(n)  # desired speed on the flat
        self.target = np.full(n, -1, dtype=np.int64)  # assigned exit, -1: the nearest open one
        self.start_time = np.zeros(n)  # end of the person's pre-movement time (s)
        self._stair_paths = [self._area_path(stair) for stair in p.stairs]
        self.ex, self.ey = np.zeros(n), np.zeros(n)
        # Walking on past a line exit (see the module docstring): who has left and still walks on
        # (always an active slot: only _forget frees them), through which exit, along which unit
        # direction, from where, and until when at the latest.
        self.leaving = np.zeros(n, dtype=bool)
        self.leaving_exit = np.full(n, -1, dtype=np.int64)
        self.walk_on_x, self.walk_on_y = np.zeros(n), np.zeros(n)
        self.walk_on_from_x, self.walk_on_from_y = np.zeros(n), np.zeros(n)
        self.walk_on_until = np.zeros(n)
        # Navigation: one field to the nearest open exit, and one to each exit of its own for the
        # assigned exits (or, choosing the quickest, for every exit), marched once.
        self.floor = FloorField(self.geometry, grid, p.exits)
        self.quickest = _chooses_quickest(p)
        self.choice = np.full(n, -1, dtype=np.int64)  # quickest: the exit a person heads for, -1: none yet
        self.next_choice = np.full(n, np.inf)  # quickest: when the person next re-estimates (s)
        self.route_switches = 0
        self._choice_due_at = -np.inf  # quickest: no one re-estimates before this time (s)
        self.exit_floors: dict[int, FloorField] = {}
        for k in _exit_field_indices(p):
            self.exit_floors[k] = FloorField(self.geometry, grid, [p.exits[k]])
            self._march(self.exit_floors[k], ())
        # Quickest: T_k on every cell (walls take the nearest walkable cell's), for the queue ranking.
        self._exit_times = {k: _filled(field.time) for k, field in self.exit_floors.items()} if self.quickest else {}
        self._exit_widths = np.array([_exit_width(e) for e in p.exits])  # w_k (m)
        self._exit_segments = []  # per exit, float[k, 4]: its line, polygon outline or point
        self._exit_areas = []  # per exit, a matplotlib Path for a polygon exit, else None
        for e in p.exits:
            if e.point_m is not None:
                line = [e.point_m, e.point_m]
            else:
                line = list(e.line_m) if e.line_m is not None else list(e.polygon_m) + [e.polygon_m[0]]
            self._exit_segments.append(np.column_stack([np.asarray(line[:-1], float), np.asarray(line[1:], float)]))
            self._exit_areas.append(None if e.polygon_m is None else self._area_path(e))
        self._closed: tuple[str, ...] | None = None
        self.walls = None
        self._sync_exits()
        # The operational model's indexes, sized for the largest bodies and speeds the sources can bring (by
        # the model in use only: the other's settings must not change a run's neighbour order).
        self.sf_params = p.social_force.kernel_params()
        self.csm_params = p.collision_free_speed.kernel_params()
        r_max = max(s.radius_range[1] for s in p.sources)
        v_max = max(s.max_desired_speed for s in p.sources) * float(tobler_ratio(np.array([-TOBLER_OFFSET]))[0])
        v_max = max([v_max] + [max(st.speed_up_m_s, st.speed_down_m_s) for st in p.stairs])
        in_use = self.sf_params if p.operational_model == "social_force" else self.csm_params
        r_c, r_cw = in_use.cutoffs(r_max, v_max)
        self._wall_reach = max(r_cw, 2 * MAX_RADIUS_M) * 1.01
        self.walls = self._wall_index()
        x_min, y_min, x_max, y_max = self.geometry.bounds
        beyond = p.exit_walk_on_m + r_max  # those walking on past an exit stay out of the border cells
        self.cells = CellList.covering(x_min - beyond, y_min - beyond, x_max + beyond, y_max + beyond, r_c * 1.001,
                                       max(n, 1))
        self.buffers = SocialForceBuffers.empty(n, self.walls.n_walls)
        self._paths = [self._area_path(s) for s in p.sources]
        self._pending = [0] * len(p.sources)  # arrivals waiting for room, per source
        # A full source backs off: it tries again at _retry_at, or as soon as fewer persons stand in
        # its area than at the failed attempt (_occupancy), the wait doubling from one step.
        self._retry_at = [0.0] * len(p.sources)
        self._backoff = [0.0] * len(p.sources)
        self._occupancy = [0] * len(p.sources)
        # Bookkeeping.
        self.t = 0.0
        self.evacuated = 0
        self.exit_times: dict[str, list[float]] = {name: [] for name in self.exit_names}
        self.arrivals_dropped = 0
        self.spawned = 0
        self.max_compression_n_m = 0.0
        self.max_contact_force_n = 0.0
        self._injured_ids: set[int] = set()
        self._crushed_ids: set[int] = set()
        shape = grid.shape
        self._rho, self._vx, self._vy, self._var, self._wall_load = (np.zeros(shape) for _ in range(5))

    @classmethod
    def estimate_bytes(cls, grid: RasterGrid, params: CrowdParams) -> int:
        # About 12 grid arrays per floor field plus 2 per exit it holds; the quickest choice adds
        # the filled T_k per exit field; 4 Gaussian fields and the wall load; about 42 arrays per agent slot.
        n_exit_fields = len(_exit_field_indices(params))
        per_grid = 12 + 2 * len(params.exits) + 14 * n_exit_fields + (n_exit_fields if _chooses_quickest(params) else 0)
        capacity = sum(s.slots for s in params.sources)
        return (per_grid + 5) * grid.size * 8 + 42 * capacity * 8

    # -- set-up -----------------------------------------------------------------------------
    @staticmethod
    def _area_path(source: Source | Stair | ExitSpec):
        """The area of a source, stair (polygon or box) or polygon exit, as a matplotlib Path."""
        from matplotlib.path import Path as MplPath

        if getattr(source, "box_m", None) is not None:  # an exit has no box
            x0, y0, x1, y1 = source.box_m
            return MplPath([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
        return MplPath(source.polygon_m)

    def _sync_exits(self) -> None:
        """March the navigation fields again when the set of closed exits changed."""
        closed = tuple(sorted(set(self.params.closed_exits)))
        if closed == self._closed:
            return
        self._march(self.floor, closed)
        self._closed = closed
        # is_closed[k] for exit k; the extra last entry answers for k = -1 (no exit): False.
        self._is_closed = np.array([name in closed for name in self.exit_names] + [False])
        if self.walls is not None:
            self.walls = self._wall_index()
        # A door that closes behind those walking on past it: they are through, and leave the model.
        through = self.leaving & self._is_closed[self.leaving_exit]
        if through.any():
            self._forget(through)

    def _forget(self, mask: np.ndarray) -> None:
        """Remove the persons of ``mask`` who have already been counted out (walking on past an exit)."""
        self.agents.remove(mask)
        self.leaving[mask] = False
        self.leaving_exit[mask] = -1

    def _march(self, field: FloorField, closed) -> None:
        """March ``field`` with the exits ``closed`` closed. With stairs, the floor speed on a stair
        cell is the stair speed for the way people will cross it relative to the flat speed,
        F = v_stair / 1.34, so T stays a flat-equivalent walking distance: a first march at the
        slower of the two stair speeds gives the direction of travel (-grad T . u, u the up
        direction), a second one the field with the speed for that direction."""
        if not self.params.stairs:
            field.recompute(closed_exits=closed)
            return
        g = self.grid
        X, Y = np.meshgrid(g.x, g.y)
        centres = np.column_stack([X.ravel(), Y.ravel()])
        on_stair = [path.contains_points(centres).reshape(g.shape) for path in self._stair_paths]
        speed = np.ones(g.shape)
        for stair, mask in zip(self.params.stairs, on_stair):
            speed[mask] = min(stair.speed_up_m_s, stair.speed_down_m_s) / WEIDMANN_FLAT_M_S
        field.recompute(closed_exits=closed, speed=speed)
        for stair, mask in zip(self.params.stairs, on_stair):
            ux, uy = stair.up_unit
            going_up = field.direction_x * ux + field.direction_y * uy > 0.0
            speed[mask] = np.where(going_up, stair.speed_up_m_s, stair.speed_down_m_s)[mask] / WEIDMANN_FLAT_M_S
        field.recompute(closed_exits=closed, speed=speed)

    def _stair_speeds(self, v0: np.ndarray) -> np.ndarray:
        """Desired speeds with every person on a stair at the stair speed for the direction they walk
        (up where e_i . u > 0), the later stair of overlapping ones winning."""
        a = self.agents
        live = np.flatnonzero(a.active)
        if not live.size:
            return v0
        v0 = v0.copy()
        points = np.column_stack([a.x[live], a.y[live]])
        for stair, path in zip(self.params.stairs, self._stair_paths):
            inside = live[path.contains_points(points)]
            if not inside.size:
                continue
            ux, uy = stair.up_unit
            up = self.ex[inside] * ux + self.ey[inside] * uy > 0.0
            speed = np.where(up, stair.speed_up_m_s, stair.speed_down_m_s)
            if stair.scale_with_person:
                v0[inside] = speed * self.v0_base[inside] / WEIDMANN_FLAT_M_S
            else:
                v0[inside] = np.minimum(speed, self.v0_base[inside])
        return v0

    def _wall_index(self):
        """The walls the bodies feel: the geometry's segments less the parts an open exit line covers
        (a door in a wall is an opening; closing the exit closes it)."""
        closed = set(self._closed or ())
        doors = [self._exit_segments[k] for k, e in enumerate(self.params.exits)
                 if e.line_m is not None and e.name not in closed]
        segments = _open_doors(self.geometry.segments, np.concatenate(doors) if doors else np.zeros((0, 4)))
        return WallIndex.build(segments, self._wall_reach)

    def initialize(self, state) -> None:
        self.t = 0.0
        for k, source in enumerate(self.params.sources):
            if source.count:
                placed = self._place(k, source.count, 0.0)
                if placed < source.count:
                    raise ValueError(f"source {source.name or k}: room for only {placed} of {source.count} persons "
                                     "in its area (non-overlapping, off the walls)")
        self.diagnose(state, 0.0)

    def _draw_properties(self, source: Source, n: int) -> dict[str, np.ndarray]:
        rng = self.rng
        v = source.desired_speed_m_s
        if isinstance(v, DesiredSpeed):
            speeds = rng.normal(v.mean_m_s, v.sd_m_s, n)
            bad = (speeds < v.min_m_s) | (speeds > v.max_m_s)
            while bad.any():  # resample: a truncated normal
                speeds[bad] = rng.normal(v.mean_m_s, v.sd_m_s, int(bad.sum()))
                bad = (speeds < v.min_m_s) | (speeds > v.max_m_s)
        else:
            speeds = np.full(n, float(v))
        lo, hi = source.radius_range
        radius = rng.uniform(lo, hi, n) if hi > lo else np.full(n, lo)
        return {"desired_speed": speeds, "radius": radius, "pre_movement": self._draw_pre_movement(source, n)}

    def _draw_pre_movement(self, source: Source, n: int) -> np.ndarray:
        pre = source.pre_movement_s
        if isinstance(pre, PreMovementLogNormal):
            times = np.exp(self.rng.normal(math.log(pre.median_s), pre.log_sd, n))
            if pre.max_s is not None:
                over = times > pre.max_s
                while over.any():  # resample: a truncated lognormal
                    times[over] = np.exp(self.rng.normal(math.log(pre.median_s), pre.log_sd, int(over.sum())))
                    over = times > pre.max_s
            return times
        if isinstance(pre, tuple):
            return self.rng.uniform(pre[0], pre[1], n) if pre[1] > pre[0] else np.full(n, float(pre[0]))
        return np.full(n, float(pre))

    def _place(self, k: int, n: int, now: float, arrivals: bool = False) -> int:
        """Place up to n persons of source k where there is room at time ``now``; returns how many
        were placed. Candidates: PLACEMENT_TRIES per person plus PLACEMENT_EXTRA_TRIES; for
        ``arrivals`` only per person placed so far plus one, so a full area costs
        PLACEMENT_EXTRA_TRIES candidates, not PLACEMENT_TRIES per waiting person."""
        source = self.params.sources[k]
        if n <= 0:
            return 0
        room = self.agent_capacity - self.agents.count
        if room < n:
            self.arrivals_dropped += n - room
            n = room
            if n <= 0:
                return 0
        props = self._draw_properties(source, n)
        radius = props["radius"]
        path = self._paths[k]
        x0, y0 = path.vertices.min(axis=0)
        x1, y1 = path.vertices.max(axis=0)
        a = self.agents
        # Occupied discs that can reach into the area, in a cell list of side h = 2 r_max (a disc
        # overlapping a candidate lies within r + r' <= h of it: in its cell or the 8 around).
        h = 2.0 * max(MAX_RADIUS_M, float(radius.max()))
        near = np.flatnonzero(a.active & (a.x > x0 - h) & (a.x < x1 + h) & (a.y > y0 - h) & (a.y < y1 + h))
        disc_x = np.empty(near.size + n)
        disc_y = np.empty(near.size + n)
        disc_r = np.empty(near.size + n)
        disc_x[:near.size], disc_y[:near.size], disc_r[:near.size] = a.x[near], a.y[near], a.radius[near]
        ncx, ncy = int(math.ceil((x1 - x0) / h)) + 3, int(math.ceil((y1 - y0) / h)) + 3
        head = np.full(ncx * ncy, -1, dtype=np.int64)
        next_disc = np.full(near.size + n, -1, dtype=np.int64)
        counts = np.array([0, near.size], dtype=np.int64)  # persons placed, discs listed
        list_discs(disc_x, disc_y, near.size, x0 - h, y0 - h, h, ncx, ncy, head, next_disc)
        xs, ys = np.empty(n), np.empty(n)
        tries = 0
        while counts[0] < n:
            budget = PLACEMENT_TRIES * (int(counts[0]) + 1 if arrivals else n) + PLACEMENT_EXTRA_TRIES
            if tries >= budget:
                break
            batch = min(max(64, 2 * (n - int(counts[0]))), 4096)
            if arrivals and tries:  # a crowded area: the rest of the budget in one batch
                batch = min(max(64, budget - tries), 4096)
            tries += batch
            cx = self.rng.uniform(x0, x1, batch)
            cy = self.rng.uniform(y0, y1, batch)
            inside = path.contains_points(np.column_stack([cx, cy])) & self.geometry.contains(cx, cy)
            # In order: a candidate takes the next person if their body is off the walls and off everyone.
            accept_candidates(cx, cy, inside, radius, n, counts, disc_x, disc_y, disc_r, x0 - h, y0 - h, h, ncx,
                               ncy, head, next_disc, xs, ys, *self.walls.kernel_args())
        placed = int(counts[0])
        if placed:
            sl = slice(0, placed)
            slots = np.flatnonzero(~a.active)[:placed]  # spawn takes the lowest free slots, in order
            a.spawn(xs[sl], ys[sl], radius=radius[sl], desired_speed=props["desired_speed"][sl],
                    relaxation_time=source.relaxation_time_s, mass=source.mass_kg)
            self.v0_base[slots] = props["desired_speed"][sl]
            self.start_time[slots] = now + props["pre_movement"][sl]
            self.target[slots] = -1 if source.exit is None else self.exit_names.index(source.exit)
            self.choice[slots] = -1
            self.leaving[slots] = False
            self.leaving_exit[slots] = -1
            if self.quickest:  # first choice on the next step, then every interval from an own phase
                phase = np.modf(a.id[slots] * GOLDEN_FRACTION)[0]
                self.next_choice[slots] = now + phase * self.params.route_choice_interval_s
            self.spawned += placed
        return placed

    # -- the model ----------------------------------------------------------------------------
    def stable_dt(self, state) -> float:
        return self.params.dt_s

    def step(self, state, t: float, dt: float) -> None:
        p = self.params
        self._sync_exits()
        self._arrivals(t, dt)
        a = self.agents
        active = a.active
        if a.count:
            if self.quickest:
                self._choose_exits(t)
            self._directions()
            v0 = self.v0_base
            if p.slope != (0.0, 0.0):
                along = p.slope[0] * self.ex + p.slope[1] * self.ey
                v0 = self.v0_base * tobler_ratio(along)
            if p.stairs:
                v0 = self._stair_speeds(v0)
            # Pre-movement: standing (v0 = 0, still pushed by others) until start_time.
            v0 = np.where(t < self.start_time, 0.0, v0)
            np.copyto(a.desired_speed, np.where(active, v0, a.desired_speed))
            x_old, y_old = a.x.copy(), a.y.copy()
            if p.operational_model == "social_force":
                sigma = p.social_force.fluctuation_n * math.sqrt(FLUCTUATION_STEP_S / dt)  # white noise
                xi = self.rng.normal(0.0, sigma, (2, a.capacity)) if sigma > 0 else None
                social_force_step(a, self.ex, self.ey, self.walls, self.cells, self.sf_params, dt, self.buffers,
                                  fluctuation=xi)
                force, compression = self.buffers.radial_force, self.buffers.compression
                live = a.active
                if live.any():
                    self.max_compression_n_m = max(self.max_compression_n_m, float(compression[live].max()))
                    self.max_contact_force_n = max(self.max_contact_force_n, float(force[live].max()))
                    self._injured_ids.update(a.id[live & (compression > p.injury_threshold_n_m)].tolist())
                    self._crushed_ids.update(a.id[live & (force > p.crush_force_n)].tolist())
            else:
                collision_free_speed_step(a, self.ex, self.ey, self.walls, self.cells, self.csm_params, dt)
                self.buffers.radial_force[:] = 0.0
                self.buffers.compression[:] = 0.0
            self._evacuate(x_old, y_old, t + dt)
        self.t = t + dt

    def _heading(self) -> np.ndarray:
        """Per slot the exit a person walks to: the assigned one while open, else (quickest) their
        choice; -1: the nearest open exit (self.floor)."""
        free = self._is_closed[self.target] | (self.target < 0)
        if self.quickest:  # until their next round, those without an open choice take the nearest
            return np.where(free, np.where(self._is_closed[self.choice], -1, self.choice), self.target)
        return np.where(free, -1, self.target)

    def _directions(self) -> None:
        a = self.agents
        self.ex[:] = 0.0
        self.ey[:] = 0.0
        heading = np.where(a.active & ~self.leaving, self._heading(), -2)
        self.ex[self.leaving], self.ey[self.leaving] = self.walk_on_x[self.leaving], self.walk_on_y[self.leaving]
        for k in [-1] + sorted(self.exit_floors):
            idx = np.flatnonzero(heading == k)
            if idx.size:
                field = self.floor if k < 0 else self.exit_floors[k]
                ex, ey = field.direction(a.x[idx], a.y[idx])
                self.ex[idx], self.ey[idx] = ex, ey
                self._aim_at_exit(idx[(ex == 0.0) & (ey == 0.0)], k)

    def _aim_at_exit(self, idx: np.ndarray, k: int) -> None:
        """Persons on an exit's own cells, where the travel time has no descent (e = 0), but not yet
        touching it (a body narrower than the cell): walk straight at the exit's nearest point (of
        exit k, or of the nearest open exit for k < 0) when it is within a cell diagonal."""
        if not idx.size:
            return
        a, g = self.agents, self.grid
        exits = [k] if k >= 0 else np.flatnonzero(~self._is_closed[:-1])
        if not len(exits):
            return
        segments = np.concatenate([self._exit_segments[e] for e in exits])
        x, y = a.x[idx], a.y[idx]
        d, qx, qy = np.full(idx.size, np.inf), np.empty(idx.size), np.empty(idx.size)
        _nearest_on_segments(x, y, segments, d, qx, qy)
        aim = (d > 0.0) & (d <= math.hypot(g.dx, g.dy))
        self.ex[idx[aim]] = (qx - x)[aim] / d[aim]
        self.ey[idx[aim]] = (qy - y)[aim] / d[aim]

    def _choose_exits(self, t: float) -> None:
        """Quickest exit choice (see the module docstring): the persons due re-estimate
        t_k = T_k / v0_i + Q_k / C_k for each open exit and switch to the best one when it beats
        their current exit by the threshold; persons without a (still open) choice take the best."""
        if t < self._choice_due_at:
            return
        p, a = self.params, self.agents
        live = np.flatnonzero(a.active & ~self.leaving)
        free = (self.target[live] < 0) | self._is_closed[self.target[live]]
        open_exits = np.flatnonzero(~self._is_closed[:-1])
        current = self.choice[live]
        lost = free & ((current < 0) | self._is_closed[current])  # no choice yet, or its exit closed
        due = free & ((self.next_choice[live] <= t) | lost)
        # Rounds a tenth of the interval apart: those due since the last round decide together.
        self._choice_due_at = t + p.route_choice_interval_s / CHOICE_ROUNDS - 1e-9
        if not due.any():
            return
        if not open_exits.size:
            self.choice[live[due]] = -1
            return
        g = self.grid
        col = np.clip(((a.x[live] - g.x0) / g.dx).astype(np.int64), 0, g.nx - 1)
        row = np.clip(((a.y[live] - g.y0) / g.dy).astype(np.int64), 0, g.ny - 1)
        # Persons who never walk (v0 = 0) are obstacles, not queue members: they count in no Q_k,
        # and estimate at Weidmann's mean speed (their choice only sets where they face).
        heading = np.where(self.v0_base[live] > 0.0, self._heading()[live], -1)
        deciders = np.flatnonzero(due)
        v0 = self.v0_base[live[deciders]]
        v0 = np.where(v0 > 0.0, v0, WEIDMANN_FLAT_M_S)
        estimate = np.empty((open_exits.size, deciders.size))
        for m, k in enumerate(open_exits):
            distance = self._exit_times[k][row, col]  # T_k at every person (m)
            ahead = np.sort(distance[heading == k])
            queue = np.searchsorted(ahead, distance[deciders], side="left")  # Q_k: those strictly nearer
            estimate[m] = distance[deciders] / v0 + queue / (p.specific_flow_per_m_s * self._exit_widths[k])
        best = np.argmin(estimate, axis=0)  # ties: the exit listed first
        best_time = estimate[best, np.arange(deciders.size)]
        now = current[deciders]
        has_current = ~lost[deciders]
        m_now = np.searchsorted(open_exits, np.where(has_current, now, open_exits[0]))
        now_time = np.where(has_current, estimate[np.minimum(m_now, open_exits.size - 1), np.arange(deciders.size)],
                            np.inf)
        gain = now_time - best_time
        switch = ~has_current | (gain > np.maximum(p.route_switch_gain * now_time, p.route_switch_gain_s))
        chosen = np.where(switch, open_exits[best], now)
        self.route_switches += int(np.count_nonzero(has_current & (chosen != now)))
        slots = live[deciders]
        self.choice[slots] = chosen
        interval = p.route_choice_interval_s
        late = self.next_choice[slots] <= t  # the next scheduled time after t, keeping the phase
        self.next_choice[slots] = np.where(late, self.next_choice[slots]
                                           + interval * (np.floor((t - self.next_choice[slots]) / interval) + 1.0),
                                           self.next_choice[slots])

    def _arrivals(self, t: float, dt: float) -> None:
        for k, source in enumerate(self.params.sources):
            if source.rate_per_s > 0:
                overlap = min(t + dt, source.end_s) - max(t, source.start_s)
                if overlap > 0:
                    self._pending[k] += int(self.rng.poisson(source.rate_per_s * overlap))
            if self._pending[k] and (t >= self._retry_at[k] or self._in_area(k) < self._occupancy[k]):
                placed = self._place(k, self._pending[k], t, arrivals=True)
                self._pending[k] -= placed
                if self._pending[k]:  # the area is full: wait before the next attempt
                    self._backoff[k] = dt if placed else min(2.0 * self._backoff[k] or dt, PLACEMENT_BACKOFF_MAX_S)
                    self._retry_at[k] = t + self._backoff[k] - 0.5 * dt
                    self._occupancy[k] = self._in_area(k)
                else:
                    self._backoff[k] = 0.0
            if self._pending[k]:
                room = self.agent_capacity - self.agents.count
                if room <= 0 and self._pending[k]:
                    self.arrivals_dropped += self._pending[k]
                    self._pending[k] = 0

    def _in_area(self, k: int) -> int:
        """Persons whose centre lies in the bounding box of source k's area."""
        a = self.agents
        (x0, y0), (x1, y1) = self._paths[k].vertices.min(axis=0), self._paths[k].vertices.max(axis=0)
        return int(np.count_nonzero(a.active & (a.x >= x0) & (a.x <= x1) & (a.y >= y0) & (a.y <= y1)))

    def _evacuate(self, x_old: np.ndarray, y_old: np.ndarray, t: float) -> None:
        """Count out the persons whose body touches an open exit (centre within r_i of its shape,
        or inside its polygon) or whose step crossed its line. Through a line exit they walk on
        (``exit_walk_on_m``); the others, and those who have walked on far enough, leave the model."""
        a, p = self.agents, self.params
        idx = np.flatnonzero(a.active & ~self.leaving)
        if idx.size:
            x, y, r = a.x[idx], a.y[idx], a.radius[idx]
            left = np.full(idx.size, -1, dtype=np.int64)
            closed = set(self._closed)
            for k, name in enumerate(self.exit_names):
                if name in closed:
                    continue
                segments = self._exit_segments[k]
                crossed = np.empty(idx.size, dtype=np.bool_)
                _crosses(x_old[idx], y_old[idx], x, y, segments, crossed)
                if p.exits[k].line_m is not None:
                    touching = np.empty(idx.size, dtype=np.bool_)
                    _in_doorway(x, y, r, segments, touching)
                else:
                    distance = np.full(idx.size, np.inf)
                    _nearest_on_segments(x, y, segments, distance, np.empty(idx.size), np.empty(idx.size))
                    touching = distance <= r
                hit = touching | crossed
                if self._exit_areas[k] is not None:
                    hit |= self._exit_areas[k].contains_points(np.column_stack([x, y]))
                left[(left < 0) & hit] = k
            gone = left >= 0
            if gone.any():
                self.evacuated += int(np.count_nonzero(gone))
                walk_on = np.zeros(idx.size, dtype=bool)
                for k in np.unique(left[gone]):
                    mine = np.flatnonzero(left == k)
                    self.exit_times[self.exit_names[k]].extend([t] * mine.size)
                    if p.exit_walk_on_m <= 0.0 or p.exits[k].line_m is None:
                        continue
                    walk_on[mine] = True
                    slots = idx[mine]
                    ux, uy = np.empty(mine.size), np.empty(mine.size)
                    _walk_on_directions(x[mine], y[mine], x_old[slots], y_old[slots], a.vx[slots], a.vy[slots],
                                        self._exit_segments[k], ux, uy)
                    self.leaving[slots] = True
                    self.leaving_exit[slots] = k
                    self.walk_on_x[slots], self.walk_on_y[slots] = ux, uy
                    self.walk_on_from_x[slots], self.walk_on_from_y[slots] = x[mine], y[mine]
                    self.walk_on_until[slots] = t + WALK_ON_MAX_S
                mask = np.zeros(a.capacity, dtype=bool)
                mask[idx[gone & ~walk_on]] = True
                a.remove(mask)
        walking = np.flatnonzero(self.leaving)
        if walking.size:
            walked = ((a.x[walking] - self.walk_on_from_x[walking]) * self.walk_on_x[walking]
                      + (a.y[walking] - self.walk_on_from_y[walking]) * self.walk_on_y[walking])
            done = (walked >= p.exit_walk_on_m) | (t >= self.walk_on_until[walking])
            if done.any():
                mask = np.zeros(a.capacity, dtype=bool)
                mask[walking[done]] = True
                self._forget(mask)

    def diagnose(self, state, t: float) -> None:
        p, g, a = self.params, self.grid, self.agents
        live = a.active
        for name in ("agent_id", "agent_x", "agent_y", "agent_vx", "agent_vy", "agent_speed", "agent_contact_force",
                     "agent_compression", "agent_injury_risk"):
            state[name][...] = np.nan
        if live.any():
            state["agent_id"][live] = a.id[live]
            state["agent_x"][live] = a.x[live]
            state["agent_y"][live] = a.y[live]
            state["agent_vx"][live] = a.vx[live]
            state["agent_vy"][live] = a.vy[live]
            state["agent_speed"][live] = np.hypot(a.vx[live], a.vy[live])
            state["agent_contact_force"][live] = self.buffers.radial_force[live]
            state["agent_compression"][live] = self.buffers.compression[live]
            state["agent_injury_risk"][live] = (self.buffers.compression[live] > p.injury_threshold_n_m)
        crowd_fields.gaussian_fields(np.ascontiguousarray(a.x[live]), np.ascontiguousarray(a.y[live]),
                                     np.ascontiguousarray(a.vx[live]), np.ascontiguousarray(a.vy[live]),
                                     g.x0, g.y0, g.dx, g.dy, p.smoothing_length_m, self._rho, self._vx, self._vy,
                                     self._var)
        state["crowd_density"][...] = self._rho
        state["crowd_velocity_x"][...] = self._vx
        state["crowd_velocity_y"][...] = self._vy
        state["crowd_speed_variance"][...] = self._var
        state["crowd_pressure"][...] = self._rho * self._var
        state["crowd_level_of_service"][...] = crowd_fields.fruin_level(self._rho)
        self._wall_load[...] = 0.0
        if p.operational_model == "social_force" and live.any() and self.walls.n_walls:
            wall_contact_line_load(a.x, a.y, a.radius, live, self.sf_params.k, *self.walls.kernel_args(),
                                   *self.walls.vertex_args, g.x0, g.y0, g.dx, g.dy, self._wall_load)
        state["wall_contact_load"][...] = self._wall_load
        time = self.floor.time
        state["floor_field_time"][...] = np.where(np.isfinite(time), time, np.nan)
        state["agents_present"][...] = self.present
        state["agents_evacuated"][...] = self.evacuated

    # -- reporting --------------------------------------------------------------------------
    @property
    def present(self) -> int:
        """Persons in the model not yet counted out (those walking on past an exit have left)."""
        return self.agents.count - int(np.count_nonzero(self.leaving))

    def report(self) -> dict:
        last = [max(times) for times in self.exit_times.values() if times]
        return {"evacuated": int(self.evacuated),
                "present": self.present,
                "waiting_to_enter": int(sum(self._pending)),
                "arrivals_dropped": int(self.arrivals_dropped),
                "time_of_last_exit_s": float(max(last)) if last else None,
                "evacuated_by_exit": {name: len(times) for name, times in self.exit_times.items()},
                "last_exit_time_by_exit_s": {name: (float(max(times)) if times else None)
                                             for name, times in self.exit_times.items()},
                "max_compression_n_m": float(self.max_compression_n_m),
                "max_contact_force_n": float(self.max_contact_force_n),
                "agents_above_injury_threshold": len(self._injured_ids),
                "agents_above_crush_force": len(self._crushed_ids),
                "route_switches": int(self.route_switches)}

    def summary(self, peaks: dict[str, np.ndarray], grid: RasterGrid) -> list[str]:
        r = self.report()
        lines = [f"{r['evacuated']} persons evacuated, {r['present']} still present"
                 + (f"; last exit at {r['time_of_last_exit_s']:.1f} s" if r["time_of_last_exit_s"] is not None else "")]
        used = ", ".join(f"{name} {n}" for name, n in r["evacuated_by_exit"].items())
        lines.append(f"by exit: {used}")
        if "crowd_density" in peaks:
            lines.append(f"largest local density {float(peaks['crowd_density'].max()):.3g} persons/m2")
        if self.params.operational_model == "social_force":
            lines.append(f"largest compression {r['max_compression_n_m']:.4g} N/m; "
                         f"{r['agents_above_injury_threshold']} persons above "
                         f"{self.params.injury_threshold_n_m:g} N/m, {r['agents_above_crush_force']} above "
                         f"{self.params.crush_force_n:g} N of contact force")
        if self.quickest:
            lines.append(f"{r['route_switches']} switches of exit (quickest exit choice)")
        if r["arrivals_dropped"]:
            lines.append(f"{r['arrivals_dropped']} arrivals dropped: every agent slot was taken")
        return lines

    def acoustic_sources(self, state, t):
        return sources.acoustic_sources(self, state, t)

    def visual_layers(self, state, t):
        return visuals.visual_layers(self, state, t)


@njit(cache=True)
def _crosses(x0, y0, x1, y1, segments, out):
    """out[i] = the move (x0[i], y0[i]) -> (x1[i], y1[i]) touches or crosses one of the segments."""
    for i in range(x0.size):
        out[i] = False
        for w in range(segments.shape[0]):
            if blocks(segments[w, 0], segments[w, 1], segments[w, 2], segments[w, 3], x0[i], y0[i], x1[i], y1[i]):
                out[i] = True
                break


@njit(cache=True)
def _walk_on_directions(x, y, x_old, y_old, vx, vy, segments, ux, uy):
    """(ux[i], uy[i]): the unit normal of the exit segment nearest (x[i], y[i]) that points away
    from the side person i came from (the side of (x_old[i], y_old[i]); on the line itself, the
    side their velocity leaves)."""
    for i in range(x.size):
        best = np.inf
        nx, ny, side = 0.0, 0.0, 0.0
        for w in range(segments.shape[0]):
            ax, ay, bx, by = segments[w, 0], segments[w, 1], segments[w, 2], segments[w, 3]
            cx, cy = closest_point(ax, ay, bx, by, x[i], y[i])
            d = math.hypot(x[i] - cx, y[i] - cy)
            length = math.hypot(bx - ax, by - ay)
            if d < best and length > 0.0:
                best = d
                nx, ny = -(by - ay) / length, (bx - ax) / length
                side = nx * (x_old[i] - ax) + ny * (y_old[i] - ay)
                if side == 0.0:
                    side = -(nx * vx[i] + ny * vy[i])
        if side > 0.0:
            nx, ny = -nx, -ny
        ux[i], uy[i] = nx, ny


@njit(cache=True)
def _in_doorway(x, y, r, segments, out):
    """out[i]: the body of person i (centre (x[i], y[i]), radius r[i]) touches one of the segments
    from straight in front: its centre lies within r[i] of the segment's line and its foot on the
    segment. A body that only touches a segment's end from beside it stands in front of the wall
    the door is cut into, not in the doorway."""
    for i in range(x.size):
        out[i] = False
        for w in range(segments.shape[0]):
            ax, ay, bx, by = segments[w, 0], segments[w, 1], segments[w, 2], segments[w, 3]
            ux, uy = bx - ax, by - ay
            length2 = ux * ux + uy * uy
            if length2 == 0.0:
                continue
            t = ((x[i] - ax) * ux + (y[i] - ay) * uy) / length2
            if 0.0 <= t <= 1.0 and abs((x[i] - ax) * uy - (y[i] - ay) * ux) <= r[i] * math.sqrt(length2):
                out[i] = True
                break


@njit(cache=True)
def _nearest_on_segments(x, y, segments, distance, qx, qy):
    """Where one of the segments comes nearer to (x[i], y[i]) than distance[i]: distance[i] and
    (qx[i], qy[i]) become that distance and that segment's nearest point."""
    for i in range(x.size):
        for w in range(segments.shape[0]):
            cx, cy = closest_point(segments[w, 0], segments[w, 1], segments[w, 2], segments[w, 3], x[i], y[i])
            d = math.hypot(x[i] - cx, y[i] - cy)
            if d < distance[i]:
                distance[i], qx[i], qy[i] = d, cx, cy


def _open_doors(walls: np.ndarray, doors: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """The wall segments less their parts covered by (collinear with, and overlapping) a door segment."""
    out = []
    for ax, ay, bx, by in walls:
        ux, uy = bx - ax, by - ay
        length2 = ux * ux + uy * uy
        pieces = [(0.0, 1.0)]
        scale = math.sqrt(length2)
        for cx, cy, dx, dy in doors:
            if length2 == 0.0:
                break
            off_c = abs(ux * (cy - ay) - uy * (cx - ax)) / scale
            off_d = abs(ux * (dy - ay) - uy * (dx - ax)) / scale
            if off_c > tol * max(1.0, scale) or off_d > tol * max(1.0, scale):
                continue
            t0 = ((cx - ax) * ux + (cy - ay) * uy) / length2
            t1 = ((dx - ax) * ux + (dy - ay) * uy) / length2
            lo, hi = min(t0, t1), max(t0, t1)
            kept = []
            for p, q in pieces:
                if hi <= p or lo >= q:
                    kept.append((p, q))
                    continue
                if lo > p:
                    kept.append((p, lo))
                if hi < q:
                    kept.append((hi, q))
            pieces = kept
        for p, q in pieces:
            if (q - p) * scale > tol:
                out.append((ax + p * ux, ay + p * uy, ax + q * ux, ay + q * uy))
    return np.array(out, dtype=np.float64).reshape(-1, 4)
