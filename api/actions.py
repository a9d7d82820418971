"""The API's own write: a service request filed through Open311 is a case (disputes' do_file_case,
with its one audit row) plus the row that remembers it came through Open311."""

from __future__ import annotations

import secrets

from django.db import transaction

from api.models import Open311Request
from disputes.actions.cases import do_file_case
from governance.models import User


@transaction.atomic
def do_file_open311_request(*, actor: User, media_url: str = "", **fields) -> Open311Request:
    """`fields` are do_file_case's (which checks FILE_CASE on the grid and writes the audit row)."""
    case = do_file_case(actor=actor, **fields)
    return Open311Request.objects.create(case=case, token=secrets.token_urlsafe(16)[:22], media_url=media_url)
