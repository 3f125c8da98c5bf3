"""The small apps the notebooks show and run; each has a test in tests/apps/."""
