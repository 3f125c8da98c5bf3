"""Running servers by name, one per name: the registry that thread servers and server processes share.

`stop_all()` here stops what every kernel-wide registry holds: `helpers.stop_all` is this function.
"""

from __future__ import annotations

import threading
from typing import Generic, Protocol, TypeVar


class Stoppable(Protocol):
    def stop(self) -> None: ...


T = TypeVar("T", bound=Stoppable)

# The registries `stop_all()` empties, oldest first. A registry joins only when asked (in_stop_all=True),
# so a test's throwaway registry never adds to the count of what the kernel stopped.
_kernel_wide: list[Registry] = []


class Registry(Generic[T]):
    """What this kernel is running, by name, oldest first; safe to use from any thread."""

    def __init__(self, kind: str, *, in_stop_all: bool = False) -> None:
        self.kind = kind  # "server", "server process": named in error messages
        self.lock = threading.RLock()
        self.items: dict[str, T] = {}
        if in_stop_all:
            _kernel_wide.append(self)

    def find(self, name: str) -> T | None:
        """Return the one running under `name`, or None."""
        with self.lock:
            return self.items.get(name)

    def add(self, name: str, item: T) -> None:
        """Record `item` as the one running under `name`."""
        with self.lock:
            self.items[name] = item

    def discard(self, name: str, item: T) -> None:
        """Forget `item` if it is still the one under `name` (a replacement stays)."""
        with self.lock:
            if self.items.get(name) is item:
                del self.items[name]

    def running(self) -> list[T]:
        """Return what is running, oldest first."""
        with self.lock:
            return list(self.items.values())

    def get(self, name: str) -> T:
        """Return the one running under `name`, or raise KeyError naming those that are."""
        with self.lock:
            if name not in self.items:
                names = ", ".join(sorted(self.items)) or "none"
                raise KeyError(f"no {self.kind} named {name!r} is running (running: {names})")
            return self.items[name]

    def stop_all(self) -> int:
        """Stop everything running; return how many were stopped."""
        running = self.running()
        for item in running:
            item.stop()
        return len(running)


def stop_all() -> int:
    """Stop everything this kernel started (in-kernel servers, server processes); return how many."""
    # A kind whose module was never imported has no registry here, and nothing running to stop.
    return sum(registry.stop_all() for registry in list(_kernel_wide))
