"""Random replay inputs files (cells of every kind, columns and rows shuffled, dropped or
repeated): the only outcomes of `repomodel replay` are a finished replay or exit 2 with one line
and nothing written."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repomodel import cli
from tests.helpers import SMALL

COLUMNS = [
    "date", "reserves", "on_rrp", "tga", "fed_assets", "bank_assets", "bank_deposits",
    "iorb", "on_rrp_rate", "srf_rate", "mmf_assets", "repo_volume", "srf_exists", "sofr",
]  # fmt: skip
GOOD = [  # a month of weekly rows of a 2024-like market
    ["2024-05-01", "3350", "450", "750", "7400", "23300", "17500", "5.40", "5.30", "5.50", "6500", "2000", "1", "5.31"],
    ["2024-05-08", "3380", "420", "720", "7380", "23320", "17520", "", "", "", "", "2100", "", "5.31"],
    ["2024-05-15", "3300", "440", "780", "7360", "23340", "17530", "", "", "", "", "1900", "", "5.31"],
    ["2024-05-22", "3250", "460", "800", "7340", "23360", "17540", "", "", "", "", "2050", "", "5.32"],
]  # fmt: skip

cells = st.one_of(
    st.sampled_from(
        ["", "nan", "inf", "-1", "0", "1e400", "3350000", "5.40", "540", "abc", "2024-05-09", "1,5"]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**12), 10**12).map(str),
    st.text(alphabet="0123456789.-e ,x", max_size=8),
)


@st.composite
def inputs_files(draw) -> str:
    rows = [list(r) for r in GOOD]
    header = list(COLUMNS)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(
            st.sampled_from(["cell", "cell", "cell", "drop_column", "swap_rows", "repeat_row", "header"])
        )
        if kind == "cell":
            r, c = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(header) - 1))
            rows[r][c] = draw(cells)
        elif kind == "drop_column" and len(header) > 1:
            c = draw(st.integers(0, len(header) - 1))
            header.pop(c)
            for row in rows:
                row.pop(c)
        elif kind == "swap_rows":
            i, j = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(rows) - 1))
            rows[i], rows[j] = rows[j], rows[i]
        elif kind == "repeat_row":
            rows.append(list(rows[draw(st.integers(0, len(rows) - 1))]))
        else:
            header[draw(st.integers(0, len(header) - 1))] = draw(
                st.sampled_from(["", "Reserves", "x", "date"])
            )
    return "\n".join(",".join(r) for r in [header, *rows]) + "\n"


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=inputs_files())
def test_any_inputs_file_replays_or_is_refused_in_one_line(tmp_path_factory, capsys, text):
    folder = tmp_path_factory.mktemp("inputs")
    path = folder / "inputs.csv"
    path.write_text(text, encoding="utf-8")
    out = folder / "out"
    code = cli.main(["replay", "--quiet", "--inputs", str(path), "--out", str(out), *SMALL])
    err = capsys.readouterr().err.strip().splitlines()
    if code == 0:
        assert (out / "timeseries.csv").is_file()
    else:
        assert code == 2, err
        assert len(err) == 1 and err[0].startswith("repomodel replay: error: "), err
        assert not out.exists()


def test_the_unchanged_file_replays(tmp_path, capsys):
    path = tmp_path / "inputs.csv"
    path.write_text("\n".join(",".join(r) for r in [COLUMNS, *GOOD]) + "\n", encoding="utf-8")
    code = cli.main(["replay", "--quiet", "--inputs", str(path), "--out", str(tmp_path / "out"), *SMALL])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "out" / "timeseries.csv").is_file()
