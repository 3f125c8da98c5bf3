"""Run a learner's kernel in a sandbox built from util-linux: its own PID, mount and network namespaces, its own uid.

The grader wraps the kernel's command line with `Sandbox.wrap`:

    unshare --pid --fork --kill-child --mount-proc --net  python -I -S sandbox.py SPEC -- setpriv ... KERNEL ARGV

- `unshare` gives the learner a PID namespace: when its first process ends (or `unshare` is killed), every process
  the learner started ends too, whatever it did to detach itself (setsid, double fork, a clean environment).
- This file, run as that first process (still root, standard library only), mounts what the learner may see:
  a /tmp and a /dev/shm of its own (empty tmpfs, with only its own folder and the staged course mounted back),
  an empty, unreadable tmpfs over the submissions, the output folder and the full course; the staged course
  read-only; the Python installation brought back read-only where a private folder (/root) hides it. Then it
  starts the kernel through `setpriv` as an unprivileged uid of its own, with no capabilities and no way to gain
  any (no-new-privs), and reaps every orphan until the kernel ends.
- `--net` gives it a loopback of its own (brought up here): it cannot reach another learner's servers, a service
  of the grading machine, or anything beyond. The kernel talks to the grader over Unix sockets in its folder.
- Each submission has its own uid, so one learner's folder (work dir, connection file, verdicts) is closed to
  every other learner's kernel, running at the same time or later.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = ("unshare", "setpriv")
INSTALL = "install util-linux (Debian/Ubuntu: apt-get install util-linux; it provides unshare and setpriv)"
# uids no account on the machine uses: each run takes a block at random, each submission one uid in it.
UID_BASE, UID_BLOCK, UID_BLOCKS = 1_000_000_000, 100_000, 10_000
REPLAY_UID_OFFSET = UID_BLOCK // 2  # a submission's replay of its code answers runs as its uid + this

# Folders every user may write in: each sandbox gets its own, empty (one learner's files never reach another's).
SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock")
PRIVATE_SIZE = "256m"  # each sandbox's own /tmp and /dev/shm hold at most this (tmpfs, in memory)
# What one learner's processes may use together (judgement: a graded notebook of the course peaks well under 1 GiB,
# Binder gives a learner 2 GB). Memory is the resident memory of all of them, polled; the rest are rlimits.
MEMORY_MIB = 2048
CPU_SECONDS = 1800  # per process: far past any cell's time limit; stops a spinner that outlived its cell
MAX_TASKS = 2048  # processes and threads of the sandbox's uid: a notebook's servers use hundreds, a fork bomb more
MAX_FILE_BYTES = 1 << 30
LIMIT_FILE = "limits.txt"  # written into the folder named in the spec when a limit stopped the learner's processes
POLL_S = 0.25
# Linux mount(2) flags (linux/mount.h)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 8, 32, 4096, 16384


@dataclass(frozen=True)
class Sandbox:
    """What one learner's kernel may see and who it runs as."""

    uid: int
    # (folder, mode, folders under it to bring back): each folder is covered by an empty tmpfs of that mode, and
    # only the folders listed are mounted back into it, read-only. This hides the submissions, the output folder
    # and the full course (mode 0: not even listed), and a private folder above the Python installation (/root).
    covers: tuple[tuple[str, int, tuple[str, ...]], ...] = ()
    readonly: tuple[str, ...] = ()  # folders mounted read-only (the staged course)
    tools: dict[str, str] = field(default_factory=dict)  # tool name -> absolute path
    # A network namespace of its own, with only a loopback: no other learner's servers, no service of the
    # grading machine, nothing beyond it. The kernel then talks to the grader over Unix sockets in its folder.
    own_network: bool = True
    # The folders every user may write in (/tmp, /dev/shm): each sandbox gets empty ones of its own, so nothing
    # one learner leaves there reaches another learner's kernel. `keep` are the folders in them it still needs
    # (the staged course, the learners' folders), mounted back as they are.
    private: tuple[str, ...] = SHARED_FOLDERS
    keep: tuple[str, ...] = ()
    # Hand the grader's stdin and stdout through to the program (the replay of code answers talks over them);
    # a kernel's are closed, since it talks over sockets.
    stdio: bool = False
    memory_mib: int = MEMORY_MIB
    report: str = ""  # a folder: a note on a limit that stopped the learner's processes is written there

    def wrap(self, argv: list[str]) -> list[str]:
        """Return `argv` run inside this sandbox."""
        spec = {
            "covers": self.covers,
            "readonly": self.readonly,
            "own_network": self.own_network,
            "private": self.private,
            "keep": self.keep,
            "stdio": self.stdio,
            "memory_mib": self.memory_mib,
            "report": self.report,
        }
        setpriv = [
            self.tools["setpriv"],
            f"--reuid={self.uid}",
            f"--regid={self.uid}",
            "--clear-groups",
            "--no-new-privs",  # setuid programs (su, mount) give it nothing
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--",
        ]
        init = [sys.executable, "-I", "-S", str(Path(__file__).resolve()), json.dumps(spec), "--"]
        # --ipc: System V shared memory, semaphores and message queues of its own, gone with the namespace (they
        # would outlive the learner's processes otherwise, and be read by the next learner); --uts: a host name.
        unshare = [self.tools["unshare"], "--pid", "--fork", "--kill-child", "--mount-proc", "--ipc", "--uts"]
        unshare += ["--net", "--"] if self.own_network else ["--"]
        return unshare + init + setpriv + list(argv)

    def chown(self, path: Path) -> None:
        """Give `path` (and what is in it) to the sandbox's uid."""
        for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
            os.chown(p, self.uid, self.uid, follow_symlinks=False)


def kernel_manager_class(jail: Sandbox | None, connection_file: Path) -> type:
    """Return a jupyter_client kernel manager class whose kernel runs in `jail` (as is, if None).

    Its connection file is `connection_file`, in the learner's folder and given to the sandbox's uid: the
    grader's runtime folder is closed to it, and no other learner may read the key.
    """
    from jupyter_client.manager import AsyncKernelManager

    class SandboxedKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: object) -> None:
            if jail and jail.own_network:  # TCP ports on the grader's loopback are out of the kernel's reach
                kwargs.update(transport="ipc", ip=str(connection_file.parent / "kernel"))
            super().__init__(**kwargs)

        def write_connection_file(self, **kwargs: object) -> None:
            self.connection_file = str(connection_file)
            super().write_connection_file(**kwargs)
            if jail:
                jail.chown(connection_file)

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            cmd = super().format_kernel_cmd(extra_arguments)
            return jail.wrap(cmd) if jail else cmd

    return SandboxedKernelManager


def missing() -> str | None:
    """Return why a sandbox cannot be built on this machine, or None if it can (tried once, with Python)."""
    tools = {name: shutil.which(name) for name in TOOLS}
    absent = [name for name, path in tools.items() if not path]
    if absent:
        return f"{' and '.join(absent)} not found on PATH: {INSTALL}"
    if os.geteuid() != 0:
        return (
            "the grader is not root: switching each kernel to a uid of its own and mounting its view of the "
            "files needs root (run the grader as root, e.g. with sudo or in the grading container)"
        )
    box = tempfile.gettempdir()  # where each learner's folder is made: every uid must be able to enter it
    if closed_ancestor(box):
        return f"the temporary folder {box} is closed to other users: set TMPDIR to one that is not (e.g. /tmp)"
    probe = sandbox_for(UID_BASE, hide=(), readonly=(), need=python_dirs(), tools=tools)
    # Its exit status says it all: the kernel's output goes nowhere (see enter).
    code = (
        "import os, socket; s = socket.create_server(('127.0.0.1', 0)); socket.create_connection(s.getsockname()); "
        f"raise SystemExit(0 if os.getuid() == {probe.uid} and sum(p.isdigit() for p in os.listdir('/proc')) < 10 "
        "else 3)"
    )
    try:
        done = subprocess.run(
            probe.wrap([sys.executable, "-I", "-c", code]), capture_output=True, text=True, timeout=30, cwd=box
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"a trial sandbox failed to start: {exc}"
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return (
            f"a trial sandbox failed ({said}): the machine must allow PID, mount and network namespaces "
            "(in Docker: --cap-add SYS_ADMIN, or --privileged)"
        )
    return None


def python_dirs() -> list[str]:
    """Return the folders of the Python installation a kernel runs from."""
    dirs = sorted({os.path.realpath(d) for d in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.executable)})
    return [d for d in dirs if not any(_within(d, other) and d != other for other in dirs)]  # outermost only


def closed_ancestor(path: str) -> str | None:
    """Return the topmost folder on the way to `path` (itself included) that others may not enter (/root), or None."""
    parts = Path(path).parts
    for i in range(1, len(parts)):
        folder = os.path.join(*parts[: i + 1])
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def sandbox_for(
    uid: int,
    hide: tuple[str, ...],
    readonly: tuple[str, ...],
    need: list[str],
    tools: dict[str, str] | None = None,
    keep: tuple[str, ...] = (),
) -> Sandbox:
    """Return a sandbox for `uid` that hides `hide`, mounts `readonly` read-only, and can reach every folder in `need`.

    Its /tmp and /dev/shm are its own and empty, but for the folders in `keep`, `readonly` and `need` under them.
    """
    kept = tuple(dict.fromkeys(os.path.realpath(k) for k in [*keep, *readonly, *need]))
    need = [os.path.realpath(n) for n in [*need, *readonly]]
    covers: dict[str, int] = {os.path.realpath(h): 0 for h in hide if os.path.isdir(h)}
    for folder in need:
        top = closed_ancestor(folder)
        if top:
            covers[top] = 0o711
    planned: list[tuple[str, int, tuple[str, ...]]] = []
    for folder in sorted(covers, key=lambda f: (f.count("/"), f)):
        if any(_within(folder, earlier) for earlier, _, _ in planned) and not any(_within(folder, n) for n in need):
            continue  # an earlier cover hides it already
        inside = tuple(n for n in need if _within(n, folder))
        # A hidden folder that holds one the kernel needs (a virtualenv in the course) can still be entered.
        planned.append((folder, covers[folder] or (0o711 if inside else 0), inside))
    tools = tools or {name: shutil.which(name) or name for name in TOOLS}
    private = tuple(
        dict.fromkeys(os.path.realpath(f) for f in SHARED_FOLDERS if os.path.isdir(f) and os.stat(f).st_mode & 0o002)
    )
    keep = tuple(k for k in kept if any(_within(k, f) and k != f for f in private))
    return Sandbox(uid, tuple(planned), tuple(readonly), tools, private=private, keep=keep)


def _within(path: str, folder: str) -> bool:
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


# ---------------------------------------------------------------- inside the namespaces (runs as root, as PID 1)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    enc = [s.encode() if s is not None else None for s in (source, target, fstype, data)]
    if libc.mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags), enc[3]) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def _bind_readonly(source: str, target: str) -> None:
    _mount(source, target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _loopback_up() -> None:
    import fcntl
    import socket
    import struct

    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack("16sh22x", fcntl.ioctl(s, siocgifflags, struct.pack("16sh22x", b"lo", 0)))[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sh22x", b"lo", flags | iff_up))


def enter(spec: dict, argv: list[str]) -> int:
    """Set up the learner's view of the files, run `argv`, reap every orphan until it ends; return its status."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        # An interrupt for the kernel reaches its whole process group; it must not end this process (and with it
        # the namespace). A handler, unlike SIG_IGN, is reset when the kernel is exec'd: the kernel still gets it.
        signal.signal(signum, lambda *_: None)
    # Opened before the mounts below: a folder under /tmp is out of sight once this namespace has its own /tmp.
    report = os.open(spec["report"], os.O_PATH | os.O_DIRECTORY) if spec.get("report") else None
    for shared in spec.get("private", ()):
        # Open each folder to keep before the tmpfs covers it: /proc/self/fd/N still names the real one.
        keep = [k for k in spec.get("keep", ()) if _within(k, shared) and k != shared and os.path.isdir(k)]
        fds = [os.open(k, os.O_PATH | os.O_DIRECTORY) for k in keep]
        _mount("tmpfs", shared, "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={PRIVATE_SIZE}")
        for folder, fd in zip(keep, fds):
            os.makedirs(folder, mode=0o711, exist_ok=True)
            _mount(f"/proc/self/fd/{fd}", folder, None, MS_BIND | MS_REC)  # as it was: its own modes apply
            os.close(fd)
    for top, mode, folders in spec["covers"]:
        if not os.path.isdir(top):
            continue  # under a private /tmp: hidden already
        # Open each folder before the tmpfs covers it: /proc/self/fd/N still names the real one afterwards.
        fds = [os.open(f, os.O_PATH | os.O_DIRECTORY) for f in folders]
        _mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, f"mode={mode:o},size=64k")
        for folder, fd in zip(folders, fds):
            os.makedirs(folder, mode=0o711, exist_ok=True)
            _bind_readonly(f"/proc/self/fd/{fd}", folder)
            os.close(fd)
        _mount(None, top, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)  # nothing to write there
    for folder in spec["readonly"]:
        _bind_readonly(folder, folder)
    if spec.get("own_network"):
        _loopback_up()  # a new network namespace starts with its loopback down
    # ipykernel polls for its launcher (JPY_PARENT_PID) and quits when its parent is PID 1 (this process): the
    # poll is not needed here, where the kernel ends with the namespace.
    os.environ.pop("JPY_PARENT_PID", None)
    # Cells' output reaches the grader as messages; nothing the learner prints reaches the grader's terminal.
    io = None if spec.get("stdio") else subprocess.DEVNULL
    # SIGCHLD is held, so that the wait below wakes the moment a child ends (no zombie lingers for a poll); the
    # child gets it back before it becomes the learner's (see _limit).
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    kernel = subprocess.Popen(argv, stdin=io, stdout=io, preexec_fn=_limit)
    memory = int(spec.get("memory_mib") or MEMORY_MIB)
    while True:  # PID 1 of the namespace: orphans come here; the learner's memory is watched from here
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return 1
        except InterruptedError:
            continue
        if pid == kernel.pid:
            return os.waitstatus_to_exitcode(status) % 256
        if pid:
            continue  # an orphan reaped: look for more before waiting
        used = resident_mib()
        if used > memory:
            _report(report, f"its processes used {used:,.0f} MiB, past the {memory:,} MiB allowed")
            for p in _namespace_pids():
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        signal.sigtimedwait({signal.SIGCHLD}, POLL_S)


def _limit() -> None:
    """Set the rlimits the learner's processes inherit, and give back SIGCHLD (run in the child, before exec)."""
    import resource

    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
    for which, value in (
        (resource.RLIMIT_CPU, CPU_SECONDS),
        (resource.RLIMIT_NPROC, MAX_TASKS),
        (resource.RLIMIT_FSIZE, MAX_FILE_BYTES),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(which, (value, value))


def _namespace_pids() -> list[int]:
    """Return every process of this PID namespace but this one (its PID 1)."""
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]


def resident_mib() -> float:
    """Return the resident memory of every process in this PID namespace, in MiB (shared pages counted once each)."""
    total = 0
    for pid in _namespace_pids():
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        break
        except (OSError, ValueError, IndexError):
            continue
    return total / 1024


def _report(folder: int | None, what: str) -> None:
    """Append `what` to the limits file in the folder open as `folder` (never through a link the learner made)."""
    if folder is not None:
        try:
            fd = os.open(LIMIT_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o644, dir_fd=folder)
            with os.fdopen(fd, "a", encoding="utf-8") as f:
                f.write(what + "\n")
        except OSError:
            pass


if __name__ == "__main__":
    sys.exit(enter(json.loads(sys.argv[1]), sys.argv[3:]))
