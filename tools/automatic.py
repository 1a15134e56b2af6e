"""Recognise automatic mail (auto-replies, bulk mail, delivery reports).

A helpdesk must never answer these: two automatic responders answering each
other make a mail loop. The rules are RFC 3834's and the de-facto headers
that autoresponders and list servers set.
"""

from collections.abc import Mapping

_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond")
_REPORT_TYPES = {"multipart/report", "message/delivery-status"}


def is_automatic_mail(headers: Mapping[str, str]) -> bool:
    """Whether a mail with these headers was sent automatically.

    :param headers: the mail's headers, e.g. an ``email.message.Message``
        (case-insensitive look-ups, ``get`` returning ``None`` when absent);
    :return: True for ``Auto-Submitted`` other than ``no``, ``Precedence``
        bulk/junk/list, an ``X-Autoreply``-style header, a null
        ``Return-Path`` (``<>``) and delivery reports
    """
    auto_submitted = str(headers.get("Auto-Submitted") or "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return True
    if str(headers.get("Precedence") or "").strip().lower() in _BULK_PRECEDENCE:
        return True
    if any(headers.get(name) for name in _AUTOREPLY_HEADERS):
        return True
    if str(headers.get("Return-Path") or "").strip() == "<>":
        return True
    content_type = str(headers.get("Content-Type") or "").split(";")[0].strip()
    return content_type.lower() in _REPORT_TYPES
