"""Keep servers alive in a kernel: threads that serve WSGI/ASGI apps, their links, logs, and Django's set-up."""
