"""Accounting: every transfer is double entry and the identities hold on every day."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from repomodel.errors import InputError
from repomodel.ledger import AccountingError, Ledger
from repomodel.model import RepoMarketModel


def small_ledger() -> Ledger:
    ledger = Ledger({"banks": 3, "money_funds": 2, "fhlbs": 1, "dealers": 2})
    ledger.bank_of = {"money_funds": np.array([0, 1]), "fhlbs": np.array([0]), "dealers": np.array([1, 2])}
    ledger.open("banks", "reserves", np.array([100.0, 50.0, 20.0]))
    ledger.open("banks", "loans", np.array([900.0, 450.0, 180.0]))
    ledger.open("banks", "deposits", np.array([1000.0, 500.0, 200.0]))
    ledger.open("fed", "soma_coupons", 170.0)
    ledger.open("fed", "reserves", 170.0)
    return ledger


def test_opening_ledger_balances():
    small_ledger().check()


def test_a_repo_trade_neither_creates_nor_destroys_money():
    ledger = small_ledger()
    ledger.post("money_funds", "cash", "shares", np.array([30.0, 10.0]))
    ledger.post("banks", "reserves", "agent_deposits", np.array([30.0, 10.0, 0.0]))
    ledger.post("banks", "deposits", "reserves", np.array([30.0, 10.0, 0.0]))
    total_before = ledger["banks"].total("reserves")
    ledger.pay(
        "money_funds",
        np.array([0, 1]),
        "repo_lent",
        "dealers",
        np.array([1, 0]),
        "triparty",
        np.array([25.0, 5.0]),
    )
    ledger.check()
    assert ledger["banks"].total("reserves") == pytest.approx(total_before)
    # the reserves followed the cash from the funds' banks to the dealers' banks
    assert ledger["money_funds"].total("repo_lent") == pytest.approx(ledger["dealers"].total("triparty"))


def test_check_catches_a_one_sided_entry():
    ledger = small_ledger()
    ledger["banks"].data[ledger["banks"].rows["reserves"], 0] += 1.0  # bypassing post()
    with pytest.raises(AccountingError, match="banks balance"):
        ledger.check()


def test_balance_sheet_views_are_read_only():
    ledger = small_ledger()
    with pytest.raises(ValueError):
        ledger["banks"]["reserves"][0] = 5.0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31 - 1),
    small=st.integers(1, 60),
    large=st.integers(3, 12),
    funds=st.integers(1, 12),
    dealers=st.integers(1, 10),
    fhlbs=st.integers(0, 4),
    reserves=st.floats(1500, 3600),
    concentration=st.floats(0.6, 1.5),
    shock=st.floats(0.0, 0.01),
    rmp=st.floats(0, 120),
    stigma=st.floats(0, 200),
    srf=st.booleans(),
)
def test_identities_hold_every_day(
    seed, small, large, funds, dealers, fhlbs, reserves, concentration, shock, rmp, stigma, srf
):
    overrides = {
        "start.snapshot": "",  # the [start] state below, on calendar.start
        "calendar.start": "2026-03-20",
        "calendar.end": "2026-04-22",  # a quarter-end and a tax date
        "population.small_banks": small,
        "population.large_banks": large,
        "population.money_funds": funds,
        "population.dealers": dealers,
        "population.fhlbs": fhlbs,
        "start.reserves": reserves,
        "start.reserve_concentration": concentration,
        "banks.payment_shock": shock,
        "rmp.monthly": rmp,
        "dealers.srf_stigma_bp": stigma,
        "policy.srf": srf,
        "network.custodians": min(3, large),
    }
    try:
        model = RepoMarketModel("rmp40", overrides=overrides, rng=seed)
    except InputError:
        reject()  # a start state the scenario validation refuses (e.g. reserves above a bank's assets)
    fed = model.ledger["fed"]
    while model.running:
        model.step()
        model.ledger.check(tolerance=1e-6)  # every sheet balances, every claim matches
        identity = model.ledger.fed_assets() - (
            fed.total("reserves") + fed.total("on_rrp") + fed.total("tga") + fed.total("currency_other")
        )
        assert abs(identity) < 1e-6
        assert (model.ledger["banks"]["reserves"] > -1e-9).all(), "a bank ended the day overdrawn at the Fed"
        assert abs(model.ledger["dealers"]["cash"]).max() < 1e-6, "a dealer's needs were not financed"
    df = model.results()
    assert (df["accounting_residual"] < 1e-6).all()
    assert np.allclose(
        df["fed_assets"], df["reserves"] + df["on_rrp"] + df["tga"] + df["currency_other"], atol=1e-6
    )
