"""dbt imported once per `finops` run: a fork server for the run's dbt commands.

Every dbt command is a new process, and importing dbt costs about 2 s of CPU before it does any
work: a small run's transform waits for it. `finops run` starts this server while the ingest runs
(:func:`start`); it imports dbt and the DuckDB adapter, lists the project once so that what dbt
builds on its first use in a process is built (:func:`_warm_up`), then forks one child per dbt
command, which runs dbt's own command line (`dbt.cli.main.cli`) on the command's arguments,
environment, working directory and standard streams, exactly as the `dbt` executable would.

dagster-dbt still starts a process per command and reads its output: `dbt_client.py`, a
standard-library script run with `python -S -P` (no site packages: milliseconds), connects to the
server's socket, hands over its arguments and standard streams, forwards SIGINT and SIGTERM to
the child, and exits with the child's exit code. With no server listening (none started, or it
ended) the client becomes the `dbt` executable itself (`exec`), so every command runs either way.

The server runs in its own session (a Ctrl-C at the terminal reaches the client, which forwards
it once), reaps its children (so their CPU time counts in the run's resource usage), and leaves
when the process that started it ends.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

CLIENT = Path(__file__).with_name("dbt_client.py")

_server: subprocess.Popen | None = None
_socket_path: Path | None = None


def enable() -> None:
    """Route this process's dbt commands through a server (started later by :func:`start`):
    call it before the dbt resource is made. A command finding no socket yet runs dbt itself;
    once the server listens, a command waits for it to import dbt and warm up."""
    global _socket_path
    if _socket_path is None:
        directory = Path(tempfile.mkdtemp(prefix="finops-dbt-"))
        _socket_path = directory / "server.sock"


def enabled() -> bool:
    """Whether this process routes its dbt commands through a server (:func:`enable`)."""
    return _socket_path is not None


def client_command() -> list[str] | None:
    """The command that runs dbt through the server (the `dbt` executable follows it), or None
    when this process has no server."""
    if not enabled():
        return None
    # -S: no site packages to load; -P: nothing from the script's directory shadows a module.
    return [sys.executable, "-S", "-P", str(CLIENT), str(_socket_path)]


def start() -> None:
    """Start the server (after :func:`enable`; once). It imports dbt at once."""
    global _server
    if not enabled() or _server is not None:
        return
    _server = subprocess.Popen(
        # -P: the working directory (the user's, later the dbt project's) shadows no module.
        [sys.executable, "-P", "-m", __name__, str(_socket_path), str(os.getpid())],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop() -> None:
    """End the server and wait for it (its children's commands have ended: each client waits
    for its own); remove its directory (the socket, the warm-up's log)."""
    global _server, _socket_path
    server, path, _server, _socket_path = _server, _socket_path, None, None
    if server is not None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # not expected: its commands ended before the run
            server.kill()
            server.wait()
    if path is not None:
        shutil.rmtree(path.parent, ignore_errors=True)


# --- the server process -------------------------------------------------------------------------


def serve(path: str, parent: int) -> None:
    """Listen first (a client that connects during the import waits for it), import dbt, warm
    up, then fork a child per connection until SIGTERM or the parent's end; reap those children."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(16)
    # The imports every command would repeat.
    import dbt.adapters.duckdb
    import dbt.cli.main  # noqa: F401

    _warm_up(Path(path).parent / "warm-up")

    def on_term(signum, frame) -> None:
        raise _Stopped

    signal.signal(signal.SIGTERM, on_term)
    listener.settimeout(1.0)  # to notice the parent's end
    commands: set[int] = set()
    try:
        while os.getppid() == parent:
            _reap(commands, block=False)
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            if (child := os.fork()) == 0:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                listener.close()
                _run_command(connection)  # never returns
            commands.add(child)
            connection.close()
    except _Stopped:
        pass
    listener.close()
    _reap(commands, block=True)
    # What a normal exit would run (multiprocessing's finalizers release the warm-up's
    # semaphores: else its resource tracker warns of leaks), without the interpreter's
    # teardown of dbt's modules.
    atexit._run_exitfuncs()
    os._exit(0)


def _warm_up(directory: Path) -> None:
    """List the project's seeds once in this process (`dbt ls`, about 1 s), for what dbt builds
    on its first use in a process: the (de)serializers and JSON schemas of its classes. Each
    forked child inherits them instead of building them again: about 0.5 s less to start a
    command and 2 s less in a 360-node build (docs/benchmarks.md). `ls` opens no connection, so
    the warehouse, which the ingest holds meanwhile, is not touched. It starts from a copy of
    the parse state of the run's commands, in `directory`, which keeps only its `dbt.log`
    after (removed with the socket by :func:`stop`). Without a parse state a full parse would
    cost more than it saves: no warm-up. A failure is left to the commands, which do the same
    work and report it."""
    from dbt.cli.main import dbtRunner

    from finops_warehouse.locations import PROFILES_DIR, PROJECT_DIR, dbt_parse_state

    state = dbt_parse_state()
    if not state.exists():
        return
    directory.mkdir()
    shutil.copyfile(state, directory / state.name)
    dbtRunner().invoke(
        [
            *("ls", "--resource-type", "seed", "--quiet", "--no-write-json"),
            *("--target", os.environ.get("FINOPS_DBT_TARGET", "dev")),
            *("--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROFILES_DIR)),
            *("--target-path", str(directory), "--log-path", str(directory)),
        ]
    )
    for written in directory.iterdir():
        if written.name != "dbt.log":
            written.unlink()


class _Stopped(Exception):
    """SIGTERM: the run is over."""


def _reap(commands: set[int], block: bool) -> None:
    """Wait for the commands' ended children (blocking: for all of them), so their CPU time is
    counted. Only for them: the warm-up leaves multiprocessing's resource tracker as a child,
    which ends only after this process does."""
    for pid in list(commands):
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, 0 if block else os.WNOHANG)[0] == 0:
                continue
        commands.discard(pid)


def _run_command(connection: socket.socket) -> None:
    """In the forked child: become the client's dbt command, report its exit code, exit."""
    code = 1
    try:
        message, fds, _, _ = socket.recv_fds(connection, 1 << 20, 3)
        request = json.loads(message)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        signal.signal(signal.SIGINT, signal.default_int_handler)
        connection.send(json.dumps({"pid": os.getpid()}).encode())
        sys.argv = ["dbt", *request["argv"]]
        from dbt.cli.main import cli

        try:
            cli.main(args=request["argv"], prog_name="dbt")
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            # What dbt's own exit would run (multiprocessing's finalizers among them: else its
            # resource tracker warns of leaked semaphores), then no teardown of the modules.
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
            connection.send(json.dumps({"exit": code}).encode())
        os._exit(code)


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
