"""Production refuses what would be insecure: a weak SECRET_KEY (system check gridgov.E010), no HSTS
unless asked for (a year by default), and the demo city with its published password."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase, override_settings

from governance.apps import production_secret_key
from governance.models import User

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"GRIDGOV_PII_KEY": Fernet.generate_key().decode(), "GRIDGOV_PII_HASH_KEY": "h" * 40}
STRONG = "Zq8-" + "".join(chr(ord("a") + (i * 7) % 26) for i in range(60))


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "GRIDGOV_PRODUCTION", "SECRET_KEY")}
    clean.update({"GRIDGOV_PRODUCTION": "1", "ALLOWED_HOSTS": "gov.example", **KEYS, **env},
                 DJANGO_SETTINGS_MODULE="governance.settings")
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True)


class SecretKeyTestCase(SimpleTestCase):
    @override_settings(PRODUCTION=True, SECRET_KEY="short-but-varied-0123456789")
    def test_a_secret_key_shorter_than_50_characters_is_refused_in_production(self):
        [error] = production_secret_key()
        self.assertEqual(error.id, "gridgov.E010")
        self.assertTrue(error.is_serious())

    @override_settings(PRODUCTION=True, SECRET_KEY="ab" * 40)
    def test_a_secret_key_of_fewer_than_5_different_characters_is_refused_in_production(self):
        self.assertEqual([e.id for e in production_secret_key()], ["gridgov.E010"])

    @override_settings(PRODUCTION=True, SECRET_KEY=STRONG)
    def test_a_long_varied_secret_key_passes(self):
        self.assertEqual(production_secret_key(), [])

    @override_settings(PRODUCTION=False, SECRET_KEY="dev")
    def test_development_keeps_its_short_key(self):
        self.assertEqual(production_secret_key(), [])

    def test_manage_py_check_stops_on_a_weak_secret_key(self):
        out = run("manage.py", "check", SECRET_KEY="x" * 50)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("gridgov.E010", out.stderr)
        self.assertEqual(run("manage.py", "check", SECRET_KEY=STRONG).returncode, 0)


class HstsTestCase(SimpleTestCase):
    def probe(self, **env) -> int:
        code = ("import django, json; from django.conf import settings; django.setup(); "
                "print(json.dumps(settings.SECURE_HSTS_SECONDS))")
        out = run("-c", code, SECRET_KEY=STRONG, **env)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def test_production_sends_hsts_for_a_year_by_default_and_it_can_be_changed(self):
        self.assertEqual(self.probe(), 31536000)
        self.assertEqual(self.probe(SECURE_HSTS_SECONDS="600"), 600)


class SeedDemoTestCase(TestCase):
    @override_settings(PRODUCTION=True)
    def test_seed_demo_refuses_to_run_in_production(self):
        with self.assertRaisesMessage(CommandError, "生产环境（GRIDGOV_PRODUCTION=1）不能建立演示数据"):
            call_command("seed_demo", stdout=StringIO())
        self.assertFalse(User.objects.filter(username="admin").exists())
