"""reportkit assess: files written, --fail-under, bad input in one line."""
from __future__ import annotations

from pathlib import Path

import pytest

from reportkit.cli import main
from test_assessment_builders import sample


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    from reportkit.snapshot import save_snapshot

    return save_snapshot(sample().inventory(), tmp_path / "snaps")


def test_cli_writes_files_and_fails_under(snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "assessment"
    targets = tmp_path / "targets.txt"
    targets.write_text("lhr: fra\n")
    assert main(["assess", "--snapshot", str(snapshot), "--out", str(out), "--copy-targets", str(targets)]) == 0
    printed = capsys.readouterr().out
    assert "coverage" in printed and "XR_COPY_MISSING" in printed
    assert (out / "volumes.csv").exists()
    assert main(["assess", "--snapshot", str(snapshot), "--out", str(out), "--fail-under", "99"]) == 1
    assert main(["assess", "--snapshot", str(snapshot), "--out", str(out), "--fail-under", "1"]) == 0


def test_cli_bad_input_is_one_line_and_exit_2(snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["assess", "--snapshot", str(snapshot), "--out", str(tmp_path), "--rpo-days", "seven"]) == 2
    err = capsys.readouterr().err
    assert "rpo_days" in err and len(err.strip().splitlines()) == 1
    targets = tmp_path / "t.json"
    targets.write_text('{"lhr": "iad"}')
    assert main(["assess", "--snapshot", str(snapshot), "--out", str(tmp_path), "--copy-targets",
                 str(targets)]) == 2
    assert "not a region this tenancy subscribes to" in capsys.readouterr().err


def test_cli_accept_and_as_of_are_checked_in_one_line(snapshot: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "a"
    assert main(["assess", "--snapshot", str(snapshot), "--out", str(out), "--accept", "copy,group_copy"]) == 0
    printed = capsys.readouterr().out
    assert "counting only: copy, group_copy" in printed and "could be restored in another region" in printed
    assert main(["assess", "--snapshot", str(snapshot), "--out", str(out), "--accept", "copies"]) == 2
    err = capsys.readouterr().err
    assert "--accept" in err and len(err.strip().splitlines()) == 1
    assert main(["assess", "--snapshot", str(snapshot), "--out", str(out), "--as-of", "2000-01-01"]) == 2
    err = capsys.readouterr().err
    assert "before the oldest data" in err and len(err.strip().splitlines()) == 1
    assert main(["plan", "--snapshot", str(snapshot), "--out", str(tmp_path / "p.json"), "--accept", "replica"]) == 0
