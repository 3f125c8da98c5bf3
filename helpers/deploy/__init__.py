"""Deployment, measured (notebook 07): each module starts its own servers, measures, stops them, returns data.

from helpers.deploy.slow_clients import slow_clients                # sync workers held by slow clients, nginx in front
from helpers.deploy.static_files import static_files                # one file: nginx, WhiteNoise, Flask, FastAPI
from helpers.deploy.restarts import restart_under_load              # HUP under load: failed requests counted
from helpers.deploy.production_settings import production_settings  # check --deploy before and after, and peers
"""
