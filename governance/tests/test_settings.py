"""Settings come from the environment; these run Django in a subprocess with a given environment."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps({'debug': settings.DEBUG, 'secure': settings.SESSION_COOKIE_SECURE, "
    "'csrf_secure': settings.CSRF_COOKIE_SECURE, 'hosts': settings.ALLOWED_HOSTS, "
    "'engine': settings.DATABASES['default']['ENGINE'], 'eager': settings.CELERY_TASK_ALWAYS_EAGER, "
    "'broker': settings.CELERY_BROKER_URL, 'tz': settings.TIME_ZONE, 'celery_tz': settings.CELERY_TIMEZONE, "
    "'use_tz': settings.USE_TZ, 'lang': settings.LANGUAGE_CODE}))"
)


def probe(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "GRIDGOV_PRODUCTION")}
    clean.update(env, DJANGO_SETTINGS_MODULE="governance.settings")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True)
    if out.returncode:
        raise AssertionError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


class SettingsTestCase(SimpleTestCase):
    def test_the_default_is_sqlite_with_tasks_inline_in_shanghai_time_and_chinese(self):
        s = probe()
        self.assertTrue(s["engine"].endswith("sqlite3"))
        self.assertTrue(s["eager"])
        self.assertEqual((s["tz"], s["celery_tz"], s["use_tz"], s["lang"]), ("Asia/Shanghai", "Asia/Shanghai", True, "zh-hans"))

    def test_database_and_redis_urls_switch_to_postgresql_and_a_broker(self):
        s = probe(DATABASE_URL="postgres://u@127.0.0.1:5432/x", REDIS_URL="redis://127.0.0.1:6379/9")
        self.assertEqual(s["engine"], "governance.db.postgresql")  # Django's, with the audit chain's pre-commit step
        self.assertFalse(s["eager"])
        self.assertEqual(s["broker"], "redis://127.0.0.1:6379/9")

    def test_production_mode_turns_debug_off_and_cookies_secure(self):
        s = probe(GRIDGOV_PRODUCTION="1", SECRET_KEY="x" * 50, ALLOWED_HOSTS="gov.example,10.0.0.5",
                  GRIDGOV_PII_KEY="Dz0sXQ9kE5mZ2eJ7Yp1V3b8nC4rT6uW0aS2dF5gH7jK=", GRIDGOV_PII_HASH_KEY="h")
        self.assertFalse(s["debug"])
        self.assertTrue(s["secure"] and s["csrf_secure"])
        self.assertEqual(s["hosts"], ["gov.example", "10.0.0.5"])

    def test_production_mode_refuses_to_start_without_a_secret_key(self):
        with self.assertRaises(AssertionError) as cm:
            probe(GRIDGOV_PRODUCTION="1")
        self.assertIn("SECRET_KEY", str(cm.exception))

    def test_reading_the_settings_creates_no_directory(self):
        with tempfile.TemporaryDirectory() as tmp:
            var = Path(tmp) / "var"
            s = probe(GRIDGOV_VAR_DIR=str(var))
            self.assertTrue(s["engine"].endswith("sqlite3"))
            self.assertFalse(var.exists())
