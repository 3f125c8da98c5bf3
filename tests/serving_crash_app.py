"""A test app whose import fails: in a uvicorn worker process, it is a worker that crashes while booting."""

raise RuntimeError("boom: this app fails while the worker imports it")
