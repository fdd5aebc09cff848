"""What an SMTP reply or a bounce is about.

* **The sender or the provider** (a daily quota, a rate limit, a blocked IP, failed DMARC,
  a relay that refuses us, a message too big for the server): every later message would fail
  the same way, and pushing on hurts the sender's reputation. The run stops and the rest of
  the list stays ``pending`` for the next run. Nobody is marked failed or suppressed.
* **A hard bounce**: the address does not exist or is disabled. The recipient is marked
  failed and added to the suppression store.
* Anything else about one recipient: retried when temporary (4xx), recorded as failed when
  permanent (5xx), but not suppressed (a full mailbox, a policy of the recipient's server).

A refusal of the sender's own address is about the sender whatever its code: ``X.1.7``
(bad sender mailbox syntax), ``X.1.8`` (bad sender system address, e.g. "Sender address
rejected: Domain not found") and texts such as "Sender address rejected", "Sender denied",
"Sender verify failed" (which some servers give with ``5.1.0``); it is never a hard bounce.
Otherwise enhanced status codes (RFC 3463, ``class.subject.detail``) decide when present:
subject 1 (addressing) and 2 (mailbox) are about the recipient; 3 (mail system), 4.5 (congestion;
Gmail and Microsoft 365 give ``5.4.5`` for a daily sending quota) and 7 (security and policy,
unless the text names the recipient) are about the sender. Without one, the text decides.
"""

from __future__ import annotations

import re

ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")

SENDER_TEXT = re.compile(
    r"quota|rate.?limit|too many|sending limit|limit exceeded|exceeded .*limit|throttl|"
    r"unusual rate|sending rate|sending paused|suspended|blocked using|block ?list|"
    r"black ?list|spamhaus|reputation|not authori[sz]ed to send|authentication required|"
    r"relay(ing)? (access )?(denied|not permitted)|sender (address )?(rejected|denied)|"
    r"dmarc|\bspf\b", re.I)
MAILBOX_FULL = re.compile(r"over ?quota|mailbox (is )?full|mailbox size|storage allocation|"
                          r"user.{0,40}quota|quota.{0,40}(user|mailbox|recipient)", re.I)
RECIPIENT_TEXT = re.compile(r"recipient|mailbox|\buser\b|\baccount\b", re.I)
ADDRESS_GONE = re.compile(
    r"no such (user|recipient|mailbox|address|account)|user unknown|unknown (user|recipient|"
    r"mailbox|address)|does ?n[o']t exist|not exist|recipient not found|mailbox not found|"
    r"user not found|mailbox unavailable|invalid (recipient|mailbox|address)|"
    r"address rejected|account (has been |is )?disabled|no mailbox|undeliverable address|"
    r"not a valid (recipient|mailbox|address)|address not found", re.I)

#: SMTP codes that are always about the sender: authentication required, refused, too weak
SENDER_CODES = {530, 534, 535, 538}
#: enhanced status (subject, detail) about the sender's own address: X.1.7, X.1.8
SENDER_STATUS = {(1, 7), (1, 8)}
SENDER_REFUSED = re.compile(r"sender (address )?(rejected|denied|verif)", re.I)


def enhanced(text: str) -> tuple[int, int, int] | None:
    """The first enhanced status code in ``text`` (``550 5.1.1 ...`` -> (5, 1, 1))."""
    found = ENHANCED.search(text)
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def about_sender(code: int, text: str) -> bool:
    """Whether a refusal is about the sender or the provider rather than one recipient."""
    if code in SENDER_CODES:
        return True
    status = enhanced(text)
    if _sender_refused(status, text):  # before subject 1 below: X.1.7 and X.1.8 are ours
        return True
    if status is not None:
        subject, detail = status[1], status[2]
        if subject in (1, 2):
            return False
        if subject == 3 or (subject, detail) == (4, 5):
            return True
        if subject == 7:
            return not RECIPIENT_TEXT.search(text) or bool(SENDER_TEXT.search(text))
    if MAILBOX_FULL.search(text):
        return False
    return bool(SENDER_TEXT.search(text))


def hard_bounce(code: int, text: str, status: tuple[int, int, int] | None = None) -> bool:
    """Whether a permanent failure says the address itself is bad (no such user, disabled).
    ``status`` is a DSN's Status field, when there is one."""
    if code and not 500 <= code < 600:
        return False
    if _sender_refused(status, text) or _sender_refused(enhanced(text), text):
        return False  # the sender's address was refused, not the recipient's
    status = status or enhanced(text)
    if status is not None:
        if status[0] != 5:
            return False
        if status[1] == 1 or status[1:] == (2, 1):
            return True
        if status[1] in (2, 3, 7):  # mailbox full, the mail system, policy
            return False
    return bool(ADDRESS_GONE.search(text)) and not about_sender(code or 550, text)


def _sender_refused(status: tuple[int, int, int] | None, text: str) -> bool:
    """Whether a reply refuses the sender's own address (X.1.7, X.1.8, "Sender address
    rejected", "Sender denied", "Sender verify failed")."""
    return (status is not None and status[1:] in SENDER_STATUS) or \
        bool(SENDER_REFUSED.search(text))
