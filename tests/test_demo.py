"""`reportkit demo`: the main job on the embedded demo tenancy (collection part; rendering is
covered by the notebook and browser tests, which render the same reports)."""
from __future__ import annotations

import pandas as pd
import pytest

from reportkit.cli import main
from reportkit.snapshot import list_snapshots, load_snapshot


@pytest.mark.slow  # collects the demo tenancy twice (two month ends)
def test_demo_collects_one_snapshot_per_month_end_stamped_with_that_month_end(tmp_path, capsys):
    root = tmp_path / "snapshots"
    assert main(["demo", "--collect-only", "--months", "2", "--snapshots", str(root), "--no-progress"]) == 0
    out = capsys.readouterr().out
    snaps = list_snapshots(root)
    assert len(snaps) == 2 and snaps["problem"].isna().all()
    latest = load_snapshot(root)
    # the demo tenancy shows 2026-11-01; verdicts are judged as of then, not as of today's clock
    assert latest.metadata.finished_at == pd.Timestamp("2026-11-01T00:00:00Z")
    assert len(latest.backups) > 1000 and len(latest.boot_volumes) > 200
    printed = next(line for line in out.splitlines() if line.startswith("latest snapshot: "))
    assert load_snapshot(printed.removeprefix("latest snapshot: ")).metadata == latest.metadata
    dates = sorted(pd.to_datetime(snaps["date"]).dt.strftime("%Y-%m-%d"))
    assert dates == ["2026-10-01", "2026-11-01"]


def test_demo_rejects_a_bad_month_count(capsys):
    assert main(["demo", "--months", "0"]) == 2
    assert "--months 0" in capsys.readouterr().err


@pytest.mark.slow  # collects the demo tenancy twice
def test_a_second_demo_run_replaces_the_first_and_never_a_snapshot_it_did_not_write(tmp_path, capsys):
    import shutil

    from reportkit.demo import run_demo
    from reportkit.settings import Settings

    data = tmp_path / "data"
    settings = Settings.from_environment({"REPORTKIT_DATA": str(data)})
    first = run_demo(settings, months=1, collect_only=True, progress=False, log=lambda line: None)
    export = settings.assessments / first.latest_snapshot.relative_to(settings.snapshots)
    export.mkdir(parents=True)  # an export of the demo snapshot (reportkit assess): tied to it
    again = run_demo(settings, months=1, collect_only=True, progress=False, log=lambda line: None)
    assert again.snapshots == first.snapshots and len(list_snapshots(settings.snapshots)) == 1
    assert not export.exists()
    assert not [p for p in settings.snapshots.rglob("*") if p.name.startswith(".")]  # no staging left
    # a snapshot the demo did not write, in the demo tenancy's folder: refused before any work
    other = first.latest_snapshot.parent / "20261101T120000Z"
    shutil.copytree(first.latest_snapshot, other)
    manifest = other / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"demo_as_of"', '"collected_by"'))
    assert main(["demo", "--collect-only", "--months", "1", "--snapshots", str(settings.snapshots),
                 "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert str(other) in err and "is not a demo snapshot" in err
    assert len(list_snapshots(settings.snapshots)) == 2
