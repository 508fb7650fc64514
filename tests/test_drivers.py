"""What drives the day from outside the market (`repomodel.drivers`): the scenario's schedules,
or a table or another strategy in their place."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import repomodel
from repomodel import payments, policy
from repomodel.calendar import Calendar
from repomodel.drivers import Schedules
from repomodel.errors import InputError

SHORT = {"start.snapshot": "", "population.small_banks": 30, "calendar.end": "2026-01-30"}  # synthetic start


def test_the_schedules_give_every_business_day_its_corridor_and_flows():
    params = repomodel.load_scenario("rmp40", SHORT)
    cal = Calendar.build(params["calendar"]["start"], params["calendar"]["end"])
    table = Schedules().table(params, cal)
    assert table.index.equals(cal.days)
    for column in ("iorb", "on_rrp_rate", "srf_rate", "srf_exists", "rmp", "taxes", "bill_issuance"):
        assert column in table
    # IORB 10 bp under the top of the range, ON RRP at its bottom, from the 11 Dec 2025 cut
    assert table.loc["2025-12-12", "iorb"] == pytest.approx(3.65)
    assert table.loc["2025-12-12", "on_rrp_rate"] == pytest.approx(3.50)
    assert table.loc["2025-12-01", "rmp"] == 0.0 and table.loc["2025-12-12", "rmp"] > 0.0


def test_a_table_of_drivers_replaces_the_scenarios_schedules():
    model = repomodel.RepoMarketModel("rmp40", overrides=SHORT, rng=0)
    table = model.drivers.copy()
    table["rmp"] = 0.0
    table["mbs_reinvestment"] = 0.0
    bought = model.run()
    none = repomodel.RepoMarketModel("rmp40", overrides=SHORT, rng=0, drivers=table).run()
    assert (none["rmp"] == 0).all() and bought["rmp"].sum() > 0
    assert none["reserves"].iloc[-1] < bought["reserves"].iloc[-1]


def test_the_day_is_frozen_and_carries_flags_corridor_and_drivers():
    model = repomodel.RepoMarketModel("rmp40", overrides=SHORT, rng=0)
    while model.today is None or model.today.date < pd.Timestamp("2025-12-31"):
        model.step()
    day = model.today
    assert day.year_end and day.quarter_end and day.month_end
    assert day.iorb == pytest.approx(3.65) and day.srf == pytest.approx(3.75)
    assert day.drivers["rmp"] > 0
    with pytest.raises(AttributeError):
        day.iorb = 0.0
    with pytest.raises(TypeError):
        day.drivers["rmp"] = 0.0


@pytest.mark.parametrize("from_dealers", [1.0, 0.0, 0.25])
def test_the_feds_purchases_land_where_rmp_from_dealers_says(from_dealers):
    # The same purchase from the same books: what is bought from dealers (in proportion to
    # their inventory) lands at their settlement banks, the rest at every bank pro rata to
    # deposits; dealers' inventory falls only by what they sold.
    model = repomodel.RepoMarketModel("rmp40", overrides={**SHORT, "rmp.from_dealers": from_dealers}, rng=0)
    while model.today is None or model.today.drivers["rmp"] == 0:
        model.step()
    ledger, day = model.ledger, model.today
    reserves, inventory = ledger["banks"]["reserves"].copy(), ledger["dealers"]["inventory"].copy()
    deposits = payments.deposit_shares(ledger)
    done = policy.fed_operations(day, ledger, model.params, model.funds, model.dealers)
    ledger.check()
    bought = float(day.drivers["rmp"] + day.drivers["mbs_reinvestment"])
    assert bought > 0 and done["fed_bill_purchases"] == pytest.approx(bought)
    sold = from_dealers * bought * inventory / inventory.sum()
    assert inventory - ledger["dealers"]["inventory"] == pytest.approx(sold)
    expected = np.bincount(ledger.bank_of["dealers"], weights=sold, minlength=len(reserves))
    expected += ((1 - from_dealers) * bought - done["mbs_paydown"]) * deposits  # paydowns: the public pays
    assert ledger["banks"]["reserves"] - reserves == pytest.approx(expected)


def test_a_public_with_no_deposits_left_cannot_pay_and_says_so():
    # A scenario whose flows take every deposit the public holds is refused with a message,
    # not run on with NaN shares of nothing.
    model = repomodel.RepoMarketModel("rmp40", overrides=SHORT, rng=0)
    ledger = model.ledger
    ledger.post(
        "banks", "deposits", "reserves", ledger["banks"]["deposits"].copy()
    )  # the public spends them all
    with pytest.raises(InputError, match="the public's bank deposits are used up"):
        payments.public_to_fed(ledger, 10.0, "tga")


def test_in_a_run_the_feds_purchases_are_its_bills_also_for_drivers_that_do_not_say_so():
    # `fed_purchases` (every security bought) is the bill purchases in a run; a Drivers of
    # before this column, whose `fed` reports bills only, still runs and gets the same column.
    class BillsOnly(Schedules):
        def fed(self, day, eco):
            done = super().fed(day, eco)
            del done["fed_purchases"]
            return done

    ran = repomodel.RepoMarketModel("rmp40", overrides=SHORT, rng=0).run()
    older = repomodel.RepoMarketModel("rmp40", overrides=SHORT, rng=0, drivers=BillsOnly()).run()
    assert ran["fed_bill_purchases"].sum() > 0
    assert (ran["fed_purchases"] == ran["fed_bill_purchases"]).all()
    pd.testing.assert_frame_equal(older, ran)
