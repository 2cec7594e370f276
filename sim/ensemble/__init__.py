"""Scenario ensembles: sampled members of a base scenario, run on Dask, catalogued.

- :mod:`sim.ensemble.spec`: the ensemble file (distributions, strata, splits), validated;
- :mod:`sim.ensemble.design`: the plan, a pure function of the file (allocation, sampling,
  seeds, splits);
- :mod:`sim.ensemble.execute`: one task per member, resume, exactly-once results;
- :mod:`sim.ensemble.catalog`: ``catalog.csv`` and the Croissant ``dataset.json``.
"""
