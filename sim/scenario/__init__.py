"""Scenario files: TOML in, validated configuration out."""
