from __future__ import annotations

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from django.utils import translation

from reports.periods import Kind, Period, complete_periods, containing, last_complete, parse
from reports.tests.base import at


class PeriodTestCase(SimpleTestCase):
    def test_the_four_kinds_are_written_as_dhis2_writes_them(self):
        self.assertEqual([parse(p).code for p in ("2026-10", "2026q3", "2026H1", "2026")], ["2026-10", "2026Q3", "2026H1", "2026"])

    def test_a_bad_period_is_refused_in_chinese(self):
        for bad in ("2026-13", "2026Q5", "2026H3", "26-10", "", "1999", "2026-1"):
            with self.assertRaisesMessage(ValidationError, "报告期"):
                parse(bad)

    def test_a_month_runs_from_midnight_to_midnight_shanghai_time(self):
        oct_ = parse("2026-10")
        self.assertTrue(oct_.contains(at(2026, 10, 31, 23, 59, 59)))
        self.assertFalse(oct_.contains(at(2026, 11, 1, 0, 0, 1)))
        self.assertEqual(oct_.start.utcoffset().total_seconds(), 8 * 3600)

    def test_a_quarter_a_half_and_a_year_have_their_calendar_bounds(self):
        self.assertEqual((parse("2026Q3").first_day.isoformat(), parse("2026Q3").last_day.isoformat()), ("2026-07-01", "2026-09-30"))
        self.assertEqual(parse("2026H2").last_day.isoformat(), "2026-12-31")
        self.assertEqual(parse("2026").months, 12)

    def test_the_previous_period_and_the_same_period_last_year(self):
        self.assertEqual(parse("2026-01").previous().code, "2025-12")
        self.assertEqual(parse("2026Q1").previous().code, "2025Q4")
        self.assertEqual(parse("2026H1").same_last_year().code, "2025H1")

    def test_on_the_first_of_the_month_the_last_complete_month_is_the_one_before(self):
        self.assertEqual(last_complete(Kind.MONTH, at(2026, 11, 1, 2)).code, "2026-10")
        self.assertEqual(last_complete(Kind.QUARTER, at(2026, 10, 1, 2)).code, "2026Q3")
        self.assertEqual(containing(Kind.HALF, at(2026, 6, 30, 23, 59, 59)), Period(2026, Kind.HALF, 1))

    def test_complete_periods_since_a_moment_are_bounded(self):
        months = complete_periods(Kind.MONTH, at(2026, 8, 15), at(2026, 12, 1, 10))
        self.assertEqual([p.code for p in months], ["2026-08", "2026-09", "2026-10", "2026-11"])
        self.assertEqual(len(complete_periods(Kind.MONTH, at(2020, 1, 1), at(2026, 12, 1), limit=3)), 3)


def test_a_quarter_reads_in_chinese_and_in_english():
    assert parse("2026Q3").label == "2026年第三季度"
    with translation.override("en"):
        assert parse("2026Q3").label == "Q3 2026"
