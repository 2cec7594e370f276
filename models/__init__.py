"""Physical models: one folder per physics, each implementing :class:`sim.model.PhysicalModel`."""
