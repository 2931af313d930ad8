"""Cadre Training Planner: annual plans and multi-year simulation of cadre education and training."""

__version__ = "0.1.0"
