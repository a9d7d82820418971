"""What someone who may not reveal sees of a resident must leave at least 1,000 possible ID numbers.

Each test takes what a page, the API or the export shows — the masked number, the birth date or
year, the gender — and counts the 18-character numbers that agree with all of it and are valid
(a real birth date, not after today; the sequence's parity matching the gender; the right check
character). The old mask (2108**********1234 beside the full birth date) left about ten."""

import csv
import io
import re
from datetime import date, timedelta

from django.utils import timezone

from parties import pii
from parties.idnumbers import CHECK_CHARS, EARLIEST_BIRTH, PROVINCES, WEIGHTS
from parties.tests.base import RegisterTestCase

ENOUGH = 1_000


def birth_dates(shown: str, today: date) -> list[date]:
    """The birth dates consistent with what is shown: a date "1949-12-31", a year "1949" or years "2025–2026"."""
    shown = shown.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", shown):
        return [date.fromisoformat(shown)]
    years = [int(y) for y in re.findall(r"\d{4}", shown)]
    assert years, f"no birth information in {shown!r}"
    day, last, dates = max(date(min(years), 1, 1), EARLIEST_BIRTH), min(date(max(years), 12, 31), today), []
    while day <= last:
        dates.append(day)
        day += timedelta(days=1)
    return dates


def candidates(masked: str, born: str, gender: str, today: date) -> int:
    """How many valid ID numbers agree with the masked number (each * any character), the birth
    information and the gender ("男"/"女" or "M"/"F")."""
    assert len(masked) == 18, masked
    male = gender in ("男", "M")
    areas = [""]
    for i in range(6):
        areas = [a + d for a in areas for d in ("0123456789" if masked[i] == "*" else masked[i])]
    areas = [a for a in areas if a[:2] in PROVINCES]
    seqs = [f"{n:03d}" for n in range(1000) if n % 2 == male
            and all(m in ("*", c) for m, c in zip(masked[14:17], f"{n:03d}"))]
    seq_sums = [sum(int(c) * w for c, w in zip(s, WEIGHTS[14:17])) for s in seqs]
    count = 0
    for area in areas:
        for day in birth_dates(born, today):
            head = area + f"{day:%Y%m%d}"
            if not all(m in ("*", c) for m, c in zip(masked[:14], head)):
                continue
            head_sum = sum(int(c) * w for c, w in zip(head, WEIGHTS))
            count += sum(masked[17] in ("*", CHECK_CHARS[(head_sum + s) % 11]) for s in seq_sums)
    return count


def shown_on_the_page(html: str) -> tuple[str, str, str]:
    number = re.search(r'data-testid="id-number">([^<]+)<', html).group(1)
    born = re.search(r"<dt>出生(?:日期|年份)</dt><dd[^>]*>([^<]+)</dd>", html).group(1)
    gender = re.search(r"<dt>性别</dt><dd[^>]*>([^<]+)</dd>", html).group(1)
    return number, born, gender


class MaskingTestCase(RegisterTestCase):
    def test_the_counter_finds_the_one_number_when_everything_is_shown(self):
        self.assertEqual(candidates("11010519491231002X", "1949-12-31", "女", date(2026, 1, 1)), 1)
        # The mask as it was, beside the full birth date: a handful of numbers to try.
        self.assertLess(candidates("1101**********002X", "1949-12-31", "女", date(2026, 1, 1)), 20)

    def test_a_grid_workers_view_of_a_resident_leaves_at_least_1000_numbers(self):
        self.client.force_login(self.carol)  # may not reveal
        number, born, gender = shown_on_the_page(self.client.get(f"/registers/residents/{self.zhang.pk}/").content.decode())
        self.assertGreaterEqual(candidates(number, born, gender, timezone.localdate()), ENOUGH, (number, born, gender))

    def test_the_api_leaves_at_least_1000_numbers(self):
        self.client.force_login(self.carol)
        row = self.client.get(f"/api/registers/residents/{self.zhang.pk}/").json()
        born = row.get("birth_year") or row.get("birth_date")
        self.assertGreaterEqual(candidates(row["id_number"], born, row["gender"], timezone.localdate()), ENOUGH, row)

    def test_the_export_leaves_at_least_1000_numbers_for_every_row(self):
        self.client.force_login(self.alice)
        text = b"".join(self.client.get("/registers/residents/export.csv").streaming_content).decode().lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(text)))
        header, rows = rows[0], rows[1:]
        born_at = next(i for i, h in enumerate(header) if h.startswith("出生"))
        self.assertEqual(len(rows), 3)
        for row in rows:
            self.assertGreaterEqual(candidates(row[1], row[born_at], row[2], timezone.localdate()), ENOUGH, row)

    def test_a_child_born_on_new_years_day_leaves_at_least_1000_numbers_that_very_day(self):
        today = date(2027, 1, 1)
        number = "210802202701010011"[:17]
        number += CHECK_CHARS[sum(int(c) * w for c, w in zip(number, WEIGHTS)) % 11]
        shown = pii.birth_year_label(date(2027, 1, 1), today)
        self.assertEqual(shown, "2026–2027")  # one label for the last two calendar years
        self.assertGreaterEqual(candidates(pii.mask_id_number(number), shown, "男", today), ENOUGH)
        self.assertEqual(pii.birth_year_label(date(2025, 6, 1), today), "2025")
