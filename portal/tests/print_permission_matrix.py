"""Print the permission matrix the code answers today, in `permission_table.TABLE`'s format:

    GRIDGOV_PRINT_MATRIX=1 pytest portal/tests/print_permission_matrix.py -s -q
"""

from __future__ import annotations

import os

import pytest
from django.test import override_settings

from portal.tests.matrix_world import url_names
from portal.tests.test_permission_matrix import PermissionMatrixTestCase


@pytest.mark.skipif(not os.environ.get("GRIDGOV_PRINT_MATRIX"), reason="prints the matrix on request only")
@override_settings(DEBUG=False)
class PrintMatrix(PermissionMatrixTestCase):
    def test_print(self):
        self.client.raise_request_exception = False
        for name, route in url_names():
            get = self.answer("ad", name, route, "in", "GET")
            method = "POST" if get == 405 else "GET"
            inside, outside = self.observed(name, route, method)
            print(f'    "{name}": ("{method}", "{inside}", "{outside}"),')


del PermissionMatrixTestCase  # collected through PrintMatrix only here
