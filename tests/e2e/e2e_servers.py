# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The real servers of the end-to-end tier, on loopback only.

* :class:`Dovecot`: a Dovecot IMAP server with its own configuration file,
  users, maildirs, sockets, state and logs in one folder, started in the
  foreground as a child process (``dovecot -F -c CONF``) and stopped with it.
  Nothing outside that folder is touched.
* :class:`SmtpSink`: an aiosmtpd SMTP server that accepts every message and
  keeps it, in memory and as ``.eml`` files in a folder.
* :class:`Mailbox`: the test mailbox seen through IMAP (imaplib): mail is
  delivered by ``APPEND``, as an MTA would leave it, and its flags are read.
"""

import email
import email.policy
import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller


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


def find_dovecot():
    """The Dovecot binary (``MAILGATE_DOVECOT``, else PATH, else /usr/sbin)."""
    for candidate in (
        os.environ.get("MAILGATE_DOVECOT"),
        shutil.which("dovecot"),
        "/usr/sbin/dovecot",
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


class Dovecot:
    """A private Dovecot IMAP server: plaintext PLAIN/LOGIN auth (loopback,
    no SSL), one passwd-file user, maildir storage, all under ``root``."""

    user = "mailgate"
    password = "e2e-secret"

    def __init__(self, binary, root):
        self.binary = binary
        self.root = Path(root).resolve()
        self.port = None
        self.process = None
        self.conf = self.root / "dovecot.conf"
        self.log = self.root / "dovecot.log"

    def _accounts(self):
        """The system accounts Dovecot runs as: (internal, login, mail uid,
        mail gid). As root, Dovecot drops privileges to existing unprivileged
        users (Debian's ``dovecot``/``dovenull``; mail as ``nobody``); as
        another user, everything runs as that user."""
        if os.geteuid() != 0:
            me = pwd.getpwuid(os.geteuid())
            return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid
        for name in ("dovecot", "dovenull"):
            try:
                pwd.getpwnam(name)
            except KeyError as error:
                raise RuntimeError(
                    f"the system user {name!r} that Dovecot runs as does not exist "
                    "(Debian's dovecot-core package creates it)"
                ) from error
        nobody = pwd.getpwnam("nobody")
        return "dovecot", "dovenull", nobody.pw_uid, nobody.pw_gid

    def _stop_stale(self):
        """Stop a Dovecot left running from this folder by a run that was
        killed before its clean-up (its master.pid, if it runs our config)."""
        pid_file = self.root / "run" / "master.pid"
        try:
            pid = int(pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if str(self.conf).encode() in cmdline:
            os.kill(pid, signal.SIGTERM)
            for __ in range(50):
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.1)

    def write_config(self):
        """Write the configuration, the passwd-file and the folders."""
        self._stop_stale()
        if self.root.exists():
            shutil.rmtree(self.root)
        internal, login, mail_uid, mail_gid = self._accounts()
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(parents=True)
        # The mail processes run as the mailbox's uid and create its maildir.
        os.chown(self.root / "mail", mail_uid, mail_gid)
        self.root.chmod(0o755)
        passwd = self.root / "passwd"
        passwd.write_text(
            f"{self.user}:{{PLAIN}}{self.password}:{mail_uid}:{mail_gid}::"
            f"{self.root / 'mail' / self.user}::\n"
        )
        passwd.chmod(0o644)  # read by the auth process (internal user)
        self.port = self.port or free_port()
        # As root the login processes are chrooted into base_dir/login by
        # default; another user cannot chroot.
        chroot = "" if os.geteuid() != 0 else "login"
        self.conf.write_text(
            f"""# Generated by the helpdesk_mgmt_mailgate end-to-end tests.
instance_name = mailgate-e2e-{os.getpid()}
protocols = imap
listen = 127.0.0.1
base_dir = {self.root / "run"}
state_dir = {self.root / "state"}
log_path = {self.log}
info_log_path = {self.log}
debug_log_path = {self.log}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name}
default_login_user = {login}
first_valid_uid = {mail_uid}
mail_location = maildir:~/Maildir
mail_fsync = never
shutdown_clients = yes
# No statistics: nothing to connect to, nothing to wait for on shutdown.
stats_writer_socket_path =
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {passwd}
}}
service imap-login {{
  chroot = {chroot}
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
        )

    def start(self):
        """Start Dovecot in the foreground (a child of this process)."""
        self.write_config()
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.conf)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(self.port, process=self.process)
        except RuntimeError as error:
            output = (
                self.process.stdout.read().decode(errors="replace")
                if (self.process.poll() is not None)
                else ""
            )
            self.stop()
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(
                f"Dovecot did not start ({error}):\n{output}\n{log[-3000:]}"
            ) from error
        return self

    def stop(self):
        """Stop Dovecot and its children (SIGTERM to the master)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stdout:
            self.process.stdout.close()

    def mailbox(self):
        return Mailbox(self.port, self.user, self.password)


class Mailbox:
    """The test user's INBOX through IMAP."""

    def __init__(self, port, user, password):
        self.port, self.user, self.password = port, user, password

    def _connect(self):
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(self.user, self.password)
        return imap

    def append(self, raw):
        """Deliver ``raw`` (bytes) into INBOX, unseen, as an MTA would."""
        imap = self._connect()
        try:
            status, data = imap.append(
                "INBOX", None, imaplib.Time2Internaldate(time.time()), raw
            )
            assert status == "OK", f"IMAP APPEND failed: {data!r}"
        finally:
            imap.logout()

    def flags(self, message_id):
        """The IMAP flags of the INBOX messages whose Message-ID is
        ``message_id``, one set per message."""
        imap = self._connect()
        try:
            imap.select("INBOX", readonly=True)
            status, data = imap.search(None, "HEADER", "Message-ID", f'"{message_id}"')
            assert status == "OK", data
            result = []
            for num in data[0].split():
                status, fetched = imap.fetch(num, "(FLAGS)")
                assert status == "OK", fetched
                result.append(set(imaplib.ParseFlags(fetched[0])))
            return [{flag.decode() for flag in flags} for flags in result]
        finally:
            imap.logout()


class _SinkHandler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        self.sink._keep(envelope.mail_from, envelope.rcpt_tos, envelope.content)
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on 127.0.0.1 that accepts and keeps every message.

    :attr messages: list of ``(mail_from, rcpt_tos, email.message.EmailMessage)``
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        self.port = None
        self.messages = []
        self._lock = threading.Lock()
        self._controller = None

    def _keep(self, mail_from, rcpt_tos, content):
        message = email.message_from_bytes(content, policy=email.policy.default)
        with self._lock:
            self.messages.append((mail_from, list(rcpt_tos), message))
            (self.folder / f"{len(self.messages):03d}.eml").write_bytes(content)

    def start(self):
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        self.port = self.port or free_port()
        self._controller = Controller(
            _SinkHandler(self), hostname="127.0.0.1", port=self.port
        )
        self._controller.start()
        return self

    def stop(self):
        if self._controller:
            self._controller.stop()
            self._controller = None

    def sent_to(self, address):
        """The kept messages with ``address`` among their envelope recipients."""
        with self._lock:
            return [
                message
                for __, rcpt_tos, message in self.messages
                if address.lower() in {rcpt.lower() for rcpt in rcpt_tos}
            ]
