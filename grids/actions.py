"""Writes on the grid log: a grid worker's visits and patrols (走访/巡查)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.actions import record_audit, require
from governance.images import reencode
from governance.models import Region, User
from governance.roles import Cap, Level
from grids.models import Visit, VisitKind

MAX_PHOTO_BYTES = 8 * 1024 * 1024


@transaction.atomic
def do_log_visit(
    *,
    actor: User | None,
    grid: Region,
    findings: str,
    kind: str = VisitKind.VISIT,
    at: datetime | None = None,
    house=None,
    resident=None,
    unit=None,
    place: str = "",
    photo: UploadedFile | None = None,
) -> Visit:
    if grid is None or grid.level != Level.GRID:
        raise ValidationError({"grid": _("请选择一个网格。")})
    require(actor, Cap.CHANGE_REGISTER, grid.code)
    errors: dict[str, list[str]] = {}
    findings = (findings or "").strip()
    if not findings:
        errors["findings"] = [_("请填写发现情况（如“无异常”）。")]
    if kind not in VisitKind.values:
        errors["kind"] = [_("类型只能是入户走访或网格巡查。")]
    at = at or timezone.now()
    if at > timezone.now() + timedelta(minutes=5):
        errors["at"] = [_("走访时间不能晚于现在。")]
    for field, obj in (("house", house), ("resident", resident), ("unit", unit)):
        if obj is not None and obj.grid_id != grid.code:
            errors[field] = [_("所选对象不在该网格内。")]
    if resident is not None and house is None:
        house = resident.house
    if not (house or resident or unit or place.strip()):
        errors["place"] = [_("请选择走访的房屋、人员或单位，或填写巡查地点。")]
    clean_photo = None
    if photo is not None and photo.size > MAX_PHOTO_BYTES:
        errors["photo"] = [_("照片不能超过 8 MB。")]
    elif photo is not None:
        try:
            clean_photo, __, __ = reencode(photo)  # JPEG without EXIF (GPS, camera), whatever was uploaded
        except ValidationError as e:
            errors["photo"] = e.messages
    if errors:
        raise ValidationError(errors)
    visit = Visit(
        grid=grid, worker=actor, kind=kind, at=at, house=house, resident=resident, unit=unit,
        place=place.strip(), findings=findings,
    )
    if clean_photo is not None:
        visit.photo.save(clean_photo.name, clean_photo, save=False)
    visit.save()
    record_audit(
        actor=actor, action=f"visit.{kind}", target=visit, region_code=grid.code,
        detail={"house": str(house.pk) if house else "", "resident": str(resident.pk) if resident else "",
                "unit": str(unit.pk) if unit else ""},
    )
    return visit


@transaction.atomic
def do_reencode_visit_photo(*, actor: User | None, visit: Visit) -> bool:
    """Re-encode a photo stored before photos were (EXIF and GPS kept, the uploader's extension):
    a clean .jpg replaces it and the old file is deleted once the transaction commits. Only the
    system (actor=None, the reencode_visit_photos command). False when there is nothing to do."""
    if actor is not None:
        raise PermissionError("re-encoding stored photos is run by the system only")
    if not visit.photo:
        return False
    old = visit.photo.name
    with visit.photo.open("rb") as handle:
        clean, __, __ = reencode(handle)
    visit.photo.save(clean.name, clean, save=False)
    visit.save(update_fields=["photo"])
    storage = visit.photo.storage
    transaction.on_commit(lambda: storage.delete(old))
    record_audit(actor=None, action="visit.photo.reencode", target=visit, region_code=visit.grid_id,
                 detail={"old": old.rsplit("/", 1)[-1], "new": visit.photo.name.rsplit("/", 1)[-1]})
    return True
