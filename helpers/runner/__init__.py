"""Run the course's notebooks one way: used by the tests, the build, the grader and the benchmarks.

- `course`: which notebooks make up the course, in order (defined once, here).
- `kernel`: a client that runs a notebook in a fresh kernel in its folder, Run All as JupyterLab does.
- `probe`: what a kernel owns (threads, child processes, listening sockets) and what it reached.
- `memory`: the peak resident memory of a kernel's whole process tree.
- `nbval_plugin`: the same guarantees added to strict nbval's own kernel, so one run gives them all.
"""
