# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Real mail servers on loopback, for the demo (``scripts/demo_mail.py``)
and the end-to-end tier (``tests/e2e``).

* :class:`Dovecot`: a Dovecot IMAP server with its own configuration file,
  users, maildirs, sockets, state and logs in one folder, started in the
  foreground as a child process (``dovecot -F -c CONF``) and stopped with it.
  Nothing outside that folder is touched.
* :class:`SmtpSink`: an aiosmtpd SMTP server that accepts every message and
  keeps it, in memory and as ``.eml`` files in a folder.
* :class:`Mailbox`: the test mailbox seen through IMAP (imaplib): mail is
  delivered by ``APPEND``, as an MTA would leave it, and its flags are read.
* :class:`Postfix`: a private Postfix instance (its own configuration and
  queue folders, on a loopback port) that pipes the mail of one domain into
  a command, as an administrator sets up the addon's MTA gateway. The
  system's own Postfix (``/etc/postfix``) is neither used nor changed.

Servers that drop privileges (Dovecot and Postfix run as root hand their
files to unprivileged users) keep their folder where those users can reach
it: under the folder asked for when every folder above it can be traversed
by others, else in a private folder of their own under ``TMPDIR`` (a
checkout under root's home or ``mktemp -d`` is 0700), with a symbolic link
at the folder asked for.
"""

import email
import email.policy
import grp
import hashlib
import imaplib
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
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
    private = Path(tempfile.gettempdir()) / f"helpdesk_mgmt_mailgate-{name}-{digest}"
    if private.exists():
        shutil.rmtree(private)
    private.mkdir(mode=0o755)
    private.chmod(0o755)
    if not reachable_by_others(private):
        raise RuntimeError(
            f"{name}: neither {root} nor {private} can be reached by the "
            "unprivileged users the server runs as: set TMPDIR to a folder "
            "others can traverse (such as /tmp)"
        )
    root.symlink_to(private, target_is_directory=True)
    return private


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
        self.requested_root = Path(root).absolute()
        self.root = self.requested_root.resolve()
        self.port = None
        self.process = None

    @property
    def conf(self):
        return self.root / "dovecot.conf"

    @property
    def log(self):
        return self.root / "dovecot.log"

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
        internal, login, mail_uid, mail_gid = self._accounts()
        self.root = server_folder(self.requested_root, "dovecot")
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(parents=True)
        # The mail processes run as the mailbox's uid and create its maildir.
        os.chown(self.root / "mail", mail_uid, mail_gid)
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

    def fetchmail_values(self, name):
        """The values of an Odoo ``fetchmail.server`` that fetches this
        mailbox for the helpdesk (target model ``helpdesk.ticket``), as an
        administrator fills in the form; ``object_id`` is left to the caller,
        which has the database (``env["ir.model"]._get_id("helpdesk.ticket")``).
        """
        return {
            "name": name,
            "server_type": "imap",
            "server": "127.0.0.1",
            "port": self.port,
            "is_ssl": False,
            "user": self.user,
            "password": self.password,
        }

    def drop_connections(self):
        """Cut every IMAP session at once, as a crashed or restarted server
        does (the mail processes are killed; the server stays up).

        :return: how many sessions were cut
        """
        import psutil  # an Odoo dependency, present wherever Odoo is

        if not self.process:
            return 0
        cut = 0
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                if child.name() == "imap":
                    child.kill()
                    cut += 1
            except psutil.Error:
                continue
        return cut


class Mailbox:
    """The test user's INBOX through IMAP."""

    def __init__(self, port, user, password):
        self.port, self.user, self.password = port, user, password

    def _connect(self):
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(self.user, self.password)
        return imap

    def append(self, raw, flags=None):
        """Deliver ``raw`` (bytes) into INBOX, unseen, as an MTA would.

        :param str flags: IMAP flags to give it, e.g. ``"(\\Flagged)"``
        """
        imap = self._connect()
        try:
            status, data = imap.append(
                "INBOX", flags, imaplib.Time2Internaldate(time.time()), raw
            )
            assert status == "OK", f"IMAP APPEND failed: {data!r}"
        finally:
            imap.logout()

    def unseen_count(self):
        """How many INBOX messages are not \\Seen."""
        imap = self._connect()
        try:
            imap.select("INBOX", readonly=True)
            status, data = imap.search(None, "UNSEEN")
            assert status == "OK", data
            return len(data[0].split())
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

    def pause(self):
        """Stop listening (an SMTP server down), keeping what was received."""
        self.stop()

    def resume(self):
        """Listen again on the same port."""
        self._controller = Controller(
            _SinkHandler(self), hostname="127.0.0.1", port=self.port
        )
        self._controller.start()

    def sent_to(self, address):
        """The kept messages with ``address`` among their envelope recipients."""
        with self._lock:
            return [
                message
                for __, rcpt_tos, message in self.messages
                if address.lower() in {rcpt.lower() for rcpt in rcpt_tos}
            ]


def find_postfix():
    """Debian's Postfix master program folder, when Postfix is installed."""
    postfix = shutil.which("postfix") or "/usr/sbin/postfix"
    daemons = Path("/usr/lib/postfix/sbin")
    if os.access(postfix, os.X_OK) and (daemons / "master").exists():
        return postfix
    return None


# The queue folders of a Postfix instance: (name, owner group, mode). Postfix's
# own set-up (post-install, from /etc/postfix/postfix-files) would also
# "fix" the permissions of the system's Postfix files: not run here.
_POSTFIX_QUEUE = [
    (name, None, 0o700)
    for name in (
        "active",
        "bounce",
        "corrupt",
        "defer",
        "deferred",
        "flush",
        "hold",
        "incoming",
        "private",
        "saved",
        "trace",
    )
] + [("maildrop", "postdrop", 0o730), ("public", "postdrop", 0o710)]

_POSTFIX_MASTER_CF = """\
# Generated by the helpdesk_mgmt_mailgate end-to-end tests.
{listen} inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
helpdesk  unix  - n n - - pipe
  flags=Rq user={pipe_user} argv={argv}
"""


class Postfix:
    """A private Postfix instance: SMTP on 127.0.0.1:``port``, mail for
    ``domain`` piped into ``argv`` (a list; ``${recipient}`` and the other
    pipe(8) macros allowed) run as ``pipe_user``, everything else refused.
    The queue is retried only when :meth:`flush` is called, so a test
    decides when a deferred mail is tried again. Needs root (Postfix's
    master program refuses to run as another user)."""

    def __init__(self, root, domain, pipe_user="nobody"):
        self.requested_root = Path(root).absolute()
        self.root = self.requested_root
        self.domain = domain
        self.pipe_user = pipe_user
        self.port = None
        self.process = None

    @property
    def conf_dir(self):
        return self.root / "conf"

    @property
    def log(self):
        return self.root / "maillog"

    def prepare(self):
        """Make the instance's folder (reachable by Postfix's users) and
        return it: put the piped command's files there before :meth:`start`."""
        if os.geteuid() != 0:
            raise RuntimeError("Postfix runs only as root (its master program)")
        self.root = server_folder(self.requested_root, "postfix")
        return self.root

    def start(self, argv):
        """Write the configuration and start Postfix in the foreground."""
        if self.root == self.requested_root and not self.root.exists():
            self.prepare()
        postfix_user = pwd.getpwnam("postfix")
        queue = self.root / "queue"
        for sub in ("conf", "queue", "data"):
            (self.root / sub).mkdir(exist_ok=True)
        for name, group, mode in _POSTFIX_QUEUE:
            folder = queue / name
            folder.mkdir(exist_ok=True)
            gid = grp.getgrnam(group).gr_gid if group else postfix_user.pw_gid
            os.chown(folder, postfix_user.pw_uid, gid)
            folder.chmod(mode)
        (queue / "pid").mkdir(exist_ok=True)
        os.chown(self.root / "data", postfix_user.pw_uid, postfix_user.pw_gid)
        (self.root / "data").chmod(0o700)
        self.port = self.port or free_port()
        (self.conf_dir / "main.cf").write_text(
            f"""# Generated by the helpdesk_mgmt_mailgate end-to-end tests.
compatibility_level = 3.6
queue_directory = {queue}
data_directory = {self.root / "data"}
meta_directory = /etc/postfix
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = {self.log}
maillog_file_prefixes = {self.root}
syslog_name = postfix-mailgate-e2e
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mailgate-e2e.localdomain
mydomain = localdomain
mydestination =
mynetworks = 127.0.0.0/8
relay_domains = {self.domain}
transport_maps = inline:{{ {self.domain}=helpdesk: }}
helpdesk_destination_recipient_limit = 1
local_recipient_maps =
alias_maps =
alias_database =
smtpd_recipient_restrictions = permit_mynetworks, reject
biff = no
smtputf8_enable = no
# A deferred mail is tried again only when the test flushes the queue.
queue_run_delay = 3600s
minimal_backoff_time = 3600s
maximal_backoff_time = 7200s
"""
        )
        (self.conf_dir / "master.cf").write_text(
            _POSTFIX_MASTER_CF.format(
                listen=f"127.0.0.1:{self.port}",
                pipe_user=self.pipe_user,
                argv=" ".join(argv),
            )
        )
        self.process = subprocess.Popen(
            ["postfix", "-c", str(self.conf_dir), "start-fg"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_for_port(self.port, timeout=30, process=self.process)
        except RuntimeError as error:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            self.stop()
            raise RuntimeError(
                f"Postfix did not start ({error}):\n{log[-3000:]}"
            ) from error
        return self

    def _postfix(self, *args):
        return subprocess.run(
            args,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "MAIL_CONFIG": str(self.conf_dir)},
        )

    def send(self, raw, sender, recipients):
        """Hand a mail to Postfix over SMTP, as a client's server would."""
        import smtplib

        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as smtp:
            refused = smtp.sendmail(sender, recipients, raw)
        assert not refused, refused

    def queue(self):
        """The queue IDs of the mails Postfix holds (``postqueue -j``)."""
        import json

        done = self._postfix("postqueue", "-c", str(self.conf_dir), "-j")
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]

    def flush(self):
        """Try every deferred mail again now (``postqueue -f``)."""
        self._postfix("postqueue", "-c", str(self.conf_dir), "-f")

    def wait(self, predicate, timeout=60):
        """Wait until ``predicate(self.log_text())`` holds.

        :raises AssertionError: after ``timeout`` seconds
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.log_text()):
                return
            time.sleep(0.2)
        raise AssertionError(
            f"Postfix log after {timeout} s:\n{self.log_text()[-3000:]}"
        )

    def log_text(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self):
        """Stop Postfix (``postfix stop``; its master's group otherwise)."""
        if self.process and self.process.poll() is None:
            self._postfix("postfix", "-c", str(self.conf_dir), "stop")
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
