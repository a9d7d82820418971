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


def test_an_id_number_mask_keeps_only_the_area_code_and_a_phone_mask_hides_at_least_four_digits():
    assert pii.mask_id_number("21080219900101123X") == "210802************"
    assert pii.mask_id_number("210802900101123") == "210802*********"  # the old 15-digit number
    assert pii.mask_id_number("E12345678") == "E1*******"  # a passport
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_phone("0417-2812345") == "0417-****345"
    assert pii.mask_phone("0417-28123456") == "0417-****3456"
    assert pii.mask_phone("0417-2812345-8001") == "0417-****345-****"
    assert pii.mask_id_number("") == "" and pii.mask_phone("") == ""


def test_production_refuses_to_derive_the_keys_from_secret_key(monkeypatch, settings):
    settings.PRODUCTION = True
    monkeypatch.delenv("GRIDGOV_PII_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured):
        pii.encrypt("13812345678")


def test_keys_are_derived_from_secret_key_only_in_development(monkeypatch, settings):
    settings.PII_DEV_KEYS_ALLOWED = False  # DEBUG off, even outside production
    monkeypatch.delenv("GRIDGOV_PII_HASH_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured):
        pii.blind_index("13812345678")


def test_new_tokens_are_aes_gcm_and_old_fernet_tokens_still_read(monkeypatch):
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("GRIDGOV_PII_KEY", key)
    bound = pii.aad("parties.resident", "id_number_encrypted", "h")
    token = pii.encrypt("21080219900101123X", aad=bound)
    assert token.startswith(pii.TOKEN_PREFIX) and len(token) < 80
    assert pii.encrypt("21080219900101123X", aad=bound) != token  # a fresh nonce every time
    legacy = Fernet(key.encode()).encrypt(b"13812345678").decode()
    assert pii.decrypt(legacy) == "13812345678"
    assert pii.decrypt(legacy, aad=bound) == "13812345678"  # old tokens carry no binding: read wherever they are


def test_a_bound_token_decrypts_only_with_its_own_row_and_column():
    aad = pii.aad("parties.resident", "id_number_encrypted", "hash-of-zhang")
    token = pii.encrypt("11010519491231002X", aad=aad)
    assert pii.decrypt(token, aad=aad) == "11010519491231002X"
    for elsewhere in (pii.aad("parties.resident", "id_number_encrypted", "hash-of-li"),  # another row
                      pii.aad("parties.resident", "phone_encrypted", "hash-of-zhang"),  # another column
                      pii.aad("disputes.party", "id_number_enc", "hash-of-zhang"),  # another table
                      None):  # read without a binding
        with pytest.raises(ValueError):
            pii.decrypt(token, aad=elsewhere)
    assert pii.readable(token) == str(pii.UNREADABLE)


def test_unbound_tokens_of_the_old_signature_still_read_and_reencrypt_binds_them():
    old = pii.encrypt("13812345678")  # no aad: what rosters and disputes write until they pass one
    assert old.startswith(pii.LEGACY_PREFIX) and pii.decrypt(old) == "13812345678"
    aad = pii.aad("parties.unit", "contact_phone_encrypted", "h")
    [fresh] = pii.reencrypted([old], aads=[aad])
    assert fresh.startswith(pii.TOKEN_PREFIX) and pii.decrypt(fresh, aad=aad) == "13812345678"
    assert pii.reencrypted([fresh], aads=[aad]) == [None]  # already current
    assert pii.reencrypted([old]) == [None]  # unbound and current: a model without bindings keeps it


def test_a_binding_needs_a_key():
    with pytest.raises(ValueError):
        pii.aad("parties.resident", "phone_encrypted", "")


def test_a_tampered_token_is_refused(monkeypatch):
    token = pii.encrypt("13812345678", aad=b"x")
    body = token[len(pii.TOKEN_PREFIX):]
    flipped = body[:20] + ("A" if body[20] != "A" else "B") + body[21:]
    with pytest.raises(ValueError):
        pii.decrypt(pii.TOKEN_PREFIX + flipped, aad=b"x")
    with pytest.raises(ValueError):
        pii.decrypt(pii.TOKEN_PREFIX + "not base64!", aad=b"x")


def test_the_blind_index_follows_the_configured_hash_key(monkeypatch):
    before = pii.blind_index("13812345678")
    monkeypatch.setenv("GRIDGOV_PII_HASH_KEY", "another secret")
    assert pii.blind_index("13812345678") != before
    assert pii.blind_index("13812345678") == hmac.new(b"another secret", b"13812345678", hashlib.sha256).hexdigest()


def test_encrypt_many_gives_tokens_that_read_back_each_with_its_own_nonce():
    values = ["21080219900101123X", "", "13812345678", "13812345678"]
    aads = [pii.aad("parties.resident", "f", n) for n in range(4)]
    tokens = pii.encrypt_many(values, aads=aads)
    assert [pii.decrypt(t, aad=a) for t, a in zip(tokens, aads)] == values
    assert tokens[1] == "" and tokens[2] != tokens[3]
    nonces = {t[len(pii.TOKEN_PREFIX):][:16] for t in tokens if t}
    assert len(nonces) == 3
