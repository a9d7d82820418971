"""Test helpers for the second factor: the code an authenticator app would show for a key."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_code(key_hex: str, steps_ahead: int = 0) -> str:
    """The six digits for `key_hex` now (or that many 30-second steps later)."""
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def give_authenticator(user, key_hex: str = "3132333435363738393031323334353637383930") -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", key=key_hex, confirmed=True)
