"""A sweep's results gathered: one table of its runs and figures of metrics against the swept
keys (`repomodel sweep --report DIR`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from repomodel.bounds import bound_of  # noqa: E402
from repomodel.errors import InputError  # noqa: E402
from repomodel.history.closes import model_key  # noqa: E402
from repomodel.runs.ensemble import QUANTILES  # noqa: E402
from repomodel.runs.outputs import write_csv, write_parquet  # noqa: E402

MIN_DISTINCT = 5  # an output with fewer distinct values over the runs gets no Sobol indices
BOOTSTRAP_SEED = 12345  # the bootstrap of the indices' confidence intervals (never 0: see below)
REPORT_METRICS = [
    ("mean_spread_bp", "mean SOFR−IORB (bp)"),
    ("max_spread_bp", "max SOFR−IORB (bp)"),
    ("days_spread_above_10bp", "days above 10 bp"),
    ("reserves_end", "reserves at the end ($ bn)"),
    ("srf_total", "SRF take-up, sum of days ($ bn)"),
]


def load_results(out: Path) -> pd.DataFrame:
    """One table of the runs listed in DIR/manifest.json: finished rows, failed runs with their
    error, and runs not done yet (status "todo")."""
    out = Path(out)
    manifest_path = out / "manifest.json"
    if out.exists() and not out.is_dir():
        raise InputError(f"--report: '{out}' is a file: expected a sweep output folder")
    if not manifest_path.is_file():
        raise InputError(f"--report: '{out}' has no manifest.json: expected a sweep output folder")
    manifest = read_manifest(out)
    rows, others = [], 0
    for run in manifest["runs"]:
        rid = run["run_id"]
        path = out / "runs" / f"{rid}.parquet"
        if path.exists():
            try:
                made = pd.read_parquet(path)
            except (OSError, ValueError) as exc:
                raise InputError(
                    f"--report: '{path}' cannot be read ({type(exc).__name__}): expected a run's file "
                    "as the sweep wrote it (rerun the sweep: it runs again a run whose file is damaged)"
                ) from None
            # a run made by another model than the manifest's (a sweep resumed after the model
            # changed, and stopped before it ran this one again) is not one of this sweep's
            if made.attrs.get("model") == manifest.get("model"):
                rows.append(made.reset_index())
                continue
            others += 1
        row = {
            "run_id": rid,
            "scenario": manifest["scenario"],
            "seed": run["seed"],
            "sample_index": run["sample_index"],
            **{k: run[k] for k in ("draw", "ensemble_seed") if k in run},
            **run["params"],
        }
        err = out / "runs" / f"{rid}.error.json"
        if err.exists():
            row.update(status="failed", error=json.loads(err.read_text())["error"])
        else:
            row.update(status="todo")
        rows.append(pd.DataFrame([row]))
    if others:
        sys.stderr.write(
            f"note: {others} of the runs in '{out / 'runs'}' were made by another model than the sweep's "
            "manifest and count as not done (rerun the sweep to run them again)\n"
        )
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    # what differs between a seed's runs: the shocks, or (vary = "history") also the history
    # replayed to the start; a manifest written before the key existed varied the shocks
    table["vary"] = manifest.get("vary", "shocks")
    lead = [
        "run_id",
        "status",
        "scenario",
        "vary",
        "seed",
        "sample_index",
        "draw",
        "ensemble_seed",
        *manifest["keys"],
    ]
    table = table[[c for c in lead if c in table] + [c for c in table if c not in lead]]
    return table


def read_manifest(out: Path) -> dict:
    """DIR/manifest.json as a sweep wrote it, or an InputError naming what is wrong."""
    path = Path(out) / "manifest.json"
    expected = "expected the manifest.json a sweep wrote (rerun the sweep with --force to write it again)"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"--report: '{path}' cannot be read ({type(exc).__name__}): {expected}") from None
    needed = {"runs": list, "scenario": str, "keys": list, "method": str}
    if not isinstance(manifest, dict):
        raise InputError(f"--report: '{path}' is not a sweep's manifest (not a table): {expected}")
    wrong = [k for k, kind in needed.items() if not isinstance(manifest.get(k), kind)]
    if wrong:
        raise InputError(
            f"--report: '{path}' is not a sweep's manifest (missing or wrong: {', '.join(wrong)}): {expected}"
        )
    fields = ("run_id", "seed", "sample_index", "params")
    if not all(
        isinstance(r, dict) and all(f in r for f in fields) and isinstance(r["run_id"], str)
        for r in manifest["runs"]
    ):
        raise InputError(
            f"--report: '{path}' is not a sweep's manifest (each run needs {', '.join(fields)}): {expected}"
        )
    return manifest


def check_targets(out: Path, names: list[str]) -> None:
    """Refuse, before anything is written, a report whose files or figures' folder cannot go
    where they go (a folder where a file goes, or a file where the folder goes)."""
    for name in names:
        path = out / name
        if name == "report" and path.exists() and not path.is_dir():
            raise InputError(
                f"--report: '{path}' is a file: expected a folder for the figures (or nothing there)"
            )
        if name == "report" and path.is_dir():
            for figure in path.glob("*.png"):
                if figure.is_dir():
                    raise InputError(
                        f"--report: '{figure}' is a folder: expected a figure's file (or nothing there)"
                    )
        if name != "report" and path.is_dir():
            raise InputError(f"--report: '{path}' is a folder: expected the report's file (or nothing there)")


def model_note(out: Path, manifest: dict) -> None:
    """Say whose runs a report shows when the model installed here is another version."""
    made = manifest.get("model")
    if made != model_key():
        made = f"model {made}" if made else "a version before sweeps recorded it"
        sys.stderr.write(
            f"note: the runs of '{out}' were made by {made}; the model installed here is {model_key()}\n"
        )


def timeseries(out: Path, run_id: str) -> pd.DataFrame:
    """The daily series of one run of a sweep run with --timeseries."""
    return pd.read_parquet(Path(out) / "runs" / f"{run_id}.timeseries.parquet")


def report(out: Path) -> pd.DataFrame:
    """Write DIR/results.csv, DIR/results.parquet and figures of metrics vs the swept keys;
    for a sweep of ensembles also DIR/ensembles.csv (`ensemble_quantiles`)."""
    out = Path(out)
    table = load_results(out)
    manifest = read_manifest(out)
    ensembles = manifest.get("ensemble", 1) > 1
    check_targets(
        out, ["results.parquet", "results.csv", *(["ensembles.csv"] if ensembles else []), "report"]
    )
    if len(table) and (table["status"] == "todo").all() and (out / "results.csv").is_file():
        # a copy of the folder without runs/ (a clone: runs/ is not tracked) would lose its table
        raise InputError(
            f"--report: none of the {len(table)} runs of '{out}' is in {out / 'runs'}: expected the "
            "folder the sweep ran in (its results.csv is left as it is)"
        )
    model_note(out, manifest)
    write_parquet(out / "results.parquet", table.set_index("run_id"))
    write_csv(out / "results.csv", table, index=False, float_format="%.6g")
    ok = table[table["status"] == "ok"]
    if ensembles:
        quantiles = ensemble_quantiles(table, manifest["keys"], manifest["ensemble"])
        write_csv(out / "ensembles.csv", quantiles, index=False, float_format="%.6g")
    if len(ok):
        draw_report(ok, manifest["keys"], manifest, out / "report")
    return table


def ensemble_quantiles(table: pd.DataFrame, keys: list[str], draws: int) -> pd.DataFrame:
    """Per point of a sweep of ensembles (sample index, ensemble seed, swept keys): how many of
    its `draws` finished, and the 5th, 50th and 95th percentiles across its finished draws of
    each reported metric (`{metric}_p05`, ...; NaN until a draw has finished)."""
    ok = table["status"] == "ok"
    rows = []
    # a point is its sample index (its keys' values) and the seed its draws start from
    for (index, seed), runs in table.groupby(["sample_index", "ensemble_seed"], sort=True):
        row = {"sample_index": index, "ensemble_seed": seed, **runs.iloc[0][keys].to_dict()}
        done = runs[ok.loc[runs.index]]
        row.update(draws=draws, finished=len(done))
        for metric, _ in REPORT_METRICS:
            v = done[metric].dropna() if metric in done else pd.Series(dtype=float)
            for name, q in QUANTILES.items():
                row[f"{metric}_{name}"] = float(v.quantile(q)) if len(v) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def draw_report(ok: pd.DataFrame, keys: list[str], manifest: dict, folder: Path) -> list[Path]:
    """Response curves (one key, or each key for a sample/larger grid) and heatmaps (two keys)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [response_curves(ok, keys, manifest, folder / "response_curves.png")]
    if manifest["method"] == "grid" and len(keys) == 2:
        for metric, label in REPORT_METRICS[:3]:
            paths.append(heatmap(ok, keys, metric, label, folder / f"heatmap_{metric}.png", manifest))
    return paths


def response_curves(ok: pd.DataFrame, keys: list[str], manifest: dict, path: Path) -> Path:
    """Each metric against each swept key: mean over seeds and other keys, with their range."""
    numeric = [
        k for k in keys if pd.api.types.is_numeric_dtype(ok[k]) and not pd.api.types.is_bool_dtype(ok[k])
    ]
    fig, axes = plt.subplots(
        len(REPORT_METRICS),
        max(len(keys), 1),
        squeeze=False,
        figsize=(max(3.6 * len(keys), 5.0), 2.4 * len(REPORT_METRICS)),
    )
    for j, key in enumerate(keys):
        for i, (metric, label) in enumerate(REPORT_METRICS):
            ax = axes[i, j]
            if manifest["method"] == "grid" or key not in numeric:
                g = ok.groupby(key)[metric].agg(["mean", "min", "max"])
                x = g.index.to_numpy() if key in numeric else np.arange(len(g))
                ax.plot(x, g["mean"], "o-", color="C0", label="mean over seeds and other keys")
                ax.fill_between(x, g["min"], g["max"], color="C0", alpha=0.2, label="their range")
                if i == j == 0:
                    ax.legend(fontsize=7, frameon=False)
                if key not in numeric:
                    ax.set_xticks(x, [str(v) for v in g.index], rotation=30, fontsize=7)
            else:
                ax.scatter(ok[key], ok[metric], s=6, alpha=0.6)
            _flat_axis(ax, ok[metric])
            if i == len(REPORT_METRICS) - 1:
                bound = bound_of(key)
                ax.set_xlabel(f"{key} ({bound.unit})" if bound else key)
            if j == 0:
                ax.set_ylabel(_metric_label(metric, label, ok), fontsize=8)
    runs = f"{len(ok)} runs"
    if manifest["method"] != "grid" and {"n_points", "seeds"} <= set(manifest):  # a dot a run: say whose
        draws, seeds = manifest.get("ensemble", 1), manifest["seeds"]
        seeds = len(seeds) if isinstance(seeds, list) else seeds
        runs = f"{manifest['n_points']} points × {seeds} seeds{f' × {draws} draws' if draws > 1 else ''}: {runs}, a dot each"
    fig.suptitle(f"sweep of {manifest['scenario']} ({manifest['method']}, {runs})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _metric_label(metric: str, label: str, ok: pd.DataFrame) -> str:
    """The label of a metric, dated where the runs' last day says what it is: reserves "at the
    end" of runs that end on 15 January are not year-end reserves."""
    ends = ok["end"].dropna().unique() if "end" in ok else []
    if metric == "reserves_end" and len(ends) == 1:
        return f"reserves on {ends[0]} ($ bn)"
    return label


def _flat_axis(ax, values: pd.Series) -> None:
    """A metric that is the same in every run gets an axis around it that says so, not
    matplotlib's ±4 % of the value (0.96-1.04 for a count of one day)."""
    v = values.dropna()
    if len(v) and np.isclose(v.min(), v.max(), rtol=1e-9, atol=1e-9):
        centre = float(v.iloc[0])
        half = max(1.0, 0.1 * abs(centre))
        ax.set_ylim(centre - half, centre + half)
        ax.text(0.5, 0.85, "the same in every run", transform=ax.transAxes, ha="center", fontsize=7)


def heatmap(ok: pd.DataFrame, keys: list[str], metric: str, label: str, path: Path, manifest: dict) -> Path:
    """A metric over a two-key grid, mean over seeds: the keys with their units, the runs'
    scenario and period in the title, each cell's value in a colour that reads on it."""
    a, b = keys
    pivot = ok.pivot_table(index=a, columns=b, values=metric, aggfunc="mean")
    values = pivot.to_numpy()
    fig, ax = plt.subplots(figsize=(5.8, 4.4))
    im = ax.imshow(values, origin="lower", aspect="auto", cmap="RdYlBu_r")
    ax.set_xticks(
        range(pivot.shape[1]), [f"{v:g}" if isinstance(v, float) else str(v) for v in pivot.columns]
    )
    ax.set_yticks(range(pivot.shape[0]), [f"{v:g}" if isinstance(v, float) else str(v) for v in pivot.index])
    for axis, key in ((ax.set_xlabel, b), (ax.set_ylabel, a)):
        bound = bound_of(key)
        axis(f"{key} ({bound.unit})" if bound else key)
    for (yi, xi), v in np.ndenumerate(values):
        dark = not 0.2 <= im.norm(v) <= 0.8  # the colour map's ends are dark red and dark blue
        ax.text(xi, yi, f"{v:.1f}", ha="center", va="center", fontsize=7, color="white" if dark else "black")
    bar = fig.colorbar(im, ax=ax, label=_metric_label(metric, label, ok))
    if np.allclose(values[np.isfinite(values)], np.round(values[np.isfinite(values)])):
        bar.locator = matplotlib.ticker.MaxNLocator(integer=True)  # a count of days: whole ticks
        bar.update_ticks()
    period = ""
    if {"start", "end"} <= set(ok):  # runs that end on different days (calendar.end swept) say so
        ends = sorted(ok["end"].dropna().unique())
        period = f"{ok['start'].min()} .. {ends[0]}" + (f" to {ends[-1]} (by run)" if len(ends) > 1 else "")
    ax.set_title(f"{label}, mean over seeds\n{manifest['scenario']} {period}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def sobol_indices(table: pd.DataFrame, p: dict, ranges: dict, outputs: list[str]) -> pd.DataFrame:
    """First-order and total Sobol indices (SALib, with bootstrap confidence intervals) of each
    output of a Sobol sweep (`p`, its plan; `table`, its results; `ranges`, the sampled range
    of each key). An output with failed runs or fewer than MIN_DISTINCT distinct values gets
    NaN indices and a note: a count of days that moves by a day in a handful of runs has no
    variance to share out, so its indices would be noise."""
    from SALib.analyze import sobol

    ok = table.set_index("run_id")
    problem = {"num_vars": len(p["keys"]), "names": p["keys"], "bounds": [ranges[k] for k in p["keys"]]}
    rows = []
    for output in outputs:
        y = np.array([ok.loc[pt["run_id"], output] for pt in p["points"]], dtype=float)
        distinct = np.unique(y[np.isfinite(y)]).size
        if not np.isfinite(y).all() or distinct < MIN_DISTINCT:
            note = (
                "failed runs" if not np.isfinite(y).all() else f"nearly constant ({distinct} distinct values)"
            )
            nan = {"S1": np.nan, "S1_conf": np.nan, "ST": np.nan, "ST_conf": np.nan}
            rows += [{"output": output, "parameter": key, **nan, "note": note} for key in p["keys"]]
            continue
        # SALib seeds its bootstrap only `if seed:`, so seed 0 would leave the confidence
        # intervals unseeded and different on every run.
        res = sobol.analyze(problem, y, calc_second_order=False, seed=BOOTSTRAP_SEED, print_to_console=False)
        for i, key in enumerate(p["keys"]):
            indices = {name: res[name][i] for name in ("S1", "S1_conf", "ST", "ST_conf")}
            rows.append({"output": output, "parameter": key, **indices, "note": ""})
    return pd.DataFrame(rows)
