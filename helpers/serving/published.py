"""Published serving benchmarks the course cites beside its own measurements: source, round, test type, what it measures.

Only what can be read and cited: no figure is copied here that the course could not show its source for.
"""

from __future__ import annotations

# TechEmpower's Framework Benchmarks: independent, many frameworks, each entry set up by its community.
# Cited in notebook 03 and benchmarks/framework_overhead.py, by link: read the figures on the page itself.
TECHEMPOWER_JSON = {
    "name": "TechEmpower Framework Benchmarks, Round 23, JSON serialization test",
    "url": "https://www.techempower.com/benchmarks/#section=data-r23&test=json",
    "spec": "https://github.com/TechEmpower/FrameworkBenchmarks/wiki/Project-Information-Framework-Tests-Overview",
    "measures": (
        'requests per second for GET /json answering a freshly serialized {"message": "Hello, World!"} '
        "over keep-alive connections, on dedicated physical servers, with the load sent from a separate machine; "
        "in the project's words it exercises keep-alive support, request routing, request header parsing, "
        "object instantiation, JSON serialization and response header generation"
    ),
    "setups": (
        "each entry is contributed and tuned by the framework's community (server, worker class and count "
        "are in frameworks/Python/<name>/ of the TechEmpower/FrameworkBenchmarks repository), so an entry's "
        "server differs from one framework to the next, as in this notebook's production comparison"
    ),
    "fastapi_docs": "https://fastapi.tiangolo.com/benchmarks/",
}
