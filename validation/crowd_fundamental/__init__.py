"""Corridor fundamental diagram (speed against density): measured HERMES data, the Weidmann curve, model scoring."""
