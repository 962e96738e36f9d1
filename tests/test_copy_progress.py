"""`reportkit copy --execute`'s progress counts copies as they become AVAILABLE, those the journal already
knows included (issue 16: a resumed run said "0/46 (0 already finished)" after every copy was done).

Waiting never sleeps: the executor's ``wait`` hook advances the fake's simulated clock.
"""
from __future__ import annotations

import io
import re

from reportkit.copy import execute_plan
from test_copy_executor import POLL, two_volume_plan


def _bar(stderr: str) -> str:
    """The last state of the progress bar tqdm drew on stderr."""
    return re.split(r"[\r\n]", stderr.strip())[-1]


def test_progress_counts_available_copies_across_resumed_runs(sim, oci_config, tmp_path, capsys):
    plan = two_volume_plan()  # 3 copies: web-1 to Frankfurt then Ashburn (two waves), app-1 to Frankfurt
    journal = tmp_path / "j.jsonl"
    common = {"execute": True, "journal_path": journal, "config": oci_config, "endpoint_template": sim.endpoint_template,
              "poll_interval": POLL, "progress": True}
    # run 1: the copies are requested, then the run gives up waiting at once (timeout 0): nothing AVAILABLE yet
    first = execute_plan(plan, **common, timeout=0, wait=lambda s: None, out=io.StringIO())
    assert first.counts == {"waiting": 2, "not_started": 1}
    assert re.search(r"copies AVAILABLE:\s+0%.*\| 0/3 ", _bar(capsys.readouterr().err))
    # the fake's clock moves on: the two requested copies are AVAILABLE now, unknown to the journal
    sim.advance(3600)
    out = io.StringIO()
    second = execute_plan(plan, **common, wait=sim.advance, out=out)
    assert second.counts == {"copied": 3}
    assert "2 of them requested by an earlier run" in out.getvalue()
    assert re.search(r"copies AVAILABLE: 100%.*\| 3/3 ", _bar(capsys.readouterr().err))
    # run 3: every copy is AVAILABLE in the journal: the bar starts full
    out = io.StringIO()
    third = execute_plan(plan, **common, wait=sim.advance, out=out)
    assert third.counts == {"copied": 3}
    assert "0 copies to make or wait for" in out.getvalue() and "3 already finished, 3 AVAILABLE" in out.getvalue()
    assert re.search(r"copies AVAILABLE: 100%.*\| 3/3 ", _bar(capsys.readouterr().err))
