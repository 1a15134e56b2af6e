"""Read ``Authentication-Results`` headers (RFC 8601) to tell whether a
mail's sender is authenticated by DMARC, or by a DKIM signature aligned with
the From domain, according to a trusted receiving server.

Only results added by the organisation's own servers count: anyone can write
an ``Authentication-Results`` header into a mail, so results from an
``authserv-id`` that is not trusted are ignored.
"""

import re
from collections.abc import Iterable

_RESULT = re.compile(
    r"(?P<method>[a-z0-9_.-]+)\s*=\s*(?P<result>[a-z]+)(?P<props>[^;]*)", re.I
)
_PROPERTY = re.compile(r"(?P<name>header\.[a-z]+)\s*=\s*(?P<value>[^\s;()]+)", re.I)
_COMMENT = re.compile(r"\([^()]*\)")


def sender_authenticated(
    results_headers: Iterable[str], from_domain: str, trusted_ids: Iterable[str]
) -> bool:
    """Whether a trusted server says the From domain is authenticated.

    :param results_headers: the mail's ``Authentication-Results`` values;
    :param from_domain: the domain of the From address;
    :param trusted_ids: the ``authserv-id`` of the servers to believe (the
        organisation's own inbound MTA), compared case-insensitively;
    :return: True when a trusted header has ``dmarc=pass`` (for the From
        domain when it names one) or ``dkim=pass`` with ``header.d`` (or
        ``header.i``) aligned with the From domain (relaxed alignment)
    """
    trusted = {server.strip().lower() for server in trusted_ids if server.strip()}
    from_domain = (from_domain or "").strip().lower()
    if not trusted or not from_domain:
        return False
    for header in results_headers:
        server, __, results = _COMMENT.sub("", str(header)).partition(";")
        if (server.split() or [""])[0].lower() not in trusted:
            continue
        for match in _RESULT.finditer(results):
            method, result = match["method"].lower(), match["result"].lower()
            properties = {
                prop["name"].lower(): prop["value"].lower().lstrip("@")
                for prop in _PROPERTY.finditer(match["props"])
            }
            if result != "pass":
                continue
            if method == "dmarc" and _aligned(
                properties.get("header.from", from_domain), from_domain
            ):
                return True
            signer = properties.get("header.d") or properties.get("header.i", "")
            if method == "dkim" and _aligned(signer.rpartition("@")[2], from_domain):
                return True
    return False


def _aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment: one domain is the other or a subdomain of it (a
    bare top-level domain aligns with nothing)."""
    domain = domain.lower()
    return "." in domain and (
        domain == from_domain
        or from_domain.endswith("." + domain)
        or domain.endswith("." + from_domain)
    )
