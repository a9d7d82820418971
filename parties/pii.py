"""Personal information at rest: encrypted values, keyed look-up hashes, masks.

ID numbers and phones are stored encrypted (a database dump shows only
tokens) next to a keyed HMAC-SHA256 "blind index" of the normalised value, so
exact look-up and uniqueness still work without decrypting anything.

Tokens are AES-256-GCM (`cryptography`'s AEAD: one call per value, a random
96-bit nonce, the tag authenticates) written as "G1." + base64url(nonce ‖
ciphertext ‖ tag). Tokens written before that are Fernet ("gAAAA…") and are
still read. GCM rather than Fernet because a city roster encrypts two values
per resident for millions of residents: Fernet builds a cipher, a padder and an
HMAC per call (~12 µs a value), the AEAD call costs ~2 µs.

Keys: GRIDGOV_PII_KEY (one key — 32 bytes, urlsafe base64, as
`Fernet.generate_key()` makes — or several comma-separated, newest first, to
rotate: new tokens use the first, every key is tried to read) and
GRIDGOV_PII_HASH_KEY (any secret string). Each AES key is derived from its
configured key with HKDF, so the same configured key also still reads the
Fernet tokens. In development both default to values derived from SECRET_KEY.
Changing the hash key means re-hashing every row; keep it stable.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Callable
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TOKEN_PREFIX = "G1."  # "." is not in the base64url alphabet: no Fernet token starts like this
NONCE_BYTES = 12


@lru_cache(maxsize=8)
def _derived(purpose: str, secret_key: str) -> bytes:
    return hashlib.sha256(f"gridgov:{purpose}:{secret_key}".encode()).digest()


class _Keyring:
    def __init__(self, keys: str):
        configured = [k.strip() for k in keys.split(",") if k.strip()]
        self.fernet = MultiFernet([Fernet(k.encode()) for k in configured])
        self.aeads = [AESGCM(_aes_key(k)) for k in configured]

    def encrypt(self, data: bytes, nonce: bytes | None = None) -> str:
        nonce = nonce or os.urandom(NONCE_BYTES)
        return TOKEN_PREFIX + base64.urlsafe_b64encode(nonce + self.aeads[0].encrypt(nonce, data, None)).decode()

    def is_current(self, token: str) -> bool:
        """Written in today's format with the newest key (nothing to gain from re-encrypting it)."""
        if not token.startswith(TOKEN_PREFIX):
            return False
        try:
            raw = base64.urlsafe_b64decode(token[len(TOKEN_PREFIX):])
            self.aeads[0].decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None)
        except (binascii.Error, ValueError, InvalidTag):
            return False
        return True

    def decrypt(self, token: str) -> bytes:
        if not token.startswith(TOKEN_PREFIX):
            return self.fernet.decrypt(token.encode())
        try:
            raw = base64.urlsafe_b64decode(token[len(TOKEN_PREFIX):])
        except (binascii.Error, ValueError):
            raise InvalidToken from None
        for aead in self.aeads:
            try:
                return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None)
            except InvalidTag:
                continue
        raise InvalidToken


def _aes_key(configured: str) -> bytes:
    material = base64.urlsafe_b64decode(configured.encode())
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"gridgov pii aes-256-gcm").derive(material)


@lru_cache(maxsize=4)
def _keyring(keys: str) -> _Keyring:
    return _Keyring(keys)


def _env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value and getattr(settings, "PRODUCTION", False):
        # Derived keys would tie every stored ID number to SECRET_KEY: rotating it would lose them.
        raise ImproperlyConfigured(f"{name} must be set in production (see README: Configuration).")
    return value


def _cipher() -> _Keyring:
    keys = _env("GRIDGOV_PII_KEY") or base64.urlsafe_b64encode(_derived("pii-encryption", settings.SECRET_KEY)).decode()
    return _keyring(keys)


@lru_cache(maxsize=4)
def _hmac_template(key: bytes):
    return hmac.new(key, digestmod=hashlib.sha256)


def _hash_key() -> bytes:
    key = _env("GRIDGOV_PII_HASH_KEY")
    return key.encode() if key else _derived("pii-blind-index", settings.SECRET_KEY)


def encrypt(text: str) -> str:
    """A token for `text` ("" stays "")."""
    if not text:
        return ""
    return _cipher().encrypt(text.encode())


def decrypt(token: str) -> str:
    """The plain text of a token from `encrypt` ("" stays ""); a token from an unknown key raises ValueError."""
    if not token:
        return ""
    try:
        return _cipher().decrypt(token).decode()
    except InvalidToken:
        raise ValueError("无法解密：密钥不匹配或数据已损坏。") from None


def reencrypted(tokens: list[str]) -> list[str | None]:
    """For key rotation: each token written again with the newest key in today's format, or None
    where it already is (or is empty). A token no configured key can read raises ValueError."""
    keyring = _cipher()
    stale = [t for t in tokens if t and not keyring.is_current(t)]
    fresh = iter(encrypt_many([decrypt(t) for t in stale]))
    return [next(fresh) if t and not keyring.is_current(t) else None for t in tokens]


def blind_index(text: str) -> str:
    """Keyed HMAC-SHA256 (hex) of the normalised value, for exact look-up and uniqueness ("" stays "")."""
    return blind_indexer()(text)


def blind_indexer() -> Callable[[str], str]:
    """`blind_index` with the key looked up once, for a loop over many values (an import)."""
    template = _hmac_template(_hash_key())

    def index(text: str) -> str:
        if not text:
            return ""
        h = template.copy()
        h.update(text.encode())
        return h.hexdigest()

    return index


def encrypt_many(texts: list[str]) -> list[str]:
    """`encrypt` for many values (an import's batch): the key is looked up once and the random
    nonces are drawn in one call."""
    keyring = _cipher()
    randomness = os.urandom(NONCE_BYTES * len(texts))
    return [
        keyring.encrypt(text.encode(), randomness[i * NONCE_BYTES:(i + 1) * NONCE_BYTES]) if text else ""
        for i, text in enumerate(texts)
    ]


def mask_id_number(value: str) -> str:
    """2108**********123X: the first 4 and last 4 characters stay."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****1234 for mobiles; 0417-***2345 for landlines (area code and last 4 stay)."""
    if not value:
        return ""
    if "-" in value:
        area, _, rest = value.partition("-")
        if len(rest) > 4:
            return f"{area}-{'*' * (len(rest) - 4)}{rest[-4:]}"
        return f"{area}-{'*' * len(rest)}"
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) > 4:
        return "*" * (len(value) - 4) + value[-4:]
    return "*" * len(value)
