"""Wildfire: Rothermel surface fire spread, standard fuel models and fire behaviour on rasters."""
