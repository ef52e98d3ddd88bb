"""Norwegian date and time formatting in Oslo time."""

from datetime import UTC, datetime, time

from usht_events.core.timezones import (
    format_date_span,
    format_datetime,
    format_period,
    oslo_datetime,
)


def test_period_on_one_day_reads_the_norwegian_way():
    start = oslo_datetime(datetime(2026, 3, 3).date(), time(9, 0))
    end = oslo_datetime(datetime(2026, 3, 3).date(), time(15, 30))
    assert format_period(start, end) == "tirsdag 3. mars 2026, kl. 09.00–15.30"


def test_period_in_english():
    start = oslo_datetime(datetime(2026, 3, 3).date(), time(9, 0))
    end = oslo_datetime(datetime(2026, 3, 3).date(), time(15, 30))
    assert format_period(start, end, "en") == "Tuesday 3 March 2026, 09:00–15:30"


def test_period_across_days_names_both_ends():
    start = oslo_datetime(datetime(2026, 3, 12).date(), time(9, 0))
    end = oslo_datetime(datetime(2026, 3, 13).date(), time(15, 0))
    assert format_period(start, end) == (
        "torsdag 12. mars 2026, kl. 09.00 – fredag 13. mars 2026, kl. 15.00"
    )


def test_utc_instants_are_shown_in_oslo_time_summer_and_winter():
    assert format_datetime(datetime(2026, 7, 1, 7, 0, tzinfo=UTC)).endswith("kl. 09.00")
    assert format_datetime(datetime(2026, 1, 15, 8, 0, tzinfo=UTC)).endswith("kl. 09.00")


def test_date_span_compacts_same_month_and_spells_out_month_change():
    def oslo(month, day):
        return oslo_datetime(datetime(2026, month, day).date(), time(9))

    assert format_date_span(oslo(3, 12), oslo(3, 13)) == "12.–13. mars"
    assert format_date_span(oslo(3, 30), oslo(4, 2)) == "30. mars–2. april"
    assert format_date_span(oslo(3, 12), oslo(3, 12)) == "12. mars"


def test_date_span_with_the_year_for_cards():
    def oslo(year, month, day):
        return oslo_datetime(datetime(year, month, day).date(), time(9))

    assert (
        format_date_span(oslo(2027, 1, 12), oslo(2027, 1, 13), year=True) == "12.–13. januar 2027"
    )
    assert format_date_span(oslo(2027, 1, 12), oslo(2027, 1, 13), "en", year=True) == (
        "12–13 January 2027"
    )
    assert format_date_span(oslo(2027, 3, 30), oslo(2027, 4, 2), year=True) == (
        "30. mars–2. april 2027"
    )
    assert format_date_span(oslo(2026, 12, 30), oslo(2027, 1, 2), year=True) == (
        "30. desember 2026–2. januar 2027"
    )
