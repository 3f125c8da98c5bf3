import nbformat
from nbformat.v4 import new_markdown_cell as md, new_code_cell as code

path = '/work/wt/concurrency/notebooks/02_concurrency.ipynb'
old = nbformat.read(path, 4)
src = [c.source for c in old.cells]
IGN = {"tags": ["nbval-ignore-output"]}

def ign(source):
    c = code(source)
    c.metadata["tags"] = ["nbval-ignore-output"]
    return c

cells = []
cells.append(md('''# Concurrency: a blocked worker next to an event loop

A web server spends most of its time waiting: for a database, for another API, for a file.
What one server process does while a request waits is where Flask's usual set-up (WSGI threads) and FastAPI's (an ASGI event loop) differ most.
WSGI and ASGI are also two protocols between server and app, and ASGI carries more than plain requests: WebSockets, streamed responses and start-up/shutdown events (the *lifespan* protocol), as its specification sets out ([ASGI documentation](https://asgi.readthedocs.io/en/latest/specs/main.html)).
This notebook draws the waiting difference with a model you can play with, then measures it on real servers in this kernel and puts measurement and model side by side.'''))
cells.append(old.cells[1])  # navigation, refreshed by the build
cells.append(md('''After this notebook you will be able to:

- explain why a WSGI worker thread that waits on I/O is *blocked*, and what an event loop does with the same wait;
- predict the makespan of a batch of requests on threads or on a loop, on paper, and check it against a model;
- read a timeline of requests and say, at any moment, which are running, waiting and queued;
- compare a model's prediction with a measurement on real Flask, Django and FastAPI servers, and name why they differ;
- spot a blocking call inside `async def` with an event-loop lag probe, and fix it;
- say where async wins nothing (CPU-bound work, enough threads), where FastAPI's 40 threads come from and how to change them;
- explain why `asyncio.run()` fails in a notebook cell and use top-level `await` instead.'''))
cells.append(md(src[3].replace('''Two words for the rest of the notebook.''', '''This is not the only way to hold many waiting requests under WSGI.
gunicorn's gevent and eventlet workers run a WSGI app on green threads, so one process can also keep many idle connections, such as long polls, open ([gunicorn: design](https://gunicorn.org/design/)).
Flask's documentation notes that these are not the same as `async`/`await` ([Flask: async and await](https://flask.palletsprojects.com/en/stable/async-await/)).

Two words for the rest of the notebook.''')))
cells.append(md('''## A model of both servers

`helpers.concurrency.simulation` is a small discrete-event model.
Each request does some CPU work, then waits on I/O.
In the model, CPU work never overlaps inside one Python process.
That holds for pure Python code on the usual build of CPython, where the GIL lets one thread run Python at a time.
It does not hold for C code that releases the GIL: `hashlib`, for example, releases it while hashing large data ([hashlib](https://docs.python.org/3/library/hashlib.html)), and NumPy does in many operations.
Nor does it hold on the free-threaded builds of Python 3.13 and later, which have no GIL ([Python support for free threading](https://docs.python.org/3/howto/free-threading-python.html)).
The course's handlers burn pure-Python CPU, so the model's rule applies to them.
The model knows four servers:

- `"wsgi"`: W worker processes with T threads each; a request holds one thread for its whole life;
- `"async"`: one event loop whose handler `await`s its I/O;
- `"blocking"`: one event loop whose handler calls something blocking inside `async def` (the classic mistake);
- `"threadpool"`: one event loop that runs plain `def` handlers in a pool of K threads (FastAPI's default is 40).

### Exercise 02.1: predict, then run

Twenty requests arrive at once, each with 5 ms of CPU and then 100 ms of I/O.
An event loop runs them with a handler that `await`s its I/O.
Before you run the model, predict its makespan (the time until the last response), in seconds.'''))
cells.append(code('''answer = ...  # your prediction, in seconds'''))
cells.append(md('''Now run the model: the same 20 requests on one WSGI worker with one thread, and on the event loop.'''))
cells.append(code(src[5]))
cells.append(code('''from helpers.coursework.checks import check, show_solution

check("02.1", answer)'''))
cells.append(md('''Here are both runs as timelines.
Each panel has its own time axis, because the worker's run lasts ten times longer than the loop's: read the tick labels.
The purple cursor marks the same moment in both, 0.1 s after the requests arrived.'''))
cells.append(code('''show_figure(plot_timeline([worker, loop], cursor=0.1))'''))
cells.append(code('''for result in (worker, loop):
    states = result.states_at(0.1)
    print(f"{result.label} at 0.1 s: " + ", ".join(f"{count} {state}" for state, count in states.items()))'''))
cells.append(md('''At the cursor, the worker's one thread is still *waiting on I/O* for the first request (blue), doing nothing, and the other 19 requests are queued (orange) behind it.
The event loop has run 20 short CPU parts (vermillion), one after another, and every one of those requests is now waiting at the same time: the blue hill of *awaiting I/O*.
The model matches the textbook formulas, which the tests check: one worker takes N·(io + cpu), the loop about io + N·cpu.'''))
cells.append(code(src[8]))
cells.append(md('''## Play with it

Move the sliders: the model re-runs and the picture is redrawn.
With 12 requests or fewer, each request gets a lane of its own.
Press ▶ to move the time cursor through the run: the line under the buttons says, at each moment, how many requests are running, waiting and queued on each side.
When one run is much shorter, Play goes through it in slow motion first, so you can watch the loop start one request's CPU after another.
Try these:

- set *threads per worker* to 2, then to 10: threads overlap waits too;
- switch the event-loop handler to *blocks in async def*: the loop becomes the single blocked worker;
- choose *plain def (threadpool)*, raise *requests* to 100 and lower the pool to 10;
- raise *CPU per request* to 50 ms: now nothing overlaps, whatever the server.'''))
cells.append(ign('''from helpers.concurrency.sim_widget import explore

explorer = explore(n=10, io_ms=100, cpu_ms=5)
explorer'''))
cells.append(md(src[13]))
cells.append(code(src[14]))
cells.append(md(src[15]))
cells.append(ign(src[16]))
cells.append(md(src[17]))
cells.append(code(src[18]))
cells.append(ign(src[19]))
cells.append(md('''How far off is the model, and where is it furthest off?
Each scenario carries a note on where the model is simpler than the real server; the next cell prints the one for the largest miss of this run.'''))
cells.append(ign('''close = [name for name, m in measured.items() if abs(m.error) <= 0.15]
print(f"{len(close)} of {len(measured)} scenarios are within 15% of the model")
worst = max(measured.values(), key=lambda m: abs(m.error))
print(f"largest miss: {worst.scenario.name}, {worst.error:+.0%} ({(worst.measured_makespan - worst.predicted_makespan) * 1000:+.0f} ms)")
print(f"likely cause: {worst.scenario.caveat}")'''))
cells.append(md(src[21]))
cells.append(code(src[22]))
cells.append(md('''### Measurement over prediction

For two scenarios, each measured request (green) is drawn over the model's request (pink), in the order they finished.
The two plots do not share a time scale: the serialized run lasts many times longer than the concurrent one, so each plot fits its own run and its axis label says where it ends.'''))
cells.append(code(src[24]))
cells.append(code(src[25]))
cells.append(md('''Where they still differ, and why:

- the serialized servers match closely, because their makespan is dominated by the sleeps, which are exact;
- the concurrent ones finish in a fraction of a second, so a few milliseconds of noise is a large percentage: look at the *error (ms)* column, not only at the percentage;
- when a sleeping thread wakes up while another thread holds the GIL, it may wait a whole switch interval before it runs (printed above), and twenty threads wake at about the same moment;
- CPU-bound work slows down when other programs share the machine's cores, so those scenarios calibrate their CPU time just before the run, one request at a time;
- the model treats each request's overhead as one block of CPU before its wait, while a real request spends some of it after the wait (sending the response), and the client's own work competes for the same GIL;
- each framework pays its own per-request overhead (the last column of the table): the more of it, the more the serialized part of every request weighs.

The largest miss, printed above with its likely cause, is usually a scenario of the last kind: one where the real server hands work between the loop and threads more often than the model says.'''))
cells.append(md('''### Where FastAPI's 40 threads come from

FastAPI runs a plain `def` endpoint with `anyio.to_thread.run_sync`, and so it runs `def` dependencies too.
Every such call takes a token from the event loop's default `CapacityLimiter`, which has 40 tokens: at most 40 of them run at once, endpoints and dependencies together ([Starlette: Thread Pool](https://www.starlette.io/threadpool/)).
That is why `fastapi-def-60` above needed two rounds of waits.
Each event loop has its own limiter; the kernel's loop has one too:'''))
cells.append(code('''import anyio.to_thread


async def default_thread_tokens() -> int:
    return anyio.to_thread.current_default_thread_limiter().total_tokens

print(f"anyio's default limiter in this kernel's loop: {await default_thread_tokens()} tokens")'''))
cells.append(md('''To change it, set `total_tokens` when the app starts, in the loop that serves it: a *lifespan* function does that.
`create_app(threads=...)` in the course's FastAPI app is this much code:'''))
cells.append(code('''show_code(concurrency_fastapi.create_app)'''))
cells.append(md('''The same 60 plain-`def` requests, each waiting 1.5 s, on the default 40 threads and then on 60.
With 40, the last 20 requests wait for a free thread and finish a whole wait after the others: two rounds.
With 60, all of them finish together.'''))
cells.append(code('''from helpers.concurrency.load import run_load

ends = {}
for threads in (None, 60):
    with serve(concurrency_fastapi.create_app(threads=threads), "thread-pool", ready_path="/sync-io?ms=0") as server:
        load = run_load(server.url, "/sync-io?ms=1500", 60, timeout=30)
    ends[threads or 40] = sorted(end for _, end in load.times)
# The spread between the first and the last response: a whole 1.5 s wait when there are two rounds.
spread = {threads: times[-1] - times[0] for threads, times in ends.items()}
assert spread[40] > 1.0 and spread[60] < 0.6 * spread[40], spread
print("40 threads: the last 20 requests finished a whole wait after the first 40 (two rounds).")
print("60 threads: all 60 finished together (one round).")'''))
cells.append(ign('''for threads, times in ends.items():
    print(f"{threads} threads: first response after {times[0]:.2f} s, last after {times[-1]:.2f} s")'''))
cells.append(md('''More threads are not free: each one holds memory and competes for the GIL, which is why Starlette's page warns before raising the limit.

### The event loop's heartbeat

A lag probe is a tiny coroutine in the server's loop: it asks to sleep 10 ms, over and over, and notes how late it wakes up.
While handlers `await`, the loop comes back on time.
While a handler blocks, nothing in the loop can run, and the heartbeat is late by the whole blocking call.'''))
cells.append(code('''import time

from helpers.concurrency.lag_probe import LagProbe
from helpers.concurrency.timeline_plot import plot_lag

probe = LagProbe(interval=0.010)
lags = {}
with serve(probe.wrap(concurrency_fastapi.app), "lag-probe", ready_path="/io?ms=0") as server:
    for label, path in [("blocking: time.sleep in async def", "/blocking?ms=100"),
                        ("awaiting: await asyncio.sleep", "/io?ms=100")]:
        t0 = time.perf_counter()
        run_load(server.url, path, 5)
        time.sleep(0.05)  # a few quiet heartbeats after the load
        lags[label] = probe.since(t0)'''))
cells.append(code(src[28]))
cells.append(md('''Add up how late the heartbeat was over each run.
Five blocking calls of 100 ms stall the loop for about 5 × 100 ms in all, however they fall between heartbeats.
A single late heartbeat in the awaiting run (a garbage-collection pause, another program on the machine) adds a few milliseconds, not hundreds.'''))
cells.append(code('''stalled = {label: sum(lag for _, lag in samples) for label, samples in lags.items()}
blocked = stalled["blocking: time.sleep in async def"]
awaited = stalled["awaiting: await asyncio.sleep"]
assert blocked > 0.7 * 5 * 0.100, "each blocking call should stall the loop for about its whole 100 ms"
assert blocked > 3 * awaited, "the blocking handler should stall the loop far longer than the awaiting one"
print("The blocking handler stalled the heartbeat for about the sum of its blocking calls; the awaiting one hardly at all.")'''))
cells.append(md(src[30]))
cells.append(code(src[31]))
cells.append(ign(src[32]))
cells.append(md('''- **CPU-bound work**: an `async def` handler that computes has nothing to `await`, so it holds the loop exactly as a thread holds the GIL.
Both servers do pure-Python work one request at a time; use processes (more workers) for CPU, or code that releases the GIL.
- **Enough threads**: a WSGI server with a thread per request overlaps I/O waits just as well as the loop, as the table shows.
Real deployments run several worker processes with several threads each; notebook 03 (*Serving for real*) starts such servers outside the kernel and measures them.
- **What async does buy**: a waiting request costs the loop a small object, not a whole thread.
That matters with many slow, mostly idle connections (WebSockets, long polling, fan-out to other APIs); how many, and at what cost in memory and latency, is measured in notebook 03, not here.
ASGI also carries WebSockets and streamed responses in the protocol itself.

So the honest conclusion: async buys *concurrency under I/O waits*, cheaply; it does not make any single request faster.'''))
cells.append(md(src[34]))
cells.append(code(src[35]))
cells.append(md(src[36]))
cells.append(code(src[37]))
cells.append(md('''Plain functions such as `measure()` can't `await`, so `helpers.concurrency.load.run_load` runs `asyncio.run` in a fresh thread, which has no loop of its own.
That is all the course's machinery needs.

People often reach for `nest_asyncio`, a patch that makes `asyncio.run` re-entrant.
The original package's repository is archived, with no more fixes; its maintained fork is `nest-asyncio2` (module `nest_asyncio2`), which adds support for newer Pythons ([nest-asyncio2](https://github.com/Chaoses-Ib/nest-asyncio2)).
ipykernel 7 depends on the fork, and imports it only to run a Tk event loop, not in an ordinary kernel.
Either way the patch replaces parts of asyncio's internals for the whole process, and code that nests loops hides the real structure of the program.
So it is shown here **in a separate Python process**, never in this kernel.'''))
cells.append(code('''import importlib.util
import subprocess
import sys

# The maintained fork if it is installed, else the original: both offer the same apply().
patch = next(name for name in ("nest_asyncio2", "nest_asyncio") if importlib.util.find_spec(name))
demo = f\'\'\'
import asyncio
import {patch} as nest

async def cell():
    coro = asyncio.sleep(0)
    try:
        asyncio.run(coro)
    except RuntimeError as exc:
        coro.close()
        print("without the patch:", exc)
    nest.apply()
    print("with the patch:", asyncio.run(asyncio.sleep(0, result="a nested asyncio.run worked")))

asyncio.run(cell())
\'\'\'
done = subprocess.run([sys.executable, "-c", demo], capture_output=True, text=True, timeout=60)
print(done.stdout.strip())
assert not {"nest_asyncio", "nest_asyncio2"} & set(sys.modules), "the kernel itself imports neither patch"'''))
cells.append(md('''## Exercises

### Exercise 02.2: predict a makespan with four threads

Twenty requests, each with 5 ms of CPU and then 100 ms of I/O, arrive at once at **one WSGI worker with 4 threads**.
What makespan, in seconds, does the model give?
Work it out on paper first: each thread holds a request for its whole life, and in one process only one thread runs Python at a time.'''))
cells.append(code('''answer = ...  # a number of seconds, e.g. 1.25'''))
cells.append(code('''check("02.2", answer)'''))
cells.append(md(src[43].replace("Exercise 02.2", "Exercise 02.3")))
cells.append(code(src[44]))
cells.append(md(src[45]))
cells.append(code(src[46]))
cells.append(code('''check("02.3", answer)'''))
cells.append(md('''### Exercise 02.4: size a WSGI server for a latency target

A WSGI server gets 100 requests at once, each with 2 ms of CPU and 100 ms of I/O.
Choose `(workers, threads)` so that the model's p95 latency is at most 0.3 s, with at most 64 threads in total (every thread costs memory).
Reason it out first: how many rounds of waits do the threads need, and how long does each worker's GIL make its threads queue for their CPU?
Then try ideas with `simulate("wsgi", n=100, io=0.1, cpu=0.002, workers=..., threads=...)`, or with the widget above.'''))
cells.append(code('''answer = ...  # a tuple (workers, threads), e.g. (2, 8)'''))
cells.append(code('''check("02.4", answer)'''))
cells.append(md('''Stuck?
`show_solution("02.2")` (or `"02.1"`, `"02.3"`, `"02.4"`) shows a worked solution, but try first.'''))
cells.append(md('''## Summary

- A WSGI worker thread that waits on I/O is blocked: one thread, one request, start to finish; more threads or workers overlap more waits, and each worker process's GIL still runs their Python one thread at a time.
- An event loop overlaps waits only when handlers `await`; one blocking call inside `async def` turns it back into a single blocked worker, and the lag probe showed the loop stalled for about the sum of the blocking calls.
- FastAPI runs plain `def` endpoints and dependencies in anyio's thread pool, 40 tokens by default: 60 requests needed two rounds until a lifespan raised the limit.
- Flask's `async def` view on one WSGI worker still served one request at a time.
- A calibrated model predicted the real servers closely; the table showed by how much, and each miss has a named cause.
- Async buys concurrency under I/O waits, cheaply; it bought no speed for CPU-bound work, and a thread per request matched it on plain I/O.
- In a notebook, `await` at the top of a cell; `asyncio.run()` fails by design, and the course never needs `nest_asyncio` or its fork.

Next: [notebook 03, *Serving for real*](03_serving.ipynb), runs these frameworks the way they are deployed, with worker processes outside the kernel, and measures many waiting connections.'''))
cells.append(old.cells[-1])

nb = nbformat.v4.new_notebook()
nb.metadata = old.metadata
nb.cells = cells
nbformat.validate(nb)
nbformat.write(nb, path)
print(len(cells))
