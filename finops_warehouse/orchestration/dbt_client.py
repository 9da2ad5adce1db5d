"""Run one dbt command through the run's dbt server (dbt_server.py); standard library only, run
as `python -S -P dbt_client.py SOCKET DBT_EXECUTABLE ARGS...`.

Hands the server its arguments, environment, working directory and standard streams, forwards
SIGINT and SIGTERM to the command, and exits with its exit code. With no server listening, or
one that ends before the command starts, it becomes the dbt executable itself.
"""

import json
import os
import signal
import socket
import sys


def main() -> None:
    path, dbt, *args = sys.argv[1:]
    request = {"argv": args, "env": dict(os.environ), "cwd": os.getcwd()}
    try:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        server.connect(path)
        socket.send_fds(server, [json.dumps(request).encode()], [0, 1, 2])
        started = server.recv(4096)
    except OSError:
        started = b""
    if not started:  # no server, or it ended before it started the command: dbt itself
        os.execv(dbt, [dbt, *args])
    pid = json.loads(started)["pid"]

    def forward(signum, frame) -> None:
        os.kill(pid, signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    ended = server.recv(4096)  # empty: the command was killed before it could answer
    sys.exit(json.loads(ended)["exit"] if ended else 1)


if __name__ == "__main__":
    main()
