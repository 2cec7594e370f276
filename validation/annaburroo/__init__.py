"""Annaburroo 1986 experimental grass fires: predicted against observed head-fire spread rate."""
