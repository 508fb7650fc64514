"""The money-market calendar: business days and the dates that move reserves.

One model step is one US business day (Federal Reserve holidays off). The flags are the
dates on which balance sheets are known to be tight or reserves are known to move:

- month-end, quarter-end, year-end: last business day of the period. Foreign banks report
  quarter-end snapshots and G-SIB scores are taken at year-end, so balance-sheet costs jump.
- coupon settlement: the 15th and the last calendar day of the month, or the next business
  day when that day is closed. Coupon auctions settle then, draining reserves into the TGA.
- tax dates: 15 April (individual and corporate), 15 June, 15 September, 15 December
  (corporate), next business day when closed. Taxes move deposits and reserves into the TGA.
- bill settlement: Tuesdays and Thursdays (next business day when closed), when 4- to
  52-week bill auctions settle.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd
from pandas.tseries.holiday import USFederalHolidayCalendar
from pandas.tseries.offsets import CustomBusinessDay

TAX_MONTHS = (4, 6, 9, 12)
SRF_START = pd.Timestamp("2021-07-28")  # the Standing Repo Facility's first operation


def business_days(start: str | pd.Timestamp, end: str | pd.Timestamp) -> pd.DatetimeIndex:
    """Every US business day from `start` to `end`, both included."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    first, last = sorted((start.year, end.year))
    return pd.date_range(start, end, freq=business_day(first - 1, last + 1))


@functools.cache
def business_day(first_year: int, last_year: int) -> CustomBusinessDay:
    """The US business-day offset, knowing the Federal Reserve holidays of these years.

    Only the years asked for: pandas' default (every year from 1970 to 2200) takes a quarter
    of a second to build, more than a whole run of the default scenario.
    """
    holidays = USFederalHolidayCalendar().holidays(f"{first_year}-01-01", f"{last_year}-12-31")
    return CustomBusinessDay(holidays=holidays)


def _roll_forward(dates: pd.DatetimeIndex, days: pd.DatetimeIndex) -> np.ndarray:
    """Mark the first business day on or after each of `dates` (the settlement convention)."""
    pos = days.searchsorted(dates)
    pos = pos[pos < len(days)]
    flag = np.zeros(len(days), dtype=bool)
    flag[pos] = True
    return flag


FLAGS = ("month_end", "quarter_end", "year_end", "tax_date", "coupon_settlement", "bill_settlement")


@dataclass(frozen=True)
class Day:
    """One business day as every step of the day sees it: its date, its calendar flags, the
    corridor of policy rates (percent) and the day's exogenous drivers ($ bn, from the
    scenario's schedules or from the data in a replay)."""

    date: pd.Timestamp
    month_end: bool
    quarter_end: bool
    year_end: bool
    tax_date: bool
    coupon_settlement: bool
    bill_settlement: bool
    iorb: float
    on_rrp: float
    srf: float  # SRF minimum bid (or, before the SRF, the discount-window rate)
    srf_exists: bool
    dealer_repo: float = float("nan")  # Fed repo operations open to dealers only (2019-20), min bid
    dealer_repo_limit: float = float("nan")  # $ bn those operations lend at most today (nan: no limit)
    drivers: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Calendar:
    """Business days of a run and their flags, as boolean arrays aligned with `days`."""

    days: pd.DatetimeIndex
    month_end: np.ndarray
    quarter_end: np.ndarray
    year_end: np.ndarray
    coupon_settlement: np.ndarray
    tax_date: np.ndarray
    bill_settlement: np.ndarray
    month_start: np.ndarray

    @classmethod
    def build(cls, start: str | pd.Timestamp, end: str | pd.Timestamp) -> Calendar:
        """Flags for every business day in [start, end].

        Period ends are computed on a calendar padded by a month so that the last day of a
        run that stops mid-month is not mistaken for a month-end.
        """
        days = business_days(start, end)
        padded = business_days(
            pd.Timestamp(start) - pd.DateOffset(months=1), pd.Timestamp(end) + pd.DateOffset(months=1)
        )
        nxt = padded[1:]
        cur = padded[:-1]
        last_of_month = pd.Series(cur.month != nxt.month, index=cur)
        first_of_month = pd.Series(padded.month != np.roll(padded.month, 1), index=padded)
        me = last_of_month.reindex(days, fill_value=False).to_numpy()
        qe = me & np.isin(days.month, (3, 6, 9, 12))
        ye = me & (days.month == 12)

        months = pd.period_range(padded[0], padded[-1], freq="M")
        fifteenths = pd.DatetimeIndex([m.to_timestamp() + pd.Timedelta(days=14) for m in months])
        month_last = pd.DatetimeIndex([m.to_timestamp(how="end").normalize() for m in months])
        coupon = _roll_forward(fifteenths.append(month_last).sort_values(), padded)
        taxes = _roll_forward(fifteenths[np.isin(fifteenths.month, TAX_MONTHS)], padded)
        week = pd.date_range(padded[0], padded[-1], freq="D")
        tue_thu = week[np.isin(week.day_of_week, (1, 3))]
        bills = _roll_forward(tue_thu, padded)

        def on_days(flag: np.ndarray) -> np.ndarray:
            return pd.Series(flag, index=padded).reindex(days, fill_value=False).to_numpy()

        return cls(
            days=days,
            month_end=me,
            quarter_end=qe,
            year_end=ye,
            coupon_settlement=on_days(coupon),
            tax_date=on_days(taxes),
            bill_settlement=on_days(bills),
            month_start=first_of_month.reindex(days, fill_value=False).to_numpy(),
        )

    def __len__(self) -> int:
        return len(self.days)

    def day(self, t: int, drivers: Mapping[str, float]) -> Day:
        """Business day `t` with its flags, its corridor and the rest of its `drivers` row."""
        return Day(
            date=self.days[t],
            **{name: bool(getattr(self, name)[t]) for name in FLAGS},
            iorb=float(drivers["iorb"]),
            on_rrp=float(drivers["on_rrp_rate"]),
            srf=float(drivers["srf_rate"]),
            srf_exists=bool(drivers["srf_exists"]),
            dealer_repo=float(drivers.get("dealer_repo_rate", np.nan)),
            dealer_repo_limit=float(drivers.get("dealer_repo_limit", np.nan)),
            drivers=MappingProxyType(dict(drivers)),
        )

    def business_days_in_month(self) -> np.ndarray:
        """Number of business days in each day's month (to spread monthly amounts evenly)."""
        months = self.days.to_period("M")
        # A run that starts or ends mid-month still spreads a monthly amount over the whole
        # month, so count on a full-month calendar.
        full = business_days(
            self.days[0].to_period("M").to_timestamp(), self.days[-1].to_period("M").to_timestamp(how="end")
        )
        full_counts = pd.Series(1, index=full.to_period("M")).groupby(level=0).count()
        return full_counts.reindex(months).to_numpy(dtype=float)
