"""Agents as a struct of arrays, with next-state buffers for compute-then-swap updates.

Every per-agent quantity is one float64 (or int64 / bool) array of length ``capacity``; slot
``i`` of every array is the same agent. A slot is either active (an agent lives in it) or free.
Kernels read the current state (x, y, vx, vy) and write the next one (x_next, y_next, vx_next,
vy_next) for every slot, never reading what they write in the same pass; :meth:`Agents.swap`
then exchanges the two sets. Free slots are copied through unchanged.

================ ================================================================ =======
array            meaning                                                          unit
================ ================================================================ =======
x, y             centre of the body (disc) in the plane                           m
vx, vy           velocity                                                         m s-1
radius           body radius r_i (half the shoulder width)                        m
desired_speed    v0_i, the speed the agent walks at when unhindered               m s-1
relaxation_time  tau_i, time to relax to the desired velocity (Helbing et al.)    s
mass             m_i                                                              kg
heading_x, _y    the direction the collision-free speed model walks, turning      1
                 towards its steered direction (0, 0: none yet). A kernel reads
                 and writes only its own agent's heading, so it has no next buffer
id               stable identifier, unique over the life of the population; -1    1
                 in a free slot
active           True where an agent lives in the slot                            1
================ ================================================================ =======

Defaults follow Helbing, Farkas & Vicsek (2000), Nature 407:487: m = 80 kg, tau = 0.5 s,
radii 0.25-0.35 m; desired speed 1.34 m/s is Weidmann's (1993) free walking speed.

Slots are reused: :meth:`Agents.spawn` fills the lowest free slots first (and grows the
arrays when there are too few), :meth:`Agents.remove` frees slots. Ids never change while
an agent lives and are never given again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Defaults of spawn: Helbing, Farkas & Vicsek (2000) and Weidmann (1993).
DEFAULT_RADIUS_M = 0.25
DEFAULT_DESIRED_SPEED_M_S = 1.34
DEFAULT_RELAXATION_TIME_S = 0.5
DEFAULT_MASS_KG = 80.0

_FLOAT_FIELDS = ("x", "y", "vx", "vy", "radius", "desired_speed", "relaxation_time", "mass", "heading_x", "heading_y")
_NEXT_FIELDS = ("x_next", "y_next", "vx_next", "vy_next")


@dataclass(eq=False)
class Agents:
    """A population of disc-shaped agents, struct of arrays (see the module docstring)."""

    x: np.ndarray
    y: np.ndarray
    vx: np.ndarray
    vy: np.ndarray
    radius: np.ndarray
    desired_speed: np.ndarray
    relaxation_time: np.ndarray
    mass: np.ndarray
    heading_x: np.ndarray
    heading_y: np.ndarray
    id: np.ndarray
    active: np.ndarray
    x_next: np.ndarray
    y_next: np.ndarray
    vx_next: np.ndarray
    vy_next: np.ndarray
    next_id: int = 0

    @classmethod
    def empty(cls, capacity: int) -> Agents:
        """A population with ``capacity`` free slots."""
        if capacity < 0:
            raise ValueError(f"capacity must be >= 0, got {capacity}")
        arrays = {name: np.zeros(capacity) for name in _FLOAT_FIELDS + _NEXT_FIELDS}
        return cls(**arrays, id=np.full(capacity, -1, dtype=np.int64), active=np.zeros(capacity, dtype=bool))

    @property
    def capacity(self) -> int:
        return int(self.x.size)

    @property
    def count(self) -> int:
        """Number of active agents."""
        return int(np.count_nonzero(self.active))

    def spawn(self, x, y, *, vx=0.0, vy=0.0, radius=DEFAULT_RADIUS_M, desired_speed=DEFAULT_DESIRED_SPEED_M_S,
              relaxation_time=DEFAULT_RELAXATION_TIME_S, mass=DEFAULT_MASS_KG) -> np.ndarray:
        """Add agents at (x, y); every argument is a scalar or an array of the same length.

        Returns the new agents' ids (int64, ascending). The agents take the lowest free slots,
        in order; the arrays grow (to twice the capacity, or what is needed) when too few are free.
        """
        x = np.atleast_1d(np.asarray(x, dtype=np.float64))
        n = x.size
        values = {"x": x, "y": y, "vx": vx, "vy": vy, "radius": radius, "desired_speed": desired_speed,
                  "relaxation_time": relaxation_time, "mass": mass}
        columns = {}
        for name, value in values.items():
            column = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))
            if not np.all(np.isfinite(column)) and name != "relaxation_time":
                raise ValueError(f"spawn: {name} must be finite")
            columns[name] = column
        if np.any(columns["radius"] <= 0.0) or np.any(columns["mass"] <= 0.0):
            raise ValueError("spawn: radius and mass must be > 0")
        if np.any(columns["desired_speed"] < 0.0) or np.any(~(columns["relaxation_time"] > 0.0)):
            raise ValueError("spawn: desired_speed must be >= 0 and relaxation_time > 0 (inf: no driving)")
        free = np.flatnonzero(~self.active)
        if free.size < n:
            self._grow(max(2 * self.capacity, self.capacity + n - free.size))
            free = np.flatnonzero(~self.active)
        slots = free[:n]
        for name, column in columns.items():
            getattr(self, name)[slots] = column
        ids = np.arange(self.next_id, self.next_id + n, dtype=np.int64)
        self.next_id += n
        self.id[slots] = ids
        self.active[slots] = True
        return ids

    def remove(self, mask) -> int:
        """Free the slots where ``mask`` (bool, length capacity) is True; returns how many agents left."""
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != self.active.shape:
            raise ValueError(f"remove: mask has shape {mask.shape}, expected {self.active.shape}")
        leaving = mask & self.active
        self.active[leaving] = False
        self.id[leaving] = -1
        for name in ("vx", "vy", "vx_next", "vy_next", "heading_x", "heading_y"):
            getattr(self, name)[leaving] = 0.0
        return int(np.count_nonzero(leaving))

    def slots_of(self, ids) -> np.ndarray:
        """Slot index of each id (int64); -1 for an id no longer (or never) alive."""
        ids = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        alive = np.flatnonzero(self.active)
        slot_of_id = dict(zip(self.id[alive].tolist(), alive.tolist()))
        return np.array([slot_of_id.get(i, -1) for i in ids.tolist()], dtype=np.int64)

    def swap(self) -> None:
        """Make the next state current: x <-> x_next, y <-> y_next, vx <-> vx_next, vy <-> vy_next."""
        self.x, self.x_next = self.x_next, self.x
        self.y, self.y_next = self.y_next, self.y
        self.vx, self.vx_next = self.vx_next, self.vx
        self.vy, self.vy_next = self.vy_next, self.vy

    def _grow(self, capacity: int) -> None:
        old = self.capacity
        for name in _FLOAT_FIELDS + _NEXT_FIELDS:
            grown = np.zeros(capacity)
            grown[:old] = getattr(self, name)
            setattr(self, name, grown)
        grown_id = np.full(capacity, -1, dtype=np.int64)
        grown_id[:old] = self.id
        self.id = grown_id
        grown_active = np.zeros(capacity, dtype=bool)
        grown_active[:old] = self.active
        self.active = grown_active
