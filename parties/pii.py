"""Personal information at rest: encrypted values, keyed look-up hashes, masks.

ID numbers and phones are stored Fernet-encrypted (a database dump shows only
tokens) next to a keyed HMAC-SHA256 "blind index" of the normalised value, so
exact look-up and uniqueness still work without decrypting anything.

Keys: GRIDGOV_PII_KEY (one Fernet key, or several comma-separated, newest
first, to rotate) and GRIDGOV_PII_HASH_KEY (any secret string). In development
both default to values derived from SECRET_KEY. Changing the hash key means
re-hashing every row; keep it stable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"gridgov:{purpose}:{settings.SECRET_KEY}".encode()).digest()


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])


def _env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value and getattr(settings, "PRODUCTION", False):
        # Derived keys would tie every stored ID number to SECRET_KEY: rotating it would lose them.
        raise ImproperlyConfigured(f"{name} must be set in production (see README: Configuration).")
    return value


def _cipher() -> MultiFernet:
    keys = _env("GRIDGOV_PII_KEY") or base64.urlsafe_b64encode(_derived("pii-encryption")).decode()
    return _fernet(keys)


def _hash_key() -> bytes:
    key = _env("GRIDGOV_PII_HASH_KEY")
    return key.encode() if key else _derived("pii-blind-index")


def encrypt(text: str) -> str:
    """A Fernet token for `text` ("" stays "")."""
    if not text:
        return ""
    return _cipher().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The plain text of a token from `encrypt` ("" stays ""); a token from an unknown key raises ValueError."""
    if not token:
        return ""
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("无法解密：密钥不匹配或数据已损坏。") from None


def blind_index(text: str) -> str:
    """Keyed HMAC-SHA256 (hex) of the normalised value, for exact look-up and uniqueness ("" stays "")."""
    if not text:
        return ""
    return hmac.new(_hash_key(), text.encode(), hashlib.sha256).hexdigest()


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
