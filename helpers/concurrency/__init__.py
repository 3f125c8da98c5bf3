"""Concurrency, modelled and measured: the simulation, its widget and plots, load, scenarios, the lag probe."""
