"""Raw mail templates for the gateway tests.

Placeholders follow ``MailCase.format``: ``{email_from}``, ``{to}``, ``{cc}``,
``{subject}``, ``{msg_id}``, ``{return_path}``, ``{references}``, ``{extra}``
(extra header lines) and, here, ``{body}``.
"""

PLAIN = """Return-Path: {return_path}
To: {to}
Cc: {cc}
From: {email_from}
Subject: {subject}
Message-ID: {msg_id}
References: {references}
Date: Mon, 30 Nov 2026 09:15:00 +0100
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
{extra}

{body}
"""

# ISO-8859-1 body in quoted-printable; the subject is RFC 2047 encoded by the
# caller (e.g. "=?ISO-8859-1?Q?Problema_con_los_servidores_ca=EDdos?=").
PLAIN_LATIN1 = """Return-Path: {return_path}
To: {to}
Cc: {cc}
From: {email_from}
Subject: {subject}
Message-ID: {msg_id}
Date: Mon, 30 Nov 2026 09:15:00 +0100
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable
{extra}

Seguimos teniendo problemas con los servidores. Han estado ca=EDdos toda la=
 ma=F1ana.
"""

HTML_ONLY = """Return-Path: {return_path}
To: {to}
Cc: {cc}
From: {email_from}
Subject: {subject}
Message-ID: {msg_id}
Date: Mon, 30 Nov 2026 09:15:00 +0100
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 8bit
{extra}

<html><body><p>Seguimos teniendo <b>problemas</b> con los servidores.</p>
<p>Han estado caídos toda la mañana.</p></body></html>
"""

# The Integria manual's own example: a text body and screen1.png attached.
WITH_ATTACHMENT = """Return-Path: {return_path}
To: {to}
Cc: {cc}
From: {email_from}
Subject: {subject}
Message-ID: {msg_id}
Date: Mon, 30 Nov 2026 09:15:00 +0100
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="----=_Part_screen1"
{extra}

------=_Part_screen1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

{body}

------=_Part_screen1
Content-Type: image/png; name="screen1.png"
Content-Disposition: attachment; filename="screen1.png"
Content-Transfer-Encoding: base64

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==
------=_Part_screen1--
"""

# HTML with an inline (cid:) image, as mail clients send pasted screenshots.
WITH_INLINE_IMAGE = """Return-Path: {return_path}
To: {to}
Cc: {cc}
From: {email_from}
Subject: {subject}
Message-ID: {msg_id}
Date: Mon, 30 Nov 2026 09:15:00 +0100
MIME-Version: 1.0
Content-Type: multipart/related; boundary="----=_Part_inline"
{extra}

------=_Part_inline
Content-Type: text/html; charset=utf-8

<html><body><p>Mirad la captura:</p><img src="cid:captura@example.com"></body></html>
------=_Part_inline
Content-Type: image/png; name="captura.png"
Content-Disposition: inline; filename="captura.png"
Content-ID: <captura@example.com>
Content-Transfer-Encoding: base64

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==
------=_Part_inline--
"""

SEED_BODY = (
    "Seguimos teniendo problemas con los servidores. "
    "Han estado caídos toda la mañana."
)

# A reply threaded on a ticket's message by In-Reply-To, plain text.
REPLY = """Return-Path: {return_path}
To: {to}
Cc: {cc}
From: {email_from}
Subject: {subject}
Message-ID: {msg_id}
In-Reply-To: {in_reply_to}
References: {in_reply_to}
Date: Mon, 30 Nov 2026 11:00:00 +0100
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
{extra}

{body}
"""

INCIDENT_ALL_KEYS = """Lo paso a ingeniería, que ya está con ello.

[INCIDENT]
GROUP: Engineering
ASSIGNED_T0: {login}
PRIORITY: 3
STATUS: Assigned
RESOLUTION: Invalid
[INCIDENT]

[WORKUNIT]
TIME_USED: 0.05
[WORKUNIT]

Saludos,
Olga"""

QUOTED_OLD_BLOCK = """Sigo revisándolo, os digo algo en un rato.

On Mon, 30 Nov 2026 at 09:15, Soporte <soporte@test.mycompany.com> wrote:
> Cerrado por la agente.
>
> [INCIDENT]
> STATUS: Closed
> [INCIDENT]
"""

# A reply threaded on a ticket's message, HTML only (a forwarded or pasted
# HTML mail, Outlook's MsoNormal paragraphs).
REPLY_HTML = """Return-Path: {return_path}
To: {to}
Cc: {cc}
From: {email_from}
Subject: {subject}
Message-ID: {msg_id}
In-Reply-To: {in_reply_to}
References: {in_reply_to}
Date: Mon, 30 Nov 2026 11:00:00 +0100
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 8bit
{extra}

<html><body>{body}</body></html>
"""


def part_flood(head, text, count):
    """A raw mail of header lines ``head`` (bytes, no blank line) whose
    ``multipart/mixed`` body holds ``text`` and ``count`` one-byte attachments."""
    part = (
        b"--BND\r\nContent-Type: text/plain\r\n"
        b'Content-Disposition: attachment; filename="f%d.txt"\r\n\r\nx\r\n'
    )
    return b"".join(
        [
            head,
            b'Content-Type: multipart/mixed; boundary="BND"\r\n\r\n',
            b"--BND\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
            text.encode() + b"\r\n",
            *(part % index for index in range(count)),
            b"--BND--\r\n",
        ]
    )


def nested(head, text, depth):
    """A raw mail of header lines ``head`` whose ``text`` lies ``depth``
    ``multipart/mixed`` levels deep."""
    return b"".join(
        [
            head,
            *(
                b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n'
                % (level, level)
                for level in range(depth)
            ),
            b"Content-Type: text/plain; charset=utf-8\r\n\r\n",
            text.encode() + b"\r\n",
            *(b"--b%d--\r\n" % level for level in reversed(range(depth))),
        ]
    )
