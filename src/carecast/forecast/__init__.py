"""Forecast engines: pure functions from an ActivityState to a Forecast."""
