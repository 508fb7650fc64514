"""The mechanisms of DESIGN.md, stated as economic properties of whole runs.

Each test can fail: it compares runs that differ in one cause and checks the direction (and,
where the economics gives one, the size) of the effect on the SOFR-IORB spread.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import repomodel
from tests.conftest import run as cached_run

HALF_YEAR = {"calendar__end": "2026-06-30"}
SETTLEMENT_REFERENCE = repomodel.load_scenario("no_rmp")["banks"]["settlement_reference"]


def run(scenario: str = "no_rmp", seed: int = 0, **overrides) -> pd.DataFrame:
    """A cached run from the synthetic start (`start.snapshot = ""`, 1 Dec 2025): the mechanisms
    are stated by changing the opening state of `[start]`, which a run from a snapshot ignores.
    Reserve demand is at its 2018-19 scale (`start.settlement_ratio` at the reference), where
    the levels below were set."""
    lab = {"start__snapshot": "", "start__settlement_ratio": SETTLEMENT_REFERENCE}
    return cached_run(scenario, seed, **lab | overrides)


def test_ample_fund_cash_keeps_sofr_a_few_bp_above_the_on_rrp_floor():
    # Start with $800 bn of money-fund cash at the ON RRP: funds are the marginal lender.
    # Dealers take part of it in the first days; the funds keep $300 bn and more to spare.
    df = run("no_rmp", start__on_rrp=800.0, **HALF_YEAR)
    above_floor = (df["sofr"] - df["on_rrp_rate"]) * 100
    assert df["on_rrp"].min() > 250, "funds should keep spare cash at the ON RRP throughout"
    assert (above_floor >= 0).all()
    # With that much to spare the data put repo a few bp over the floor: monthly means of
    # +2.8 to +4.9 bp in 2024 H2 ($200-400 bn at the facility) and +3.6 in December 2023
    # ($800 bn), against +5.5 to +9.9 in 2025 H1 when only $100-200 bn was left.
    assert above_floor.mean() < 6.0
    assert df["sofr_iorb_bp"].mean() < -8.0  # well below IORB, as in 2021-2024


@pytest.mark.slow
def test_lower_starting_reserves_never_lower_the_spread():
    levels = [1600.0, 2000.0, 2400.0, 2800.0, 3200.0]
    spreads = [run("no_rmp", start__reserves=r, **HALF_YEAR)["sofr_iorb_bp"].mean() for r in levels]
    for lower, higher in zip(spreads, spreads[1:]):
        # where reserves are abundant the spread is flat, up to the supply curve's steps (a
        # bank's room above its LCLoR is cut into a fixed number of tranches: more room, a
        # dearer first tranche), about 0.1 bp
        assert lower >= higher - 0.1, f"spread by reserves level {dict(zip(levels, spreads))}"
    assert spreads[0] > spreads[-1] + 3.0, "scarce reserves should raise the spread clearly"


def _mean_over_seeds(column: str, seeds=(0, 1, 2), days: slice = slice(None), **overrides) -> float:
    return float(np.mean([run("no_rmp", seed=s, **overrides)[column].iloc[days].mean() for s in seeds]))


# Reserves start spread over banks as assets^c. Around c = 1.5 they sit where the lending
# capacity is (the core banks that finance dealers, in proportion to their LCLoR); the spread
# rises when the same reserves are piled into fewer, larger banks (whose lending meets rising
# balance-sheet costs) and when they move away from the core to small banks that do not lend
# in repo. Banks then trade securities for reserves toward equal marginal value, a share
# `banks.reallocation_speed` of the gap a day, so the effect fades over months. Averaged over
# network draws.
SCARCE = {"start__reserves": 1900.0, **HALF_YEAR}
FIRST_MONTH, FOURTH_MONTH = slice(0, 21), slice(63, 84)
# late 2025: $2.9 tn with reserve demand at its late-2025 scale (the scenario's own
# start.settlement_ratio), from the synthetic start of 1 December 2025
TODAY = {"start__snapshot": "", "start__reserves": 2900.0, **HALF_YEAR}
SIX_SEEDS = tuple(range(6))


def _today(column: str, days: slice, concentration: float, **overrides) -> float:
    """Mean over six network draws of `column` on `days`, late-2025 scale (not the 2018-19
    reference that `run` sets)."""
    return float(
        np.mean(
            [
                cached_run("no_rmp", s, start__reserve_concentration=concentration, **TODAY | overrides)[
                    column
                ]
                .iloc[days]
                .mean()
                for s in SIX_SEEDS
            ]
        )
    )


@pytest.mark.slow
def test_the_same_reserves_in_fewer_banks_raise_the_spread_for_months():
    # Issue 27: where reserves sit moves the spread for months, not weeks. The same $2.9 tn,
    # piled into the largest banks (c = 2.5) instead of spread where the lending is (c = 1.5).
    first_day = {
        c: [cached_run("no_rmp", s, start__reserve_concentration=c, **TODAY).iloc[0] for s in SIX_SEEDS]
        for c in (1.5, 2.5)
    }
    for low, high in zip(first_day[1.5], first_day[2.5]):
        # the same reserves before the SRF adds its own (SRF loans create reserves)
        assert high["reserves"] - high["srf"] == pytest.approx(low["reserves"] - low["srf"], rel=0.02)
        assert high["reserves_top10_share"] > low["reserves_top10_share"] + 0.02
    gap = {
        days: _today("sofr_iorb_bp", days, 2.5) - _today("sofr_iorb_bp", days, 1.5)
        for days in (FIRST_MONTH, FOURTH_MONTH)
    }
    assert gap[FIRST_MONTH] > 3.0, gap
    assert gap[FOURTH_MONTH] >= 1.0, gap  # three months later
    # the frictions are what make it last: trading reserves back at 0.2 of the gap a day (the
    # calibration before issue 27's frictions), most of the gap is gone by the fourth month
    fast = {"banks__reallocation_speed": 0.2}
    fast_gap = _today("sofr_iorb_bp", FOURTH_MONTH, 2.5, **fast) - _today(
        "sofr_iorb_bp", FOURTH_MONTH, 1.5, **fast
    )
    assert fast_gap < gap[FOURTH_MONTH] - 0.4, (fast_gap, gap)


@pytest.mark.slow
def test_purchases_from_dealers_lower_the_spread_more_than_the_same_bought_pro_rata():
    # $200 bn of bills bought in December 2025 at late-2025 scale. Bought from dealers, the
    # reserves appear at their settlement banks, the banks that lend to dealers, and dealers have
    # that much less inventory to finance; bought from the public, they land at every bank pro
    # rata to deposits. Same reserves in total, a lower spread while the purchases settle, in
    # every network draw.
    december = {
        "rmp__start": "2025-12-01",
        "rmp__until": "2025-12-31",
        "rmp__monthly": 200.0,
        "rmp__after": 0.0,
    }
    runs = {
        route: [cached_run("no_rmp", s, rmp__from_dealers=share, **TODAY | december) for s in SIX_SEEDS]
        for route, share in (("dealers", 1.0), ("public", 0.0))
    }
    for via_dealers, pro_rata in zip(runs["dealers"], runs["public"]):
        assert (via_dealers["reserves"] - via_dealers["srf"]).iloc[20] == pytest.approx(
            (pro_rata["reserves"] - pro_rata["srf"]).iloc[20], rel=0.01
        )
        assert (
            via_dealers["sofr_iorb_bp"].iloc[FIRST_MONTH].mean()
            < pro_rata["sofr_iorb_bp"].iloc[FIRST_MONTH].mean()
        )
    gap = np.mean(
        [
            d["sofr_iorb_bp"].iloc[FIRST_MONTH].mean() - p["sofr_iorb_bp"].iloc[FIRST_MONTH].mean()
            for d, p in zip(runs["dealers"], runs["public"])
        ]
    )
    assert gap < -0.3, gap


@pytest.mark.slow
def test_the_same_reserves_in_fewer_banks_raise_the_spread_at_the_2019_scale_too():
    spread = {
        c: _mean_over_seeds("sofr_iorb_bp", days=FIRST_MONTH, start__reserve_concentration=c, **SCARCE)
        for c in (1.5, 2.5)
    }
    assert spread[2.5] > spread[1.5] + 3.0, spread


@pytest.mark.slow
def test_reserves_away_from_the_banks_that_lend_to_dealers_raise_the_spread_for_weeks():
    spread = {
        c: _mean_over_seeds("sofr_iorb_bp", days=FIRST_MONTH, start__reserve_concentration=c, **SCARCE)
        for c in (0.7, 1.5)
    }
    gap = {
        c: _mean_over_seeds("lclor_gap_large", days=slice(0, 1), start__reserve_concentration=c, **SCARCE)
        for c in (0.7, 1.5)
    }
    assert gap[0.7] < gap[1.5]
    assert spread[0.7] > spread[1.5] + 3.0, spread


def test_banks_trade_reserves_toward_equal_marginal_value():
    # Where (L - R) / s differs across banks, so does the marginal value of reserves: banks
    # close to their LCLoR buy reserves from banks with room, against securities, and no
    # reserves are created or destroyed.
    from repomodel import behaviours

    rng = np.random.default_rng(5)
    assets = rng.uniform(10, 1000, 50)
    lclor, sigma = 0.06 * assets, 0.007 * assets
    reserves = lclor * rng.uniform(0.8, 2.0, 50)
    securities = 0.15 * assets
    flow = behaviours.reallocation(reserves, lclor, sigma, 0.2, securities, 0.5 * reserves)
    assert abs(flow.sum()) < 1e-9 * reserves.sum()
    z_before, z_after = (lclor - reserves) / sigma, (lclor - (reserves + flow)) / sigma
    assert np.all((flow > 0) == (z_before > np.average(z_before, weights=sigma)))
    assert z_after.std() < 0.85 * z_before.std()
    assert np.all(flow <= securities + 1e-12) and np.all(-flow <= 0.5 * reserves + 1e-12)
    # a bank with no securities to sell cannot buy; the sellers' side shrinks to match
    poor = securities.copy()
    poor[np.argmax(z_before)] = 0.0
    capped = behaviours.reallocation(reserves, lclor, sigma, 0.2, poor, 0.5 * reserves)
    assert capped[np.argmax(z_before)] == 0.0 and abs(capped.sum()) < 1e-9 * reserves.sum()
    assert np.all(behaviours.reallocation(reserves, lclor, sigma, 0.0, securities, reserves) == 0)


def _excess_over_neighbours(df: pd.DataFrame, flag: str, window: int = 3, after: bool = True) -> float:
    spread = df["sofr_iorb_bp"].to_numpy()
    excess = []
    for i in np.flatnonzero(df[flag].to_numpy()):
        around = np.r_[spread[max(i - window, 0) : i], spread[i + 1 : i + 1 + window] if after else []]
        if len(around):
            excess.append(spread[i] - around.mean())
    return float(np.mean(excess))


def test_quarter_ends_and_tax_dates_raise_the_spread_when_reserves_are_less_than_ample():
    df = run("no_rmp", start__reserves=2200.0)
    assert _excess_over_neighbours(df, "quarter_end") > 2.0
    # Taxes drain reserves and fund cash into the TGA, which is spent back over weeks: the
    # spread steps up on the tax date above the days before it, more the next morning (the
    # public's payments settle in the afternoon), and eases only gradually.
    assert _excess_over_neighbours(df, "tax_date", after=False) > 0.3
    spread = df["sofr_iorb_bp"].to_numpy()
    day = np.flatnonzero(df["tax_date"].to_numpy())
    before = np.mean([spread[i - 3 : i].mean() for i in day])
    assert np.mean([spread[i + 1 : i + 4].mean() for i in day]) > before + 0.3


def test_month_end_reporting_raises_the_spread_on_month_ends_only():
    # Foreign banks that report month-end balance sheets charge more for lending reserves on
    # that day: the month-end spread rises over the days around it, other days are unchanged.
    base = run("no_rmp", start__reserves=2200.0, banks__month_end_cost_bp=0.0)
    dressed = run("no_rmp", start__reserves=2200.0, banks__month_end_cost_bp=20.0)
    month_end = (dressed["month_end"] & ~dressed["quarter_end"]).to_numpy(bool)
    assert _excess_over_neighbours(dressed, "month_end") > _excess_over_neighbours(base, "month_end") + 1.0
    lift = (dressed["sofr_iorb_bp"] - base["sofr_iorb_bp"]).to_numpy()
    assert lift[month_end].mean() > 1.0
    assert np.abs(lift[~dressed["month_end"].to_numpy(bool)]).max() < 0.5 * lift[month_end].mean()


def test_foreign_dealers_dressing_for_month_end_strand_fund_cash_at_the_on_rrp():
    # On a reporting date foreign dealers take less tri-party cash. Funds whose other dealers
    # are already financed can only place it at the Fed, so the ON RRP jumps by what tri-party
    # lost (as in 2024-25, when month-end take-up rose by $100-250 bn); the dealers borrow it
    # from banks instead, at a cost, and the spread rises. Other days move only through the
    # reserves banks trade afterwards, judged on the month-end close: a fraction of a bp.
    # Every fund lends to every dealer (money_funds.lines_per_fund, 2026-12-05), so every fund
    # is left with some of the stranded cash and prices its last dollar a little lower: the
    # spread rises only where the dealers' bank funding costs more than that, at $2.4 tn here,
    # not at $2.9 tn (see the xfail below).
    base = run("no_rmp", start__reserves=2400.0, **HALF_YEAR)
    dressed = run("no_rmp", start__reserves=2400.0, dealers__month_end_cut=0.3, **HALF_YEAR)
    month_end = (dressed["month_end"] & ~dressed["quarter_end"]).to_numpy(bool)
    lost = (base["mmf_repo"] - dressed["mmf_repo"]).to_numpy()[month_end]
    stranded = (dressed["on_rrp"] - base["on_rrp"]).to_numpy()[month_end]
    from_banks = (dressed["bilateral_repo"] - base["bilateral_repo"]).to_numpy()[month_end]
    from_srf = (dressed["srf_dealers"] - base["srf_dealers"]).to_numpy()[month_end]
    assert (lost > 100.0).all()
    assert stranded == pytest.approx(lost, rel=0.05)
    # from their banks, or where a bank's month-end ask passes the SRF rate plus stigma, the SRF
    assert from_banks + from_srf == pytest.approx(lost, rel=0.05)
    assert (from_banks > 0.8 * lost).all()
    lift = (dressed["sofr_iorb_bp"] - base["sofr_iorb_bp"]).to_numpy()
    assert (lift[month_end] > 1.0).all()
    ordinary = ~dressed["month_end"].to_numpy(bool)
    assert np.abs(lift[ordinary]).max() < 0.2 * lift[month_end].min()
    # The month-ends' bilateral borrowing leaves more of the reserves with the large banks that
    # lend to dealers (they trade them back at banks.reallocation_speed of the gap a day): by
    # 2026-06-29 the top-10 share is 0.5 pp higher. A quarter-end, priced off those banks'
    # positions, feels it (2026-06-30 -1.0 bp since the eleventh session's steeper reserve
    # demand), but less than a month-end's own lift.
    quarter_end = dressed["quarter_end"].to_numpy(bool)
    assert np.abs(lift[quarter_end]).max() < lift[month_end].min()


@pytest.mark.xfail(
    strict=True,
    reason="known defect since every fund lends to every dealer (2026-12-05): at $2.9 tn a month-end "
    "cut of foreign dealers' tri-party moves SOFR by +0.03 to -0.21 bp (-0.2 to -0.4 before the tenth session; stranded cash lowers every fund's "
    "price of its last dollar), where the market's month-end SOFR rose in 2024-25",
)
def test_foreign_dealers_dressing_for_month_end_lift_the_spread_with_ample_reserves_too():
    base = run("no_rmp", start__reserves=2900.0, **HALF_YEAR)
    dressed = run("no_rmp", start__reserves=2900.0, dealers__month_end_cut=0.3, **HALF_YEAR)
    month_end = (dressed["month_end"] & ~dressed["quarter_end"]).to_numpy(bool)
    assert ((dressed["sofr_iorb_bp"] - base["sofr_iorb_bp"]).to_numpy()[month_end] > 0.5).all()


def test_taxes_paid_in_the_afternoon_reach_repo_the_next_morning():
    # Repo settles first thing; the public's tax payments move over Fedwire through the day.
    # So the day's repo rate does not feel that day's drain, the next morning's does, and
    # reserves at the close are drained on the tax date either way (September 2019: +33 bp on
    # the tax date, +315 bp the day after, at about the same reserves).
    # Reserves of $1.95 tn: scarce enough that a tax drain moves repo, and not so scarce that
    # the market is already stressed the day before (+3 to +5 bp). Funds price at the mean of
    # their dealers' costs (money_funds.pooled_price_share, 2026-12-05), and every fund lends
    # to every dealer, so a drain moves repo by what it does to the whole market: about 3 bp
    # on the tax date if paid in the morning and 2.3 bp more the next morning if paid late
    # (at $2.05 tn, the level before every fund lent to every dealer, 1.4 and 0.9 bp; 5 bp
    # and more when the dearest dealer set every fund's price).
    late = run("no_rmp", start__reserves=1950.0)
    early = run("no_rmp", start__reserves=1950.0, treasury__late_tax_share=0.0)
    day = np.flatnonzero(late["tax_date"].to_numpy())
    spread_late, spread_early = late["sofr_iorb_bp"].to_numpy(), early["sofr_iorb_bp"].to_numpy()
    assert spread_late[day].mean() < spread_early[day].mean() - 2.0
    assert spread_late[day + 1].mean() > spread_late[day].mean() + 1.5
    reserves_late, reserves_early = late["reserves"].to_numpy(), early["reserves"].to_numpy()
    assert np.allclose(reserves_late[day], reserves_early[day], rtol=0.02)  # (SRF loans differ)
    assert (reserves_late[day] < reserves_late[day - 1]).all()


def test_srf_is_used_only_above_its_rate_plus_stigma_and_caps_sofr():
    stigma = 8.0
    df = run("no_rmp", start__reserves=1800.0, dealers__srf_stigma_bp=stigma)
    # dealers' repo with clients prices at their cost + this (the calibrated default)
    client_spread = repomodel.scenario.load("no_rmp")["dealers"]["client_spread_bp"]
    ceiling = df["srf_rate"] + (stigma + client_spread) / 100
    assert df["srf_dealers"].max() > 0, "a stressed run should reach the SRF"
    assert (df["sofr_p99"] <= ceiling + 1e-9).all(), "SOFR's 99th percentile must stay under the SRF ceiling"
    # The SRF is used on exactly the days when some dealer's marginal cost in the market
    # (what its last dollar would cost there) reaches the SRF rate plus stigma.
    used = df["srf_dealers"] > 0
    reached = df["dealer_marginal_cost"] >= df["srf_rate"] + stigma / 100 - 1e-9
    assert (used == reached).all()
    # With a prohibitive stigma nobody uses it and the tail of SOFR goes past it.
    shy = run("no_rmp", start__reserves=1800.0, dealers__srf_stigma_bp=300.0)
    assert shy["srf_dealers"].sum() < df["srf_dealers"].sum()
    assert shy["sofr_p99"].max() > df["sofr_p99"].max()


def test_ample_reserves_and_cash_need_no_srf():
    # None was taken at the abundant year-ends of 2021-2024 (RPONTSYD). Until the tenth session
    # the year-end G-SIB surcharge (60 bp, multiplied by the repo cost factor until then) put
    # the cash foreign dealers turn away on the year-end above the SRF plus stigma: ~$13 bn at
    # the SRF here with $400 bn of fund cash left at the ON RRP.
    df = run("no_rmp", start__on_rrp=800.0, start__reserves=3400.0, **HALF_YEAR)
    assert df["srf_dealers"].sum() < 1e-9


def test_more_repo_on_bank_balance_sheets_widens_repo_over_fed_funds():
    # Late 2025's scale of repo settled (0.13 of bank assets, against 0.055 in 2018-19) with
    # banks' balance-sheet cost of repo lending fixed (elasticity 0) or rising with it (2): the
    # same reserves and the same reserve demand, so fed funds (FHLB cash against banks' value of
    # reserves, which pays no repo cost) barely move, while dealers pay banks more and repo rises
    # over fed funds: the market's SOFR - EFFR went from about +3 bp in 2019 to +7 to +12 bp in
    # September-December 2025.
    def premium(elasticity: float) -> tuple[float, float, float]:
        sets = {
            "start__settlement_ratio": 0.13,
            "start__reserves": 3400.0,
            "banks__repo_cost_elasticity": elasticity,
        }
        df = run("no_rmp", **sets, **HALF_YEAR)
        cost = (df["dealer_marginal_cost"] - df["iorb"]) * 100
        return (df["sofr"] - df["effr"]).mean() * 100, df["effr_iorb_bp"].mean(), cost.mean()

    (fixed, effr_fixed, cost_fixed), (rising, effr_rising, cost_rising) = premium(0.0), premium(2.0)
    assert cost_rising > cost_fixed + 3.0, (cost_fixed, cost_rising)
    assert rising > fixed + 1.0, (fixed, rising)
    assert abs(effr_rising - effr_fixed) < 1.0, (effr_fixed, effr_rising)


SCARCE_FOR_DEALERS, DRAWS = 1900.0, range(4)  # banks near their LCLoR: dealers' costs differ by their banks


def test_funds_pricing_at_their_dealers_mean_cost_follows_the_market_not_the_network_draw():
    # Reserves scarce enough that dealers' banks differ in what they charge. A fund that prices
    # its last dollar at the dearest of its dealers' marginal costs (money_funds.pooled_price_share
    # 0) lets whichever dealer the network draw tied to the tightest banks set every fund's
    # rate; priced at the mean of its dealers' costs (1), weighted by what it lends each, the
    # spread follows the market's conditions, so it differs less from one draw to the next,
    # and it is never above the dearest dealer's price.
    def by_draw(share: float) -> np.ndarray:
        sets = {"start__reserves": SCARCE_FOR_DEALERS, "money_funds__pooled_price_share": share}
        return np.array([run("no_rmp", seed=s, **sets, **HALF_YEAR)["sofr_iorb_bp"].mean() for s in DRAWS])

    dearest, pooled = by_draw(0.0), by_draw(1.0)
    assert pooled.std() < 0.5 * dearest.std(), (dearest, pooled)
    assert (pooled <= dearest + 0.1).all(), (dearest, pooled)
    assert pooled.mean() < dearest.mean() - 1.0, (dearest, pooled)


@pytest.mark.slow
def test_rmp_adds_reserves_and_lowers_the_spread_and_qt_raises_it():
    rmp, none, qt = (run(s).loc["2026"] for s in ("rmp40", "no_rmp", "qt_continues"))
    assert rmp["reserves"].iloc[-1] > none["reserves"].iloc[-1] > qt["reserves"].iloc[-1]
    assert rmp["sofr_iorb_bp"].mean() < none["sofr_iorb_bp"].mean() < qt["sofr_iorb_bp"].mean()
    assert rmp["soma_bills"].iloc[-1] > none["soma_bills"].iloc[-1]


@pytest.mark.slow
def test_bills_bought_from_dealers_push_fund_cash_into_repo_where_more_reserves_alone_do_not():
    # $200 bn added two ways from the same no_rmp start (reserves near $2.9 tn, ample for the
    # model's banks): bill purchases in December 2025, or the same reserves (and Fed bills)
    # there from the first day, spread over all banks. On the flat part of the demand curve
    # more reserves alone leave banks' asks, and so repo, where they were; the purchases also
    # take bills the money funds would have held, and that cash goes to dealers in tri-party.
    start = repomodel.load_scenario("no_rmp")["start"]
    none = run("no_rmp", **HALF_YEAR).loc["2026"]
    bought = run(
        "no_rmp",
        rmp__start="2025-12-01",
        rmp__until="2025-12-31",
        rmp__monthly=200.0,
        rmp__after=0.0,
        **HALF_YEAR,
    ).loc["2026"]
    added = run(
        "no_rmp",
        start__reserves=start["reserves"] + 200.0,
        start__fed_assets=start["fed_assets"] + 200.0,
        start__soma_bills=start["soma_bills"] + 200.0,
        **HALF_YEAR,
    ).loc["2026"]
    for df in (bought, added):
        assert df["reserves"].mean() > none["reserves"].mean() + 150.0
    assert bought["mmf_bills"].mean() < none["mmf_bills"].mean() - 50.0
    assert bought["mmf_repo"].mean() > none["mmf_repo"].mean() + 50.0
    assert bought["sofr_iorb_bp"].mean() < none["sofr_iorb_bp"].mean() - 0.5
    assert abs(added["sofr_iorb_bp"].mean() - none["sofr_iorb_bp"].mean()) < 0.5


def _september_2019(capacity: float) -> pd.DataFrame:
    """The replayed summer of 2019 with the interdealer market open to `capacity` $ bn a day
    at the `interdealer` stage's spread (the market is off in the shipped calibration)."""
    from repomodel.history.replay import replay

    window = {"start": "2018-04-02", "end": "2019-09-20"}  # the reserves' distribution needs the history
    values = {"dealers.interdealer_capacity": capacity, "dealers.interdealer_spread_bp": 6.421}
    return replay(**window, overrides=values)


QUIET = slice("2019-09-03", "2019-09-13")


def test_the_interdealer_market_quiets_september_2019_before_the_tax_date():
    # Without the market, dealers whose own banks are near their LCLoR set what funds charge
    # everyone; with it, cash that other banks spare reaches them at a spread, and quiet days
    # are quieter.
    open_, closed = _september_2019(32.71), _september_2019(0.0)
    assert open_["interdealer_repo"].loc[QUIET].mean() > 1.0
    assert (open_["interdealer_repo"] <= 32.71 + 1e-6).all()
    assert (closed["interdealer_repo"] == 0).all()
    assert open_["sofr_iorb_bp"].loc[QUIET].mean() < closed["sofr_iorb_bp"].loc[QUIET].mean() - 2.0
    assert (open_["accounting_residual"] < 1e-6).all()


def test_the_interdealer_market_leaves_the_september_2019_spike():
    # On 16-17 September the tax-date drain leaves too little to spare anywhere.
    open_ = _september_2019(32.71)
    assert open_.loc["2019-09-17", "sofr_iorb_bp"] > 5 * max(open_["sofr_iorb_bp"].loc[QUIET].mean(), 1.0)


def test_frictions_in_trading_reserves_make_an_uneven_distribution_last():
    # banks.reallocation_band_bp: a bank buys reserves only for the part of its gap in marginal
    # value beyond the band. Without it, two starts far apart in concentration converge within
    # weeks; with a 1 bp band, most of the difference is still there four months later.
    def gini_gap(band: float, day: int) -> float:
        runs = [
            run(
                "no_rmp",
                start__reserve_concentration=c,
                banks__reallocation_band_bp=band,
                calendar__end="2026-03-31",
            )
            for c in (0.9, 1.4)
        ]
        return float(runs[1]["reserves_gini"].iloc[day] - runs[0]["reserves_gini"].iloc[day])

    start = gini_gap(0.0, 0)
    assert start > 0.15
    assert gini_gap(0.0, -1) < 0.3 * start
    assert gini_gap(1.0, -1) > 0.5 * start
