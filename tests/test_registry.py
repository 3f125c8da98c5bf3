"""The registry both kinds of server share: one per name, oldest first, errors that name what runs."""

from __future__ import annotations

import pytest

from helpers.serving import registry
from helpers.serving.registry import Registry


class Thing:
    def __init__(self) -> None:
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


def test_running_get_and_stop_all():
    reg: Registry[Thing] = Registry("widget")
    a, b = Thing(), Thing()
    reg.items["b"], reg.items["a"] = b, a
    assert reg.running() == [b, a] and reg.get("a") is a
    with pytest.raises(KeyError, match=r"no widget named 'c' is running \(running: a, b\)"):
        reg.get("c")
    assert reg.stop_all() == 2 and a.stopped and b.stopped


def test_an_empty_registry_says_none_run():
    with pytest.raises(KeyError, match=r"running: none"):
        Registry("server").get("x")
    assert Registry("server").stop_all() == 0


def test_discard_forgets_only_the_item_still_registered():
    reg: Registry[Thing] = Registry("server")
    old, new = Thing(), Thing()
    reg.add("s", old)
    reg.add("s", new)  # a re-run cell replaced it
    reg.discard("s", old)  # the old one stopping later must not drop its replacement
    assert reg.find("s") is new
    reg.discard("s", new)
    assert reg.find("s") is None and reg.running() == []


def test_stop_all_stops_every_kernel_wide_registry_and_no_other(monkeypatch):
    monkeypatch.setattr(registry, "_kernel_wide", [])  # the kernel's own registries are not this test's
    servers, processes = Registry("server", in_stop_all=True), Registry("server process", in_stop_all=True)
    scratch = Registry("widget")  # a registry made without in_stop_all, as tests make them
    thread, process, other = Thing(), Thing(), Thing()
    servers.add("t", thread)
    processes.add("p", process)
    scratch.add("w", other)
    assert registry.stop_all() == 2 and thread.stopped and process.stopped and not other.stopped
