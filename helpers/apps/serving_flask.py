"""A Flask app for production servers: a JSON hello, a blocking I/O wait, a CPU-bound loop, a long wait."""

import time

from flask import Flask, request

app = Flask(__name__)


@app.get("/json")
def hello() -> dict[str, str]:
    return {"framework": "Flask", "message": "Hello!"}


@app.get("/io")
def io() -> dict[str, float]:
    # time.sleep stands for a database or API call: the worker (or thread) is held while it waits.
    ms = min(float(request.args.get("ms", 100)), 60_000)
    time.sleep(ms / 1000)
    return {"waited_ms": ms}


@app.get("/cpu")
def cpu() -> dict[str, float]:
    # Pure-Python work holds the GIL: only another process can run beside it.
    ms = min(float(request.args.get("ms", 100)), 10_000)
    end = time.thread_time() + ms / 1000
    spins = 0
    while time.thread_time() < end:
        spins += 1
    return {"cpu_ms": ms, "spins": spins}
