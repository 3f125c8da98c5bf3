"""Real services a notebook starts and stops: PostgreSQL, Redis and nginx, each a process the kernel owns."""
