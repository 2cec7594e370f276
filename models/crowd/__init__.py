"""Crowd dynamics: agents with contact forces and navigation, up to crush densities."""
