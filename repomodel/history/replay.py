"""History replay: aggregate quantities from data, the distribution and the rates from the model.

    repomodel replay [--inputs CSV] [--start DATE] [--end DATE] [--out DIR] [--set KEY=VALUE ...]

`ReplayModel` is the scenario model with its exogenous flows replaced by flows that make the
model's aggregates follow an inputs file (see `repomodel.history.inputs` for the format):

- calendar: the business days of the file (or --start/--end); corridor: the file's IORB,
  ON RRP rate, SRF (or discount-window) rate and `srf_exists`, and the Fed's repo
  operations for dealers (`dealer_repo_rate`) on the days they were offered, up to the
  amount allotted (`dealer_repo_limit`): like the ON RRP, a Fed quantity from the data;
- start state: the first day's reserves, ON RRP, TGA, Fed assets, bank assets and money-fund
  assets, the SOMA split and the dealers' book scaled from the scenario defaults;
- Fed assets: the data's, less the Fed's repo lending (`fed_lending`) their observations hold
  (the rest of a day's lending goes out with currency and other liabilities), which the model's
  own operations and SRF lend again; a rise is a purchase of securities (from dealers first, so
  the reserves land at their settlement banks, then from the public); a fall is a redemption
  paid by the public;
- TGA: receipts from and payments to the public, so the TGA follows the data. Between two
  observations of a weekly (or monthly) file, receipts are put on the tax and coupon
  settlement dates of the calendar, where they happen, and the rest is spread evenly: a linear
  path between weekly snapshots would smear a tax date over the week (`shape_receipts`);
- currency and other Fed liabilities: the rest of the Fed's balance sheet in the data
  (Fed assets - reserves - ON RRP - TGA), withdrawn or returned by the public;
- money funds: shares bought or redeemed by the public so fund assets follow `mmf_assets`
  (held at the start value when the file has none); the funds keep their bills and other
  assets in proportion to their size, and bills bought from or sold to the public steer their
  cash so that what is left after tri-party lending, the ON RRP, follows the data;
- the banking system: LCLoR, payment uncertainty and the size of every bank scale with bank
  assets (reserve demand grows with the size of the banking system, DESIGN.md).

Reserves then follow from the Fed's balance sheet (Fed assets - ON RRP - TGA - currency and
other), and the model decides where they sit and what they cost. Every flow is posted through
the ledger (double entry) and the accounting identities are checked every day. No date is
special: only the file's numbers and the calendar's flags drive the replay.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from repomodel import behaviours, payments, treasury
from repomodel import scenario as scenarios
from repomodel.calendar import Calendar, Day
from repomodel.core import Market, simulate
from repomodel.drivers import Economy
from repomodel.errors import InputError
from repomodel.history.inputs import history_path, known_srf_take_up, load_inputs
from repomodel.history.replay_options import (  # noqa: F401 (replay_params: served here before)
    ON_RRP_STEER_FROM,
    check_day,
    check_frame,
    check_replay_options,
    invested_share,
    replay_params,
)

# Scenario defaults are a 2025 market; the dealers' book and the SOMA split are scaled to
# the first day of the replay from these reference sizes.
REFERENCE_DEPOSITS = 18000.0  # $ bn, all commercial banks, 2025 (H.8)
DRIVER_COLUMNS = (
    "rmp",
    "mbs_reinvestment",
    "mbs_paydown",
    "treasury_runoff",
    "bill_issuance",
    "coupon_issuance",
    "taxes",
    "base_spending",
    "tga_target",
)
STEER_GAIN = 0.6  # share of yesterday's ON RRP miss corrected today
TAX_DRAIN_PERSISTENCE = 0.7  # daily share of tax-date fund outflows not yet back
SETTLEMENT_WINDOW = 21  # business days of repo settlements banks size their liquidity to (a month)
DEALER_FROM_INVENTORY = 0.5  # at most this share of dealers' inventory is sold to the Fed in a day


def held_up(ratio: pd.Series, fall_share: float) -> pd.Series:
    """Banks' settlement needs: a rise of `ratio` at once, a fall by `fall_share` of the gap a
    day (1: as `ratio`). Banks size their liquidity to the heaviest settlements of recent months
    and run it down slowly (buffers set by stress tests and committees, not day by day)."""
    if fall_share >= 1.0:
        return ratio
    out = ratio.to_numpy(float).copy()
    for t in range(1, len(out)):  # a recursive filter over the days: one pass, once per replay
        if out[t] < out[t - 1]:  # NaN (no volume) compares False and stays NaN
            out[t] = out[t - 1] + fall_share * (out[t] - out[t - 1])
    return pd.Series(out, index=ratio.index)


def knots_of(series: pd.Series) -> np.ndarray:
    """Positions where an interpolated series bends (its observations), with both ends."""
    values = series.to_numpy(float)
    n = len(values)
    if n < 3:
        return np.arange(n)
    days = series.index.to_numpy("datetime64[D]").astype(np.int64)
    slope = np.diff(values) / np.diff(days)
    scale = max(float(np.abs(values).max()), 1.0)
    bends = np.flatnonzero(np.abs(np.diff(slope)) > 1e-9 * scale) + 1
    return np.unique(np.r_[0, bends, n - 1])


def shape_receipts(series: pd.Series, cal: Calendar, lumps: np.ndarray) -> pd.Series:
    """Put the TGA's lumpy receipts on the days they happen, keeping every observation.

    Between two knots of the interpolated series (days where its slope changes: the rows of
    the file) the path is linear. A receipt of `lumps[t]` on day t is added on that day and
    its total over the segment is taken back evenly, so the knots are unchanged and a daily
    file is left as it is.
    """
    values = series.to_numpy(float)
    if len(values) < 3:
        return series.copy()
    days = series.index.to_numpy("datetime64[D]").astype(np.int64)
    knots = knots_of(series)
    out = values.copy()
    for a, b in zip(knots[:-1], knots[1:], strict=True):
        inside = np.arange(a + 1, b)  # days strictly between two observations
        if len(inside) == 0:
            continue
        lump = lumps[inside]
        if lump.sum() <= 0:
            continue
        # cumulative lumps minus their even spread over calendar time to the next knot
        spread = lump.sum() * (days[inside] - days[a]) / (days[b] - days[a])
        out[inside] += np.cumsum(lump) - spread
    return pd.Series(out, index=series.index)


class History:
    """The drivers of a replay (`repomodel.drivers.Drivers`): the Fed's balance sheet, the TGA,
    currency, money-fund assets, ON RRP and the size of the banking system follow `inputs`."""

    def __init__(self, inputs: pd.DataFrame) -> None:
        self.inputs = inputs
        self.friction = 0.0  # fund cash stuck at funds whose dealers are served, $ bn (learnt)
        self.tax_drain = 0.0  # fund shares paid out for taxes and not yet back, $ bn
        self.usual_bills: float | None = None  # funds' bills on the last ordinary day, $ bn
        self._last: tuple[float, bool, bool] | None = None

    def open(self, eco: Economy) -> None:
        """Remember the opening state that the data's growth is measured from."""
        s = eco.params["start"]
        self.bank_assets_0 = float(self.inputs["bank_assets"].iloc[0])
        self.mmf_0 = float(s["mmf_assets"])
        self.invested_0 = max(self.mmf_0 - float(s["on_rrp"]), 1e-9)  # fund cash not at the Fed
        # the repo share of the cash funds invest (`invested_share`: the opening's ON RRP on top)
        held = max(invested_share(self.mmf_0, float(s["on_rrp"])), 1e-9)
        self.fund_repo_share = 1.0 - s["mmf_bills_share"] / held - s["mmf_other_share"] / held
        self.dealer_base_0 = eco.dealers.inventory_base.copy()

    def table(self, params: dict, cal: Calendar) -> pd.DataFrame:
        """Per-day corridor and targets. TGA receipts are shaped on the calendar (see
        `shape_receipts`); currency and other liabilities are the rest of the Fed's balance
        sheet in the data, so reserves follow the data when ON RRP does."""
        inputs = self.inputs
        d = pd.DataFrame(index=cal.days)
        src = inputs.reindex(cal.days).ffill().bfill()
        d["iorb"] = src["iorb"]
        d["on_rrp_rate"] = src["on_rrp_rate"]
        d["srf_rate"] = src["srf_rate"]
        d["srf_exists"] = (
            src["srf_exists"].astype(bool) if "srf_exists" in src else pd.Series(True, index=cal.days)
        )
        # operations are kept only on the days the file gives them (NaN: none that day)
        for c in ("dealer_repo_rate", "dealer_repo_limit"):
            d[c] = inputs[c].reindex(cal.days) if c in inputs else np.nan
        for c in DRIVER_COLUMNS:
            d[c] = 0.0
        size = src["bank_deposits"].to_numpy(float) / REFERENCE_DEPOSITS
        taxes, coupons = treasury.receipts(params, cal, size)
        d["taxes"] = taxes
        d["coupon_issuance"] = coupons
        # The data's reserves hold what the Fed lent that day and the model's own operations
        # lend it again: the Fed's other assets follow the data net of the lending its
        # observations hold (interpolated between them as they are), and the rest of the day's
        # lending is taken out with currency and other liabilities, so reserves end at the
        # data's less the data's lending (plus the model's take-up) and no day's loan becomes a
        # purchase of securities.
        lent = (
            inputs["fed_lending"].reindex(cal.days).fillna(0.0)
            if "fed_lending" in inputs
            else 0.0 * src["iorb"]
        )
        over = lent > src["fed_assets"]
        if over.any():
            day = over.idxmax()
            raise InputError(
                f"column 'fed_lending' on {day.date()}: {lent[day]:g} is more than the Fed's assets that day "
                f"({src['fed_assets'][day]:,.0f}): expected $ billions the Fed lent, within its assets"
            )
        days = cal.days.to_numpy("datetime64[D]").astype(np.int64)
        knots = knots_of(src["fed_assets"])
        seen = pd.Series(np.interp(days, days[knots], lent.to_numpy(float)[knots]), index=cal.days)
        d["target_fed_assets"] = src["fed_assets"] - seen
        d["target_tga"] = shape_receipts(src["tga"], cal, taxes + coupons)
        d["target_currency_other"] = (
            src["fed_assets"] - src["reserves"] - src["on_rrp"] - src["tga"] + (lent - seen)
        )
        d["target_on_rrp"] = src["on_rrp"]
        d["target_mmf_assets"] = src["mmf_assets"] if "mmf_assets" in src else params["start"]["mmf_assets"]
        d["bank_assets"] = src["bank_assets"]
        # Banks size their liquidity to the settlements of recent weeks, not of one day.
        volume = (
            src["repo_volume"].rolling(SETTLEMENT_WINDOW, min_periods=1).mean()
            if "repo_volume" in src
            else np.nan
        )
        d["settlement_ratio"] = held_up(volume / src["bank_assets"], params["banks"]["settlement_fall_share"])
        return d

    # --- the Fed: Fed assets follow the data ------------------------------------------------

    def fed(self, day: Day, eco: Economy) -> dict[str, float]:
        """A rise of Fed assets is a purchase (from dealers first, so the reserves land at
        their settlement banks, then from the public); a fall is a redemption the public pays.

        The data give the Fed's assets, not their split by security, so a purchase is booked
        as Treasury coupons (what most of 2018-25's purchases were: the 2020-22 asset
        purchases; the bills of 2019-20 and December 2025 and the MBS are not told apart) and
        reported as `fed_purchases`, not as bill purchases (`fed_bill_purchases` stays 0). A
        forward run from the replay's close splits the Fed's securities as its scenario's
        start does (`replay_run.hand_over`)."""
        ledger = eco.ledger
        fed = ledger["fed"]
        done = {
            "rmp": 0.0,
            "mbs_paydown": 0.0,
            "treasury_runoff": 0.0,
            "fed_bill_purchases": 0.0,
            "fed_purchases": 0.0,
        }
        change = float(day.drivers["target_fed_assets"]) - ledger.fed_assets()
        if change > 0:
            inventory = np.maximum(ledger["dealers"]["inventory"], 0.0)
            from_dealers = min(change, DEALER_FROM_INVENTORY * float(inventory.sum()))
            if from_dealers > 0:
                amount = from_dealers * inventory / inventory.sum()
                ledger.with_fed("dealers", None, "inventory", "soma_coupons", amount, into_fed=False)
            if change - from_dealers > 0:
                payments.fed_to_public(ledger, change - from_dealers, "soma_coupons")
            done["fed_purchases"] = change
        elif change < 0:
            items = ("soma_bills", "soma_coupons", "soma_mbs", "other_assets")
            held = np.array([max(fed.total(i), 0.0) for i in items])
            amount = min(-change, float(held.sum()))
            for item, h in zip(items, held, strict=True):
                if h > 0:
                    payments.public_to_fed(ledger, amount * h / held.sum(), item)
            done["treasury_runoff"] = amount
        return done

    # --- the Treasury: the TGA follows the data ---------------------------------------------

    def treasury(self, day: Day, eco: Economy) -> dict[str, float]:
        """Receipts and payments so the TGA follows the data. On coupon settlement days dealers
        take their share of the new coupons into inventory (financed in repo); on tax dates part
        of the taxes is paid out of money-fund shares; the public pays or receives the rest."""
        ledger, today, p = eco.ledger, day.drivers, eco.params
        coupons = float(today["coupon_issuance"])
        treasury.dealers_buy(ledger, eco.net, coupons * p["dealers"]["coupon_absorption"], "coupons_debt")
        taxes = float(today["taxes"])
        from_funds = min(
            taxes * p["money_funds"]["tax_outflow_share"],
            0.5 * float(np.maximum(ledger["money_funds"]["cash"], 0.0).sum()),
        )
        if from_funds > 0:
            funds = eco.funds
            ledger.with_fed(
                "money_funds",
                None,
                "shares",
                "tga",
                from_funds * funds.assets / funds.assets.sum(),
                into_fed=True,
            )
            ledger.post("treasury", "tga", "net_position", from_funds)
            funds.assets = np.maximum(np.array(ledger["money_funds"]["shares"]), 1e-9)
            self.tax_drain += from_funds
        change = float(today["target_tga"]) - ledger["treasury"].total("tga")
        if change > 0:
            # the public's taxes settle in the afternoon, after the morning's repo market
            late = min(change, (taxes - from_funds) * p["treasury"]["late_tax_share"])
            payments.public_to_fed(ledger, change - late, "tga")
            ledger.post("treasury", "tga", "net_position", change - late)
            treasury.receive_late(eco.treasury, late)
        elif change < 0:
            payments.fed_to_public(ledger, -change, "tga")
            ledger.post("treasury", "net_position", "tga", -change)
        return {
            "bill_issuance": 0.0,
            "coupon_issuance": coupons,
            "taxes": taxes,
            "spending": max(-change, 0.0),
        }

    # --- the public: currency, money-fund shares, dealers, bank size ------------------------

    def public(self, day: Day, eco: Economy) -> None:
        ledger, today = eco.ledger, day.drivers
        # Currency and other liabilities: the rest of the Fed's balance sheet in the data.
        currency = float(today["target_currency_other"]) - ledger["fed"].total("currency_other")
        if currency > 0:
            payments.public_to_fed(ledger, currency, "currency_other")
        elif currency < 0:
            payments.fed_to_public(ledger, -currency, "currency_other")
        # The banking system grows: reserve demand scales with bank assets.
        ratio = float(today["settlement_ratio"])
        eco.banks.resize(
            float(today["bank_assets"]) / self.bank_assets_0, ratio if np.isfinite(ratio) else None
        )
        # Money-fund shares follow the data; shares paid out for taxes come back over the
        # following days.
        mmf, funds = ledger["money_funds"], eco.funds
        self.tax_drain *= TAX_DRAIN_PERSISTENCE
        flow = float(today["target_mmf_assets"]) - self.tax_drain - mmf.total("shares")
        weights = funds.assets / funds.assets.sum()
        if flow != 0:
            payments.public_to_agents(ledger, "money_funds", "shares", flow * weights)
        funds.assets = np.maximum(np.array(mmf["shares"]), 1e-9)
        # Dealers: the Treasury market they carry grows with the cash funds invest in it, their
        # assets less what they park at the ON RRP; inventory above its usual level is sold to
        # investors, below it is rebuilt from them.
        invested = max(float(today["target_mmf_assets"]) - float(today["target_on_rrp"]), 0.0)
        eco.dealers.inventory_base = self.dealer_base_0 * (invested / self.invested_0)
        gap = eco.dealers.inventory_base - ledger["dealers"]["inventory"]
        payments.public_to_agents(
            ledger, "dealers", "inventory", -eco.params["dealers"]["inventory_reversion"] * gap
        )
        self.steer_on_rrp(float(today["target_on_rrp"]), day, eco)
        # The bills funds hold on an ordinary day (a period-end moves their cash to the ON RRP
        # for a day), as the share of the float a forward run's auctions keep them to.
        if self.usual_bills is None or not day.month_end:
            self.usual_bills = mmf.total("bills")
        funds.bill_share = self.usual_bills / ledger.bill_float()

    def steer_on_rrp(self, target: float, day: Day, eco: Economy) -> None:
        """Set money funds' cash (trading bills with the public) so ON RRP follows the data.

        Funds hold their repo share of assets as cash; what dealers do not borrow in tri-party
        goes to the ON RRP: leftover = cash - need + friction, the friction being cash stuck at
        funds whose dealers are served. When the data show take-up above ON_RRP_STEER_FROM, the
        funds' cash is set to need + target - friction; below it, cash is only cut where it
        would leave more at the ON RRP than the data show (in 2018-19 the facility sat near zero
        while dealers also borrowed from banks). The friction is learnt from yesterday's miss
        (an integral controller).

        Not on quarter-ends: there the data's take-up jumps (by $89-117 bn a quarter-end on
        average over the day before in 2021-2025, against $34-36 bn at other month-ends, about an
        ordinary day's change) with cash foreign dealers turn away while they dress their balance
        sheets, which the model makes itself (`dealers.quarter_end_cut`). Steered to the jump,
        funds would be handed cash they do not have and price tri-party at the ON RRP floor on
        the very days the market's rates rise. Funds' cash stays as it stands, the ON RRP is what
        the model makes of it, and the controller does not learn from the day.
        """
        if day.quarter_end:
            self._last = None
            return
        ledger, book, funds = eco.ledger, eco.book, eco.funds
        mmf, dealers = ledger["money_funds"], ledger["dealers"]
        target = max(target - float(book.on_rrp_fhlbs.sum()), 0.0)  # FHLB cash goes there too
        need = float(
            behaviours.triparty_need(
                np.maximum(-dealers["cash"], 0.0),
                eco.net.dealer_foreign,
                eco.params["dealers"],
                day.quarter_end,
                day.month_end,
            ).sum()
        )
        natural = self.fund_repo_share * float(funds.assets.sum())
        if self._last is not None:
            last_target, last_capped, last_short = self._last
            miss = float(book.on_rrp_funds.sum()) - last_target
            # no integration while funds had nothing left to sell (anti-windup)
            if (last_capped and not last_short) or miss > 0:
                self.friction += STEER_GAIN * miss
        exact = need + target - self.friction
        capped = target > ON_RRP_STEER_FROM or exact < natural
        desired = max(exact if capped else natural, 0.0)
        trade = np.array(mmf["cash"]) - desired * (funds.assets / funds.assets.sum())  # > 0: buys bills
        bills, other = np.array(mmf["bills"]), np.array(mmf["other_assets"])
        sell_bills = np.minimum(np.maximum(-trade, 0.0), bills)
        sell_other = np.minimum(np.maximum(-trade, 0.0) - sell_bills, other)
        short = bool((np.maximum(-trade, 0.0) - sell_bills - sell_other > 1e-6).any())
        self._last = (target, capped, short)
        payments.public_to_agents(ledger, "money_funds", "bills", sell_bills - np.maximum(trade, 0.0))
        payments.public_to_agents(ledger, "money_funds", "other_assets", sell_other)

    # --- results ----------------------------------------------------------------------------

    def annotate(self, df: pd.DataFrame) -> pd.DataFrame:
        """The recorded days, with the actual values of the inputs file beside them."""
        src = self.inputs.reindex(df.index)
        if "sofr" in src:
            df["actual_sofr"] = src["sofr"]
            # rates are published to the basis point: rounded, +5 bp is +5, not 5.000000000000004
            df["actual_spread_bp"] = ((src["sofr"] - src["iorb"]) * 100.0).round(6)
        if "sofr_p99" in src:
            df["actual_sofr_p99"] = src["sofr_p99"]
        if "effr" in src:
            df["actual_effr"] = src["effr"]
            df["actual_effr_spread_bp"] = ((src["effr"] - src["iorb"]) * 100.0).round(6)
        for name in ("reserves", "on_rrp", "tga", "fed_assets", "bank_assets"):
            df[f"actual_{name}"] = src[name]
        if "fed_lending" in src:
            known = known_srf_take_up(self.inputs["fed_lending"], self.inputs.get("srf_exists"))
            df["actual_srf"] = known.reindex(df.index)
        return df


class ReplayModel(Market):
    """The model of the day whose exogenous side follows an inputs frame (`load_inputs`)
    through `History`: everything else is the same day as a forward run (a `Market`: no Mesa
    agents, the same numbers). Overrides and scenario are checked as `replay` checks them."""

    def __init__(
        self,
        inputs: pd.DataFrame,
        overrides: dict | list[str] | str | None = None,
        rng: int | np.random.Generator | None = None,
        scenario: str | dict = "rmp40",
    ) -> None:
        check_frame(inputs)
        check_replay_options(scenario, overrides, scenarios.API_LABELS)
        self.inputs = inputs
        params = replay_params(inputs, overrides, scenario, scenarios.API_LABELS)
        super().__init__(scenario=params, rng=rng, drivers=History(inputs))


def replay(
    inputs: str | Path | pd.DataFrame | None = None,
    start=None,
    end=None,
    overrides: dict | list[str] | str | None = None,
    seed: int | None = None,
    scenario: str | dict = "rmp40",
    progress=None,
    snapshot=None,
    warm_up: bool = False,
) -> pd.DataFrame:
    """Replay an inputs file and return the daily series; `overrides` and `snapshot` as for
    `simulate` (the state at the close of the last day).

    `inputs`: None (the shipped history), the path of an inputs CSV, or the daily table
    `load_inputs` returns. `start`, `end` (YYYY-MM-DD): the window. From `start` the replay
    starts cold, from that day's data and the scenario's opening rules; the distribution of
    reserves across banks becomes the model's own only over months of history (cold on
    2019-06-03 the replay reads +105 / +66 bp in June / July 2019, warm +4.6 / +11.0, the
    data +4.3 / +10.0), so a later `start` warns. With `warm_up=True` the days before
    `start` are replayed too and the frame returned from `start` on, as `repomodel replay
    --start` does. Keys a replay takes from the data (`replay_options.FROM_DATA`) are
    refused in `overrides`, and a `scenario` that changes one or its opening state.
    """
    check_replay_options(scenario, overrides, scenarios.API_LABELS)
    if not isinstance(warm_up, bool):
        raise InputError(f"warm_up: {warm_up!r}: expected True or False")
    frame, window = _window(inputs, start, end, warm_up)
    params = replay_params(frame, overrides, scenario, scenarios.API_LABELS)
    df = simulate(params, seed=seed, drivers=History(frame), progress=progress, snapshot=snapshot)
    return df if window is None else df.loc[window:]


def _window(inputs, start, end, warm_up: bool) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    """The inputs a replay steps through, and the first day it returns when that is later."""
    if inputs is None or isinstance(inputs, str | Path):
        path = history_path() if inputs is None else inputs
        window = load_inputs(path, start, end)  # checks both dates against the file
        whole = load_inputs(path, None, end) if start is not None else window
    else:
        check_frame(inputs)
        lo = None if start is None else check_day(start, "start")
        hi = None if end is None else check_day(end, "end")
        if lo is not None and hi is not None and lo > hi:
            raise InputError(f"start {lo.date()} is after end {hi.date()}: expected start <= end")
        window, whole = inputs.loc[lo:hi], inputs.loc[:hi]
        if window.empty:
            span = f"{inputs.index[0].date()} .. {inputs.index[-1].date()}"
            raise InputError(
                f"start/end: no day of the inputs ({span}) in the window: expected dates within it"
            )
    if start is None or whole.index[0] == window.index[0]:
        return window, None
    if warm_up:
        return whole, window.index[0]
    warnings.warn(
        f"replay starts cold on {window.index[0].date()}; warm_up=True replays from "
        f"{whole.index[0].date()} and returns the same days, as `repomodel replay --start` does",
        UserWarning,
        stacklevel=3,
    )
    return window, None
