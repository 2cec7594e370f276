"""The crowd model's parameters: populations, stairs, the operational models' settings and the
scenario's crowd table (``[models.params]`` of a ``kind = "crowd"`` model); the equations they
enter are in :mod:`models.crowd.model` and :mod:`models.crowd.forces`."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from models.crowd.floor_field import ExitSpec
from models.crowd.forces import CollisionFreeSpeedParams, SocialForceParams
from models.crowd.geometry import GeometrySpec, Point
from sim.model import ModelParams

MAX_AGENTS = 200_000
MAX_RADIUS_M = 0.5
# The validated model of normal densities (corridor diagrams, bottleneck flows); scenarios of crushes
# ask for the social force, whose body contact forces decide what happens there.
DEFAULT_OPERATIONAL_MODEL = "collision_free_speed"
FLUCTUATION_N = 0.0  # N, the fluctuating force's standard deviation per component over 0.01 s
# Weidmann (1993), table of stair speeds: horizontal components (m/s).
WEIDMANN_STAIR_UP_M_S = 0.610
WEIDMANN_STAIR_DOWN_M_S = 0.694


class DesiredSpeed(ModelParams):
    """A truncated normal distribution of desired speeds (Weidmann 1993: 1.34 +- 0.26 m/s)."""

    mean_m_s: float = Field(1.34, gt=0)
    sd_m_s: float = Field(0.26, ge=0)
    min_m_s: float = Field(0.5, ge=0)
    max_m_s: float = Field(2.0, gt=0)

    @model_validator(mode="after")
    def _order(self):
        if not self.min_m_s <= self.mean_m_s <= self.max_m_s:
            raise ValueError("desired speed: need min_m_s <= mean_m_s <= max_m_s")
        return self


class PreMovementLogNormal(ModelParams):
    """A lognormal pre-movement time, ln(t_pre) ~ N(ln(median_s), log_sd), the shape ISO/TR
    16738:2009 and Purser & Bensilum (2001, Saf. Sci. 38:157) fit to observed pre-movement times."""

    median_s: float = Field(gt=0)
    log_sd: float = Field(ge=0, le=3, description="standard deviation of ln(t_pre)")
    max_s: float | None = Field(None, gt=0, description="resample above this (a truncated lognormal)")


class Stair(ModelParams):
    """A flight of stairs in plan: an area where the desired speed becomes the stair speed.

    Default speeds: Weidmann (1993), horizontal components of walking on stairs, 0.610 m/s
    up and 0.694 m/s down (adults, free flow). ``scale_with_person``: each person's stair
    speed is the tabulated one times v0_i / 1.34 (Weidmann's mean flat speed), so fast walkers
    also climb faster; otherwise everyone takes the stair speed (or their own v0_i, if lower).
    """

    name: str | None = None
    polygon_m: list[Point] | None = Field(None, min_length=3)
    box_m: tuple[float, float, float, float] | None = Field(None, description="x_min, y_min, x_max, y_max")
    up_direction: tuple[float, float] = Field(description="plan direction in which the stair rises")
    speed_up_m_s: float = Field(WEIDMANN_STAIR_UP_M_S, gt=0, le=3.0, description="horizontal speed going up")
    speed_down_m_s: float = Field(WEIDMANN_STAIR_DOWN_M_S, gt=0, le=3.0,
                                  description="horizontal speed going down")
    scale_with_person: bool = False

    @model_validator(mode="after")
    def _check(self):
        if (self.polygon_m is None) == (self.box_m is None):
            raise ValueError("a stair needs exactly one of polygon_m or box_m")
        if self.box_m is not None and not (self.box_m[0] < self.box_m[2] and self.box_m[1] < self.box_m[3]):
            raise ValueError("stair box_m must be (x_min, y_min, x_max, y_max) with min < max")
        if math.hypot(*self.up_direction) < 1e-9:
            raise ValueError("stair up_direction must be a non-zero plan vector (dx, dy)")
        return self

    @property
    def up_unit(self) -> tuple[float, float]:
        norm = math.hypot(*self.up_direction)
        return (self.up_direction[0] / norm, self.up_direction[1] / norm)


class SocialForceSettings(ModelParams):
    """The social force model's parameters (``[models.params.social_force]``); symbols as in
    :mod:`models.crowd.forces`. Defaults: the calibration of :class:`SocialForceParams`."""

    repulsion_strength_n: float = Field(SocialForceParams.A, ge=0, description="A")
    repulsion_range_m: float = Field(SocialForceParams.B, gt=0, le=1.0, description="B")
    anisotropy: float = Field(SocialForceParams.lam, ge=0, le=1, description="lambda: 1 isotropic")
    wall_repulsion_strength_n: float = Field(SocialForceParams.A_W, ge=0, description="A_W")
    wall_repulsion_range_m: float = Field(SocialForceParams.B_W, gt=0, le=1.0, description="B_W")
    body_stiffness_kg_s2: float = Field(SocialForceParams.k, gt=0, description="k")
    sliding_friction_kg_m_s: float = Field(SocialForceParams.kappa, ge=0, description="kappa")
    speed_cap: float = Field(SocialForceParams.speed_cap, ge=1, description="v_max / v0")
    headway_time_s: float = Field(SocialForceParams.T_h, ge=0, le=10.0, description="T_h: the desired speed is "
                                  "at most the headway over T_h (0: off)")
    headway_radius_m: float | None = Field(SocialForceParams.headway_radius, gt=0, le=MAX_RADIUS_M,
                                           description="r_h: half the length a body takes along its walking "
                                                       "direction in the headway; null: each person's radius")
    fluctuation_n: float = Field(FLUCTUATION_N, ge=0, description="standard deviation of each component of the "
                                                                  "fluctuating force xi_i over a 0.01 s step")

    def kernel_params(self) -> SocialForceParams:
        return SocialForceParams(A=self.repulsion_strength_n, B=self.repulsion_range_m, lam=self.anisotropy,
                                 A_W=self.wall_repulsion_strength_n, B_W=self.wall_repulsion_range_m,
                                 k=self.body_stiffness_kg_s2, kappa=self.sliding_friction_kg_m_s,
                                 speed_cap=self.speed_cap, T_h=self.headway_time_s,
                                 headway_radius=self.headway_radius_m)


class CollisionFreeSpeedSettings(ModelParams):
    """The collision-free speed model's parameters (``[models.params.collision_free_speed]``),
    named as JuPedSim names them; symbols as in :mod:`models.crowd.forces`."""

    strength_neighbor_repulsion: float = Field(CollisionFreeSpeedParams.a, ge=0, description="a")
    range_neighbor_repulsion_m: float = Field(CollisionFreeSpeedParams.D, gt=0, le=1.0, description="D")
    strength_geometry_repulsion: float = Field(CollisionFreeSpeedParams.a_wall, ge=0, description="a_W")
    range_geometry_repulsion_m: float = Field(CollisionFreeSpeedParams.D_wall, gt=0, le=1.0, description="D_W")
    time_gap_s: float = Field(CollisionFreeSpeedParams.T, gt=0, le=10.0, description="T")
    radius_m: float | None = Field(CollisionFreeSpeedParams.radius, gt=0, le=MAX_RADIUS_M,
                                   description="l/2, the radius the model gives every person (JuPedSim's agent "
                                               "radius); null: each person's own body radius")
    repulsion_radius_m: float | None = Field(CollisionFreeSpeedParams.repulsion_radius, gt=0, le=MAX_RADIUS_M,
                                             description="r in the neighbour repulsion; null: each person's own "
                                                         "body radius")
    turning_time_s: float = Field(CollisionFreeSpeedParams.turning_time, ge=0, le=10.0,
                                  description="tau_e: time the walking direction takes to turn towards e_i "
                                              "(0: at once)")

    def kernel_params(self) -> CollisionFreeSpeedParams:
        return CollisionFreeSpeedParams(a=self.strength_neighbor_repulsion, D=self.range_neighbor_repulsion_m,
                                        a_wall=self.strength_geometry_repulsion,
                                        D_wall=self.range_geometry_repulsion_m, T=self.time_gap_s,
                                        radius=self.radius_m, repulsion_radius=self.repulsion_radius_m,
                                        turning_time=self.turning_time_s)


class Source(ModelParams):
    """Where persons start (``count`` at t = 0) or arrive (``rate_per_s`` from ``start_s`` to ``end_s``)."""

    name: str | None = None
    polygon_m: list[Point] | None = Field(None, min_length=3)
    box_m: tuple[float, float, float, float] | None = Field(None, description="x_min, y_min, x_max, y_max")
    count: int = Field(0, ge=0)
    rate_per_s: float = Field(0.0, ge=0)
    start_s: float = Field(0.0, ge=0)
    end_s: float | None = Field(None, ge=0)
    desired_speed_m_s: float | DesiredSpeed = Field(default_factory=DesiredSpeed,
                                                    description="a fixed speed or a distribution")
    radius_m: float | tuple[float, float] = Field((0.2, 0.3), description="fixed, or uniform in (low, high)")
    mass_kg: float = Field(80.0, gt=0)
    relaxation_time_s: float = Field(0.5, gt=0)
    exit: str | None = Field(None, description="the exit these persons walk to (default: the nearest open one)")
    pre_movement_s: float | tuple[float, float] | PreMovementLogNormal = Field(
        0.0, description="time standing before walking: fixed, uniform in (low, high), or lognormal")

    @model_validator(mode="after")
    def _check(self):
        if (self.polygon_m is None) == (self.box_m is None):
            raise ValueError("a source needs exactly one of polygon_m or box_m")
        pre = self.pre_movement_s
        if isinstance(pre, tuple) and not 0 <= pre[0] <= pre[1]:
            raise ValueError(f"pre_movement_s: expected (low, high) with 0 <= low <= high, got {pre}")
        if isinstance(pre, (int, float)) and pre < 0:
            raise ValueError(f"pre_movement_s: expected >= 0 s, got {pre}")
        if self.box_m is not None and not (self.box_m[0] < self.box_m[2] and self.box_m[1] < self.box_m[3]):
            raise ValueError("box_m must be (x_min, y_min, x_max, y_max) with min < max")
        if self.rate_per_s > 0 and (self.end_s is None or self.end_s <= self.start_s):
            raise ValueError("a source with arrivals needs end_s > start_s (it bounds the number of agent slots)")
        radii = self.radius_m if isinstance(self.radius_m, tuple) else (self.radius_m, self.radius_m)
        if not 0 < radii[0] <= radii[1] <= MAX_RADIUS_M:
            raise ValueError(f"radius_m must lie in (0, {MAX_RADIUS_M}] m (and low <= high)")
        if isinstance(self.desired_speed_m_s, float) and self.desired_speed_m_s < 0:
            raise ValueError("desired_speed_m_s must be >= 0")
        return self

    @property
    def radius_range(self) -> tuple[float, float]:
        r = self.radius_m
        return (float(r[0]), float(r[1])) if isinstance(r, tuple) else (float(r), float(r))

    @property
    def max_desired_speed(self) -> float:
        v = self.desired_speed_m_s
        return float(v) if isinstance(v, (int, float)) else float(v.max_m_s)

    @property
    def expected_arrivals(self) -> float:
        return self.rate_per_s * (self.end_s - self.start_s) if self.rate_per_s > 0 else 0.0

    @property
    def slots(self) -> int:
        """Initial count plus a bound on the Poisson arrivals (see the module docstring)."""
        lam = self.expected_arrivals
        bound = int(math.ceil(1.5 * lam + 10.0 * math.sqrt(lam))) + 1 if lam > 0 else 0
        return self.count + bound


class CrowdParams(ModelParams):
    geometry: GeometrySpec
    exits: list[ExitSpec] = Field(min_length=1)
    closed_exits: list[str] = Field(default_factory=list, description="names of exits closed now")
    operational_model: Literal["social_force", "collision_free_speed"] = Field(
        DEFAULT_OPERATIONAL_MODEL, description="collision_free_speed: normal densities (validated against measured "
                                               "corridors and bottlenecks); social_force: body contact, for crushes")
    social_force: SocialForceSettings = Field(default_factory=SocialForceSettings)
    collision_free_speed: CollisionFreeSpeedSettings = Field(default_factory=CollisionFreeSpeedSettings)
    sources: list[Source] = Field(min_length=1)
    slope: tuple[float, float] = Field((0.0, 0.0), description="plane terrain: (dz/dx, dz/dy)")
    stairs: list[Stair] = Field(default_factory=list, description="areas walked at stair speeds")
    dt_s: float = Field(0.01, gt=0, le=0.1)
    smoothing_length_m: float = Field(1.0, gt=0, description="R of the Gaussian density and pressure fields")
    injury_threshold_n_m: float = Field(1600.0, gt=0, description="compression (radial force per unit "
                                                                   "circumference) above which injury is likely "
                                                                   "(HFV 2000)")
    crush_force_n: float = Field(623.0, gt=0, description="radial contact force sum reported as a crush: "
                                                          "623 N tolerable for men pushed against a bar "
                                                          "(Evans & Hayden 1971); Hopkins et al. 1993: death "
                                                          "4-6 min after 1112 N, 15 s after 6227 N")
    exit_choice: Literal["nearest", "quickest"] = Field(
        "quickest", description="persons without an assigned exit walk to the nearest open exit, or to the one "
                                "of least estimated time T_k / v0 + Q_k / C_k (queue-aware; see the docstring)")
    route_choice_interval_s: float = Field(1.0, gt=0, le=60.0, description="quickest: each person re-estimates "
                                                                          "their exit this often (staggered)")
    route_switch_gain: float = Field(0.1, ge=0, lt=1, description="quickest: switch only when the best exit's "
                                                                  "estimate is this fraction below the current one")
    route_switch_gain_s: float = Field(1.0, ge=0, description="quickest: ... and at least this many seconds below")
    exit_walk_on_m: float = Field(3.0, ge=0, le=20.0, description="persons who pass a line exit walk on this "
                                                                 "far beyond it before they leave the model (the "
                                                                 "space behind a door, which the persons just "
                                                                 "through still take up); 0: they leave at the line")
    specific_flow_per_m_s: float = Field(1.8, gt=0, le=5.0, description="J_s, persons per metre of exit width per "
                                                                        "second: an exit's capacity C_k = J_s w_k")

    @model_validator(mode="after")
    def _names(self):
        names = [e.name for e in self.exits]
        if any(n is None for n in names):
            raise ValueError("every crowd exit needs a name")
        if len(set(names)) != len(names):
            raise ValueError(f"exit names must be unique, got {names}")
        for name in self.closed_exits:
            if name not in names:
                raise ValueError(f"closed exit {name!r} is not an exit; the exits are {names}")
        for source in self.sources:
            if source.exit is not None and source.exit not in names:
                raise ValueError(f"source exit {source.exit!r} is not an exit; the exits are {names}")
        capacity = sum(s.slots for s in self.sources)
        if capacity > MAX_AGENTS:
            raise ValueError(f"the sources may bring up to {capacity} persons; at most {MAX_AGENTS} are supported")
        return self
