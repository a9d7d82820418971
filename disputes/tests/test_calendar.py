"""Deadlines on the working calendar: weekends, holidays and 调休 make-up workdays (a pure function)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase, TestCase

from disputes.calendar import add_working_time, deadline_from, is_workday
from disputes.models import CalendarDay

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


# Week of 2026-09-21: Mon 21 … Fri 25 (中秋 holiday), Sat 26, Sun 27 (holidays); Sun 20 is a 调休 workday.
HOLIDAYS = {date(2026, 9, 25), date(2026, 9, 26), date(2026, 9, 27)}
WORKDAYS = {date(2026, 9, 20)}


class AddWorkingTimeTestCase(SimpleTestCase):
    def test_hours_inside_one_day_are_added_directly(self):
        self.assertEqual(add_working_time(at(2026, 11, 23, 10), 4, "hours"), at(2026, 11, 23, 14))

    def test_hours_that_run_past_closing_continue_the_next_morning(self):
        self.assertEqual(add_working_time(at(2026, 11, 23, 15), 4, "hours"), at(2026, 11, 24, 11))

    def test_hours_filed_on_friday_afternoon_skip_the_weekend(self):
        self.assertEqual(add_working_time(at(2026, 11, 27, 16), 2, "hours"), at(2026, 11, 30, 10))

    def test_hours_filed_at_night_start_at_the_next_opening(self):
        self.assertEqual(add_working_time(at(2026, 11, 23, 22), 1, "hours"), at(2026, 11, 24, 10))
        self.assertEqual(add_working_time(at(2026, 11, 24, 6), 1, "hours"), at(2026, 11, 24, 10))

    def test_hours_filed_on_a_sunday_start_on_monday(self):
        self.assertEqual(add_working_time(at(2026, 11, 29, 11), 3, "hours"), at(2026, 11, 30, 12))

    def test_a_full_working_day_of_hours_ends_at_closing(self):
        self.assertEqual(add_working_time(at(2026, 11, 23, 9), 8, "hours"), at(2026, 11, 23, 17))

    def test_days_end_at_closing_of_the_nth_working_day_after_filing(self):
        self.assertEqual(add_working_time(at(2026, 11, 23, 10), 1, "days"), at(2026, 11, 24, 17))
        self.assertEqual(add_working_time(at(2026, 11, 26, 10), 3, "days"), at(2026, 12, 1, 17))

    def test_days_skip_holidays_that_fall_on_weekdays(self):
        # Thu 24 Sep + 2 working days: Fri 25 is 中秋, weekend 26–27 off → Mon 28, Tue 29.
        self.assertEqual(add_working_time(at(2026, 9, 24, 10), 2, "days", HOLIDAYS, WORKDAYS), at(2026, 9, 29, 17))

    def test_days_count_a_make_up_workday_on_a_weekend(self):
        # Sat 19 Sep + 1 working day: Sun 20 is a 调休 workday.
        self.assertEqual(add_working_time(at(2026, 9, 19, 10), 1, "days", HOLIDAYS, WORKDAYS), at(2026, 9, 20, 17))
        self.assertEqual(add_working_time(at(2026, 9, 19, 10), 1, "days"), at(2026, 9, 21, 17))

    def test_hours_run_through_a_make_up_workday(self):
        self.assertEqual(add_working_time(at(2026, 9, 19, 10), 3, "hours", HOLIDAYS, WORKDAYS), at(2026, 9, 20, 12))

    def test_hours_jump_a_long_holiday(self):
        # National Day: 1–7 Oct off; Sat 10 Oct is a 调休 workday.
        holidays = {date(2026, 10, d) for d in range(1, 8)}
        self.assertEqual(
            add_working_time(at(2026, 9, 30, 16), 3, "hours", holidays, {date(2026, 10, 10)}), at(2026, 10, 8, 11)
        )

    def test_zero_days_on_a_holiday_means_closing_of_the_next_working_day(self):
        self.assertEqual(add_working_time(at(2026, 9, 26, 10), 0, "days", HOLIDAYS, WORKDAYS), at(2026, 9, 28, 17))

    def test_is_workday_honours_both_lists(self):
        self.assertFalse(is_workday(date(2026, 9, 25), HOLIDAYS, WORKDAYS))
        self.assertTrue(is_workday(date(2026, 9, 20), HOLIDAYS, WORKDAYS))
        self.assertFalse(is_workday(date(2026, 9, 19), HOLIDAYS, WORKDAYS))

    def test_it_refuses_an_unknown_unit(self):
        with self.assertRaises(ValueError):
            add_working_time(at(2026, 9, 21, 10), 1, "weeks")


class ConfiguredCalendarTestCase(TestCase):
    def test_deadline_from_reads_holidays_and_make_up_days_from_the_table(self):
        CalendarDay.objects.create(date=date(2026, 9, 25), kind=CalendarDay.Kind.HOLIDAY, note="中秋节")
        CalendarDay.objects.create(date=date(2026, 9, 27), kind=CalendarDay.Kind.WORKDAY, note="调休")
        # Thu 24 + 2 days: Fri 25 holiday, Sat 26 weekend, Sun 27 make-up workday, Mon 28.
        self.assertEqual(deadline_from(at(2026, 9, 24, 10), 2, "days"), at(2026, 9, 28, 17))

    def test_deadline_from_converts_utc_to_local_working_hours(self):
        utc_start = datetime(2026, 11, 23, 1, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 in Shanghai
        self.assertEqual(deadline_from(utc_start, 2, "hours"), at(2026, 11, 23, 11))


class Calendar2026TestCase(TestCase):
    """The seeded 2026 calendar against 国务院办公厅关于2026年部分节假日安排的通知 (国办, 2025-11-04)."""

    def setUp(self):
        from disputes.demo.cases import seed_calendar

        seed_calendar()

    def workday(self, y, m, d) -> bool:
        from disputes.calendar import calendar_exceptions

        holidays, workdays = calendar_exceptions(date(2026, 1, 1))
        return is_workday(date(y, m, d), holidays, workdays)

    def test_the_spring_festival_runs_from_15_to_23_february_with_14_and_28_february_worked(self):
        self.assertTrue(self.workday(2026, 2, 13))
        self.assertTrue(self.workday(2026, 2, 14))  # Saturday, 调休
        for day in range(15, 24):
            self.assertFalse(self.workday(2026, 2, day), f"2026-02-{day}")
        self.assertTrue(self.workday(2026, 2, 24))
        self.assertTrue(self.workday(2026, 2, 28))  # Saturday, 调休
        self.assertFalse(self.workday(2026, 3, 1))

    def test_new_year_qingming_labour_day_dragon_boat_mid_autumn_and_national_day_are_off(self):
        off = [(1, 1), (1, 2), (4, 6), (5, 1), (5, 4), (5, 5), (6, 19), (9, 25), (10, 1), (10, 7)]
        for m, d in off:
            self.assertFalse(self.workday(2026, m, d), f"2026-{m:02}-{d:02}")
        for m, d in [(1, 5), (4, 7), (5, 6), (6, 22), (9, 28), (10, 8)]:
            self.assertTrue(self.workday(2026, m, d), f"2026-{m:02}-{d:02}")

    def test_the_make_up_weekend_days_are_working_days(self):
        for m, d in [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)]:
            self.assertEqual(date(2026, m, d).weekday() >= 5, True)
            self.assertTrue(self.workday(2026, m, d), f"2026-{m:02}-{d:02}")
        self.assertFalse(self.workday(2026, 10, 11))  # the Sunday after is a plain weekend day

    def test_a_deadline_across_the_spring_festival_skips_the_nine_days_off(self):
        # Fri 13 Feb + 2 working days: Sat 14 (调休), then Tue 24 (15–23 off).
        self.assertEqual(deadline_from(at(2026, 2, 13, 10), 2, "days"), at(2026, 2, 24, 17))
