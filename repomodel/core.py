"""Market: one business day of the US repo and reserves market per step, without Mesa.

Read `Market._day` top to bottom: it is the day of DESIGN.md, each line a call into the module that
owns the idea.

    1. calendar flags and corridor   (calendar.Day)
    2. overnight trades unwind       (markets.unwind)
    3. Fed operations                (policy, or the data in a replay: drivers)
    4. Treasury and public flows     (treasury, payments, or the data: drivers)
    5. payment shocks                (payments)
    5b. reserves for securities      (agents.Banks.reallocate)
    6. the morning's markets         (markets.morning: tri-party, ON RRP, fed funds, bilateral)
    6b. the afternoon's settlement   (treasury.settle_afternoon: taxes paid over Fedwire)
    7. the afternoon's markets       (markets.afternoon: interbank, SRF)
    8. rates                         (rates)
    9. record                        (record)

The opening balance sheets are the close of the business day before `calendar.start`, built
from the scenario's `[start]` table (`books.open_books`), or, with `start.snapshot`, the state a
run (the replay of history) reached at the close of that day (`snapshot`).

`RepoMarketModel` (`repomodel.model`) is this day as a Mesa model: the same steps, plus Mesa's
agents (views onto the agent sets) and data collector for Mesa's batch runner and the browser
page. `simulate`, `repomodel run` and `repomodel replay` step a `Market`, which builds no Mesa
agents and never imports Mesa (about half a second of start-up); both give the same numbers
from the same seed. (`repomodel sweep`, whose module holds Mesa's `BatchModel`, and `repomodel
viz` import Mesa.)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from repomodel import agents, behaviours, markets, network, payments, rates, record, treasury
from repomodel import scenario as scenarios
from repomodel import snapshot as snapshots
from repomodel.books import open_books
from repomodel.calendar import Calendar
from repomodel.drivers import Drivers, Economy, Schedules
from repomodel.errors import InputError, check_seed
from repomodel.record import COLUMNS

__all__ = ["COLUMNS", "Market", "simulate"]

# what numpy's generators take besides a whole number
SEED_OBJECTS = (np.random.Generator, np.random.BitGenerator, np.random.SeedSequence)
INT32_MAX = np.iinfo(np.int32).max


def load(scenario: str | dict, overrides, rng, drivers=None) -> tuple[dict, object]:
    """The scenario's parameters and the seed the run's generator is made from: `rng` if given
    (a whole number, or one of numpy's generators or seeds), else the scenario's `seed`.
    `drivers` is checked here too, before anything is built."""
    if drivers is not None and not isinstance(drivers, pd.DataFrame | Drivers):
        raise InputError(
            f"drivers: {type(drivers).__name__} {drivers!r:.60}: expected None, a table of daily "
            "drivers (a pandas DataFrame) or a drivers.Drivers (table, open, fed, treasury, public, annotate)"
        )
    if rng is not None and not isinstance(rng, SEED_OBJECTS):
        check_seed(rng, "rng")
        rng = int(rng)  # numpy's integers too (Mesa's own generator takes only int)
    params = scenarios.load(scenario, overrides, scenarios.API_LABELS)
    return params, params["seed"] if rng is None else rng


def generator(seed: object) -> np.random.Generator:
    """The run's generator, drawn as `mesa.Model` draws it, so a `Market` and a
    `RepoMarketModel` of one seed are the same run: numpy's generator of the seed; from
    anything but a whole number Mesa also takes one integer of it to seed Python's `random`."""
    rng = np.random.default_rng(seed)
    if not isinstance(seed, int | np.integer):
        rng.integers(INT32_MAX)
    return rng


class Market:
    """The repo and reserves market, one business day per `step()`.

    Args:
        scenario: a shipped scenario name ("rmp40", ...), a path to a TOML file, or a dict.
        overrides: dotted keys to change, e.g. {"population.small_banks": 200}.
        rng: a whole-number seed, or numpy's Generator (BitGenerator, SeedSequence). When
            None, the scenario's `seed` is used, so a scenario run is reproducible by default.
            A Generator is the run's own: the run advances it, after first taking one integer
            from it as `mesa.Model` does (so `RepoMarketModel` gives the same run); it is not
            the run of the whole number it was made from.
        drivers: what drives the day from outside the market: the scenario's schedules by
            default (`drivers.Schedules`); a table of daily drivers with the same columns as
            `self.drivers` to replace them; or another `drivers.Drivers` (history replay
            passes one that follows the data).
    """

    def __init__(
        self,
        scenario: str | dict = "rmp40",
        overrides: dict | list[str] | str | None = None,
        rng: int | np.random.Generator | None = None,
        drivers: pd.DataFrame | Drivers | None = None,
    ) -> None:
        params, seed = load(scenario, overrides, rng, drivers)
        self.rng = generator(seed)
        self.running = True
        self._open(params, drivers)

    def _open(self, params: dict, drivers: pd.DataFrame | Drivers | None) -> None:
        """The calendar, drivers, opening books, agent sets and what the day acts on."""
        self.params = params
        self.scenario_name = params["name"]
        self.calendar = Calendar.build(params["calendar"]["start"], params["calendar"]["end"])
        self.exogenous: Drivers = drivers if _is_drivers(drivers) else Schedules(drivers)
        self.drivers = self.exogenous.table(params, self.calendar)
        self._driver_columns = {c: self.drivers[c].to_numpy() for c in self.drivers.columns}
        snap = snapshots.read(params["start"]["snapshot"]) if params["start"]["snapshot"] else None
        if snap is None:
            self._open_books(params)
        else:
            self._open_snapshot(params, snap)
        self._make_agents()
        if snap is not None:
            self.treasury.late_receipts = snap.late_receipts
        self.economy = Economy(
            params,
            self.ledger,
            self.net,
            self.banks,
            self.funds,
            self.fhlbs,
            self.dealers,
            self.treasury,
            self.book,
        )
        self.exogenous.open(self.economy)
        self.today = None  # the Day being stepped (calendar.Day)
        self.t = 0
        self.records: list[dict] = []

    def _make_agents(self) -> None:
        """The Treasury's state beside its balance sheet (the Mesa model makes its agents here)."""
        self.treasury = agents.TreasuryAccount()

    # --- the day ------------------------------------------------------------------------------

    def step(self) -> None:
        """One business day."""
        self._day()

    def _day(self) -> bool:
        """One business day; False (and nothing done) once the calendar is over."""
        if self.t >= len(self.calendar):
            self.running = False
            return False
        ledger, net, eco, p = self.ledger, self.net, self.economy, self.params
        # 1. calendar flags, the corridor and the day's drivers
        day = self.today = self.calendar.day(self.t, {c: v[self.t] for c, v in self._driver_columns.items()})
        # 2. yesterday's overnight trades mature
        markets.unwind(ledger, net, self.book)
        # 3. Fed: runoff, MBS paydowns, bill purchases
        fed = self.exogenous.fed(day, eco)
        # 4. Treasury: auctions, taxes, spending; currency and money-fund flows
        tre = self.exogenous.treasury(day, eco)
        self.exogenous.public(day, eco)
        # 5. payment shocks between banks; banks trade securities for reserves
        b = p["banks"]
        self.banks.payment_state = payments.shock(
            ledger,
            self.banks.payment_state,
            b["payment_shock"] * self.banks.assets,
            b["payment_persistence"],
            b["payment_tail"],
            self.rng,
        )
        self.banks.reallocate(ledger, day.iorb, behaviours.banks_penalty(day.srf, day.srf_exists, p["banks"]))
        # 6. the morning's markets: tri-party, ON RRP, fed funds, bilateral repo
        am = markets.morning(day, ledger, net, self.banks, self.funds, self.fhlbs, self.dealers, p)
        # 6b. the afternoon: the public's taxes settle over Fedwire, after the morning's repo
        treasury.settle_afternoon(ledger, self.treasury)
        # 7. the afternoon's markets: interbank, then the SRF
        self.book = eco.book = markets.afternoon(day, ledger, net, self.banks, p, am)
        self.banks.close(ledger)
        # 8. rates from executed trades
        today_rates = rates.reference_rates(
            self.book, ledger["dealers"]["client_repo"], b["fed_funds_cap_bp"]
        )
        # 9. record
        self.records.append(record.row(day, today_rates, fed | tre, ledger, net, self.book, self.banks))
        self.t += 1
        if self.t >= len(self.calendar):
            self.running = False
        return True

    def run(self, progress=None) -> pd.DataFrame:
        """Step to the end of the calendar and return the time series."""
        while self.running:
            self.step()
            if progress is not None:
                progress(self.t, len(self.calendar))
        return self.results()

    def results(self) -> pd.DataFrame:
        """The recorded days as a DataFrame indexed by date (columns: COLUMNS, and what the
        drivers add: a replay adds the data beside the model)."""
        df = pd.DataFrame.from_records(self.records, columns=COLUMNS)
        return self.exogenous.annotate(df.set_index("date"))

    # --- the opening state --------------------------------------------------------------------

    def _open_books(self, params: dict) -> None:
        """The network and the opening books built from the scenario's `[start]` table."""
        net = params["network"]
        # A network of its own seed leaves the run's generator to the shocks (and other draws).
        self.net = network.build(
            params, np.random.default_rng(net["seed"]) if net["fixed_seed"] else self.rng
        )
        self.ledger, self.book = open_books(params, self.net)
        self.banks = agents.Banks(params, self.net)
        # Reserve demand at the scale of the repo banks settle at the start (a replay rescales
        # it every day from its inputs).
        self.banks.resize(1.0, params["start"]["settlement_ratio"])
        self.funds = agents.MoneyFunds(params, self.ledger, self.rng)
        self.fhlbs = agents.FHLBs(params, self.ledger)
        self.dealers = agents.Dealers(self.ledger, self.net)

    def _open_snapshot(self, params: dict, snap: snapshots.Snapshot) -> None:
        """The network, books and agent sets of a snapshot (`start.snapshot`): the state at the
        close of the day before `calendar.start`. The run's generator draws nothing here."""
        self.net, self.ledger, self.book = snap.net, snap.ledger, snap.book
        sets = snapshots.open_sets(snap, params)
        self.banks, self.funds = sets["banks"], sets["money_funds"]
        self.fhlbs, self.dealers = sets["fhlbs"], sets["dealers"]

    def snapshot(self) -> snapshots.Snapshot:
        """The state at the close of the last day stepped (`repomodel.snapshot`), to start
        another run from (before the first step: the opening books, dated the weekday before)."""
        last = self.calendar.days[self.t - 1] if self.t else self.calendar.days[0] - pd.offsets.BDay(1)
        sets = {"banks": self.banks, "money_funds": self.funds, "fhlbs": self.fhlbs, "dealers": self.dealers}
        return snapshots.take(
            last, self.params, self.ledger, self.net, self.book, sets, self.treasury.late_receipts, self.rng
        )


def simulate(
    scenario: str | dict = "rmp40",
    overrides: dict | list[str] | str | None = None,
    seed: int | None = None,
    drivers: pd.DataFrame | Drivers | None = None,
    progress=None,
    snapshot: Callable[[snapshots.Snapshot], object] | None = None,
) -> pd.DataFrame:
    """Run a scenario to its end; return the daily time series indexed by date (see COLUMNS).

    `overrides` change parameters by dotted key, as `--set` does: a dict ({"rmp.monthly": 60}),
    or "KEY=VALUE" strings (one, or a list). `seed` None takes the scenario's seed; `drivers`
    as for `Market`; `progress(day, days)` is called after every business day; `snapshot`, if
    given, with the state at the close of the last day (to write it: `repomodel replay
    --snapshot`). The run is a `Market`: the same numbers as `RepoMarketModel`'s, without Mesa."""
    if seed is not None and not isinstance(seed, SEED_OBJECTS):
        check_seed(seed)
    if seed is not None and "seed" in scenarios.flatten(scenarios.as_overrides(overrides, "overrides")):
        raise InputError("seed: given both as seed= and in overrides: expected the seed given once")
    for name, fn in (("progress", progress), ("snapshot", snapshot)):
        if fn is not None and not callable(fn):
            raise InputError(f"{name}: {fn!r:.40} is not callable: expected None or a function")
    model = Market(scenario=scenario, overrides=overrides, rng=seed, drivers=drivers)
    df = model.run(progress)
    if snapshot is not None:
        snapshot(model.snapshot())
    return df


def _is_drivers(drivers: object) -> bool:
    return drivers is not None and not isinstance(drivers, pd.DataFrame)
