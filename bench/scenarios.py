"""The benchmark's mails and scenarios: what users meet, as raw bytes.

Pure Python (no Odoo): every mail is generated from its index alone, so both
databases receive the very same bytes. A scenario names the mails it sends,
the tickets they go to and what a correct outcome is; the worker
(``bench.measure``) pushes them through the gateway.
"""

import os
import random
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate

ALIAS_DOMAIN = "bench.example.com"
TEAMS = [("Bench Support", "support"), ("Bench Engineering", "engineering")]
AGENT = ("Olga Operadora", "olga.operadora@agents.bench.example.com", "bench_agent")
CUSTOMER = ("Carla Cliente", "carla.cliente@customer.bench.example.com")
# Another application's alias (not the helpdesk's): contacts are created from
# mail to it. res.partner is a mail.thread in every database with `mail`.
OTHER_ALIAS = ("contacts", "res.partner")
UNKNOWN_DOMAIN = "unknown.bench.example.com"

WORDS = (
    "the printer on the second floor stops after a few pages and shows a paper "
    "jam although there is no paper inside we restarted it twice and cleaned the "
    "rollers but the problem comes back every morning when the first jobs of the "
    "day arrive from the accounting team el servidor de ficheros responde muy "
    "despacio desde ayer y algunos usuarios no pueden abrir las hojas de cálculo "
    "compartidas please have a look as soon as possible"
).split()

BLOCKS = (
    "[INCIDENT]\nPRIORITY: 3\n[INCIDENT]\n\n[WORKUNIT]\nTIME_USED: 0.5\n[WORKUNIT]\n\n"
)


@dataclass(frozen=True)
class Scenario:
    """One kind of mail, timed in both databases.

    :param key: short name, used in the protocol and the report.
    :param label: what the report calls it.
    :param kind: ``new`` (opens a ticket), ``followup`` (lands on a ticket of
        ``tickets``) or ``other`` (goes to another application's alias).
    :param tickets: for follow-ups, the ticket set (see ``TICKET_SETS``) whose
        tickets the mails answer, in order.
    :param model: the fallback model handed to ``message_process``.
    """

    key: str
    label: str
    kind: str
    tickets: str = ""
    model: str | bool = "helpdesk.ticket"


# Ticket sets: "known" is made by the timed new-ticket scenario itself; the
# "blocks" set is made beforehand, untimed, by the same new-ticket mails, so
# that the plain follow-up (on "known") and the follow-up with blocks (on
# "blocks") both meet a ticket in the same state: a customer's new ticket
# that no agent has answered yet.
SCENARIOS = [
    Scenario("new_known", "new ticket, known contact", "new"),
    Scenario("new_unknown", "new ticket, unknown sender (contact created)", "new"),
    Scenario("plain", "agent's plain follow-up", "followup", "known"),
    Scenario("reply", "customer's plain reply", "followup", "known"),
    Scenario(
        "blocks", "agent's follow-up, [INCIDENT] + [WORKUNIT]", "followup", "blocks"
    ),
    Scenario(
        "other_alias", "mail to another app's alias (res.partner)", "other", model=False
    ),
]
BY_KEY = {scenario.key: scenario for scenario in SCENARIOS}
# Untimed preparation (its new-ticket mails are those of new_known, tagged apart).
PREPARE = Scenario("prepare_blocks", "tickets for the blocks follow-ups", "new")


def paragraph(seed, words=60):
    rnd = random.Random(seed)
    text = " ".join(rnd.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def wrap(text, width):
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line else lines


def mail_date(index):
    return formatdate(1_790_000_000 + 60 * index, localtime=False)


def queue_of(index):
    return f"{TEAMS[index % len(TEAMS)][1]}@{ALIAS_DOMAIN}"


@dataclass(frozen=True)
class NewTicket:
    """A new-ticket mail and what a follow-up needs to thread onto it."""

    raw: bytes
    message_id: str
    subject: str
    queue: str
    index: int
    sender: tuple


def new_ticket_mail(index, tag, sender=CUSTOMER):
    """A new-ticket mail to a team's queue (the two teams in turn): plain
    text, one paragraph, no Cc."""
    queue = queue_of(index)
    message_id = f"<bench-{tag}-{index}@customer.{ALIAS_DOMAIN}>"
    subject = f"Printer {index} does not print ({tag})"
    msg = EmailMessage(policy=SMTP)
    msg["From"] = formataddr(sender)
    msg["To"] = queue
    msg["Subject"] = subject
    msg["Date"] = mail_date(index)
    msg["Message-ID"] = message_id
    msg.set_content(f"Hello,\n\n{paragraph(index)}\n\nBest regards,\n{sender[0]}\n")
    return NewTicket(msg.as_bytes(), message_id, subject, queue, index, sender)


def unknown_sender(index):
    """A customer who has no contact yet: a new address per mail."""
    return (f"Nuevo Cliente {index}", f"nuevo.cliente.{index}@{UNKNOWN_DOMAIN}")


def follow_up_mail(index, ticket, tag, sender, blocks=""):
    """A reply to ``ticket`` threaded by In-Reply-To/References on its first
    Message-ID, the quoted original below, ``blocks`` above the signature."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = formataddr(sender[:2])
    msg["To"] = ticket.queue
    msg["Subject"] = f"Re: {ticket.subject}"
    msg["Date"] = mail_date(100_000 + index)
    msg["Message-ID"] = f"<bench-{tag}-{index}@{sender[1].split('@')[1]}>"
    msg["In-Reply-To"] = ticket.message_id
    msg["References"] = ticket.message_id
    quoted = "\n".join("> " + line for line in wrap(paragraph(ticket.index), 70))
    original = formataddr(ticket.sender)
    msg.set_content(
        f"Hi,\n\n{paragraph(-index - 1, 30)}\n\n{blocks}{sender[0]}\n\n"
        f"On {mail_date(ticket.index)}, {original} wrote:\n{quoted}\n"
    )
    return msg.as_bytes()


def other_alias_mail(index):
    """A known contact's mail to another application's alias."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = formataddr(CUSTOMER)
    msg["To"] = f"{OTHER_ALIAS[0]}@{ALIAS_DOMAIN}"
    msg["Subject"] = f"Contact request {index}"
    msg["Date"] = mail_date(200_000 + index)
    msg["Message-ID"] = f"<bench-other-{index}@customer.{ALIAS_DOMAIN}>"
    msg.set_content(f"Hello,\n\n{paragraph(index, 30)}\n\nCarla\n")
    return msg.as_bytes()


def scenario_mails(scenario, count, tickets):
    """The raw mails of ``scenario``, ``count`` of them.

    :param tickets: ticket set name -> list of :class:`NewTicket`, in the
        order the follow-ups answer them (needed for follow-ups only).
    :return: list of raw mails; follow-up ``i`` answers ``tickets[set][i]``.
    """
    key = scenario.key
    if key == "new_known":
        return [new_ticket_mail(i, "known").raw for i in range(count)]
    if key == PREPARE.key:
        return [new_ticket_mail(i, "blocks").raw for i in range(count)]
    if key == "new_unknown":
        return [
            new_ticket_mail(i, "unknown", unknown_sender(i)).raw for i in range(count)
        ]
    if key == "other_alias":
        return [other_alias_mail(i) for i in range(count)]
    targets = tickets[scenario.tickets][:count]
    if key == "reply":
        return [follow_up_mail(i, t, key, CUSTOMER) for i, t in enumerate(targets)]
    blocks = BLOCKS if key == "blocks" else ""
    return [follow_up_mail(i, t, key, AGENT, blocks) for i, t in enumerate(targets)]


def ticket_set(name, count):
    """The new-ticket mails that make the ticket set ``name``."""
    tag = {"known": "known", "blocks": "blocks"}[name]
    return [new_ticket_mail(i, tag) for i in range(count)]


def big_mail(kind, size, queue):
    """A new-ticket mail of ``size`` bytes in all: a 20 MB attachment
    (``attachment``: short text and one base64 binary file) or a 20 MB plain
    text body (``text``)."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = formataddr(CUSTOMER)
    msg["To"] = queue
    msg["Subject"] = f"Big mail ({kind})"
    msg["Date"] = mail_date(0)
    msg["Message-ID"] = f"<bench-big-{kind}-{os.getpid()}@customer.{ALIAS_DOMAIN}>"
    if kind == "text":
        line = " ".join(WORDS)[:75] + "\n"
        header_len = len(msg.as_bytes()) + 200
        count = max(1, (size - header_len) // len(line))
        msg.set_content(line * count, cte="7bit")
    else:
        msg.set_content(f"Hello,\n\n{paragraph(1)}\n\nThe dump is attached.\n")
        # base64 with 76-character lines: 57 bytes become 78 (CRLF-less 77).
        overhead = len(msg.as_bytes()) + 400
        payload = random.Random(7).randbytes(int((size - overhead) * 57 / 77))
        msg.add_attachment(
            payload,
            maintype="application",
            subtype="octet-stream",
            filename="dump.bin",
        )
    return msg.as_bytes()
