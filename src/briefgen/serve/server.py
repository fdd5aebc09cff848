"""Running the editor: the live project, its watcher and uvicorn on a socket of our own
(so that a port in use is a plain error, not an exit from inside uvicorn)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from ..errors import UsageError
from .app import create_app, is_loopback
from .editor import Editor


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}; is another "
                         "program using it? Choose another with --port") from None
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def serve_editor(root: Path | str, host: str = "127.0.0.1", port: int = 8000, *,
                 on_ready: Callable[[str, bool], None] | None = None,
                 build: bool = True, allowed_hosts: tuple[str, ...] | list[str] = ()) -> None:
    """Serve the web editor until interrupted. ``on_ready(url, loopback)`` is called once
    the socket listens (the CLI says where, and warns when others can reach it). Requests
    are answered when addressed to an IP address, ``localhost``, this computer's names or
    one of ``allowed_hosts``."""
    import uvicorn

    editor = Editor(root)
    sock = bind(host, port)
    port = sock.getsockname()[1]
    if build:  # previews of what is out of date; a no-op when dist/ is current
        editor.build()
    stop = threading.Event()
    watcher = threading.Thread(target=editor.watch, args=(stop,), name="briefgen-watch",
                               daemon=True)
    watcher.start()
    app = create_app(editor, host=host, port=port, allowed_hosts=allowed_hosts)
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False,
                            proxy_headers=False, timeout_graceful_shutdown=1, lifespan="off")
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host
    if on_ready is not None:
        on_ready(f"http://{shown}:{port}/", is_loopback(host))
    try:
        server.run(sockets=[sock])
    finally:
        stop.set()
        with contextlib.suppress(OSError):
            sock.close()
        watcher.join(timeout=2)
