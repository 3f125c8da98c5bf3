"""Deployment, measured: slow clients, static files, graceful restarts, production settings (notebook 07)."""
