"""Keys that live outside the database: nullifiers and sealed sheets.

While a ballot is open the database receives nothing that a holder of the database
alone could link to a token or read as a choice:

* a spent token is recorded as its *nullifier*, HMAC-SHA256 of the raw token under
  a key derived from the server secret. The token table stores SHA-256 of the raw
  token; neither hash can be turned into the other without the raw token, which
  exists only on the printed slip.
* a cast sheet is stored *sealed*: AES-256-GCM under a key derived from the server
  secret, padded to one fixed length per ballot so not even the ciphertext's size
  tells a choice or the length of a comment.

At close the sealed sheets are opened, written as plain sheets in random order in
one transaction and deleted (see services.close_ballot). Keys come from
SECRET_KEY, and from SECRET_KEY_FALLBACKS when reading, so a rotated key does not
lose a sealed sheet; rotating while a ballot is open is still advised against.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12
# Room for the category and the framing; a comment gets its own fixed room (500
# characters, each at most 6 bytes once JSON-escaped).
BASE_ROOM = 256
COMMENT_ROOM = 500 * 6
NONE, MULTIPLE = -1, -2


class SealError(Exception):
    """A sealed sheet no known server key opens (the key changed, or the row was altered)."""


def _secrets() -> Iterator[str]:
    yield str(settings.SECRET_KEY)
    yield from (str(k) for k in getattr(settings, "SECRET_KEY_FALLBACKS", ()))


# Derived once per (secret, purpose) and process: every cast needs them, and a rotated
# secret simply derives new entries (a handful at most).
@lru_cache(maxsize=16)
def _derive(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), f"shuping-ballot-{purpose}".encode(), hashlib.sha256).digest()


@lru_cache(maxsize=8)
def _aead(secret: str) -> AESGCM:
    return AESGCM(_derive(secret, "seal"))


def nullifier(token: str, secret: str | None = None) -> str:
    """The spent-token marker stored at cast time (64 hex characters)."""
    key = _derive(secret or str(settings.SECRET_KEY), "nullifier")
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def nullifier_candidates(token: str, token_hash: str) -> list[str]:
    """Every value that marks this token spent: under the current and fallback keys,
    and the token hash itself (tokens spent before nullifiers existed)."""
    return [*dict.fromkeys(nullifier(token, s) for s in _secrets()), token_hash]


def _aad(ballot_id: int) -> bytes:
    return f"shuping-ballot:{ballot_id}".encode()


def sealed_size(rows: int, allow_comment: bool) -> int:
    return BASE_ROOM + 4 * rows + (COMMENT_ROOM if allow_comment else 0)


def seal(
    ballot_id: int, *, category: str, codes: list[int], comment: str, allow_comment: bool
) -> bytes:
    """nonce ‖ AES-GCM(JSON [category, codes, comment] padded to the ballot's fixed size)."""
    body = json.dumps([category, codes, comment], ensure_ascii=False, separators=(",", ":"))
    data = body.encode()
    size = sealed_size(len(codes), allow_comment)
    if len(data) > size:  # pragma: no cover - bounded by construction (comment ≤ 500)
        raise ValueError("sheet too large to seal")
    data += b" " * (size - len(data))
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _aead(str(settings.SECRET_KEY)).encrypt(nonce, data, _aad(ballot_id))


def unseal(ballot_id: int, box: bytes) -> tuple[str, list[int], str]:
    nonce, ciphertext = box[:NONCE_BYTES], box[NONCE_BYTES:]
    for secret in _secrets():
        try:
            data = _aead(secret).decrypt(nonce, ciphertext, _aad(ballot_id))
        except InvalidTag:
            continue
        category, codes, comment = json.loads(data.decode())
        return str(category), [int(c) for c in codes], str(comment)
    raise SealError("no server key opens this sheet")
