"""Signed unsubscribe links (RFC 8058 one-click).

Each message links to ``<unsubscribe.endpoint>/<token>``. The token names the list and the
address and carries an HMAC-SHA256 signature made with ``BRIEFGEN_UNSUBSCRIBE_SECRET``, so
the unsubscribe server needs no database of tokens and refuses any token it did not sign
(a changed address or list breaks the signature). The secret comes only from the
environment, never from a project file: whoever has it can unsubscribe anyone. Changing it
breaks the links in every message already sent.

The token is readable (base64), not secret: it holds the address, like the message it came
in. Keep it out of web-server logs (see README).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from urllib.parse import quote

from ..errors import UsageError

SECRET_VARIABLE = "BRIEFGEN_UNSUBSCRIBE_SECRET"
MIN_SECRET = 16
_VERSION = "1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def secret_from_env(env: dict[str, str] | None = None) -> bytes:
    env = dict(os.environ if env is None else env)
    secret = env.get(SECRET_VARIABLE, "")
    if not secret:
        raise UsageError(f"unsubscribe.endpoint is set in mail/settings.yaml, so every message "
                         f"carries a signed unsubscribe link: set {SECRET_VARIABLE} to a long "
                         "random string (e.g. the output of `python3 -c 'import secrets; "
                         "print(secrets.token_urlsafe(32))'`), the same for `briefgen "
                         "unsubscribe serve`")
    if len(secret) < MIN_SECRET:
        raise UsageError(f"{SECRET_VARIABLE} is too short: use at least {MIN_SECRET} random "
                         "characters (32 or more is better)")
    return secret.encode("utf-8")


@dataclass(frozen=True)
class Signer:
    secret: bytes

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self.secret, f"briefgen-unsubscribe-{_VERSION}\0".encode() + payload,
                        hashlib.sha256).digest()

    def token(self, list_name: str, email: str) -> str:
        payload = f"{list_name}\0{email}".encode()
        return f"{_VERSION}.{_b64(payload)}.{_b64(self._mac(payload))}"

    def read(self, token: str) -> tuple[str, str] | None:
        """(list, address) of a token this secret signed, or None for anything else."""
        try:
            version, payload_b64, mac_b64 = token.split(".")
            payload, mac = _unb64(payload_b64), _unb64(mac_b64)
        except ValueError:  # also binascii.Error
            return None
        if version != _VERSION or not hmac.compare_digest(mac, self._mac(payload)):
            return None
        try:
            list_name, email = payload.decode("utf-8").split("\0")
        except (UnicodeDecodeError, ValueError):
            return None
        return list_name, email


def url(endpoint: str, signer: Signer, list_name: str, email: str) -> str:
    return f"{endpoint.rstrip('/')}/{quote(signer.token(list_name, email), safe='.')}"
