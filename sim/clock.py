"""Clock: simulated time, iteration count and the last time step."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Clock:
    """Simulated time in seconds since the scenario start."""

    time: float = 0.0
    iteration: int = 0
    last_dt: float = 0.0

    def tick(self, dt: float, land_on: float | None = None) -> None:
        """Advance by ``dt``; ``land_on`` snaps the new time to an exact target.

        Snapping avoids drift when a step was shortened to reach a scheduled time: after
        many additions ``time`` is exactly the output time, not one ulp away from it.
        """
        self.time = land_on if land_on is not None else self.time + dt
        self.iteration += 1
        self.last_dt = dt
