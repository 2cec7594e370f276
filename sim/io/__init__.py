"""Input and output: run folders, NetCDF, manifests, measured data."""
