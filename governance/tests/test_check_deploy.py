"""`manage.py check --deploy` is clean with a production environment (HSTS a year with subdomains,
secure cookies, SSL redirect, the keys set), and reports missing keys as gridgov.E001 — a system
check error, not a traceback."""

import json
import os
import subprocess
import sys

from django.test import SimpleTestCase

from governance.tests.test_production_defaults import KEYS, ROOT, STRONG


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    """As in production: no test-only variables (the test run's DJANGO_ALLOW_ASYNC_UNSAFE, its database)."""
    drop = ("DATABASE_URL", "REDIS_URL", "GRIDGOV_PRODUCTION", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    clean.update({"GRIDGOV_PRODUCTION": "1", "ALLOWED_HOSTS": "gov.example", **KEYS, **env},
                 DJANGO_SETTINGS_MODULE="governance.settings")
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True)


class CheckDeployTestCase(SimpleTestCase):
    def test_check_deploy_is_clean_in_production(self):
        out = run("manage.py", "check", "--deploy", SECRET_KEY=STRONG)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("no issues", out.stdout + out.stderr)

    def test_missing_keys_are_a_check_error_not_a_traceback(self):
        out = run("manage.py", "check", "--deploy", SECRET_KEY=STRONG, GRIDGOV_PII_KEY="", GRIDGOV_PII_HASH_KEY="")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("gridgov.E001", out.stderr)
        self.assertNotIn("Traceback", out.stderr)

    def test_production_turns_on_hsts_with_subdomains_secure_cookies_and_the_csp(self):
        code = ("import django, json; from django.conf import settings; django.setup(); print(json.dumps(["
                "settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SESSION_COOKIE_SECURE,"
                " settings.CSRF_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT,"
                " settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src']]))")
        out = run("-c", code, SECRET_KEY=STRONG, **KEYS)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout.strip().splitlines()[-1]), [31536000, True, True, True, True, ["'self'"]])
