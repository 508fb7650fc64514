"""The 2025 episode (issue 27), stated as economic properties: of the replay of the shipped
history, and of forward runs from the end of it.

Each test can fail: it reads what the model did on the days the issue names, or compares runs
that differ in one cause.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

import repomodel
from repomodel.history.replay import replay
from tests.conftest import run as cached_run

QUARTER = {"calendar__end": "2026-02-27"}


@functools.cache
def history() -> pd.DataFrame:
    """The replay of the shipped history at the default seed."""
    return replay()


def test_fed_funds_trade_on_every_business_day_year_ends_included():
    df = history()
    assert df["effr"].notna().all(), f"no EFFR on {list(df.index[df['effr'].isna()].date[:5])}"
    assert (df["effr_volume"] > 0).all()
    year_ends = df.loc[df["year_end"].astype(bool), "effr_iorb_bp"]
    assert len(year_ends) >= 7 and year_ends.notna().all()


def test_effr_rises_toward_iorb_as_reserves_grow_scarce():
    # The same run at three levels of reserves: the fewer, the higher the banks' bids for
    # FHLB cash and so the rate (on every day's median, averaged).
    # Reserve demand at today's scale (the synthetic start's settlement ratio of late 2025).
    levels = (3600.0, 2600.0, 2200.0)
    effr = [
        cached_run("no_rmp", 0, start__snapshot="", start__reserves=r, **QUARTER)["effr_iorb_bp"].mean()
        for r in levels
    ]
    assert effr[0] < effr[1] < effr[2], dict(zip(levels, effr))
    # The rate is the FHLBs' reservation (fixed here) plus their bargaining share of the gap to
    # the marginal bank's bid, so it passes that share of the bids' rise: the marginal bid rises
    # by more than 4 bp from $3.6 tn to $2.2 tn (4.4 bp, EFFR +2.0 at the shipped share 0.45,
    # +2.6 at 0.6).
    share = repomodel.scenario.load("no_rmp")["fhlbs"]["bargaining"]
    assert (effr[2] - effr[0]) / share > 4.0, dict(zip(levels, effr))


def test_effr_told_the_scarcity_story_of_late_2025():
    # The market's EFFR - IORB: -7 bp in July 2025, -2.3 and -1.0 in November and December.
    monthly = history()["effr_iorb_bp"].resample("ME").mean()
    july, late = monthly["2025-07"].iloc[0], monthly["2025-11":"2025-12"].mean()
    assert late >= -3.5, f"EFFR - IORB over Nov-Dec 2025: {late:.1f} bp"
    assert late >= july + 3.0, f"July {july:.1f}, Nov-Dec {late:.1f} bp"
    # ... and fed funds stay below IORB while reserves are ample (2022-24: -7 bp).
    assert monthly["2022":"2024"].max() < 0


def test_the_srf_is_taken_at_the_2025_year_end_and_holds_sofr_near_its_rate():
    # New York Fed: $74.6 bn of SRF take-up on 2025-12-31, SOFR 12 bp above the SRF rate.
    day = history().loc["2025-12-31"]
    assert day["srf"] >= 20.0, f"SRF take-up {day['srf']:.1f} $ bn"
    assert (day["sofr"] - day["srf_rate"]) * 100 <= 20.0
    # and none on the ordinary days while reserves were abundant (the period-ends: below)
    abundant = history().loc["2022":"2024-11"]
    assert abundant.loc[~abundant["month_end"].astype(bool), "srf"].max() < 1.0


def test_no_srf_at_the_month_ends_the_data_show_none_and_little_at_the_year_ends():
    # RPONTSYD lists the SRF's take-up from its start to 2025-04-08: test trades of a few
    # million dollars, and $2.35 bn on 2024-09-30. Before period-end surcharges were added to
    # banks' repo cost unscaled (`behaviours.repo_cost_factor`), a 17 bp month-end surcharge
    # times 2024's repo cost factor (about 8) priced banks' cash above the SRF plus stigma, and
    # the replay's dealers took $10-47 bn at every month- and quarter-end of 2024 and early 2025
    # with $200-450 bn of fund cash at the ON RRP; and the year-ends 2021-24 $10-46 bn each
    # until the G-SIB year-end surcharge was refitted (60 -> 30 bp). 2024-12-31 keeps $5 bn.
    df = history()
    known = df["actual_srf"].notna() & (df.index <= "2025-04-08")
    period_end = df["month_end"].astype(bool) & ~df["year_end"].astype(bool)
    days = df.loc[known & period_end]
    assert len(days) >= 40
    assert (days["srf"] - days["actual_srf"]).max() < 1.0, days.loc[days["srf"] > 1.0, "srf"]
    year_ends = df.loc[known & df["year_end"].astype(bool)]
    assert len(year_ends) >= 3 and (year_ends["srf"] - year_ends["actual_srf"]).max() < 8.0, year_ends["srf"]
    # and on the data's ordinary days none at all
    ordinary = df.loc[known & ~df["month_end"].astype(bool), "srf"]
    assert ordinary.max() < 1.0, ordinary.idxmax()


def test_fed_funds_never_trade_further_above_repo_than_the_market_did():
    # The market's EFFR - SOFR, 2018-04 .. 2025-12: at most +15 bp (+5 on 90 % of days). Before
    # fed funds were bounded by the day's repo rate, the model's reached +151 bp (2019-09-18),
    # with EFFR - IORB +50 to +184 bp in September 2019 against the market's +3 to +20.
    h = history()
    gap = (h["effr"] - h["sofr"]) * 100
    market = (h["actual_effr_spread_bp"] - h["actual_spread_bp"]).dropna()
    assert gap.max() <= market.max(), gap.idxmax()
    # September 2019: the market's EFFR - IORB averaged +7.2 bp, the uncapped model's +67. On
    # the spike itself EFFR follows the model's SOFR up to the cap (+105 bp on the 17th with
    # SOFR at +100; the market's EFFR stayed at +20 with SOFR at +315): a known gap.
    assert h.loc["2019-09", "effr_iorb_bp"].mean() < 30


@pytest.mark.slow
def test_more_purchases_never_raise_the_2026_mean_spread():
    # Forward from the end of history, the shipped purchase paths in order of what they buy.
    runs = {name: repomodel.simulate(name) for name in ("no_rmp", "gs20", "rmp40", "barclays525")}
    bought = {name: df["fed_bill_purchases"].sum() for name, df in runs.items()}
    spread = {name: df.loc["2026", "sofr_iorb_bp"].mean() for name, df in runs.items()}
    order = sorted(runs, key=bought.get)
    assert len(set(np.round([bought[n] for n in order]))) == len(order), bought
    for fewer, more in zip(order, order[1:]):
        assert spread[more] <= spread[fewer] + 0.05, (spread, bought)


def test_a_forward_run_goes_on_from_the_end_of_history_without_a_jump():
    # rmp40 opens from the replay's close of 2025-12-31: its first month is where the replay's
    # December was, the year-end day left out (a forward run's first day is the first of 2026).
    replayed = history().loc["2025-12"]
    december = replayed.loc[~replayed["year_end"].astype(bool), "sofr_iorb_bp"].mean()
    first = repomodel.simulate("rmp40", {"calendar.end": "2026-01-30"})["sofr_iorb_bp"].mean()
    assert abs(first - december) <= 3.0, f"December 2025 {december:.1f} bp, January 2026 {first:.1f} bp"


@pytest.mark.slow
def test_the_same_purchase_path_scaled_up_never_raises_the_2026_mean_spread():
    # rmp40's path at 0 to 2x its size (the elevated months and those after in proportion):
    # timing held fixed, more bought is never a higher 2026 mean (barclays525 and bofa45 differ
    # in timing too: front-loaded purchases lower the year's mean more than later ones).
    spread = {
        m: repomodel.simulate("rmp40", {"rmp.monthly": m, "rmp.after": m / 2})
        .loc["2026", "sofr_iorb_bp"]
        .mean()
        for m in (0.0, 20.0, 40.0, 60.0, 80.0)
    }
    levels = list(spread.values())
    assert all(more <= fewer for fewer, more in zip(levels, levels[1:])), spread
    assert levels[0] - levels[-1] > 5.0, spread
