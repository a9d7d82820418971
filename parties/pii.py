"""Personal information at rest: encrypted values, keyed look-up hashes, masks.

ID numbers and phones are stored encrypted (a database dump shows only
tokens) next to a keyed HMAC-SHA256 "blind index" of the normalised value, so
exact look-up and uniqueness still work without decrypting anything.

Tokens are AES-256-GCM (`cryptography`'s AEAD: one call per value, a random
96-bit nonce, the tag authenticates) written as "G2." + base64url(nonce ‖
ciphertext ‖ tag), bound to their row and column by the associated data
(`aad(model, field, key)`: "<app_label>.<model>.<field>:<key>"). A token copied
into another row or another column does not decrypt: pages show `UNREADABLE`.
The key is a value each row has before it is inserted (a roster import builds
its rows before they have a pk): a resident's tokens are bound to the
resident's ID-number blind index (unique), a unit's phone to its own blind
index; a row with neither (in-service members) is bound to its pk. Older
tokens are still read: "G1." (AES-GCM without associated data) and Fernet
("gAAAA…"); `reencrypted` (the reencrypt_pii command) rewrites them bound.

Keys: GRIDGOV_PII_KEY (one key — 32 bytes, urlsafe base64, as
`Fernet.generate_key()` makes — or several comma-separated, newest first, to
rotate: new tokens use the first, every key is tried to read) and
GRIDGOV_PII_HASH_KEY (a secret string of at least 32 characters). Each AES key
is derived from its configured key with HKDF, so the same configured key also
still reads the Fernet tokens. Only in development (settings.PII_DEV_KEYS_ALLOWED:
DEBUG on, not production) do missing keys default to values derived from
SECRET_KEY, and the system check says so (gridgov.W001); anywhere else the
app refuses to start without them (parties.checks). Changing the hash key
means re-hashing every row and re-encrypting every token bound to a hash;
keep it stable.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
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
from django.utils.translation import gettext_lazy as _

LEGACY_PREFIX = "G1."  # AES-GCM without associated data: read, never written for a bound column
TOKEN_PREFIX = "G2."  # AES-GCM bound to its row and column. "." is not base64url: no Fernet token starts like this
NONCE_BYTES = 12
KEY_NAMES = ("GRIDGOV_PII_KEY", "GRIDGOV_PII_HASH_KEY")
MIN_HASH_KEY_LENGTH = 32
# What a page shows for a token that does not decrypt (another key, or moved from another row or column).
UNREADABLE = _("（无法解密，请联系管理员）")

log = logging.getLogger("gridgov.pii")


@lru_cache(maxsize=8)
def _derived(purpose: str, secret_key: str) -> bytes:
    return hashlib.sha256(f"gridgov:{purpose}:{secret_key}".encode()).digest()


def aad(model, field: str, key) -> bytes:
    """The associated data binding a token to one column of one row: "<app_label>.<model>.<field>:<key>".

    `model`: a model class or instance (or its "app_label.model" label); `key`: a value the row
    has before it is inserted (a blind index) or its pk."""
    label = model if isinstance(model, str) else model._meta.label_lower
    if key is None or key == "":
        raise ValueError(f"{label}.{field}: no key to bind the token to")
    return f"{label.lower()}.{field}:{key}".encode()


def _split(token: str, prefix: str) -> tuple[bytes, bytes]:
    try:
        raw = base64.urlsafe_b64decode(token[len(prefix):])
    except (binascii.Error, ValueError):
        raise InvalidToken from None
    return raw[:NONCE_BYTES], raw[NONCE_BYTES:]


class _Keyring:
    def __init__(self, keys: str):
        configured = [k.strip() for k in keys.split(",") if k.strip()]
        self.fernet = MultiFernet([Fernet(k.encode()) for k in configured])
        self.aeads = [AESGCM(_aes_key(k)) for k in configured]

    def encrypt(self, data: bytes, nonce: bytes | None = None, aad: bytes | None = None) -> str:
        nonce = nonce or os.urandom(NONCE_BYTES)
        prefix = LEGACY_PREFIX if aad is None else TOKEN_PREFIX
        return prefix + base64.urlsafe_b64encode(nonce + self.aeads[0].encrypt(nonce, data, aad)).decode()

    def open(self, token: str, aad: bytes | None = None) -> tuple[bytes, bool]:
        """(plain bytes, whether the token is already what `encrypt` writes today with the newest key
        and this `aad`). A bound token read without its `aad`, or with another one, raises InvalidToken."""
        if token.startswith(TOKEN_PREFIX):
            if aad is None:
                raise InvalidToken
            nonce, sealed = _split(token, TOKEN_PREFIX)
            return self._open(nonce, sealed, aad)
        if token.startswith(LEGACY_PREFIX):
            nonce, sealed = _split(token, LEGACY_PREFIX)
            plain, newest = self._open(nonce, sealed, None)
            return plain, newest and aad is None
        return self.fernet.decrypt(token.encode()), False

    def _open(self, nonce: bytes, sealed: bytes, aad: bytes | None) -> tuple[bytes, bool]:
        for n, aead in enumerate(self.aeads):
            try:
                return aead.decrypt(nonce, sealed, aad), n == 0
            except (InvalidTag, ValueError):
                continue
        raise InvalidToken

    def is_current(self, token: str, aad: bytes | None = None) -> bool:
        try:
            return self.open(token, aad)[1]
        except InvalidToken:
            return False

    def decrypt(self, token: str, aad: bytes | None = None) -> bytes:
        return self.open(token, aad)[0]


def _aes_key(configured: str) -> bytes:
    material = base64.urlsafe_b64decode(configured.encode())
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"gridgov pii aes-256-gcm").derive(material)


@lru_cache(maxsize=4)
def _keyring(keys: str) -> _Keyring:
    return _Keyring(keys)


def dev_keys_allowed() -> bool:
    """Whether missing keys may be derived from SECRET_KEY: development only (DEBUG, not production)."""
    return bool(getattr(settings, "PII_DEV_KEYS_ALLOWED", False)) and not getattr(settings, "PRODUCTION", False)


def _env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value and not dev_keys_allowed():
        # Keys derived from SECRET_KEY would let anyone who knows it (the dev default is public)
        # decrypt a database dump, and rotating SECRET_KEY would lose every stored value.
        raise ImproperlyConfigured(f"{name} must be set outside development (see README: Configuration).")
    return value


def key_problems() -> list[tuple[str, str]]:
    """What makes the configured keys unusable, as (variable, Chinese message): empty when they can
    be used. Missing keys are a problem only where they may not be derived (dev_keys_allowed)."""
    problems = []
    keys, hash_key = (os.environ.get(name, "") for name in KEY_NAMES)
    if not keys and not dev_keys_allowed():
        problems.append(("GRIDGOV_PII_KEY", "未设置 GRIDGOV_PII_KEY（加密身份证号和电话的密钥）。"))
    for part in (k.strip() for k in keys.split(",")) if keys else ():
        try:
            if len(base64.urlsafe_b64decode(part.encode())) != 32:
                raise ValueError
            Fernet(part.encode())
        except (binascii.Error, ValueError):
            problems.append(("GRIDGOV_PII_KEY", "GRIDGOV_PII_KEY 中有一个密钥不是 32 字节的 urlsafe base64"
                             "（用 Fernet.generate_key() 生成；多个密钥以英文逗号分隔）。"))
            break
    if not hash_key and not dev_keys_allowed():
        problems.append(("GRIDGOV_PII_HASH_KEY", "未设置 GRIDGOV_PII_HASH_KEY（身份证号和电话检索哈希的密钥）。"))
    return problems


def weak_hash_key() -> bool:
    """A configured hash key shorter than MIN_HASH_KEY_LENGTH: ID numbers and phones have few possible
    values, so a short key found by brute force would unmask the blind index of a dump."""
    key = os.environ.get("GRIDGOV_PII_HASH_KEY", "")
    return bool(key) and len(key) < MIN_HASH_KEY_LENGTH


def derived_keys_in_use() -> list[str]:
    """The key variables left unset, whose keys are derived from SECRET_KEY (development)."""
    return [name for name in KEY_NAMES if not os.environ.get(name, "")]


def _cipher() -> _Keyring:
    keys = _env("GRIDGOV_PII_KEY") or base64.urlsafe_b64encode(_derived("pii-encryption", settings.SECRET_KEY)).decode()
    return _keyring(keys)


@lru_cache(maxsize=4)
def _hmac_template(key: bytes):
    return hmac.new(key, digestmod=hashlib.sha256)


def _hash_key() -> bytes:
    key = _env("GRIDGOV_PII_HASH_KEY")
    return key.encode() if key else _derived("pii-blind-index", settings.SECRET_KEY)


def encrypt(text: str, *, aad: bytes | None = None) -> str:
    """A token for `text` ("" stays ""), bound to `aad` (see `aad()`). Without `aad` (the old
    signature) the token is an unbound "G1." one: still read, upgraded by reencrypt_pii."""
    if not text:
        return ""
    return _cipher().encrypt(text.encode(), aad=aad)


def decrypt(token: str, *, aad: bytes | None = None) -> str:
    """The plain text of a token from `encrypt` ("" stays ""). A token from an unknown key, or a bound
    token read without its own `aad` (moved from another row or column), raises ValueError."""
    if not token:
        return ""
    try:
        return _cipher().decrypt(token, aad).decode()
    except InvalidToken:
        raise ValueError("无法解密：密钥不匹配、数据已损坏或密文不属于该记录。") from None


def readable(token: str, *, aad: bytes | None = None, what: str = "") -> str:
    """`decrypt`, for a page: a token that does not decrypt gives UNREADABLE (and a log line), not a 500."""
    try:
        return decrypt(token, aad=aad)
    except ValueError:
        log.error("PII token does not decrypt: %s", what or (aad or b"(unbound)").decode(errors="replace").split(":")[0])
        return str(UNREADABLE)


def masked(token: str, mask: Callable[[str], str], *, aad: bytes | None = None, what: str = "") -> str:
    """The masked value of a token ("" stays ""); UNREADABLE for a token that does not decrypt."""
    plain = readable(token, aad=aad, what=what)
    return plain if plain == str(UNREADABLE) else mask(plain)


def reencrypted(tokens: list[str], *, aads: list[bytes | None] | None = None) -> list[str | None]:
    """For key rotation: each token written again with the newest key in today's format (bound to
    its `aads` entry), or None where it already is (or is empty). A token no configured key can
    read raises ValueError."""
    return [fresh for __, fresh in reopened(tokens, aads=aads)]


def reopened(tokens: list[str], *, aads: list[bytes | None] | None = None) -> list[tuple[str, str | None]]:
    """(plain text, fresh token or None) for each token: `reencrypted`, with the plain text too
    (for the masks stored beside some tokens)."""
    keyring = _cipher()
    aads = aads if aads is not None else [None] * len(tokens)
    out: list[tuple[str, str | None]] = []
    for token, bound in zip(tokens, aads, strict=True):
        if not token:
            out.append(("", None))
            continue
        try:
            plain, current = keyring.open(token, bound)
        except InvalidToken:
            raise ValueError("无法解密：密钥不匹配、数据已损坏或密文不属于该记录。") from None
        out.append((plain.decode(), None if current else keyring.encrypt(plain, aad=bound)))
    return out


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


def encrypt_many(texts: list[str], *, aads: list[bytes | None] | None = None) -> list[str]:
    """`encrypt` for many values (an import's batch): the key is looked up once and the random
    nonces are drawn in one call. `aads`: one associated data per value (see `aad()`), or None."""
    keyring = _cipher()
    randomness = os.urandom(NONCE_BYTES * len(texts))
    aads = aads if aads is not None else [None] * len(texts)
    return [
        keyring.encrypt(text.encode(), randomness[i * NONCE_BYTES:(i + 1) * NONCE_BYTES], bound) if text else ""
        for i, (text, bound) in enumerate(zip(texts, aads, strict=True))
    ]


# ---- masks. What a user who may not reveal sees must leave at least 1,000 numbers possible
# (parties/tests/test_masking.py counts them): an ID number keeps only its 6-digit area code —
# nothing of the birth date, the sequence or the check character — and pages show the birth
# year, never the date (`birth_year_label`). A phone keeps at most 4 digits at each end and hides
# at least 4: 138****5678 (10,000 numbers), 0417-****345 (8,000: a local number starts 2–9).


def mask_id_number(value: str) -> str:
    """210802************: a citizen ID number (18 characters, or the old 15) keeps its area code;
    another document's number (a passport…) keeps at most its first 2 characters."""
    if not value:
        return ""
    if len(value) in (15, 18):
        return value[:6] + "*" * (len(value) - 6)
    shown = 2 if len(value) >= 8 else 0
    return value[:shown] + "*" * (len(value) - shown)


def _mask_digits(number: str) -> str:
    """Hide at least 4 characters, show at most the last 4."""
    shown = min(4, max(0, len(number) - 4))
    return "*" * (len(number) - shown) + (number[-shown:] if shown else "")


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; 0417-****345 for landlines (area code and the last 3–4 digits stay,
    at least 4 hidden; an extension is hidden)."""
    if not value:
        return ""
    if "-" in value:
        area, _sep, rest = value.partition("-")
        number, sep, extension = rest.partition("-")
        return f"{area}-{_mask_digits(number)}" + (f"-{'*' * len(extension)}" if sep else "")
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return _mask_digits(value)


def birth_year_label(born, today) -> str:
    """The birth year a page shows instead of the birth date. The last two calendar years are one
    label ("2025–2026"): a year that has only just begun would narrow the date to a few days."""
    if born.year >= today.year - 1:
        return f"{today.year - 1}–{today.year}"
    return str(born.year)
