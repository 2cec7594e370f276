"""Bottleneck flow: measured specific flow against width (Kretz 2006, Seyfried 2009) and the PedPy bottleneck run."""
