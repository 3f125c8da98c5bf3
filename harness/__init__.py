"""What the tests, benchmarks and maintainer tools share; never imported by helpers.

- `harness.lab`: JupyterLab started on loopback and driven in Chromium like a learner.
- `harness.chromium`: Debian's Chromium, launched through playwright.
- `harness.processes`: start a server process, wait until it answers, stop it with all it started.
- `harness.cache`: the folder for tools the tests and CI install.
"""
