# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the servers on loopback share: ports, and the folders of servers
that drop privileges.

Servers that drop privileges (Dovecot and Postfix run as root hand their
files to unprivileged users) keep their folder where those users can reach
it: under the folder asked for when every folder above it can be traversed
by others, else in a private folder of their own under ``TMPDIR`` (a
checkout under root's home or ``mktemp -d`` is 0700), with a symbolic link
at the folder asked for. The server removes that private folder and its link
when it stops (:func:`remove_private_folder`); ``make clean`` removes any a
killed run left, by following the links under ``.run/``.
"""

import hashlib
import os
import shutil
import socket
import stat
import tempfile
import time
from pathlib import Path

# The names of the private folders under TMPDIR: PRIVATE_PREFIX + "<server>-..."
PRIVATE_PREFIX = "helpdesk_mgmt_mailgate-"


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=15.0, process=None):
    """Wait until something accepts connections on 127.0.0.1:``port``.

    :raises RuntimeError: when ``process`` ends first or after ``timeout``
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def reachable_by_others(path):
    """Whether every folder down to ``path`` can be traversed by any user."""
    path = Path(path).resolve()
    for folder in (path, *path.parents):
        if folder.exists() and not folder.stat().st_mode & stat.S_IXOTH:
            return False
    return True


def server_folder(root, name):
    """The folder a server that drops privileges keeps its files in: ``root``
    itself when unprivileged users can reach it, else a private folder under
    ``TMPDIR`` (one per ``root``), linked from ``root``. Emptied.

    :raises RuntimeError: when no such folder can be had
    """
    root = Path(root).absolute()
    if root.is_symlink():
        target = root.resolve()
        root.unlink()
        if target.exists():
            shutil.rmtree(target)
    elif root.exists():
        shutil.rmtree(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or reachable_by_others(root.parent):
        root.mkdir()
        root.chmod(0o755)
        return root
    digest = hashlib.sha1(str(root).encode()).hexdigest()[:12]
    private = Path(tempfile.gettempdir()) / f"{PRIVATE_PREFIX}{name}-{digest}"
    if private.exists():
        shutil.rmtree(private)
    private.mkdir(mode=0o755)
    private.chmod(0o755)
    if not reachable_by_others(private):
        private.rmdir()
        raise RuntimeError(
            f"{name}: neither {root} nor {private} can be reached by the "
            "unprivileged users the server runs as: set TMPDIR to a folder "
            "others can traverse (such as /tmp)"
        )
    root.symlink_to(private, target_is_directory=True)
    return private


def remove_private_folder(root):
    """Remove the private folder :func:`server_folder` made for ``root``
    under ``TMPDIR``, and the link to it. A folder kept at ``root`` itself
    (inside the checkout's ``.run``) stays, with the server's logs.

    :return: the folder removed, or None
    """
    root = Path(root).absolute()
    if not root.is_symlink():
        return None
    target = root.resolve()
    root.unlink()
    private = target.parent == Path(tempfile.gettempdir()).resolve()
    if private and target.name.startswith(PRIVATE_PREFIX) and target.is_dir():
        shutil.rmtree(target, ignore_errors=True)
        return target
    return None
