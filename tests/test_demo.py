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
