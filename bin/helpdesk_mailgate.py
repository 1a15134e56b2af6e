#!/usr/bin/env python3
# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Hand one mail, read on standard input, to Odoo's mail gateway.

The program an MTA (Postfix, Exim) pipes each incoming mail into: it calls
``mail.thread.message_process`` through Odoo's XML-RPC API
(``/xmlrpc/2/object``) as a user authenticated with an API key, and tells
the MTA what to do with the mail by its exit status (sysexits.h):

* ``0``: Odoo processed the mail (a ticket, a comment) or logged it (the
  helpdesk keeps a mail whose processing fails in its mail log, and records
  a mail it ignores): the MTA may forget it.
* ``75`` (``EX_TEMPFAIL``): Odoo did not take the mail. The MTA keeps it in
  its queue and delivers it again later. This is the answer to everything
  that can get better without the sender: Odoo or its database unreachable
  or restarting, a time-out, an HTTP 5xx answer, a database error, and also
  a set-up mistake (wrong key, user, database or URL), so that fixing the
  set-up delivers the waiting mails. The reason is written on standard
  error: the MTA writes it to its log and, should the mail stay queued past
  the MTA's queue lifetime (Postfix: ``maximal_queue_lifetime``, 5 days),
  into the notice it returns to the sender. Nothing is bounced silently.
* ``65`` (``EX_DATAERR``): only with ``--bounce-rejected``: Odoo answered
  that it can never process this mail (an error raised while processing it
  that is neither transient nor a set-up problem); the MTA returns the mail
  to its sender at once, with the reason.

A mail delivered twice (Odoo processed it but the answer was lost) is
recognized by Odoo from its Message-ID and processed once.

The API key is read from a file (``--api-key-file``, or the environment
variable ``HELPDESK_MAILGATE_API_KEY_FILE``) or from the environment variable
``HELPDESK_MAILGATE_API_KEY``; it is never taken from the command line, which
``ps`` shows to every user of the machine.

Python 3 standard library only. See the "Mail transport agent (MTA)" section
of the addon's README (readme/CONFIGURE.md) for Postfix and Exim.
"""

import argparse
import http.client
import os
import socket
import sys
import xmlrpc.client

EX_OK = 0
EX_DATAERR = 65
EX_TEMPFAIL = 75

PROG = "helpdesk_mailgate"

# Faults whose text names one of these are passing troubles of Odoo or its
# database: the same mail goes through once they are over.
TRANSIENT_FAULTS = (
    "OperationalError",
    "InterfaceError",
    "SerializationFailure",
    "TransactionRollbackError",
    "LockNotAvailable",
    "could not connect to server",
    "connection to server",
    "server closed the connection",
    "terminating connection",
    "the database system is",
    "too many connections",
    "PoolError",
    "The connection pool is full",
    "QueryCanceled",
    "timeout",
    "Timeout",
    "MemoryError",
    "ServiceUnavailable",
    "RetryableJobError",
)
# Faults that mean the set-up is wrong (key, user, database, rights): a
# person must fix it; the mail waits in the MTA's queue meanwhile.
SETUP_FAULTS = (
    "AccessDenied",
    "AccessError",
    "Access Denied",
    "does not exist",
    "KeyError",
    "Invalid API key",
    "database",
)


def _say(message):
    """Tell the MTA (its log, and any notice to the sender) what happened."""
    sys.stderr.write(f"{message}\n")
    sys.stderr.flush()


class Defer(Exception):
    """Odoo did not take the mail now: the MTA must keep it (75)."""


class Rejected(Exception):
    """Odoo answered that it cannot process this mail, ever."""


class _TimeoutMixin:
    """An XML-RPC transport whose connections give up after ``timeout``."""

    def __init__(self, timeout, **kwargs):
        super().__init__(**kwargs)
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


class _Transport(_TimeoutMixin, xmlrpc.client.Transport):
    pass


class _SafeTransport(_TimeoutMixin, xmlrpc.client.SafeTransport):
    pass


def _proxy(url, endpoint, timeout):
    transport = (_SafeTransport if url.startswith("https:") else _Transport)(timeout)
    return xmlrpc.client.ServerProxy(
        f"{url.rstrip('/')}/xmlrpc/2/{endpoint}",
        transport=transport,
        allow_none=True,
    )


def read_api_key(environ, key_file=None):
    """The API key: from ``key_file`` (first line), else from the file named
    by ``HELPDESK_MAILGATE_API_KEY_FILE``, else from
    ``HELPDESK_MAILGATE_API_KEY``.

    :raises Defer: when there is none, or the file cannot be read
    """
    key_file = key_file or environ.get("HELPDESK_MAILGATE_API_KEY_FILE")
    if key_file:
        try:
            with open(key_file, encoding="utf-8") as handle:
                key = handle.readline().strip()
        except OSError as error:
            raise Defer(f"cannot read the API key file {key_file}: {error}") from error
        if not key:
            raise Defer(f"the API key file {key_file} is empty")
        return key
    key = environ.get("HELPDESK_MAILGATE_API_KEY", "").strip()
    if not key:
        raise Defer(
            "no API key: give --api-key-file FILE, or set "
            "HELPDESK_MAILGATE_API_KEY_FILE or HELPDESK_MAILGATE_API_KEY"
        )
    return key


def _classify_fault(fault):
    """Turn an XML-RPC fault into :class:`Defer` or :class:`Rejected`."""
    text = str(fault.faultString or "")
    last_line = text.strip().splitlines()[-1] if text.strip() else text
    if any(marker in text for marker in TRANSIENT_FAULTS):
        return Defer(f"Odoo is not able to take mail now: {last_line}")
    if any(marker in text for marker in SETUP_FAULTS):
        return Defer(
            f"check the gateway's set-up (user, API key, database): {last_line}"
        )
    return Rejected(f"Odoo cannot process this mail: {last_line}")


def _call(function, *args):
    """Call Odoo; every way it can fail becomes :class:`Defer` or
    :class:`Rejected`."""
    try:
        return function(*args)
    except xmlrpc.client.Fault as fault:
        raise _classify_fault(fault) from fault
    except xmlrpc.client.ProtocolError as error:
        # 5xx: a proxy in front of Odoo that cannot reach it, or Odoo
        # restarting; 4xx: a wrong URL. Both wait for someone or something.
        raise Defer(
            f"Odoo answered HTTP {error.errcode} {error.errmsg} for {error.url}"
        ) from error
    except (TimeoutError, socket.timeout) as error:
        raise Defer("Odoo did not answer in time") from error
    except (OSError, http.client.HTTPException) as error:
        raise Defer(f"cannot reach Odoo: {error}") from error
    except (xmlrpc.client.ResponseError, ValueError) as error:
        raise Defer(f"Odoo's answer could not be read: {error}") from error


def deliver(raw, url, database, login, api_key, model=None, timeout=300.0):
    """Hand ``raw`` to ``message_process`` and return its result.

    :param bytes raw: the mail as received;
    :param str model: the fallback model (e.g. ``helpdesk.ticket``), used for
        mail addressed to no alias, as a fetchmail server's target;
    :raises Defer: when Odoo did not take the mail now;
    :raises Rejected: when Odoo answered it never will
    """
    uid = _call(
        _proxy(url, "common", timeout).authenticate, database, login, api_key, {}
    )
    if not uid:
        raise Defer(
            f"Odoo refused the API key of user {login!r} on database {database!r}"
        )
    return _call(
        _proxy(url, "object", timeout).execute_kw,
        database,
        uid,
        api_key,
        "mail.thread",
        "message_process",
        [model or False, xmlrpc.client.Binary(raw)],
        {},
    )


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # A usage error is a set-up mistake: argparse's status 2 would make
        # the MTA bounce the mail.
        self.print_usage(sys.stderr)
        _say(f"{PROG}: {message} (mail deferred)")
        sys.exit(EX_TEMPFAIL)


def parse_args(argv):
    parser = _Parser(
        prog=PROG,
        # No abbreviations: "--api-key SECRET" must not pass for
        # --api-key-file (the key would show in ps).
        allow_abbrev=False,
        description="Read one mail on standard input and hand it to Odoo's "
        "mail gateway (message_process). Exit 0 when Odoo processed or "
        "logged it, 75 (EX_TEMPFAIL) when it did not take it now.",
    )
    parser.add_argument(
        "--url",
        default=os.environ.get("HELPDESK_MAILGATE_URL", "http://127.0.0.1:8069"),
        help="Odoo's URL (default $HELPDESK_MAILGATE_URL or http://127.0.0.1:8069)",
    )
    parser.add_argument(
        "-d",
        "--database",
        default=os.environ.get("HELPDESK_MAILGATE_DATABASE"),
        help="the database (default $HELPDESK_MAILGATE_DATABASE)",
    )
    parser.add_argument(
        "-u",
        "--user",
        default=os.environ.get("HELPDESK_MAILGATE_USER"),
        help="the login of the user the API key belongs to "
        "(default $HELPDESK_MAILGATE_USER)",
    )
    parser.add_argument(
        "-k",
        "--api-key-file",
        help="a file holding the API key on its first line (readable by the "
        "user the MTA runs this program as, by nobody else); else "
        "$HELPDESK_MAILGATE_API_KEY_FILE, else $HELPDESK_MAILGATE_API_KEY",
    )
    parser.add_argument(
        "-m",
        "--model",
        default=os.environ.get("HELPDESK_MAILGATE_MODEL", "helpdesk.ticket"),
        help="fallback model for mail addressed to no alias (default "
        "helpdesk.ticket: such mail is logged as ignored, not bounced)",
    )
    parser.add_argument(
        "-t",
        "--timeout",
        type=float,
        default=float(os.environ.get("HELPDESK_MAILGATE_TIMEOUT", 300)),
        help="seconds to wait for Odoo (default 300; keep it under the MTA's "
        "command time limit)",
    )
    parser.add_argument(
        "--bounce-rejected",
        action="store_true",
        help="exit 65 (EX_DATAERR: the MTA bounces the mail with the reason) "
        "when Odoo answers it can never process this mail, instead of 75",
    )
    args = parser.parse_args(argv)
    if not args.database or not args.user:
        parser.error("--database and --user are required")
    return args


def main(argv=None, stdin=None, environ=None):
    """Run the gateway; return the exit status for the MTA."""
    environ = os.environ if environ is None else environ
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        raw = (stdin or sys.stdin.buffer).read()
        if not raw.strip():
            raise Rejected("the input is empty: no mail to hand to Odoo")
        api_key = read_api_key(environ, args.api_key_file)
        result = deliver(
            raw,
            args.url,
            args.database,
            args.user,
            api_key,
            model=args.model,
            timeout=args.timeout,
        )
    except Defer as error:
        _say(f"{PROG}: {error} (mail deferred, to be retried)")
        return EX_TEMPFAIL
    except Rejected as error:
        if args.bounce_rejected:
            _say(f"{PROG}: {error}")
            return EX_DATAERR
        _say(f"{PROG}: {error} (mail deferred)")
        return EX_TEMPFAIL
    except Exception as error:  # whatever happens here, the MTA keeps the mail
        _say(f"{PROG}: unexpected {type(error).__name__}: {error} (mail deferred)")
        return EX_TEMPFAIL
    _say(f"{PROG}: processed by Odoo ({result or 'logged'})")
    return EX_OK


if __name__ == "__main__":
    sys.exit(main())
