"""Gaussian plume and puff dispersion of a hazardous gas from a point source."""
