"""Renderers: read-only observers that turn ground-truth fields into data an AI consumes."""
