import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from parties import pii


def test_encryption_round_trips_and_hides_the_value():
    token = pii.encrypt("11010519491231002X")
    assert "11010519491231002X" not in token and "1949" not in token
    assert pii.decrypt(token) == "11010519491231002X"
    assert pii.encrypt("") == "" and pii.decrypt("") == ""


def test_the_blind_index_is_keyed_and_stable():
    a = pii.blind_index("11010519491231002X")
    assert a == pii.blind_index("11010519491231002X")
    assert len(a) == 64 and a != pii.blind_index("440524188001010014")
    assert a != hashlib.sha256(b"11010519491231002X").hexdigest()  # not a bare hash: it needs the key


def test_a_token_from_another_key_cannot_be_read(monkeypatch):
    token = pii.encrypt("13812345678")
    monkeypatch.setenv("GRIDGOV_PII_KEY", Fernet.generate_key().decode())
    with pytest.raises(ValueError):
        pii.decrypt(token)


def test_keys_can_rotate(monkeypatch):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("GRIDGOV_PII_KEY", old)
    token = pii.encrypt("13812345678")
    monkeypatch.setenv("GRIDGOV_PII_KEY", f"{new},{old}")
    assert pii.decrypt(token) == "13812345678"


def test_masks_keep_only_the_ends():
    assert pii.mask_id_number("21080219900101123X") == "2108**********123X"
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_phone("0417-2812345") == "0417-***2345"
    assert pii.mask_id_number("") == "" and pii.mask_phone("") == ""


def test_production_refuses_to_derive_the_keys_from_secret_key(monkeypatch, settings):
    settings.PRODUCTION = True
    monkeypatch.delenv("GRIDGOV_PII_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured):
        pii.encrypt("13812345678")


def test_new_tokens_are_aes_gcm_and_old_fernet_tokens_still_read(monkeypatch):
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("GRIDGOV_PII_KEY", key)
    token = pii.encrypt("21080219900101123X")
    assert token.startswith(pii.TOKEN_PREFIX) and len(token) < 80
    assert pii.encrypt("21080219900101123X") != token  # a fresh nonce every time
    legacy = Fernet(key.encode()).encrypt(b"13812345678").decode()
    assert pii.decrypt(legacy) == "13812345678"


def test_a_tampered_token_is_refused(monkeypatch):
    token = pii.encrypt("13812345678")
    body = token[len(pii.TOKEN_PREFIX):]
    flipped = body[:20] + ("A" if body[20] != "A" else "B") + body[21:]
    with pytest.raises(ValueError):
        pii.decrypt(pii.TOKEN_PREFIX + flipped)
    with pytest.raises(ValueError):
        pii.decrypt(pii.TOKEN_PREFIX + "not base64!")


def test_the_blind_index_follows_the_configured_hash_key(monkeypatch):
    before = pii.blind_index("13812345678")
    monkeypatch.setenv("GRIDGOV_PII_HASH_KEY", "another secret")
    assert pii.blind_index("13812345678") != before
    assert pii.blind_index("13812345678") == hmac.new(b"another secret", b"13812345678", hashlib.sha256).hexdigest()


def test_encrypt_many_gives_tokens_that_read_back_each_with_its_own_nonce():
    values = ["21080219900101123X", "", "13812345678", "13812345678"]
    tokens = pii.encrypt_many(values)
    assert [pii.decrypt(t) for t in tokens] == values
    assert tokens[1] == "" and tokens[2] != tokens[3]
    nonces = {t[len(pii.TOKEN_PREFIX):][:16] for t in tokens if t}
    assert len(nonces) == 3
