"""DKIM signing (dkimpy), when a key is configured in the environment.

Many providers sign outgoing mail themselves; sign here when yours does not (a plain relay,
your own server). Variables:

* ``BRIEFGEN_DKIM_KEY_FILE``: the private key (PEM, RSA), readable only by whoever sends;
* ``BRIEFGEN_DKIM_SELECTOR``: the selector whose TXT record (``<selector>._domainkey.<domain>``)
  publishes the public key;
* ``BRIEFGEN_DKIM_DOMAIN``: the signing domain (default: the From address's domain). It must be
  the From domain, or a parent or child of it, or DMARC would not count the signature.

The signature covers From, To, Subject, Date, Message-ID, Reply-To, List-Id, List-Unsubscribe
and List-Unsubscribe-Post (RFC 8058 asks for both list headers); From, Subject and the two
unsubscribe headers are signed once more than they occur, so that a copy with an added one
fails. Canonicalisation is relaxed/relaxed, which survives relays that re-fold headers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

HEADERS = (b"from", b"from", b"to", b"subject", b"subject", b"date", b"message-id",
           b"reply-to", b"list-id", b"list-unsubscribe", b"list-unsubscribe",
           b"list-unsubscribe-post", b"list-unsubscribe-post", b"mime-version",
           b"content-type")
VARIABLES = ("BRIEFGEN_DKIM_KEY_FILE", "BRIEFGEN_DKIM_SELECTOR")


@dataclass(frozen=True)
class DkimSigner:
    selector: str
    domain: str
    key: bytes

    def sign(self, message: bytes) -> bytes:
        """The message with a DKIM-Signature header in front."""
        import dkim

        header = dkim.sign(message, self.selector.encode("ascii"),
                           self.domain.encode("ascii"), self.key,
                           canonicalize=(b"relaxed", b"relaxed"),
                           include_headers=list(HEADERS))
        return header + message


def _aligned(domain: str, from_domain: str) -> bool:
    a, b = domain.lower().rstrip("."), from_domain.lower().rstrip(".")
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def signer_from_env(from_address: str, env: dict[str, str] | None = None
                    ) -> DkimSigner | None:
    """The signer the environment configures, or None when no key is set."""
    env = dict(os.environ if env is None else env)
    path, selector = (env.get(v, "").strip() for v in VARIABLES)
    if not path and not selector:
        return None
    if not path or not selector:
        missing = VARIABLES[0] if not path else VARIABLES[1]
        raise UsageError(f"DKIM is half set up: set {missing} too (or unset both "
                         f"{VARIABLES[0]} and {VARIABLES[1]} to send unsigned)")
    from_domain = from_address.rpartition("@")[2]
    domain = env.get("BRIEFGEN_DKIM_DOMAIN", "").strip() or from_domain
    if not domain.isascii() or not selector.isascii():
        raise UsageError("BRIEFGEN_DKIM_DOMAIN and BRIEFGEN_DKIM_SELECTOR must be ASCII "
                         "(write an internationalised domain as xn--...)")
    if not _aligned(domain, from_domain):
        raise UsageError(f"BRIEFGEN_DKIM_DOMAIN is {domain} but mail is from {from_domain}: "
                         "DMARC only counts a signature of the From domain (or a parent or "
                         "child of it)")
    try:
        key = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"BRIEFGEN_DKIM_KEY_FILE {path}: cannot read the key: "
                         f"{(exc.strerror or str(exc)).lower()}") from None
    signer = DkimSigner(selector, domain, key)
    try:
        signer.sign(b"From: a@example.org\r\nSubject: key check\r\n\r\nbody\r\n")
    except Exception as exc:  # dkimpy raises several types for a bad key
        raise UsageError(f"BRIEFGEN_DKIM_KEY_FILE {path}: not a usable RSA private key in PEM "
                         f"form ({type(exc).__name__}); make one with `openssl genrsa -out "
                         "dkim.key 2048`") from None
    return signer
