"""History replay: a hand-written inputs file drives the model's aggregates, the accounting
holds every day, and the command refuses bad inputs with one line and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from repomodel import cli
from repomodel.calendar import Calendar
from repomodel.errors import InputError
from repomodel.history.inputs import history_path, load_inputs
from repomodel.history.replay import ReplayModel, replay, replay_params, shape_receipts
from tests.helpers import HEADER, SMALL, SMALL_SETS

WEEKS = [  # a month of weekly rows in a mid-2024-like market; a TGA build-up drains reserves
    "2024-05-01,3350,450,750,7400,23300,17500,5.40,5.30,5.50,6500,5.31",
    "2024-05-08,3380,420,720,7380,23320,17520,5.40,5.30,5.50,,5.31",
    "2024-05-15,3300,440,780,7360,23340,17530,5.40,5.30,5.50,,5.31",
    "2024-05-22,3250,460,800,7340,23360,17540,5.40,5.30,5.50,,5.32",
    "2024-05-29,3290,400,810,7330,23380,17550,5.40,5.30,5.50,6600,5.33",
]


def write(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "inputs.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    path = write(tmp_path_factory.mktemp("replay"), WEEKS)
    inputs = load_inputs(path)
    model = ReplayModel(inputs, overrides={"population.small_banks": 40}, rng=1)
    return inputs, model.run()


def test_replay_covers_every_business_day_of_the_file(replayed):
    inputs, df = replayed
    assert list(df.index) == list(inputs.index)
    assert df.index[0] == pd.Timestamp("2024-05-01") and df.index[-1] == pd.Timestamp("2024-05-29")


def test_accounting_holds_every_day(replayed):
    _, df = replayed
    assert (df["accounting_residual"] < 1e-6).all()


def test_aggregates_follow_the_data_on_the_rows_of_the_file(replayed):
    inputs, df = replayed
    rows = pd.to_datetime([r.split(",")[0] for r in WEEKS])
    # Fed assets and the TGA are set to the data; reserves follow when ON RRP does.
    assert np.allclose(df.loc[rows, "fed_assets"], inputs.loc[rows, "fed_assets"], atol=1e-6)
    assert np.allclose(df.loc[rows, "tga"], inputs.loc[rows, "tga"], atol=1e-6)
    gap = (df["reserves"] - df["actual_reserves"]).abs() / df["actual_reserves"]
    assert gap.loc[rows[1] :].max() < 0.02
    assert (df["on_rrp"] - df["actual_on_rrp"]).abs().loc[rows[1] :].max() < 60


def test_a_rise_of_the_feds_assets_is_a_purchase_of_securities_not_of_bills(tmp_path):
    # The data give the Fed's assets, not what it bought: a replay reports the rise as the
    # Fed's purchases and books it as Treasury coupons, never as bills (2018-25's cumulative
    # rises, $6.8 tn, had been reported as bill purchases and put $5.8 tn of bills in SOMA).
    rising = [w.split(",") for w in WEEKS]
    for i, row in enumerate(rising):
        row[4] = str(7300 + 25 * i)  # fed_assets, $ bn: +100 over the month
    df = ReplayModel(
        load_inputs(write(tmp_path, [",".join(r) for r in rising])),
        overrides={"population.small_banks": 40},
        rng=1,
    ).run()
    assert (df["fed_bill_purchases"] == 0.0).all()
    assert df["fed_purchases"].sum() == pytest.approx(100.0, abs=1e-6)
    assert df["soma_bills"].max() - df["soma_bills"].min() < 1e-9
    assert (df["accounting_residual"] < 1e-6).all()


def test_corridor_comes_from_the_file_and_actuals_sit_beside_the_model(replayed):
    _, df = replayed
    assert (df["iorb"] == 5.40).all() and (df["on_rrp_rate"] == 5.30).all()
    # rates to the basis point give spreads to the basis point: a day at -9 bp is not below -9,
    # and a day at +5 bp is not "above 5 bp" by floating-point noise
    assert df["actual_spread_bp"].iloc[0] == -9.0
    # abundant reserves and spare fund cash: repo trades between the ON RRP rate and IORB
    assert df["sofr_iorb_bp"].between(-10.5, 0).all()


def test_receipts_land_on_tax_and_coupon_dates_and_rows_are_kept():
    cal = Calendar.build("2019-09-04", "2019-09-18")
    # a weekly file read by the loader: linear in calendar time between two Wednesdays
    elapsed = (cal.days - cal.days[0]).days.to_numpy()
    linear = pd.Series(150.0 + 100.0 * elapsed / elapsed[-1], index=cal.days)
    lumps = np.where(cal.tax_date, 80.0, 0.0)
    shaped = shape_receipts(linear, cal, lumps)
    assert shaped.iloc[0] == linear.iloc[0] and shaped.iloc[-1] == linear.iloc[-1]
    jump = shaped.diff()
    assert jump.idxmax() == pd.Timestamp("2019-09-16")  # the tax date
    assert jump.loc["2019-09-16"] > 80


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("header", "rows", "words"),
    [
        (
            HEADER.replace(",tga", ""),
            [r.replace(",750,", ",", 1) for r in WEEKS[:2]],
            "missing required column 'tga'",
        ),
        (HEADER, [WEEKS[1], WEEKS[0]], "row 2"),
        (HEADER, [WEEKS[0], WEEKS[1].replace("3380", "lots")], "'reserves'"),
        (HEADER + ",fed_lending", [WEEKS[0] + ",", WEEKS[1] + ",9000"], "'fed_lending' on 2024-05-08"),
        (
            HEADER.replace(",", ";"),
            [r.replace(",", ";") for r in WEEKS[:2]],
            "missing required column 'date' (its columns are separated by ';': expected commas)",
        ),
    ],
    ids=["missing column", "unsorted dates", "not a number", "lending above Fed assets", "semicolons"],
)
def test_cli_refuses_bad_inputs_with_one_line_and_exit_2(tmp_path, capsys, header, rows, words):
    path = write(tmp_path, rows, header)
    code, out, err = run_cli(
        ["replay", "--inputs", str(path), "--out", str(tmp_path / "out"), "--quiet"], capsys
    )
    assert code == 2
    assert words in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_cli_replay_names_a_misspelt_optional_column_once_and_goes_on(tmp_path, capsys):
    path = write(tmp_path, WEEKS, header=HEADER.replace("mmf_assets", "mmf_asset"))
    code, _, err = run_cli(
        ["replay", "--inputs", str(path), "--out", str(tmp_path / "out"), "--quiet", *SMALL], capsys
    )
    assert code == 0, err
    warned = [line for line in err.splitlines() if line.startswith("repomodel: warning:")]
    assert len(warned) == 1 and "'mmf_asset' is not read: did you mean 'mmf_assets'?" in warned[0]


def test_cli_replay_writes_series_with_actuals_summary_and_figure(tmp_path, capsys):
    path = write(tmp_path, WEEKS)
    out = tmp_path / "out"
    code, _, err = run_cli(
        [
            "replay",
            "--inputs",
            str(path),
            "--start",
            "2024-05-06",
            "--end",
            "2024-05-24",
            "--out",
            str(out),
            "--quiet",
            "--seed",
            "3",
            *SMALL,
        ],
        capsys,
    )
    assert code == 0, err
    df = pd.read_csv(out / "timeseries.csv", index_col=0, parse_dates=True)
    assert df.index[0] == pd.Timestamp("2024-05-06") and df.index[-1] == pd.Timestamp("2024-05-24")
    for column in (
        "sofr_iorb_bp",
        "reserves",
        "actual_sofr",
        "actual_spread_bp",
        "actual_reserves",
        "actual_on_rrp",
    ):
        assert column in df
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 3 and summary["tracking"]["reserves_mean_abs_gap"] < 100
    assert (out / "spread.png").stat().st_size > 10_000


def test_cli_replay_ensemble_gives_the_band_of_seeds_the_same_on_one_worker_or_two(tmp_path, capsys):
    path = write(tmp_path, WEEKS)
    common = [
        "replay",
        "--inputs",
        str(path),
        "--start",
        "2024-05-06",
        "--end",
        "2024-05-24",
        "--quiet",
        "--seed",
        "3",
        "--ensemble",
        "3",
        *SMALL,
    ]
    tables = {}
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        code, _, err = run_cli([*common, "--out", str(out), "--workers", str(workers)], capsys)
        assert code == 0, err
        tables[workers] = pd.read_csv(out / "ensemble.csv", index_col=0, parse_dates=True)
    ens = tables[1]
    pd.testing.assert_frame_equal(ens, tables[2])  # reproducible whatever the number of processes
    seeds = ens[["seed_3", "seed_4", "seed_5"]]
    # the first seed is the replay written to timeseries.csv; the others are other draws
    series = pd.read_csv(tmp_path / "out1" / "timeseries.csv", index_col=0, parse_dates=True)
    np.testing.assert_allclose(ens["seed_3"], series["sofr_iorb_bp"], atol=1e-5)
    assert not np.allclose(seeds["seed_3"], seeds["seed_4"])
    np.testing.assert_allclose(ens["mean_bp"], seeds.mean(axis=1), atol=1e-5)
    assert (ens["p05_bp"] <= ens["p50_bp"] + 1e-9).all() and (ens["p50_bp"] <= ens["p95_bp"] + 1e-9).all()
    assert (ens["p05_bp"] >= seeds.min(axis=1) - 1e-6).all() and (
        ens["p95_bp"] <= seeds.max(axis=1) + 1e-6
    ).all()
    summary = json.loads((tmp_path / "out1" / "summary.json").read_text())["ensemble"]
    assert summary["seeds"] == [3, 4, 5]
    assert summary["seed_monthly_rmse_bp"]["min"] <= summary["seed_monthly_rmse_bp"]["median"]
    assert summary["mean_path_fit"]["months"] == 1


@pytest.mark.parametrize("option", [["--ensemble", "0"], ["--ensemble", "3", "--workers", "0"]])
def test_cli_replay_refuses_an_empty_ensemble_and_writes_nothing(tmp_path, capsys, option):
    out = tmp_path / "out"
    code, _, err = run_cli(
        ["replay", "--inputs", str(write(tmp_path, WEEKS)), "--out", str(out), "--quiet", *SMALL, *option],
        capsys,
    )
    assert code == 2
    assert option[-2] in err and "at least 1" in err and "Traceback" not in err
    assert not out.exists()


def test_repo_rises_off_the_on_rrp_floor_as_funds_spare_cash_drains(tmp_path):
    # Ample reserves throughout; only the money funds' spare cash at the ON RRP changes. With
    # $1.5 tn at the ON RRP every fund has cash to spare and lends at the floor; with $60 bn
    # left, funds' cash is nearly all placed and dealers bid for it up towards their banks'
    # price, as in 2024-25 (DESIGN.md: the marginal lender moves from funds to banks).
    def month(on_rrp: float, day0: str, day1: str) -> list[str]:
        return [
            f"{d},3300,{on_rrp},750,{7350 + on_rrp},23300,17500,4.40,4.25,4.50,6800," for d in (day0, day1)
        ]

    flush = ReplayModel(load_inputs(write(tmp_path, month(1500, "2025-03-03", "2025-03-31"))), rng=0).run()
    thin = ReplayModel(load_inputs(write(tmp_path, month(60, "2025-03-03", "2025-03-31"))), rng=0).run()
    above_floor = {
        name: float(((df["sofr"] - df["on_rrp_rate"]) * 100).iloc[5:].mean())
        for name, df in (("flush", flush), ("thin", thin))
    }
    assert above_floor["flush"] < 3.0, above_floor
    assert above_floor["thin"] > above_floor["flush"] + 2.0, above_floor
    # Reserves are ample: no scarcity premium. The quarter-end (31 March) carries the
    # period-end premium of window dressing, not scarcity, and is left out.
    ordinary = ~thin["month_end"].astype(bool)
    assert (thin.loc[ordinary, "sofr"] < thin.loc[ordinary, "iorb"] + 0.05).all(), (
        "reserves are ample: no scarcity premium"
    )


def test_a_quarter_end_jump_of_the_on_rrp_is_dealers_turning_cash_away_not_new_fund_cash(tmp_path):
    # 2025-like: reserves near scarce, little at the ON RRP, and on the quarter-end the data's
    # take-up jumps by $340 bn (foreign dealers dress their balance sheets and turn the funds'
    # cash away). The replay does not hand funds that cash to reproduce the jump: their ON RRP
    # stays what the model's own window dressing makes it, and repo rates rise on the
    # quarter-end as the market's did (DESIGN.md), where funds steered to the jump had lent at
    # the ON RRP floor.
    days = pd.bdate_range("2025-03-03", "2025-04-04")
    rows = [
        f"{d.date()},3150,{400 if d == pd.Timestamp('2025-03-31') else 60},800,{7050},23800,18000,"
        "4.40,4.25,4.50,7000,"
        for d in days
    ]
    df = ReplayModel(load_inputs(write(tmp_path, rows)), rng=0).run()
    end, before = pd.Timestamp("2025-03-31"), pd.Timestamp("2025-03-28")
    assert df.loc[end, "actual_on_rrp"] == 400
    assert df.loc[end, "on_rrp"] < 200, df.loc[before:end, ["on_rrp", "actual_on_rrp"]]
    # the days around it still follow the data
    assert (df["on_rrp"] - df["actual_on_rrp"]).abs().loc["2025-03-10":"2025-03-28"].max() < 60
    rise = df.loc[end, "sofr_iorb_bp"] - df.loc[before, "sofr_iorb_bp"]
    assert rise > 1.0, df.loc["2025-03-26":"2025-04-02", ["sofr_iorb_bp", "on_rrp", "actual_on_rrp"]]


def test_cash_funds_park_at_the_on_rrp_is_not_treasuries_dealers_carry(tmp_path):
    # The same money funds ($6.8 tn all along) put $800 bn more at the ON RRP over April, as
    # funds with nothing to buy did in 2021-23: dealers' usual inventory follows the cash the
    # funds invest, their assets less their ON RRP (about 12 % less here), not their assets;
    # before, it followed the $5 tn of 2022 as if all of it were invested, and repo volumes
    # came out near three times SOFR's.
    def rows(on_rrp_end: float) -> list[str]:
        flat = "3300,100,750,4150,23300,17500,4.40,4.25,4.50,6800,"
        return [
            f"2025-03-03,{flat}",
            f"2025-03-31,{flat}",
            f"2025-04-30,3300,{on_rrp_end},750,{4050 + on_rrp_end},23300,17500,4.40,4.25,4.50,6800,",
        ]

    flat = ReplayModel(load_inputs(write(tmp_path, rows(100))), rng=0).run()
    parked = ReplayModel(load_inputs(write(tmp_path, rows(900))), rng=0).run()
    assert parked.loc["2025-04-30", "on_rrp"] == pytest.approx(900, abs=1)
    pd.testing.assert_series_equal(
        flat.loc[:"2025-03-31", "dealer_inventory"], parked.loc[:"2025-03-31", "dealer_inventory"]
    )
    fell = 1 - parked.loc["2025-04-30", "dealer_inventory"] / flat.loc["2025-04-30", "dealer_inventory"]
    share = 800 / (6800 - 100)  # of the cash funds invested at the start
    assert 0.5 * share < fell < 1.5 * share, fell
    # and the repo that finances it with them
    cols = ["dealer_inventory", "sofr_volume"]
    less = flat.loc["2025-04-30", cols] - parked.loc["2025-04-30", cols]
    assert less["sofr_volume"] > 0.5 * less["dealer_inventory"] > 0, less


def test_a_replay_opening_with_fund_cash_parked_at_the_on_rrp_opens_dealers_book_in_full(tmp_path):
    # In 2021-23 the ON RRP came on top of funds' usual portfolio: $1.5 tn more fund cash
    # parked at the Fed leaves the cash funds invest, and the dealers' book it finances, as they
    # are. A replay opening there (a window from 2022, or a file of one's own) now opens dealers
    # with the same inventory and tri-party book as one with that cash neither in the funds nor
    # at the Fed; before, the parked cash was carved out of funds' repo lending, and a replay
    # cold on 2022-03-01 opened dealers with a fifth of the inventory the replay from 2018
    # carries that day.
    def rows(on_rrp: float) -> list[str]:
        line = f"3300,{on_rrp},750,{4050 + on_rrp},23300,17500,4.40,4.25,4.50,{5300 + on_rrp},"
        return [f"2025-03-03,{line}", f"2025-03-31,{line}"]

    lean = ReplayModel(load_inputs(write(tmp_path, rows(100))), rng=0).run()
    parked = ReplayModel(load_inputs(write(tmp_path, rows(1600))), rng=0).run()
    assert parked["on_rrp"].to_numpy() == pytest.approx(1600, rel=0.02)
    for column in ("dealer_inventory", "mmf_repo"):
        assert parked[column].to_numpy() == pytest.approx(lean[column].to_numpy(), rel=0.02), column


def test_the_opening_is_the_same_whether_its_sizes_come_from_the_file_or_an_override(tmp_path):
    # Funds of $3 tn with $2 tn at the ON RRP open the same books from a file that says so, from
    # a file of $6 tn with start.mmf_assets set to 3000 (dotted or as a table), and from a file
    # without the column; the scenario's checks judge the books as they open ($17 tn of funds
    # holding $9 tn of invested cash hold $3.4 tn of bills, not the $6.5 tn of all their assets).
    def frame(funds: float | None, on_rrp: float = 2000) -> pd.DataFrame:
        line = f"3300,{on_rrp},750,{4050 + on_rrp},23300,17500,4.40,4.25,4.50" + (
            "" if funds is None else f",{funds},"
        )
        header = HEADER.removesuffix(",mmf_assets,sofr") if funds is None else HEADER
        return load_inputs(write(tmp_path, [f"2025-03-03,{line}", f"2025-03-31,{line}"], header=header))

    keys = [
        "mmf_bills_share",
        "mmf_other_share",
        "bank_repo_to_dealers",
        "dealer_client_repo",
        "dealer_equity",
        "fhlb_cash",
    ]
    books = [
        replay_params(frame(3000))["start"],
        replay_params(frame(6000), {"start.mmf_assets": 3000})["start"],
        replay_params(frame(6000), {"start": {"mmf_assets": 3000}})["start"],
        replay_params(frame(None), ["start.mmf_assets=3000"])["start"],
    ]
    for book in books[1:]:
        assert [book[k] for k in keys] == pytest.approx([books[0][k] for k in keys], rel=1e-12)
    assert books[0]["mmf_bills_share"] == pytest.approx(0.38 / 3, rel=1e-9)  # a third invested
    # an explicit share is the user's, in either form
    for given in ({"start.mmf_bills_share": 0.3}, {"start": {"mmf_bills_share": 0.3}}):
        assert replay_params(frame(3000), given)["start"]["mmf_bills_share"] == 0.3
    assert replay_params(frame(17000, on_rrp=8000))["start"]["mmf_bills_share"] == pytest.approx(
        0.38 * 9 / 17
    )
    assert ReplayModel(frame(17000, on_rrp=8000), rng=0).run()["sofr_iorb_bp"].notna().all()


def test_fed_repo_operations_for_dealers_cap_repo_in_a_scarce_market(tmp_path):
    # October 2019-like: reserves scarce, no SRF, the discount window 65 bp over IOER. The
    # same month with the Desk's daily repo operations for dealers at IOER: dealers no longer
    # pay up to the no-SRF ceiling, so repo rates fall.
    header = HEADER.replace(",sofr", ",srf_exists,dealer_repo_rate")
    days = pd.bdate_range("2019-10-01", "2019-10-31")
    runs = {}
    for label, ops in (("without", ""), ("with", "1.80")):
        # operations count only on the rows that give them: one row per business day
        rows = [f"{d.date()},1400,5,400,4000,17500,12950,1.80,1.70,2.50,3600,0,{ops}" for d in days]
        model = ReplayModel(load_inputs(write(tmp_path, rows, header=header)), rng=0)
        runs[label] = model.run()
    spread = {k: float(df["sofr_iorb_bp"].iloc[3:].mean()) for k, df in runs.items()}
    assert spread["without"] > 20, spread  # scarce: dealers pay up to the no-SRF ceiling
    assert spread["with"] < spread["without"] - 10, spread
    # with the operations, dealers pay at most their rate plus their cost of using them,
    # and lend on to clients at most their client spread above that
    dealers = model.params["dealers"]
    cap_bp = dealers["repo_ops_spread_bp"] + dealers["client_spread_bp"]
    assert ((runs["with"]["sofr_p99"] - 1.80) * 100).iloc[3:].max() <= cap_bp + 1e-6, spread


def test_fed_repo_operations_of_limited_size_cap_repo_only_up_to_their_allotment(tmp_path):
    # The same scarce month with the operations offered at IOER, but allotting at most $5 bn
    # a day, then at most $500 bn. The Fed lends dealers no more than the allotment, every
    # dollar it lends is booked (Fed assets = what the data say + nothing lost), and a small
    # allotment leaves dealers paying their banks' dearer tranches: repo stays dearer.
    header = HEADER.replace(",sofr", ",srf_exists,dealer_repo_rate,dealer_repo_limit")
    days = pd.bdate_range("2019-10-01", "2019-10-31")
    runs = {}
    for label, limit in (("small", 5.0), ("large", 500.0)):
        rows = [f"{d.date()},1200,5,400,3800,17500,12950,1.80,1.70,2.50,3600,0,1.80,{limit}" for d in days]
        runs[label] = ReplayModel(load_inputs(write(tmp_path, rows, header=header)), rng=0).run()
    assert (runs["small"]["srf_dealers"] <= 5.0 + 1e-6).all()
    assert runs["small"]["srf_dealers"].iloc[3:].mean() > 2.5  # dealers use it, most days all of it
    assert (runs["small"]["srf_dealers"].iloc[3:] > 4.9).mean() > 0.5
    assert (runs["large"]["srf_dealers"] <= 500.0 + 1e-6).all()
    assert runs["large"]["srf_dealers"].iloc[3:].mean() > 10
    for df in runs.values():
        assert df["accounting_residual"].abs().max() < 1e-6
    spread = {k: float(df["sofr_iorb_bp"].iloc[3:].mean()) for k, df in runs.items()}
    assert spread["small"] > spread["large"] + 10, spread


def test_a_replay_started_late_agrees_with_a_longer_one_where_reserves_are_ample():
    # Judging months after the calibration window means starting a replay where the new data
    # start. Where fund cash sets repo (2025 H1), the state a replay builds up on the way does
    # not matter: started on 2025-01-02 or six months earlier, the monthly spreads agree.
    history = load_inputs(history_path(), "2024-07-01", "2025-03-31")
    long = replay(history, seed=0)
    late = replay(history.loc["2025-01-02":], seed=0)
    months = ["2025-02", "2025-03"]
    for month in months:
        gap = late.loc[month, "sofr_iorb_bp"].mean() - long.loc[month, "sofr_iorb_bp"].mean()
        assert abs(gap) < 1.0, (month, gap)


def test_rates_do_not_depend_on_how_finely_supply_curves_are_cut():
    # Banks' supply of reserves is a smooth curve, cut into tranches only to clear it on
    # arrays. Cutting it four times finer must not move the rates: in July 2018 (reserves
    # near $1.95 tn, ample) a dealer once had $2e-12 bn of rounding dust left after its banks'
    # tranches, which was priced at the no-SRF ceiling and put SOFR at IORB + 370 bp.
    history = load_inputs(history_path(), "2018-06-25", "2018-07-31")
    coarse = replay(history, seed=0)
    fine = ReplayModel(history, overrides={"banks.tranches": 48}, rng=0).run()
    gap = (fine["sofr_iorb_bp"] - coarse["sofr_iorb_bp"]).abs()
    assert gap.max() < 1.0, gap.idxmax()
    assert fine["sofr_iorb_bp"].max() < 20


def test_the_feds_lending_in_the_data_is_not_counted_again_on_top_of_the_models(tmp_path):
    # The data's reserves hold what the Fed lent that day ($30 bn a day here, as in October
    # 2019); the model's dealers borrow from the same operations. With the lending given
    # (`fed_lending`), the model's reserves are the data's less the data's lending plus its own
    # take-up: the Fed's lending counted once. Without the column the data's reserves are taken
    # as they are, as before it existed, and the model's take-up comes on top.
    base = HEADER.replace(",sofr", ",srf_exists,dealer_repo_rate,dealer_repo_limit")
    days = pd.bdate_range("2019-10-01", "2019-10-31")
    row = "{},1400,5,400,4000,17500,12950,1.80,1.70,2.50,3600,0,1.80,30"
    runs = {}
    for label, header, tail in (("given", base + ",fed_lending", ",30"), ("absent", base, "")):
        rows = [row.format(d.date()) + tail for d in days]
        runs[label] = ReplayModel(load_inputs(write(tmp_path, rows, header=header)), rng=0).run()
    for df in runs.values():
        assert df["accounting_residual"].abs().max() < 1e-6
        assert df["srf"].iloc[3:].mean() > 10  # dealers use the operations
    given, absent = (runs[k].iloc[3:] for k in ("given", "absent"))
    # the two runs miss the data's ON RRP and TGA alike: compare them with each other
    counted = (given["reserves"] - given["srf"]) - (absent["reserves"] - absent["srf"])
    assert np.allclose(counted, -30.0, atol=0.5), counted.describe()
    # fewer reserves before the model's own take-up: dearer repo
    assert given["sofr_iorb_bp"].mean() > absent["sofr_iorb_bp"].mean()


def test_banks_keep_the_liquidity_of_heavy_settlement_months_for_months_after(tmp_path):
    # A 2019-like market whose repo settled jumps by 40 % for July and falls back in August,
    # against the same market without the jump. Banks size their reserve needs to settlements at
    # once when they rise; with `banks.settlement_fall_share` 0.011 (a half-life of about a
    # quarter) they run them down slowly, so September is still dearer than without the jump; at
    # 1 the needs fall with the volume.
    header = HEADER.replace(",sofr", ",srf_exists,repo_volume")
    row = "{},1750,5,400,4000,17500,12950,2.35,2.25,2.90,3600,0,{}"
    days = ("2019-06-03", "2019-06-28", "2019-07-01", "2019-07-31", "2019-08-01", "2019-09-30")
    runs = {}
    for label, jump, share in (("base", 0, 1.0), ("plain", 400, 1.0), ("held", 400, 0.011)):
        volume = [980, 980, 980 + jump, 980 + jump, 980, 980]
        path = write(
            tmp_path, [row.format(day, v) for day, v in zip(days, volume, strict=True)], header=header
        )
        df = ReplayModel(load_inputs(path), overrides={"banks.settlement_fall_share": share}, rng=0).run()
        assert df["accounting_residual"].abs().max() < 1e-6
        runs[label] = df.groupby(df.index.to_period("M"))["sofr_iorb_bp"].mean()
    base, plain, held = runs["base"], runs["plain"], runs["held"]
    assert plain["2019-07"] > base["2019-07"] + 2  # heavier settlements: scarcer reserves
    assert abs(held["2019-07"] - plain["2019-07"]) < 0.5  # a rise counts at once either way
    assert abs(plain["2019-09"] - base["2019-09"]) < 1.0  # back with the volume
    assert held["2019-09"] > base["2019-09"] + 3.0, (base, plain, held)  # held up two months on


def test_a_day_of_fed_lending_between_two_observations_is_no_purchase_of_securities(tmp_path):
    # Weekly Fed assets (Wednesdays) hold only Wednesday's loans. $50 bn lent on Friday
    # 2024-05-10 and repaid on Monday: that day's reserves are $50 bn lower (the model, with
    # ample reserves, takes nothing back), every other day's the same, and the Fed buys or
    # redeems no security for it.
    header = HEADER + ",fed_lending"
    runs = {}
    for label, extra in (("without", []), ("with", ["2024-05-10,,,,,,,,,,,,50"])):
        rows = sorted([w + "," for w in WEEKS] + extra)
        model = ReplayModel(
            load_inputs(write(tmp_path, rows, header=header)), overrides={"population.small_banks": 40}, rng=1
        )
        runs[label] = model.run()
    with_, without = runs["with"], runs["without"]
    assert with_["srf"].max() == 0.0 and with_["accounting_residual"].abs().max() < 1e-6
    gap = with_["reserves"] - without["reserves"]
    assert gap["2024-05-10"] == pytest.approx(-50.0, abs=1.0)
    assert gap.drop(pd.Timestamp("2024-05-10")).abs().max() < 1.0
    for column in ("fed_bill_purchases", "soma_bills", "dealer_inventory"):
        assert np.allclose(with_[column], without[column], atol=1e-6), column


def test_cli_replay_names_a_start_outside_the_file_as_the_option(tmp_path, capsys):
    path = write(tmp_path, WEEKS)
    code, _, err = run_cli(
        ["replay", "--inputs", str(path), "--start", "2030-01-02", "--out", str(tmp_path / "o")], capsys
    )
    assert code == 2 and "--start 2030-01-02 is outside" in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "o").exists()


def test_a_window_from_python_is_replayed_warm_as_the_command_line_does(tmp_path):
    # replay(start=...) starts cold on that day, and warns; warm_up=True replays the days
    # before it too and returns the same rows as a replay of the whole file, bit for bit.
    path = write(tmp_path, WEEKS)
    whole = replay(path, overrides=SMALL_SETS, seed=2)
    warm = replay(path, start="2024-05-15", overrides=SMALL_SETS, seed=2, warm_up=True)
    pd.testing.assert_frame_equal(warm, whole.loc["2024-05-15":])
    with pytest.warns(UserWarning, match="replay starts cold on 2024-05-15; warm_up=True"):
        cold = replay(path, start="2024-05-15", overrides=SMALL_SETS, seed=2)
    assert cold.index[0] == warm.index[0] and not cold["reserves_gini"].equals(warm["reserves_gini"])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            dict(overrides={"rmp.monthly": 500}),
            r"^overrides rmp.monthly: a replay takes this from the inputs",
        ),
        (dict(overrides=["calendar.start=2024-05-08"]), r"^overrides calendar.start: a replay's days are"),
        (dict(scenario="qt_continues"), r"^scenario qt_continues: changes runoff.end"),
        (dict(inputs=5), r"^inputs: 5 is an int: expected None"),
        (dict(inputs="frame without tga"), r"^inputs: no column tga: expected the daily table"),
        (dict(inputs="frame with a gap"), r"^inputs: reserves on 2024-05-08 is missing: expected"),
        (dict(inputs="frame", start="2024-13-01"), r"^start: '2024-13-01': expected a date YYYY-MM-DD"),
        (dict(inputs="frame", start="2019-01-01", end="2019-02-01"), r"^start/end: no day of the inputs"),
        (dict(inputs="frame", start=20240515), r"^start: 20240515: expected a date"),  # not 1970
        (
            dict(inputs="weekly rows"),
            r"^inputs: the table is not one row a business day \(no row for 2024-05-02\)",
        ),
        (dict(inputs="dates in UTC"), r"^inputs: the table's dates carry a time or a time zone"),
        (dict(inputs="reserves as text"), r"^inputs: column reserves holds .* values: expected"),
        (dict(inputs="fund assets as text"), r"^inputs: column mmf_assets holds .* values: expected"),
        (
            dict(inputs="fund assets infinite"),
            r"^inputs: mmf_assets on 2024-05-0\d is inf: .* a finite amount >= 0",
        ),
        (dict(inputs="fund assets with a gap"), r"^inputs: mmf_assets on 2024-05-08 is missing: expected"),
        (
            dict(inputs="ON RRP at fund assets"),
            r"^inputs: on 2024-05-0\d on_rrp .* is at or above mmf_assets",
        ),
        (dict(inputs="frame", warm_up="no"), r"^warm_up: 'no': expected True or False"),
    ],
)
def test_replay_from_python_refuses_what_the_command_line_refuses(tmp_path, call, message):
    # What `repomodel replay` refuses with one line is refused from Python with an InputError
    # naming the argument, not ignored (the Fed's purchases, a scenario's corridor) or met by
    # an error from deep inside pandas.
    frame = load_inputs(write(tmp_path, WEEKS))
    tables = {
        "frame": frame,
        "frame without tga": frame.drop(columns=["tga"]),
        "frame with a gap": frame.assign(reserves=frame["reserves"].where(frame.index != "2024-05-08")),
        "weekly rows": frame.iloc[::5],
        "dates in UTC": frame.tz_localize("UTC"),
        "reserves as text": frame.assign(reserves=frame["reserves"].astype(str)),
        "fund assets as text": frame.assign(mmf_assets="6000"),
        "fund assets infinite": frame.assign(mmf_assets=float("inf")),
        "fund assets with a gap": frame.assign(
            mmf_assets=frame["reserves"].where(frame.index != "2024-05-08") + 4000
        ),
        "ON RRP at fund assets": frame.assign(mmf_assets=frame["on_rrp"]),
    }
    call = dict(call)
    if isinstance(call.get("inputs"), str):
        call["inputs"] = tables[call["inputs"]]
    with pytest.raises(InputError, match=message):
        replay(**{"inputs": frame, **call})
