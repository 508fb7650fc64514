"""RepoMarketModel: one business day of the US repo and reserves market per step.

Read `step` top to bottom: it is the day of DESIGN.md.

    1. calendar flags          (calendar)
    2. overnight trades unwind (markets.unwind)
    3. Fed operations          (policy)
    4. Treasury flows          (treasury)
    5. payment shocks          (payments)
    5b. reserves for securities (behaviours.reallocation)
    6-7. bids and clearing     (behaviours, markets)
    8. rates                   (rates)
    9. record                  (this file)

The opening balance sheets are the close of the business day before `calendar.start`,
built from the scenario's `[start]` table in `open_books`.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from repomodel import agents, behaviours, markets, network, payments, policy, rates, treasury
from repomodel import scenario as scenarios
from repomodel.calendar import Calendar
from repomodel.errors import InputError
from repomodel.ledger import Ledger

COLUMNS = [
    "date",
    "sofr",
    "tgcr",
    "effr",
    "iorb",
    "on_rrp_rate",
    "srf_rate",
    "sofr_iorb_bp",
    "effr_iorb_bp",
    "sofr_p01",
    "sofr_p99",
    "reserves",
    "reserves_large",
    "reserves_small",
    "on_rrp",
    "srf",
    "tga",
    "fed_assets",
    "currency_other",
    "mmf_repo",
    "dealer_financing",
    "reserves_gini",
    "reserves_top10_share",
    "lclor_gap_large",
    "lclor_gap_small",
    # more than the contract asks:
    "tgcr_iorb_bp",
    "sofr_p25",
    "sofr_p75",
    "sofr_volume",
    "effr_volume",
    "srf_dealers",
    "srf_banks",
    "dealer_marginal_cost",
    "interbank",
    "fhlb_fed_funds",
    "bilateral_repo",
    "interdealer_repo",
    "mmf_bills",
    "mmf_assets",
    "dealer_inventory",
    "soma_bills",
    "rmp",
    "fed_bill_purchases",
    "bill_issuance",
    "coupon_issuance",
    "taxes",
    "banks_short",
    "month_end",
    "quarter_end",
    "year_end",
    "tax_date",
    "coupon_settlement",
    "accounting_residual",
]
TOLERANCE = 1e-6


class RepoMarketModel(mesa.Model):
    """The repo and reserves market, one business day per `step()`.

    Args:
        scenario: a shipped scenario name ("rmp40", ...), a path to a TOML file, or a dict.
        overrides: dotted keys to change, e.g. {"population.small_banks": 200}.
        rng: seed or numpy Generator (Mesa's batch runner and browser page pass it). When
            None, the scenario's `seed` is used, so a scenario run is reproducible by default.
        drivers: optional table of exogenous daily drivers replacing the scenario's schedules
            (history replay passes the data here); same columns as `self.drivers`.
    """

    def __init__(
        self,
        scenario: str | dict = "rmp40",
        overrides: dict | list[str] | None = None,
        rng: int | np.random.Generator | None = None,
        drivers: pd.DataFrame | None = None,
        **mesa_kwargs,
    ) -> None:
        params = scenarios.load(scenario, overrides)
        super().__init__(rng=params["seed"] if rng is None else rng, **mesa_kwargs)
        self.params = params
        self.scenario_name = params["name"]
        self.calendar = Calendar.build(params["calendar"]["start"], params["calendar"]["end"])
        self.drivers = drivers if drivers is not None else self.schedule()
        net = params["network"]
        # A network of its own seed leaves the run's generator to the shocks (and other draws).
        self.net = network.build(
            params, np.random.default_rng(net["seed"]) if net["fixed_seed"] else self.rng
        )
        self.ledger, self.book = open_books(params, self.net)
        b = params["banks"]
        assets = self.net.bank_assets
        # Relative to its size, a larger bank holds a higher LCLoR (SFOS: internal liquidity
        # stress tests and intraday payments scale more than proportionally with size).
        large = self.net.is_large
        relative_size = assets / assets[large].mean()
        self.lclor = (
            np.where(large, b["lclor_large"] * relative_size ** b["lclor_size_elasticity"], b["lclor_small"])
            * assets
        )
        self.size_cost_factor = np.where(large, relative_size ** b["cost_size_elasticity"], 1.0)
        self.uncertainty = b["uncertainty"] * assets
        self.fund_assets = self.ledger["money_funds"]["shares"].copy()
        self.fund_trend = self.fund_assets.copy()
        self.fund_spread = (
            self.rng.uniform(0, params["money_funds"]["reservation_spread_bp"], self.ledger["money_funds"].n)
            / 100
        )
        self.fhlb_spread = np.full(self.ledger["fhlbs"].n, params["fhlbs"]["reservation_spread_bp"] / 100)
        self.dealer_inventory_base = self.ledger["dealers"]["inventory"].copy()
        bill_float = self.ledger["treasury"].total("bills_debt") - self.ledger["fed"].total("soma_bills")
        self.fund_bill_share = self.ledger["money_funds"].total("bills") / bill_float
        self.payment_state = np.zeros(self.net.n_banks)
        self.late_receipts = 0.0  # $ bn of today's TGA receipts that settle in the afternoon
        self.eod_reserves: np.ndarray | None = None  # each bank's reserves at yesterday's close
        self._reserve_rank = np.arange(self.net.n_banks)
        # Interbank lines seen from the borrower: small banks to their core banks, and every
        # large bank to every other large bank (the dense core).
        n_large = self.net.n_large
        core_i, core_j = np.nonzero(~np.eye(n_large, dtype=bool))
        self.ib_borrower = np.concatenate([self.net.ib_small, core_i])
        self.ib_lender = np.concatenate([self.net.ib_core, core_j])
        self.ib_degree = np.maximum(np.bincount(self.ib_borrower, minlength=self.net.n_banks), 1)
        self.tri_degree = np.bincount(
            self.net.tri_dealer, minlength=self.ledger["dealers"].n
        )  # fund lines per dealer
        self._make_agents()
        self.t = 0
        self.records: list[dict] = []
        self.datacollector = mesa.DataCollector(
            model_reporters={
                c: (lambda m, c=c: m.records[-1][c] if m.records else np.nan)
                for c in ("sofr", "sofr_iorb_bp", "reserves", "on_rrp", "srf")
            }
        )

    # --- the day ------------------------------------------------------------------------------

    def step(self) -> None:
        """One business day."""
        if self.t >= len(self.calendar):
            self.running = False
            return
        t = self.t
        # 1. calendar flags and today's corridor
        self.today = self.calendar.days[t]
        self.today_flags = {name: bool(getattr(self.calendar, name)[t]) for name in FLAGS}
        self.drivers_today = self.drivers_on(t)
        d = self.drivers_today
        self.today_rates = markets.DayRates(
            float(d["iorb"]),
            float(d["on_rrp_rate"]),
            float(d["srf_rate"]),
            bool(d["srf_exists"]),
            float(d.get("dealer_repo_rate", np.nan)),
            float(d.get("dealer_repo_limit", np.nan)),
        )
        # 2. yesterday's overnight trades mature
        markets.unwind(self.ledger, self.net, self.book)
        # 3. Fed: runoff, MBS paydowns, bill purchases
        fed = self.fed_operations()
        # 4. Treasury: auctions, taxes, spending; currency and money-fund flows
        tre = self.treasury_flows()
        self.public_flows()
        # 5. payment shocks between banks
        p = self.params["banks"]
        self.payment_state = payments.shock(
            self.ledger,
            self.payment_state,
            p["payment_shock"] * self.net.bank_assets,
            p["payment_persistence"],
            p["payment_tail"],
            self.rng,
        )
        # 5b. banks trade securities for reserves toward equal marginal value of reserves
        self.reallocate_reserves()
        # 6-7. bids and clearing along the network
        self.book = markets.clear(self)
        self.eod_reserves = self.ledger["banks"]["reserves"].copy()
        # 8. rates from executed trades
        today_rates = rates.reference_rates(self.book, self.ledger["dealers"]["client_repo"])
        # 9. record
        self.record(today_rates, fed | tre)
        self.datacollector.collect(self)
        self.t += 1
        if self.t >= len(self.calendar):
            self.running = False

    def run(self, progress=None) -> pd.DataFrame:
        """Step to the end of the calendar and return the time series."""
        while self.running:
            self.step()
            if progress is not None:
                progress(self.t, len(self.calendar))
        return self.results()

    def results(self) -> pd.DataFrame:
        """The recorded days as a DataFrame indexed by date (columns: COLUMNS)."""
        df = pd.DataFrame.from_records(self.records, columns=COLUMNS)
        return df.set_index("date")

    def reallocate_reserves(self) -> None:
        """Banks sell securities to one another for reserves, judged on yesterday's end-of-day
        positions (`behaviours.reallocation`): a bank that keeps ending the day close to its
        LCLoR buys reserves from banks with room to spare, at `banks.reallocation_speed` of the
        gap a day. Both legs on the banks' balance sheets; total reserves do not change."""
        speed = self.params["banks"]["reallocation_speed"]
        if speed <= 0 or self.eod_reserves is None:
            return
        banks = self.ledger["banks"]
        # a bank pays out at most half of the reserves it holds this morning
        flow = behaviours.reallocation(
            self.eod_reserves,
            self.lclor,
            self.uncertainty,
            speed,
            banks["securities"],
            0.5 * banks["reserves"],
        )
        self.ledger.post("banks", "reserves", "securities", flow)

    # --- exogenous flows (history replay overrides these to follow the data) -----------------

    def fed_operations(self) -> dict[str, float]:
        return policy.fed_operations(self)

    def treasury_flows(self) -> dict[str, float]:
        return treasury.flows(self)

    # --- schedules ----------------------------------------------------------------------------

    def schedule(self) -> pd.DataFrame:
        """Exogenous drivers from the scenario's policy and Treasury schedules."""
        days = self.calendar.days
        return pd.concat(
            [
                policy.corridor(self.params, days),
                policy.schedule(self.params, self.calendar),
                treasury.schedule(self.params, self.calendar),
            ],
            axis=1,
        )

    def drivers_on(self, t: int) -> dict:
        """Row `t` of `self.drivers` as {column: value}. Taking a pandas row (`iloc`) every
        day costs more than a small model's whole day, so the columns are read out once."""
        cached = getattr(self, "_driver_columns", None)
        if cached is None or cached[0] is not self.drivers:
            cached = (self.drivers, {c: self.drivers[c].to_numpy() for c in self.drivers.columns})
            self._driver_columns = cached
        return {c: values[t] for c, values in cached[1].items()}

    # --- flows of the public, used by policy and treasury ------------------------------------

    def public_pays_fed(self, amount: float, fed_item: str) -> None:
        payments.public_to_fed(self.ledger, amount, fed_item)

    def fed_pays_public(self, amount: float, fed_item: str) -> None:
        payments.fed_to_public(self.ledger, amount, fed_item)

    def receive_late(self, amount: float) -> None:
        """The public pays `amount` into the TGA this afternoon, after the morning's repo market
        (taxes move over Fedwire through the day; repo settles first thing)."""
        self.late_receipts += max(amount, 0.0)

    def settle_afternoon(self) -> None:
        """Post the receipts deferred by `receive_late` (called by the clearing, between the
        repo and the interbank markets)."""
        if self.late_receipts > 0:
            self.public_pays_fed(self.late_receipts, "tga")
            self.ledger.post("treasury", "tga", "net_position", self.late_receipts)
        self.late_receipts = 0.0

    def issue_bills(self, amount: float) -> float:
        """Bills settle. Who ends up holding them follows the bill float held privately:

        money funds keep a fixed share of the float (bills outstanding less the Fed's), so when
        the Fed buys bills the funds' bills run off and their cash returns to repo; dealers
        rebuild inventory toward its usual level at auctions; the public takes the rest (a
        negative amount: its maturing bills are paid out of the TGA).
        """
        if amount <= 0:
            return 0.0
        ledger = self.ledger
        float_after = ledger["treasury"].total("bills_debt") + amount - ledger["fed"].total("soma_bills")
        funds_now = ledger["money_funds"]["bills"]
        to_funds = self.fund_bill_share * float_after - float(funds_now.sum())
        to_funds = max(to_funds, -float(funds_now.sum()))
        shortfall = np.maximum(self.dealer_inventory_base - ledger["dealers"]["inventory"], 0.0)
        to_dealers = min(float(shortfall.sum()), max(amount - max(to_funds, 0.0), 0.0))
        weights = self.fund_assets / self.fund_assets.sum() if to_funds >= 0 else funds_now / funds_now.sum()
        ledger.with_fed("money_funds", None, "bills", "tga", to_funds * weights, into_fed=True)
        if to_dealers > 0:
            ledger.with_fed(
                "dealers", None, "inventory", "tga", to_dealers * shortfall / shortfall.sum(), into_fed=True
            )
        self.public_pays_fed(amount - to_funds - to_dealers, "tga")
        ledger.post("treasury", "tga", "bills_debt", amount)
        return amount

    def dealers_buy_from_treasury(self, amount: float, debt_item: str) -> None:
        """Dealers take securities at auction into inventory, paying out of (overdrawn) cash."""
        if amount <= 0:
            return
        self.ledger.with_fed(
            "dealers", None, "inventory", "tga", amount * self.net.dealer_weight, into_fed=True
        )
        self.ledger.post("treasury", "tga", debt_item, amount)

    def public_flows(self) -> None:
        """Currency demand, money-fund inflows, and dealers' sales of inventory to investors."""
        p, ledger = self.params, self.ledger
        year = treasury.BUSINESS_DAYS_PER_YEAR
        currency = p["treasury"]["currency_growth"] / year * ledger["fed"].total("currency_other")
        self.public_pays_fed(currency, "currency_other")
        # Fund assets grow along a trend; redemptions (to pay taxes, say) are reinvested over the
        # following days, so shares return toward the trend path.
        g = p["money_funds"]["aum_growth"] / year
        self.fund_trend = self.fund_trend * (1 + g)
        shares = ledger["money_funds"]["shares"]
        flow = g * shares + p["money_funds"]["flow_reversion"] * (self.fund_trend - shares)
        payments.public_to_agents(ledger, "money_funds", "shares", flow)
        self.fund_assets = ledger["money_funds"]["shares"].copy()
        excess = np.maximum(ledger["dealers"]["inventory"] - self.dealer_inventory_base, 0.0)
        payments.public_to_agents(
            ledger, "dealers", "inventory", p["dealers"]["inventory_reversion"] * excess
        )

    # --- record -------------------------------------------------------------------------------

    def record(self, r: dict, ops: dict) -> None:
        ledger, net, book = self.ledger, self.net, self.book
        fed, banks, mmf, dealers = ledger["fed"], ledger["banks"], ledger["money_funds"], ledger["dealers"]
        res = banks["reserves"]
        large = net.is_large
        res_large, res_small = res[large].sum(), res[~large].sum()
        d = self.today_rates
        # Banks ranked by reserves: yesterday's ranking is nearly right, and a stable sort of a
        # nearly sorted array is close to linear, so ranking thousands of banks stays cheap.
        self._reserve_rank = self._reserve_rank[np.argsort(res[self._reserve_rank], kind="stable")]
        ranked = np.maximum(res[self._reserve_rank], 0.0)
        residual = max(abs(v) for v in ledger.identities().values())
        if residual > TOLERANCE:
            ledger.check()
        row = {
            "date": self.today,
            "sofr": r["sofr"],
            "tgcr": r["tgcr"],
            "effr": r["effr"],
            "iorb": d.iorb,
            "on_rrp_rate": d.on_rrp,
            "srf_rate": d.srf,
            "sofr_iorb_bp": (r["sofr"] - d.iorb) * 100,
            "effr_iorb_bp": (r["effr"] - d.iorb) * 100,
            "sofr_p01": r["sofr_p01"],
            "sofr_p99": r["sofr_p99"],
            "reserves": fed.total("reserves"),
            "reserves_large": float(res_large),
            "reserves_small": float(res_small),
            "on_rrp": fed.total("on_rrp"),
            "srf": fed.total("srf_loans"),
            "tga": fed.total("tga"),
            "fed_assets": ledger.fed_assets(),
            "currency_other": fed.total("currency_other"),
            "mmf_repo": mmf.total("repo_lent"),
            "dealer_financing": dealers.total("triparty")
            + dealers.total("bilateral")
            + dealers.total("srf_borrowed"),
            "reserves_gini": rates.gini_sorted(ranked),
            "reserves_top10_share": float(ranked[-10:].sum() / ranked.sum()),
            "lclor_gap_large": float(res_large / self.lclor[large].sum() - 1),
            "lclor_gap_small": float(res_small / self.lclor[~large].sum() - 1),
            "tgcr_iorb_bp": (r["tgcr"] - d.iorb) * 100,
            "sofr_p25": r["sofr_p25"],
            "sofr_p75": r["sofr_p75"],
            "sofr_volume": r["sofr_volume"],
            "effr_volume": r["effr_volume"],
            "srf_dealers": float(book.srf_dealers.sum()),
            "srf_banks": float(book.srf_banks.sum()),
            "dealer_marginal_cost": float(book.dealer_cost.max()) if book.dealer_cost.size else np.nan,
            "interbank": float(book.interbank.sum()),
            "fhlb_fed_funds": float(book.ff_fhlb.sum()),
            "bilateral_repo": float(book.bilateral.sum()),
            "interdealer_repo": book.interdealer,
            "mmf_bills": mmf.total("bills"),
            "mmf_assets": mmf.total("shares"),
            "dealer_inventory": dealers.total("inventory"),
            "soma_bills": fed.total("soma_bills"),
            "rmp": ops["rmp"],
            "fed_bill_purchases": ops["fed_bill_purchases"],
            "bill_issuance": ops["bill_issuance"],
            "coupon_issuance": ops["coupon_issuance"],
            "taxes": ops["taxes"],
            "banks_short": book.banks_short,
            **{name: self.today_flags[name] for name in FLAGS if name in COLUMNS},
            "accounting_residual": residual,
        }
        self.records.append(row)

    # --- agents -------------------------------------------------------------------------------

    def _make_agents(self) -> None:
        n_large = self.net.n_large
        self.fed = agents.Fed(self, 0)
        self.treasury = agents.Treasury(self, 0)
        agents.LargeBank.create_agents(self, n_large, index=list(range(n_large)))
        agents.SmallBank.create_agents(
            self, self.net.n_banks - n_large, index=list(range(n_large, self.net.n_banks))
        )
        agents.MoneyFund.create_agents(
            self, self.ledger["money_funds"].n, index=list(range(self.ledger["money_funds"].n))
        )
        agents.FHLB.create_agents(self, self.ledger["fhlbs"].n, index=list(range(self.ledger["fhlbs"].n)))
        agents.Dealer.create_agents(
            self, self.ledger["dealers"].n, index=list(range(self.ledger["dealers"].n))
        )


FLAGS = ("month_end", "quarter_end", "year_end", "tax_date", "coupon_settlement", "bill_settlement")


def open_books(params: dict, net: network.Network) -> tuple[Ledger, markets.Book]:
    """Opening balance sheets: the close of the day before the start, overnight trades open.

    From the scenario's `[start]` table: the Fed's balance sheet; reserves spread over banks as
    assets^c; money funds' bills, other assets and repo cash; dealers' inventories and client
    repo financed by tri-party repo from funds (within lines), bilateral repo from their
    settlement banks, and equity; FHLB cash lent as fed funds to large banks; money-fund cash
    left over at the ON RRP.
    """
    s = params["start"]
    pop = params["population"]
    n_banks, n_large = net.n_banks, net.n_large
    ledger = Ledger(
        {
            "fed": 1,
            "treasury": 1,
            "banks": n_banks,
            "money_funds": pop["money_funds"],
            "fhlbs": pop["fhlbs"],
            "dealers": pop["dealers"],
        }
    )
    ledger.bank_of = {
        "money_funds": net.fund_custodian,
        "fhlbs": net.fhlb_custodian,
        "dealers": net.dealer_settlement,
    }
    book = markets.Book()

    # Money funds and dealers: the tri-party book of the evening before.
    fund_assets = s["mmf_assets"] * net.fund_weight
    repo_cash = fund_assets * (1 - s["mmf_bills_share"] - s["mmf_other_share"])
    need = net.dealer_weight * (repo_cash.sum() - s["on_rrp"] + s["bank_repo_to_dealers"])
    limit = net.tri_share * fund_assets[net.tri_fund]
    tri = markets.allocate_lines(repo_cash, need, net.tri_fund, net.tri_dealer, limit)
    lent_by_fund = np.bincount(net.tri_fund, weights=tri, minlength=len(fund_assets))
    borrowed = np.bincount(net.tri_dealer, weights=tri, minlength=len(need))
    on_rrp_funds = repo_cash - lent_by_fund
    bilateral = need - borrowed
    ledger.open("money_funds", "bills", fund_assets * s["mmf_bills_share"])
    ledger.open("money_funds", "other_assets", fund_assets * s["mmf_other_share"])
    ledger.open("money_funds", "repo_lent", lent_by_fund)
    ledger.open("money_funds", "on_rrp", on_rrp_funds)
    ledger.open("money_funds", "shares", fund_assets)
    equity = s["dealer_equity"] * net.dealer_weight
    client = s["dealer_client_repo"] * net.dealer_weight
    ledger.open("dealers", "client_repo", client)
    ledger.open("dealers", "inventory", np.maximum(need + equity - client, 0.0))
    ledger.open("dealers", "triparty", borrowed)
    ledger.open("dealers", "bilateral", bilateral)
    ledger.open("dealers", "equity", ledger["dealers"]["inventory"] + client - borrowed - bilateral)
    book.triparty = tri
    book.triparty_rate = np.zeros_like(tri)
    book.bilateral_bank = net.dealer_settlement.copy()
    book.bilateral_dealer = np.arange(len(need))
    book.bilateral = bilateral
    book.bilateral_rate = np.zeros_like(bilateral)
    book.on_rrp_funds = on_rrp_funds

    # FHLBs: their cash lent overnight to large banks in proportion to size.
    fhlb_cash = s["fhlb_cash"] * net.fhlb_weight
    large_share = net.bank_assets[:n_large] / net.bank_assets[:n_large].sum()
    ff = fhlb_cash[:, None] * large_share[None, :]
    ledger.open("fhlbs", "ff_lent", fhlb_cash)
    ledger.open("fhlbs", "debt", fhlb_cash)
    book.ff_fhlb = ff
    book.ff_fhlb_rate = np.zeros_like(ff)
    book.on_rrp_fhlbs = np.zeros(len(fhlb_cash))

    # Banks: reserves spread as assets^c; the rest of their assets in securities and loans.
    assets = net.bank_assets
    weight = assets ** s["reserve_concentration"]
    reserves = s["reserves"] * weight / weight.sum()
    repo_lent = np.bincount(book.bilateral_bank, weights=bilateral, minlength=n_banks)
    ff_borrowed = np.zeros(n_banks)
    ff_borrowed[:n_large] = ff.sum(axis=0)
    securities = 0.15 * assets
    loans = assets - reserves - securities - repo_lent
    if (loans < 0).any():
        raise InputError(
            "start.reserve_concentration: concentrates more reserves at a bank than its assets: "
            "expected a smaller value"
        )
    equity_b = 0.09 * assets
    ledger.open("banks", "reserves", reserves)
    ledger.open("banks", "securities", securities)
    ledger.open("banks", "loans", loans)
    ledger.open("banks", "repo_lent", repo_lent)
    ledger.open("banks", "ff_borrowed", ff_borrowed)
    ledger.open("banks", "equity", equity_b)
    ledger.open("banks", "deposits", assets - equity_b - ff_borrowed)

    # The Fed and the Treasury.
    on_rrp = float(on_rrp_funds.sum())
    other = s["fed_assets"] - s["soma_bills"] - s["soma_coupons"] - s["soma_mbs"]
    if other < 0:
        raise InputError(
            f"start.fed_assets: {s['fed_assets']} is below the SOMA holdings "
            f"({s['soma_bills'] + s['soma_coupons'] + s['soma_mbs']}): expected at least that"
        )
    currency_other = s["fed_assets"] - s["reserves"] - on_rrp - s["tga"]
    if currency_other < 0:
        raise InputError(
            "start.fed_assets: below reserves + ON RRP + TGA: expected a Fed balance sheet whose "
            "assets cover its reserves, ON RRP and TGA"
        )
    for item, value in (
        ("soma_bills", s["soma_bills"]),
        ("soma_coupons", s["soma_coupons"]),
        ("soma_mbs", s["soma_mbs"]),
        ("other_assets", other),
        ("reserves", s["reserves"]),
        ("on_rrp", on_rrp),
        ("tga", s["tga"]),
        ("currency_other", currency_other),
    ):
        ledger.open("fed", item, value)
    ledger.open("treasury", "tga", s["tga"])
    ledger.open("treasury", "bills_debt", 6400.0)
    ledger.open("treasury", "coupons_debt", 23000.0)
    ledger.open("treasury", "net_position", s["tga"] - 6400.0 - 23000.0)
    ledger.check()
    return ledger, book
