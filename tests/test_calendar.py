"""The money-market calendar: the dates that move reserves."""

import pandas as pd

from repomodel.calendar import Calendar


def flagged(cal, name):
    return {str(d.date()) for d in cal.days[getattr(cal, name)]}


def test_september_2019_tax_and_coupon_date_rolls_to_monday():
    cal = Calendar.build("2019-09-01", "2019-10-10")
    assert "2019-09-16" in flagged(cal, "tax_date")  # 15 Sept 2019 was a Sunday
    assert "2019-09-16" in flagged(cal, "coupon_settlement")
    assert flagged(cal, "quarter_end") == {"2019-09-30"}


def test_period_ends_and_holidays():
    cal = Calendar.build("2025-12-01", "2026-12-31")
    assert pd.Timestamp("2025-12-25") not in cal.days  # federal holiday
    assert flagged(cal, "year_end") == {"2025-12-31", "2026-12-31"}
    assert flagged(cal, "quarter_end") == {
        "2025-12-31",
        "2026-03-31",
        "2026-06-30",
        "2026-09-30",
        "2026-12-31",
    }
    assert "2026-04-15" in flagged(cal, "tax_date")


def test_a_run_ending_mid_month_has_no_false_month_end():
    cal = Calendar.build("2026-01-02", "2026-01-20")
    assert not cal.month_end.any()
