"""The personal-data keys are checked at start-up: outside development (DEBUG on, not production) the
app refuses to start without GRIDGOV_PII_KEY and GRIDGOV_PII_HASH_KEY, rather than answer 500 at the
first register page or encrypt with keys derived from a SECRET_KEY a dump's reader may know; in
development the derived keys are allowed and a system check warning says so."""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

from cryptography.fernet import Fernet
from django.test import SimpleTestCase, override_settings

from parties.checks import pii_keys

ROOT = Path(__file__).resolve().parents[2]
STRONG_SECRET = "k3y-" + "".join(chr(ord("a") + i % 26) for i in range(60))


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DATABASE_URL", "REDIS_URL", "GRIDGOV_PRODUCTION", "GRIDGOV_PII_KEY", "GRIDGOV_PII_HASH_KEY",
                          "SECRET_KEY", "GRIDGOV_DEBUG")}
    clean.update(env, DJANGO_SETTINGS_MODULE="governance.settings")
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True)


def production(**env: str) -> dict:
    return {"GRIDGOV_PRODUCTION": "1", "SECRET_KEY": STRONG_SECRET, "ALLOWED_HOSTS": "gov.example", **env}


def ids(messages) -> list[str]:
    return [m.id for m in messages]


class PiiKeyCheckTestCase(SimpleTestCase):
    def keys(self, **values):
        env = {k: v for k, v in os.environ.items() if k not in ("GRIDGOV_PII_KEY", "GRIDGOV_PII_HASH_KEY")}
        return mock.patch.dict("os.environ", {**env, **values}, clear=True)

    def test_in_development_derived_keys_are_allowed_with_a_warning(self):
        with self.keys():
            messages = pii_keys()
        self.assertEqual(ids(messages), ["gridgov.W001"])
        self.assertIn("SECRET_KEY", messages[0].msg)
        self.assertFalse(messages[0].is_serious())

    @override_settings(PRODUCTION=True)
    def test_in_production_missing_keys_are_an_error_each(self):
        with self.keys():
            messages = pii_keys()
        self.assertEqual(ids(messages), ["gridgov.E001", "gridgov.E001"])
        self.assertIn("GRIDGOV_PII_KEY", messages[0].msg)
        self.assertIn("GRIDGOV_PII_HASH_KEY", messages[1].msg)

    @override_settings(PII_DEV_KEYS_ALLOWED=False)
    def test_with_debug_off_missing_keys_are_an_error_too(self):
        with self.keys(GRIDGOV_PII_KEY=Fernet.generate_key().decode()):
            self.assertEqual(ids(pii_keys()), ["gridgov.E001"])

    @override_settings(PRODUCTION=True)
    def test_a_key_that_is_not_32_bytes_of_base64_is_an_error_and_good_keys_pass(self):
        with self.keys(GRIDGOV_PII_KEY=f"{Fernet.generate_key().decode()},not-a-key", GRIDGOV_PII_HASH_KEY="h" * 40):
            self.assertEqual(ids(pii_keys()), ["gridgov.E001"])
        with self.keys(GRIDGOV_PII_KEY=Fernet.generate_key().decode(), GRIDGOV_PII_HASH_KEY="h" * 40):
            self.assertEqual(pii_keys(), [])

    @override_settings(PRODUCTION=True)
    def test_a_short_hash_key_is_warned_about(self):
        with self.keys(GRIDGOV_PII_KEY=Fernet.generate_key().decode(), GRIDGOV_PII_HASH_KEY="short"):
            self.assertEqual(ids(pii_keys()), ["gridgov.W002"])


class ProductionStartTestCase(SimpleTestCase):
    def test_production_without_the_keys_fails_the_system_check_at_start_up(self):
        out = run("manage.py", "check", "--deploy", **production())
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("gridgov.E001", out.stderr)
        self.assertIn("GRIDGOV_PII_KEY", out.stderr)
        self.assertIn("GRIDGOV_PII_HASH_KEY", out.stderr)

    def test_production_without_the_keys_fails_where_gunicorn_imports_the_app(self):
        out = run("-c", "import governance.wsgi", **production(GRIDGOV_PII_KEY=Fernet.generate_key().decode()))
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("GRIDGOV_PII_HASH_KEY", out.stderr)

    def test_production_with_the_keys_starts_and_passes_the_check(self):
        out = run("manage.py", "check", **production(GRIDGOV_PII_KEY=Fernet.generate_key().decode(),
                                                      GRIDGOV_PII_HASH_KEY="h" * 40))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertNotIn("gridgov.", out.stderr + out.stdout)

    def test_development_warns_that_the_keys_come_from_secret_key(self):
        out = run("manage.py", "check")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("gridgov.W001", out.stderr + out.stdout)
