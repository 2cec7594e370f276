"""hazsim engine: grids, fields, the model protocol, the time loop and I/O.

Nothing in ``sim`` knows any physics; physical models live in ``models/`` and plug in
through :class:`sim.model.PhysicalModel`.
"""

__version__ = "0.1.0"
