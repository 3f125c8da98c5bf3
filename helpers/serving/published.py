"""Published serving figures the course reads its own measurements against: each with its source and conditions."""

from __future__ import annotations

# Cited in notebook 03 and benchmarks/framework_overhead.py: their conditions matter more than their numbers.
FRAMEWORK_HELLO = {
    "source": "Robyn docs, 'Comparison' page: https://robyn-docs.vercel.app/documentation/api_reference/comparison",
    "conditions": (
        "oha, 10,000 requests to a hello endpoint on the author's dual-core development machine, "
        "5 workers; Flask and Django under gunicorn, FastAPI under uvicorn; a competing "
        "framework's page, one run, no versions given"
    ),
    "req_per_s": {"flask": 1809.8, "fastapi": 2420.5, "django": 740.4},
    "also": (
        "TechEmpower's independent runs (techempower.com/benchmarks, JSON serialization test) place "
        "FastAPI on uvicorn above Flask and Django, on many-core servers with wrk and tuned production "
        "servers; FastAPI's own docs (fastapi.tiangolo.com/benchmarks) cite them and warn that simpler "
        "tools always win such tests."
    ),
}
