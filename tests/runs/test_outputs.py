"""Results are written whole or not at all, into any folder that can be written (a mount point
too), and summary.json holds plain JSON."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from repomodel.errors import InputError
from repomodel.runs import outputs
from repomodel.runs.outputs import (
    atomic_write,
    check_out,
    jsonable,
    removed_note,
    staged,
    write_json,
    write_run,
)


def test_a_failure_mid_write_leaves_the_old_file_intact(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("old\n")

    def half_then_fail(tmp):
        tmp.write_text("new, half writ")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(path, half_then_fail)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]  # no temporary file left
    atomic_write(path, lambda tmp: tmp.write_text("new\n"))
    assert path.read_text() == "new\n"


def test_a_failed_folder_leaves_the_old_folder_and_no_temporary(tmp_path):
    out = tmp_path / "out"
    with staged(out) as tmp:
        (tmp / "a.txt").write_text("first")
    with pytest.raises(RuntimeError), staged(out) as tmp:
        (tmp / "a.txt").write_text("second")
        raise RuntimeError("interrupted")
    assert (out / "a.txt").read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_moving_a_folder_in_is_all_or_nothing(tmp_path, monkeypatch):
    # A results file whose name is taken by a folder is refused before anything moves; a move
    # that fails half way puts back the files it had replaced and takes out those it had added.
    out = tmp_path / "out"
    with staged(out) as tmp:
        for name in ("a.csv", "b.png", "summary.json"):
            (tmp / name).write_text(f"old {name}")
    (out / "b.png").unlink()
    (out / "b.png").mkdir()
    with (
        pytest.raises(InputError, match=r"^--out: '.*b.png' is not a file: expected b.png free"),
        staged(out) as tmp,
    ):
        for name in ("a.csv", "b.png", "summary.json"):
            (tmp / name).write_text(f"new {name}")
    assert (out / "a.csv").read_text() == "old a.csv" and (
        out / "summary.json"
    ).read_text() == "old summary.json"
    (out / "b.png").rmdir()
    real = os.replace

    def fail_on_the_summary(src, dst):
        if Path(src).name == "summary.json" and Path(src).parent.name.startswith(".staging."):
            raise OSError(errno.EIO, "I/O error")
        return real(src, dst)

    monkeypatch.setattr(outputs.os, "replace", fail_on_the_summary)
    with pytest.raises(OSError), staged(out) as tmp:
        for name in ("a.csv", "b.png", "summary.json"):
            (tmp / name).write_text(f"new {name}")
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "summary.json"]
    assert (out / "a.csv").read_text() == "old a.csv" and (
        out / "summary.json"
    ).read_text() == "old summary.json"
    monkeypatch.setattr(outputs.os, "replace", real)
    with staged(out) as tmp:
        (tmp / "a.csv").write_text("new a.csv")
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "summary.json"]  # nothing kept aside
    assert (out / "a.csv").read_text() == "new a.csv"


def test_json_gets_plain_numbers_dates_and_null_for_nan(tmp_path):
    obj = {
        "n": np.int64(3),
        "x": np.float32(0.5),
        "nan": float("nan"),
        "day": dt.date(2026, 1, 30),
        "stamp": pd.Timestamp("2026-01-30 12:00"),
        "flag": np.bool_(True),
        "list": (np.float64(1.5), None),
    }
    write_json(tmp_path / "s.json", obj)
    back = json.loads((tmp_path / "s.json").read_text())
    assert back == jsonable(obj)
    assert back == {
        "n": 3,
        "x": 0.5,
        "nan": None,
        "day": "2026-01-30",
        "stamp": "2026-01-30",
        "flag": True,
        "list": [1.5, None],
    }


@contextlib.contextmanager
def mounted(folder, read_only=False):
    """`folder` made a tmpfs mount point (read-only if asked) for the block, or None where this
    process may not mount (not root, no CAP_SYS_ADMIN)."""
    folder.mkdir()
    options = "size=64m,ro" if read_only else "size=64m"
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        yield None
        return
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def other_device_replace(real):
    """os.replace as across two file systems: a move out of another folder than the target's own
    staging folder fails with EXDEV (what a mount point does to a folder staged beside it)."""

    def replace(src, dst):
        if Path(src).parent.parent != Path(dst).parent:
            raise OSError(errno.EXDEV, "Invalid cross-device link", str(src))
        return real(src, dst)

    return replace


def test_a_folder_that_is_a_mount_point_is_written_whole(tmp_path, monkeypatch):
    with mounted(tmp_path / "volume") as volume:
        if volume is None:  # no mount here: the rename rule of a mount point, simulated
            volume = tmp_path / "volume"
            monkeypatch.setattr(outputs.os, "replace", other_device_replace(os.replace))
        (volume / "keep.txt").write_text("mine")
        with staged(volume) as tmp:
            (tmp / "a.csv").write_text("new")
            (tmp / "summary.json").write_text("{}")
        assert sorted(p.name for p in volume.iterdir()) == ["a.csv", "keep.txt", "summary.json"]
        with pytest.raises(RuntimeError), staged(volume) as tmp:
            (tmp / "a.csv").write_text("half")
            raise RuntimeError("interrupted")
        assert (volume / "a.csv").read_text() == "new"
        assert sorted(p.name for p in volume.iterdir()) == ["a.csv", "keep.txt", "summary.json"]


def test_a_folder_that_cannot_be_written_is_refused_before_and_nothing_is_left(tmp_path):
    with mounted(tmp_path / "ro", read_only=True) as ro:
        if ro is None:
            if os.geteuid() == 0:
                pytest.skip("root without mount: every folder is writable")
            ro = tmp_path / "ro"
            ro.chmod(0o500)
        for out in (ro, ro / "sub" / "deeper"):
            with pytest.raises(
                InputError, match=r"--out: cannot write to .* expected a folder you can write to"
            ):
                check_out(out)
            with pytest.raises(InputError, match="--out"), staged(out):
                pass
        assert list(ro.iterdir()) == []


def test_an_empty_name_or_a_file_is_not_an_output_folder(tmp_path):
    (tmp_path / "file").write_text("x")
    for out, words in (("", "empty"), (tmp_path / "file", "not a folder")):
        with pytest.raises(InputError, match=words):
            check_out(out)


def test_checking_a_new_folder_leaves_nothing_and_a_killed_writers_staging_is_cleared(tmp_path):
    out = tmp_path / "a" / "b"
    check_out(out)
    assert list(tmp_path.iterdir()) == []
    out.mkdir(parents=True)
    dead = out / f"{outputs.STAGING}999999999.x1"  # no such process
    dead.mkdir()
    (dead / "timeseries.csv").write_text("half")
    with staged(out) as tmp:
        (tmp / "timeseries.csv").write_text("whole")
    assert [p.name for p in out.iterdir()] == ["timeseries.csv"]


def test_a_single_run_into_an_ensembles_folder_leaves_none_of_the_ensembles_files(tmp_path, capsys):
    # ensemble.csv and fan.png of an earlier ensemble would sit beside a run they do not belong to
    for name in ("ensemble.csv", "fan.png", "notes.txt"):
        (tmp_path / name).write_text("earlier")
    df = pd.DataFrame({"sofr_iorb_bp": [1.0]}, index=pd.DatetimeIndex(["2026-01-02"], name="date"))
    removed = write_run(tmp_path, df, {"metrics": {}}, lambda path: path.write_bytes(b"png"))
    assert removed == ["ensemble.csv", "fan.png"]  # and the user is told
    removed_note(tmp_path, removed, quiet=False)
    assert "removed ensemble.csv and fan.png from" in capsys.readouterr().err
    assert write_run(tmp_path, df, {"metrics": {}}, lambda path: path.write_bytes(b"png")) == []
    (tmp_path / "fan.png").mkdir()  # a folder of the user's under that name: left alone, no crash
    assert write_run(tmp_path, df, {"metrics": {}}, lambda path: path.write_bytes(b"png")) == []
    (tmp_path / "fan.png").rmdir()
    assert sorted(f.name for f in tmp_path.iterdir()) == [
        "notes.txt",
        "spread.png",
        "summary.json",
        "timeseries.csv",
    ]
    # ... while an ensemble's own files stay
    write_run(
        tmp_path, df, {}, lambda path: path.with_name("fan.png").write_bytes(b"fan"), {"ensemble.csv": df}
    )
    assert (tmp_path / "fan.png").read_bytes() == b"fan" and (tmp_path / "ensemble.csv").exists()


def test_a_timeseries_never_prints_minus_zero_and_no_other_byte_changes(tmp_path):
    # an SRF take-up of -1e-13 (a rounding residue) or -0.0 printed as "-0.000000" reads as a
    # negative quantity; written as 0, and every other value exactly as before
    values = [-0.0, -1e-13, -4.9e-7, -5.1e-7, 0.25, -3.0, np.nan]
    df = pd.DataFrame({"srf": values, "days": range(7)}, index=pd.date_range("2026-01-01", periods=7))
    write_run(tmp_path / "o", df, {"metrics": {}}, lambda path: path.write_bytes(b""))
    lines = (tmp_path / "o" / "timeseries.csv").read_text().splitlines()
    assert [line.split(",")[1] for line in lines[1:]] == [
        "0.000000",
        "0.000000",
        "0.000000",
        "-0.000001",
        "0.250000",
        "-3.000000",
        "",
    ]
    assert outputs.unsigned_zeros(df, 3)["srf"].tolist()[:4] == [0.0, 0.0, 0.0, 0.0]
    assert not np.signbit(outputs.unsigned_zeros(df, 3)["srf"].to_numpy()[:4]).any()
    assert np.signbit(df["srf"].iloc[0])  # the frame written is left as it was


def test_a_folder_that_takes_no_new_files_is_named_not_called_missing(tmp_path):
    # /proc exists, yet creating a file in it fails with "No such file or directory"
    from repomodel.runs.outputs import unwritable

    missing = OSError(errno.ENOENT, "No such file or directory")
    assert unwritable(tmp_path / "x" / "y", missing) == f"'{tmp_path}' takes no new files"
    assert unwritable(tmp_path, OSError(errno.EACCES, "Permission denied")) == "Permission denied"
    if Path("/proc/self").is_dir():  # Linux: the real thing, through the command's check
        with pytest.raises(InputError, match=r"'/proc' takes no new files"):
            outputs.writable("/proc/repomodel-test")
