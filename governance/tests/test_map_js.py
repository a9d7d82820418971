"""static/js/map.js converts coordinates for display exactly as governance.geo does: its converter is
run under node (skipped where node is missing) on points across China and abroad, and compared."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import unittest
from pathlib import Path

from governance import geo

# A grid with a hole, for the point-in-boundary and distance checks.
SQUARE = {"type": "Polygon", "coordinates": [
    [[122.2050, 40.6480], [122.2120, 40.6480], [122.2120, 40.6534], [122.2050, 40.6534], [122.2050, 40.6480]],
    [[122.2070, 40.6500], [122.2090, 40.6500], [122.2090, 40.6515], [122.2070, 40.6515], [122.2070, 40.6500]],
]}

MAP_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "map.js"
NODE = shutil.which("node") or ("/usr/bin/node" if Path("/usr/bin/node").exists() else None)
SCRIPT = """
const geo = require(process.argv[1]);
const SQUARE = JSON.parse(process.argv[2]);
const points = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = points.map(([lat, lng]) => ({
  gcj: geo.wgs84ToGcj02(lat, lng), bd: geo.wgs84ToBd09(lat, lng), gcjBack: geo.gcj02ToWgs84(lat, lng),
  bdBack: geo.bd09ToWgs84(lat, lng), cgcs: geo.fromWgs84(lat, lng, "cgcs2000"),
  outside: geo.distanceOutsideM(lat, lng, SQUARE), inside: geo.pointInBoundary(lat, lng, SQUARE),
}));
process.stdout.write(JSON.stringify(out));
"""


@unittest.skipUnless(NODE, "node is not installed")
class MapJsAgreesWithGeoTests(unittest.TestCase):
    def test_the_javascript_and_python_conversions_agree_to_a_millimetre(self):
        rng = random.Random(14)
        points = [(39.915, 116.404), (40.6670, 122.2350), (51.5074, -0.1278), (22.543847, 113.912316)]
        points += [(rng.uniform(18, 53), rng.uniform(74, 134.5)) for _ in range(300)]
        points += [(rng.uniform(40.640, 40.660), rng.uniform(122.20, 122.22)) for _ in range(100)]  # near SQUARE
        run = subprocess.run([NODE, "-e", SCRIPT, str(MAP_JS), json.dumps(SQUARE)], input=json.dumps(points), capture_output=True,
                             text=True, timeout=60, check=True)
        results = json.loads(run.stdout)
        worst = 0.0
        for (lat, lng), js in zip(points, results, strict=True):
            for key, python in (("gcj", geo.wgs84_to_gcj02(lat, lng)), ("bd", geo.wgs84_to_bd09(lat, lng)),
                                ("gcjBack", geo.gcj02_to_wgs84(lat, lng)), ("bdBack", geo.bd09_to_wgs84(lat, lng)),
                                ("cgcs", (lat, lng))):
                worst = max(worst, geo.distance_m(*python, *js[key]))
            self.assertEqual(js["inside"], geo.point_in_boundary(lat, lng, SQUARE))
            self.assertAlmostEqual(js["outside"], geo.distance_outside_m(lat, lng, SQUARE), delta=0.01)
        self.assertLess(worst, 0.001)
