"""Ticket reference tokens in mail subjects: ``[HT00012] Subject``."""

import re

_TOKEN = re.compile(r"\[([A-Za-z]{1,10}\d{1,12})\]")


def add_reference(subject: str, number: str) -> str:
    """Return ``subject`` prefixed with the ``[number]`` token, once.

    :param subject: the subject, possibly already carrying the token (a reply
        keeps it: ``Re: [HT00012] ...``), possibly empty;
    :param number: the ticket's reference, e.g. ``HT00012``;
    :return: the subject with exactly one ``[number]`` token
    """
    subject = " ".join((subject or "").split())
    if number in find_references(subject):
        return subject
    return f"[{number}] {subject}".rstrip()


def find_references(subject: str) -> list[str]:
    """Return the reference tokens found in ``subject``, in order."""
    return _TOKEN.findall(subject or "")
