"""One scenario run forward and written to a folder: what `repomodel run` does."""

from __future__ import annotations

from pathlib import Path

from repomodel import scenario as scenarios
from repomodel.core import simulate
from repomodel.errors import InputError
from repomodel.history.closes import announce, check_vary, from_history
from repomodel.runs.ensemble import write_ensemble
from repomodel.runs.figures import FigureProcess
from repomodel.runs.outputs import TRACKED_RESULTS, check_out, removed_note, write_run
from repomodel.runs.progress import days
from repomodel.runs.summary import set_texts, summarise, with_sets


def run_scenario(
    scenario: str,
    sets: list[str] | dict | None = None,
    seed: int | None = None,
    out: Path | None = None,
    quiet: bool = False,
    ensemble: int = 1,
    workers: int | None = 1,
    vary: str = "shocks",
) -> tuple[dict, Path]:
    """Run `scenario` (a shipped name or a TOML path, with `--set` overrides) and write its
    timeseries.csv, summary.json and spread.png to `out` (default results/<scenario>/), all or
    nothing; with `ensemble` N > 1, N draws on `workers` processes, varying `vary`
    (runs.ensemble); one run with `vary` "history" opens on the close of the shipped history
    replayed at its seed (draw k of such an ensemble is this run at seed + k). Returns the
    summary and the folder."""
    params = scenarios.load(scenario, sets or [])
    out = Path(out) if out is not None else Path("results") / default_folder(scenario, params)
    check_out(out)
    label, file = scenario_label(scenario, params)
    changed = set_texts(sets)
    label = with_sets(label, changed)
    if ensemble > 1:
        summary = write_ensemble(
            params, seed, out, ensemble, workers, quiet, vary, label=label, file=file, overrides=changed
        )
        return summary, out
    seed = params["seed"] if seed is None else seed
    run = params
    if vary == "history":  # the one draw: from the history replayed at this seed
        check_vary(vary, params)
        announce([seed], quiet)
        run = from_history(params, seed)
    # The figure's process imports matplotlib while this one runs the model.
    with FigureProcess() as figures:
        with days(params["name"], quiet) as progress:
            df = simulate(run, seed=seed, progress=progress)
        summary = summarise(df, params, seed=seed)
        if file is not None:
            summary["scenario_file"] = file
        if changed:
            summary["overrides"] = changed
        if vary == "history":
            summary.pop("opened_on", None)  # said more closely, where it always was
            summary["opened_on"] = (
                f"the close of the shipped history replayed at seed {seed} (--vary history)"
            )
        # another seed's figure says so (the scenario's own seed, as tracked, need not)
        shown = label if seed == params["seed"] else f"{label} (seed {seed})"
        title = f"repomodel · {shown}: SOFR−IORB, reserves, ON RRP and SRF"
        removed = write_run(out, df, summary, lambda path: figures.draw("spread_figure", df, title, path))
    removed_note(out, removed, quiet)
    return summary, out


def scenario_label(scenario: str, params: dict) -> tuple[str, str | None]:
    """How a run's figure and table name its scenario, and the scenario file (None for a shipped
    scenario, by name or as its file): the file's `name`, with the file's own name beside it
    where the name is a shipped scenario's or not the file's (a copy of rmp40.toml keeps `name =
    "rmp40"`, and its figure must not pass for the shipped path)."""
    text = str(scenario)
    if not scenarios.is_file_scenario(text) or scenarios.is_shipped_file(Path(text)):
        return params["name"], None
    path = Path(text)
    copy = params["name"] in scenarios.scenario_names() or path.stem != params["name"]
    return (f"{params['name']} ({path.name})" if copy else params["name"]), text


def default_folder(scenario: str, params: dict) -> str:
    """Where a run writes without `--out`, under results/: a shipped scenario's name, or a
    scenario file's name without `.toml` (a copy of rmp40.toml keeps `name = "rmp40"`, and
    would otherwise overwrite the shipped run's results/rmp40/). A file of one's own named like
    a shipped scenario or a tracked folder of results/ (`replay`, `validation`, ...) is refused:
    its run would write over that folder. Files
    and names as `scenario.load` tells them apart (a file `rmp40` in the folder run from is a
    file)."""
    path = Path(str(scenario))
    if not scenarios.is_file_scenario(str(scenario)) or scenarios.is_shipped_file(path):
        return params["name"]
    taken = (*scenarios.scenario_names(), *TRACKED_RESULTS)
    if path.stem in taken:
        raise InputError(
            f"--scenario: '{scenario}' is named like the shipped results/{path.stem}/, which its run "
            f"would write over: expected --out DIR (or another file name)"
        )
    return path.stem
