"""The map's tile settings come from GRIDGOV_MAP_*: none by default, a wrong coordinate system stops the app."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps({k: getattr(settings, k) for k in ('MAP_TILE_URL', 'MAP_TILE_CRS', 'MAP_TILE_ATTRIBUTION', "
    "'MAP_TILE_MAX_ZOOM', 'MAP_TILE_SUBDOMAINS', 'MAP_TILE_CSP_SOURCES')}))"
)


def probe(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GRIDGOV_MAP_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="governance.settings")
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True)


class MapSettingsTestCase(SimpleTestCase):
    def test_by_default_there_are_no_tiles(self):
        s = json.loads(probe().stdout.strip().splitlines()[-1])
        self.assertEqual((s["MAP_TILE_URL"], s["MAP_TILE_CRS"], s["MAP_TILE_CSP_SOURCES"]), ("", "wgs84", []))
        self.assertEqual(s["MAP_TILE_MAX_ZOOM"], 18)

    def test_a_tile_server_its_system_and_the_csp_source_it_needs(self):
        s = json.loads(probe(
            GRIDGOV_MAP_TILE_URL="https://t{s}.tianditu.example.gov.cn/vec_w/{z}/{x}/{y}.png", GRIDGOV_MAP_TILE_CRS="CGCS2000",
            GRIDGOV_MAP_TILE_SUBDOMAINS="01234", GRIDGOV_MAP_MAX_ZOOM="17", GRIDGOV_MAP_TILE_ATTRIBUTION="天地图",
        ).stdout.strip().splitlines()[-1])
        self.assertEqual(s["MAP_TILE_CRS"], "cgcs2000")
        self.assertEqual((s["MAP_TILE_SUBDOMAINS"], s["MAP_TILE_MAX_ZOOM"], s["MAP_TILE_ATTRIBUTION"]), ("01234", 17, "天地图"))
        self.assertEqual(s["MAP_TILE_CSP_SOURCES"], ["https://*.tianditu.example.gov.cn"])

    def test_an_unknown_coordinate_system_stops_the_app(self):
        out = probe(GRIDGOV_MAP_TILE_CRS="mars")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("GRIDGOV_MAP_TILE_CRS", out.stderr)
