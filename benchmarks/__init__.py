"""The course's figures, measured in one run: `python -m benchmarks` (see __main__)."""
