"""Apps and settings the benchmarks start the usual way, in subprocesses."""
