"""A snapshot: the model's state at a day's close, to start another run from.

Everything the next morning needs: the balance sheets (the ledger), the network, the book of
overnight trades that unwinds next morning, every agent set's arrays (`agents.state_of`), the
receipts the Treasury still waits for, the date, the parameters of the run it was taken from
and the state of its random generator.

One file, a `.npz` archive: an array per entry (`ledger/banks`, `net/tri_fund`, `book/triparty`,
`banks/lclor`, ...) and `meta.json` beside them (`unzip -p FILE meta.json`). The same state gives
the same bytes: entries sorted, no clock in them.

A replay writes the snapshot of its last day (`repomodel replay --snapshot FILE`); the shipped one,
`data/end_of_history.npz`, is the close of the shipped history's last day at the default seed.
A scenario starts from one with `start.snapshot` (`align`: the calendar starts on the business
day after the snapshot's date; the network and population are the snapshot's). The opening
state then is the snapshot's, not one built from `[start]` (`books.open_books`), so there is no
start-up transient.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from repomodel import agents, network
from repomodel.calendar import business_days
from repomodel.errors import InputError
from repomodel.ledger import SECTORS, AccountingError, Ledger
from repomodel.markets.book import Book

# Version 2 keeps fed funds from FHLBs per FHLB and per bank (`Book.ff_fhlb_lent`, `ff_fhlb`);
# version 1 kept the (FHLB, bank) table, still read (`_from_version_1`).
FORMAT, VERSION = "repomodel snapshot", 2
READS = (1, 2)
SHIPPED = "end_of_history"  # start.snapshot's name for the shipped snapshot
SHIPPED_PATH = resources.files("repomodel") / "data" / f"{SHIPPED}.npz"
# What shaped the network and the population: a run from a snapshot keeps the snapshot's
# network, so a different value would be ignored without a word; it is refused instead.
SHAPING = (
    "population.large_banks",
    "population.small_banks",
    "population.money_funds",
    "population.dealers",
    "population.fhlbs",
    "network.custodians",
    "network.fixed_seed",
    "network.seed",
    "network.interbank_links_min",
    "network.interbank_links_max",
    "money_funds.lines_per_fund",
    "money_funds.line_limit_share",
    "dealers.bank_links",
    "dealers.foreign_share",
    "banks.foreign_share",
)
# Parameter tables whose values agent sets turn into arrays when they are built (`open_sets`).
BEHAVIOUR = ("banks", "money_funds", "fhlbs", "dealers")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can say: no clock in the bytes
NET_FIELDS = tuple(f.name for f in dataclasses.fields(network.Network) if f.init and f.name != "graph")
BOOK_FIELDS = {f.name: f.type for f in dataclasses.fields(Book)}
SETS = ("banks", "money_funds", "fhlbs", "dealers")
EXPECTED = "expected a snapshot written by `repomodel replay --snapshot`"


@dataclass
class Snapshot:
    """The state at the close of `date`, ready to open another run with."""

    date: dt.date
    params: dict  # the parameters of the run it was taken from (as JSON has them: dates as text)
    ledger: Ledger
    net: network.Network
    book: Book
    sets: dict[str, dict[str, np.ndarray]]  # each agent set's arrays (`agents.state_of`)
    late_receipts: float  # $ bn the Treasury receives in an afternoon still to come
    rng_state: dict  # the run's bit generator (`numpy.random.Generator.bit_generator.state`)


def take(
    date: dt.date,
    params: dict,
    ledger: Ledger,
    net: network.Network,
    book: Book,
    sets: dict[str, object],
    late_receipts: float,
    rng: np.random.Generator,
) -> Snapshot:
    """The state at the close of `date`, copied (the run may go on)."""
    return Snapshot(
        date=dt.date.fromisoformat(str(date)[:10]),
        params=json.loads(json.dumps(params, default=str)),
        ledger=copy.deepcopy(ledger),
        net=copy.deepcopy(net),
        book=copy.deepcopy(book),
        sets={name: agents.state_of(s) for name, s in sets.items()},
        late_receipts=float(late_receipts),
        rng_state=copy.deepcopy(rng.bit_generator.state),
    )


# --- the file -------------------------------------------------------------------------------


def to_bytes(snap: Snapshot) -> bytes:
    """The snapshot as a `.npz` archive with `meta.json` inside; the same state, the same bytes."""
    arrays = {f"ledger/{name}": sheet.data for name, sheet in snap.ledger.sheets.items()}
    arrays |= {f"ledger/bank_of/{name}": idx for name, idx in snap.ledger.bank_of.items()}
    arrays |= {f"net/{name}": getattr(snap.net, name) for name in NET_FIELDS}
    arrays |= {
        f"book/{name}": getattr(snap.book, name)
        for name in BOOK_FIELDS
        if isinstance(getattr(snap.book, name), np.ndarray)
    }
    for set_name, state in snap.sets.items():
        arrays |= {f"{set_name}/{key}": value for key, value in state.items()}
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "date": snap.date.isoformat(),
        "params": snap.params,
        "late_receipts": snap.late_receipts,
        "book": {n: getattr(snap.book, n) for n in BOOK_FIELDS if f"book/{n}" not in arrays},
        "rng_state": snap.rng_state,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        _entry(zf, "meta.json", (json.dumps(meta, indent=1, sort_keys=True) + "\n").encode())
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            _entry(zf, f"{name}.npy", buffer.getvalue())
    return out.getvalue()


def _entry(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def path_of(value: str | Path) -> Path:
    """The file `start.snapshot` names: "end_of_history" is the shipped one."""
    return Path(str(SHIPPED_PATH)) if str(value) == SHIPPED else Path(value)


def read_meta(value: str | Path) -> dict:
    """The snapshot's `meta.json` (date, parameters, ...), checked; its arrays are not read."""
    with _open(value) as zf:
        return _meta(zf, value)


def is_snapshot(path: str | Path) -> bool:
    """Whether `path` is a file written as a snapshot (a `.npz` archive whose meta.json names
    the format), of any version and whether or not it still reads: what may be replaced."""
    try:
        with zipfile.ZipFile(path) as zf:
            meta = json.loads(zf.read("meta.json"))
    except (KeyError, zipfile.BadZipFile, zlib.error, ValueError, OSError):
        return False
    return isinstance(meta, dict) and meta.get("format") == FORMAT


def read(value: str | Path) -> Snapshot:
    """Read and check a snapshot (`path_of(value)`): a missing, corrupt or foreign file is an
    InputError naming the file and what is wrong."""
    with _open(value) as zf:
        meta = _meta(zf, value)
        try:
            arrays = {
                name.removesuffix(".npy"): np.lib.format.read_array(
                    io.BytesIO(zf.read(name)), allow_pickle=False
                )
                for name in zf.namelist()
                if name.endswith(".npy")
            }
        except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, OSError) as exc:
            raise _bad(value, f"is corrupt ({exc})") from None
    try:
        return _build(meta, arrays)
    except KeyError as exc:
        raise _bad(value, f"has no array {exc}: {EXPECTED} by this version") from None
    except (ValueError, IndexError, TypeError, AccountingError) as exc:
        raise _bad(value, f"is not a consistent state ({exc})") from None


def _bad(value: str | Path, what: str) -> InputError:
    return InputError(f"start.snapshot: {str(value)!r} {what}".replace("\n", " "))


def _open(value: str | Path) -> zipfile.ZipFile:
    path = path_of(value)
    if path.is_dir():
        raise _bad(value, f"is a folder: expected '{SHIPPED}' or the path of a snapshot file")
    if not path.is_file():
        raise _bad(
            value,
            f"does not exist ({path.absolute()}): expected '{SHIPPED}' or the path of a snapshot file "
            "(relative to the current folder, or to the scenario file that names it)",
        )
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _bad(value, f"is not a snapshot (not a .npz archive: {exc}): {EXPECTED}") from None


def _meta(zf: zipfile.ZipFile, value: str | Path) -> dict:
    try:
        meta = json.loads(zf.read("meta.json"))
    except KeyError:
        raise _bad(value, f"has no meta.json: {EXPECTED}") from None
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError) as exc:
        raise _bad(value, f"has a corrupt meta.json ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _bad(value, f"is not a snapshot (meta.json says no format '{FORMAT}'): {EXPECTED}")
    if meta.get("version") not in READS:
        raise _bad(
            value,
            f"is of version {meta.get('version')!r}: expected one of {', '.join(map(str, READS))} (write it again)",
        )
    try:
        dt.date.fromisoformat(meta["date"])
        for key in SHAPING:
            _dotted(meta["params"], key)
        float(meta["late_receipts"])
        meta["book"], meta["rng_state"]  # noqa: B018
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(value, f"has a meta.json without a valid {exc}: {EXPECTED}") from None
    return meta


def _from_version_1(arrays: dict[str, np.ndarray], n_banks: int) -> dict[str, np.ndarray]:
    """A version-1 snapshot's book as version 2 keeps it: its fed funds table (FHLB, bank) as
    what each FHLB lent and what each bank borrowed (the opening books' table had the large
    banks only, the first columns), at the one rate they traded at."""
    table = arrays.get("book/ff_fhlb", np.zeros((0, 0)))
    if table.ndim != 2 or table.shape[1] > n_banks:
        raise ValueError(f"book/ff_fhlb: expected a table (FHLB, bank) of at most {n_banks} banks")
    borrowed, rate = np.zeros(n_banks), np.zeros(n_banks)
    borrowed[: table.shape[1]] = table.sum(axis=0)
    rates = arrays.get("book/ff_fhlb_rate", np.zeros((0, 0)))
    if rates.size:
        rate[: rates.shape[1]] = rates[0]
    return arrays | {
        "book/ff_fhlb": borrowed,
        "book/ff_fhlb_rate": rate,
        "book/ff_fhlb_lent": table.sum(axis=1),
    }


def _build(meta: dict, arrays: dict[str, np.ndarray]) -> Snapshot:
    """The objects of a snapshot from its arrays, checked for consistency."""
    fields = {name: arrays[f"net/{name}"] for name in NET_FIELDS}
    counts = {name: arrays[f"ledger/{name}"].shape[1] for name in SECTORS}
    net = network.Network(**fields)  # its graph is drawn from the arrays when asked for
    _check_network(net, counts)
    ledger = Ledger(counts)
    for name, sheet in ledger.sheets.items():
        data = arrays[f"ledger/{name}"]
        if data.shape != sheet.data.shape or not np.isfinite(data).all():
            raise ValueError(f"balance sheets of {name}: expected {sheet.data.shape} finite numbers")
        sheet.data[...] = data
    ledger.bank_of = {name: arrays[f"ledger/bank_of/{name}"] for name in ("money_funds", "fhlbs", "dealers")}
    ledger.check()
    if meta["version"] == 1:
        arrays = _from_version_1(arrays, counts["banks"])
    per = {"ff_fhlb": ("banks", "bank"), "ff_fhlb_rate": ("banks", "bank"), "ff_fhlb_lent": ("fhlbs", "FHLB")}
    for name, (sector, one) in per.items():
        if arrays[f"book/{name}"].shape != (counts[sector],):
            raise ValueError(f"book/{name}: expected {counts[sector]} numbers, one per {one}")
    book = Book(**{n: arrays[f"book/{n}"] for n in BOOK_FIELDS if f"book/{n}" in arrays}, **meta["book"])
    sets = {name: {} for name in SETS}
    for key, value in arrays.items():
        head, _, rest = key.partition("/")
        if head in sets:
            sets[head][rest] = value
    return Snapshot(
        date=dt.date.fromisoformat(meta["date"]),
        params=meta["params"],
        ledger=ledger,
        net=net,
        book=book,
        sets=sets,
        late_receipts=float(meta["late_receipts"]),
        rng_state=meta["rng_state"],
    )


def _check_network(net: network.Network, counts: dict[str, int]) -> None:
    """Every index of the network points at an agent that exists."""
    banks, large = counts["banks"], net.n_large
    for name, idx, n in (
        ("fund_custodian", net.fund_custodian, banks),
        ("fhlb_custodian", net.fhlb_custodian, banks),
        ("dealer_settlement", net.dealer_settlement, large),
        ("tri_fund", net.tri_fund, counts["money_funds"]),
        ("tri_dealer", net.tri_dealer, counts["dealers"]),
        ("ib_small", net.ib_small, banks),
        ("ib_core", net.ib_core, large),
        ("bd_bank", net.bd_bank, large),
        ("bd_dealer", net.bd_dealer, counts["dealers"]),
    ):
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise ValueError(f"network {name}: an index outside 0..{n - 1}")
    if len(net.bank_assets) != banks:
        raise ValueError(f"network: {len(net.bank_assets)} banks, balance sheets of {banks}")


# --- a scenario that starts from a snapshot -------------------------------------------------


def align(params: dict) -> None:
    """For a scenario with `start.snapshot`: the calendar starts on the business day after the
    snapshot's date (`calendar.start` is not used: `scenario.load` refuses it set), and what
    shaped the snapshot's network and population must be as in the snapshot. Called by
    `scenario.validate`."""
    value = params["start"]["snapshot"]
    if not value:
        return
    meta = read_meta(value)
    for key in SHAPING:
        mine, theirs = _dotted(params, key), _dotted(meta["params"], key)
        if mine != theirs:
            raise InputError(
                f"{key}: {mine!r} differs from the snapshot's {theirs!r} (start.snapshot {value!r}): "
                f"a run from a snapshot keeps its network and population; expected {theirs!r} "
                '(or start.snapshot = "", the synthetic start, for another population)'
            )
    day = dt.date.fromisoformat(meta["date"])
    after = business_days(day + dt.timedelta(days=1), day + dt.timedelta(days=10))
    params["calendar"]["start"] = after[0].date()


def _dotted(params: dict, key: str) -> object:
    node = params
    for part in key.split("."):
        node = node[part]
    return node


def open_sets(snap: Snapshot, params: dict) -> dict[str, object]:
    """The agent sets of a run opening from `snap` with `params`: the snapshot's arrays. An array
    that `params` would build differently from the snapshot's own parameters (the LCLoR of a
    run with another `banks.lclor_large` or `banks.intraday_weight`, say) is scaled by the ratio
    of the two, so what the snapshot's run did to it (growth of the banking system) is kept and
    the run's parameters hold; with the snapshot's parameters nothing changes. Both are built
    at the snapshot's repo settled over bank assets, where reserve demand's scaling with it
    (`banks.intraday_weight`) acts."""
    run = _sets(params, snap)
    before = _sets(_with_behaviour(params, snap.params), snap)
    ratio = snap.sets["banks"].get("settlement_ratio")
    if ratio is not None:  # reserve demand at the snapshot's repo settled, under either's banks.*
        for sets in (run, before):
            sets["banks"].resize(1.0, float(np.ravel(ratio)[0]))
    for name, agent_set in run.items():
        fresh, old, saved = agents.state_of(agent_set), agents.state_of(before[name]), snap.sets[name]
        missing = sorted(set(fresh) - set(saved))
        if missing:
            raise InputError(f"start.snapshot: has no {name} {missing}: {EXPECTED} by this version")
        agents.restore(agent_set, {k: _rescaled(v, fresh.get(k), old.get(k)) for k, v in saved.items()})
    return run


def _sets(params: dict, snap: Snapshot) -> dict[str, object]:
    # The funds' reservation spreads come from the snapshot: a generator of their own here
    # leaves the run's generator untouched.
    return {
        "banks": agents.Banks(params, snap.net),
        "money_funds": agents.MoneyFunds(params, snap.ledger, np.random.default_rng(0)),
        "fhlbs": agents.FHLBs(params, snap.ledger),
        "dealers": agents.Dealers(snap.ledger, snap.net),
    }


def _with_behaviour(params: dict, theirs: dict) -> dict:
    """`params` with the snapshot's values of the behaviour tables (where it has the key)."""
    out = copy.deepcopy(params)
    for table in BEHAVIOUR:
        for key, value in theirs.get(table, {}).items():
            if key in out[table] and type(value) is type(out[table][key]):
                out[table][key] = value
    return out


def _rescaled(saved: np.ndarray, fresh: np.ndarray | None, old: np.ndarray | None) -> np.ndarray:
    if fresh is None or old is None or fresh.shape != saved.shape or old.shape != saved.shape:
        return saved
    changed = fresh != old
    if not changed.any():
        return saved
    ratio = np.divide(fresh, old, out=np.ones_like(fresh, dtype=float), where=old != 0)
    return np.where(changed, np.where(old != 0, saved * ratio, fresh), saved)
