"""reportkit.copy against the fake OCI API (reportkit.sim) with the real SDK.

Waiting never sleeps: the executor's ``wait`` hook advances the fake's simulated clock instead
(a copy takes 60 s + 2 s/GB of simulated time there).
"""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import oci
import pandas as pd
import pytest

from reportkit.copy import execute_plan, read_journal
from reportkit.errors import PlanError
from reportkit.plan import CopyPlan, make_plan, save_plan
from reportkit.demo import stamp_inventory
from sim_fixtures import APP, BKP, BV, FRA, IAD, IMG_CUSTOM, IMG_MARKET, IMG_PLATFORM, KEY_FRA, LHR, PROD
from sim_fixtures import AS_OF as FIXTURE_AS_OF
from test_plan_planner import FakeAssessment

POLL = 30.0  # simulated seconds between polls


def _vol(key: str, image: str, required: list[str], compartment: str = PROD) -> dict[str, Any]:
    return {"boot_volume_id": BV[key], "region": LHR, "compartment_id": compartment, "compartment_path": "prod",
            "display_name": key, "image_id": image, "image_class": "platform", "copy_eligible": True,
            "required_regions": ",".join(required), "covered_regions": "", "coverage_status": "missing"}


def _bkp(key: str, volume: str, compartment: str = PROD, kms: str | None = None) -> dict[str, Any]:
    return {"backup_id": BKP[key], "region": LHR, "compartment_id": compartment, "display_name": key,
            "boot_volume_id": BV[volume], "lifecycle_state": "AVAILABLE",
            "time_created": pd.Timestamp("2026-10-30T02:00:00Z"), "size_in_gbs": 50, "kms_key_id": kms,
            "source_boot_volume_backup_id": None, "role": "source"}


def hand_plan(volumes: list[dict], backups: list[dict], **kwargs: Any) -> CopyPlan:
    """A plan for the fixture tenancy from hand-built assessed frames (assess is tested elsewhere)."""
    images = pd.DataFrame({"image_id": pd.Series([], dtype="string"),
                           "copy_eligible": pd.Series([], dtype="boolean")})
    params = {"rpo_days": 7, "as_of": "2026-11-01T00:00:00Z"}
    return make_plan(FakeAssessment(pd.DataFrame(volumes), pd.DataFrame(backups), images, params), **kwargs)


def two_volume_plan() -> CopyPlan:
    """web-1 needs Frankfurt and Ashburn (two waves), app-1 needs Frankfurt (one)."""
    return hand_plan([_vol("platform", IMG_PLATFORM, [FRA, IAD]), _vol("app", IMG_CUSTOM, [FRA], APP)],
                     [_bkp("platform", "platform"), _bkp("app", "app", APP)])


def run(plan: CopyPlan, sim, oci_config, journal: Path, **kwargs: Any):
    kwargs.setdefault("wait", sim.advance)
    return execute_plan(plan, execute=True, journal_path=journal, config=oci_config,
                        endpoint_template=sim.endpoint_template, poll_interval=POLL, progress=False,
                        out=io.StringIO(), **kwargs)


def copy_posts(sim, since: int = 0) -> list[dict[str, Any]]:
    return [r for r in sim.requests(since) if r["operation"] == "CopyBootVolumeBackup"]


def copies_in(sim, oci_config, region: str, source_backup: str) -> list[Any]:
    """Copies of ``source_backup`` that exist in ``region`` (read through the SDK, like an auditor)."""
    client = oci.core.BlockstorageClient(oci_config, service_endpoint=sim.endpoint(region))
    return client.list_boot_volume_backups(compartment_id=PROD, source_boot_volume_backup_id=source_backup).data \
        + client.list_boot_volume_backups(compartment_id=APP, source_boot_volume_backup_id=source_backup).data


def test_execute_copies_in_waves_then_rerun_makes_no_new_copy(sim, oci_config, tmp_path) -> None:
    plan = two_volume_plan()
    journal = tmp_path / "j.jsonl"
    result = run(plan, sim, oci_config, journal, concurrency=4)
    assert result.counts == {"copied": 3}, result.entries
    assert not [r for r in sim.requests() if r["status"] == 409]  # never two copies of a volume in flight
    # the copies exist in their DESTINATION regions, once each
    assert len(copies_in(sim, oci_config, FRA, BKP["platform"])) == 1
    assert len(copies_in(sim, oci_config, IAD, BKP["platform"])) == 1
    assert len(copies_in(sim, oci_config, FRA, BKP["app"])) == 1
    # web-1's wave 2 was requested only once its wave 1 copy had finished (simulated time)
    events = read_journal(journal)
    by_entry = {e["entry_id"]: e for e in plan.planned().to_dict("records")}
    wave = {e["entry_id"]: by_entry[e["entry_id"]]["wave"] for e in events if "entry_id" in e}
    order = [(e["event"], wave[e["entry_id"]]) for e in events
             if "entry_id" in e and by_entry[e["entry_id"]]["boot_volume_id"] == BV["platform"]]
    assert order.index(("finished", 1)) < order.index(("requested", 2))
    # polls went to the destination region, never to the source region for a copy id
    gets = [r for r in sim.requests() if r["operation"] == "GetBootVolumeBackup"]
    assert gets and all(r["region"] in (FRA, IAD) and r["status"] == 200 for r in gets)

    mark = len(sim.requests())
    again = run(plan, sim, oci_config, journal)
    assert copy_posts(sim, mark) == []
    assert again.counts == {"copied": 3} and again.entries["resumed"].all()


def test_refused_copies_are_recorded_with_oci_message_and_the_run_goes_on(sim, oci_config, tmp_path) -> None:
    bogus_key = "ocid1.key.oc1.eu-frankfurt-1.aaaaaaaanotavaultkey"
    plan = hand_plan(
        [_vol("market", IMG_MARKET, [FRA]), _vol("platform", IMG_PLATFORM, [IAD])],
        [_bkp("market", "market"), _bkp("platform", "platform")],
        kms_key_map={FRA: bogus_key})  # the market row is forced "eligible": OCI must refuse it
    result = run(plan, sim, oci_config, tmp_path / "j.jsonl")
    rows = result.entries.set_index("backup_id")
    assert rows.loc[BKP["platform"], "outcome"] == "copied"
    refused = rows.loc[BKP["market"]]
    assert refused["outcome"] == "refused" and refused["http_status"] == 400
    assert refused["code"] and refused["message"] and refused["opc_request_id"]
    events = [e for e in read_journal(tmp_path / "j.jsonl") if e["event"] == "refused"]
    assert events and events[0]["message"] == refused["message"]
    assert not result.ok


def test_conflict_with_a_copy_in_flight_is_recorded_then_retried_on_rerun(sim, oci_config, tmp_path) -> None:
    # someone else is copying another backup of web-1 from London right now
    client = oci.core.BlockstorageClient(oci_config, service_endpoint=sim.endpoint(LHR))
    client.copy_boot_volume_backup(BKP["platform_old"],
                                   oci.core.models.CopyBootVolumeBackupDetails(destination_region=IAD))
    plan = hand_plan([_vol("platform", IMG_PLATFORM, [FRA])], [_bkp("platform", "platform")])
    journal = tmp_path / "j.jsonl"
    first = run(plan, sim, oci_config, journal)
    assert list(first.entries["outcome"]) == ["refused"] and first.entries["http_status"].iloc[0] == 409
    sim.advance(3600)  # the other copy finishes
    second = run(plan, sim, oci_config, journal)
    assert list(second.entries["outcome"]) == ["copied"]
    assert len(copies_in(sim, oci_config, FRA, BKP["platform"])) == 1


def test_stopped_wait_resumes_on_rerun_without_a_second_request(sim, oci_config, tmp_path) -> None:
    plan = hand_plan([_vol("platform", IMG_PLATFORM, [FRA, IAD])], [_bkp("platform", "platform")])
    journal = tmp_path / "j.jsonl"
    first = run(plan, sim, oci_config, journal, timeout=0)  # give up waiting at once
    assert sorted(first.entries["outcome"]) == ["not_started", "waiting"]  # wave 2 must wait for wave 1
    assert len(copy_posts(sim)) == 1
    mark = len(sim.requests())
    second = run(plan, sim, oci_config, journal)
    assert list(second.entries["outcome"]) == ["copied", "copied"]
    posts = copy_posts(sim, mark)
    assert len(posts) == 1 and posts[0]["status"] == 200  # only wave 2 was requested
    assert len(copies_in(sim, oci_config, FRA, BKP["platform"])) == 1


def test_ctrl_c_stops_cleanly_and_the_journal_resumes(sim, oci_config, tmp_path) -> None:
    plan = two_volume_plan()
    journal = tmp_path / "j.jsonl"
    polls: list[str] = []

    def interrupt_on_first_poll(entry: dict[str, Any]) -> None:
        polls.append(entry["entry_id"])
        if len(polls) == 1:
            signal.raise_signal(signal.SIGINT)  # what Ctrl-C does; delivered to the main thread
            deadline = time.monotonic() + 10
            while not any(e["event"] == "interrupted" for e in read_journal(journal)):
                assert time.monotonic() < deadline, "Ctrl-C was not handled"
                time.sleep(0.01)  # polling a condition with a deadline

    first = run(plan, sim, oci_config, journal, concurrency=1, before_poll=interrupt_on_first_poll)
    assert first.interrupted
    assert sorted(first.entries["outcome"]) == ["not_started", "not_started", "waiting"]
    assert any(e["event"] == "interrupted" for e in read_journal(journal))
    second = run(plan, sim, oci_config, journal)
    assert second.counts == {"copied": 3}
    for region, backup in ((FRA, "platform"), (IAD, "platform"), (FRA, "app")):
        assert len(copies_in(sim, oci_config, region, BKP[backup])) == 1


def test_dry_run_sends_nothing_and_says_so(sim, oci_config, tmp_path) -> None:
    out = io.StringIO()
    result = execute_plan(two_volume_plan(), out=out)
    assert sim.requests() == []
    assert result.dry_run and set(result.entries["outcome"]) == {"would_copy"}
    text = out.getvalue()
    assert "DRY RUN" in text and text.count("oci bv boot-volume-backup copy") == 3


def test_blocked_entries_are_never_requested(sim, oci_config, tmp_path) -> None:
    plan = hand_plan([_vol("platform", IMG_PLATFORM, [FRA])],
                     [_bkp("platform", "platform", kms="ocid1.key.oc1.uk-london-1.aaaaaaaasrc")])
    assert list(plan.entries["status"]) == ["blocked"]
    result = run(plan, sim, oci_config, tmp_path / "j.jsonl")
    assert list(result.entries["outcome"]) == ["blocked"] and copy_posts(sim) == []


def test_vault_key_of_destination_is_sent(sim, oci_config, tmp_path) -> None:
    plan = hand_plan([_vol("platform", IMG_PLATFORM, [FRA])],
                     [_bkp("platform", "platform", kms="ocid1.key.oc1.uk-london-1.aaaaaaaasrc")],
                     kms_key_map={"fra": KEY_FRA})
    result = run(plan, sim, oci_config, tmp_path / "j.jsonl")
    assert list(result.entries["outcome"]) == ["copied"]
    assert copies_in(sim, oci_config, FRA, BKP["platform"])[0].kms_key_id == KEY_FRA


def test_execute_needs_a_journal_and_rejects_a_corrupt_one(sim, oci_config, tmp_path) -> None:
    with pytest.raises(PlanError, match="journal"):
        execute_plan(two_volume_plan(), execute=True, config=oci_config, endpoint_template=sim.endpoint_template)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"event": "run_started"}\nnot json\n{"event": "run_finished"}\n')
    with pytest.raises(PlanError, match="line 2"):
        run(two_volume_plan(), sim, oci_config, bad)
    torn = tmp_path / "torn.jsonl"
    torn.write_text('{"event": "run_started"}\n{"event": "requ')  # killed mid-write: last line ignored
    assert [e["event"] for e in read_journal(torn)] == ["run_started"]


@pytest.mark.slow  # a child process is killed and the run resumed
def test_sigkill_mid_run_then_rerun_completes_without_duplicates(sim, oci_config, oci_config_file, tmp_path) -> None:
    plan_path = save_plan(two_volume_plan(), tmp_path / "plan.json")
    journal = tmp_path / "plan.json.journal.jsonl"
    config_path, profile = oci_config_file
    cmd = [sys.executable, "-m", "reportkit", "copy", "--plan", str(plan_path), "--execute",
           "--journal", str(journal), "--config-file", str(config_path), "--profile", profile,
           "--endpoint-template", sim.endpoint_template, "--poll-interval", "0.05", "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 60  # generous: a loaded CI machine starts Python slowly
        # nobody advances the simulated clock, so the subprocess's copies stay in flight
        while not any(e["event"] == "requested" for e in read_journal(journal)):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the executor never requested a copy"
            time.sleep(0.02)  # polling the journal file with a deadline, not synchronising on time
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    result = run(_load(plan_path), sim, oci_config, journal)
    assert result.counts == {"copied": 3}, result.entries
    for region, backup in ((FRA, "platform"), (IAD, "platform"), (FRA, "app")):
        assert len(copies_in(sim, oci_config, region, BKP[backup])) == 1
    assert not [r for r in sim.requests() if r["status"] == 409]


def _load(path: Path) -> CopyPlan:
    from reportkit.plan import load_plan

    return load_plan(path)


def test_cli_dry_run_is_loud_and_read_only(sim, tmp_path, capsys) -> None:
    from reportkit.cli import main

    plan_path = save_plan(two_volume_plan(), tmp_path / "plan.json")
    assert main(["copy", "--plan", str(plan_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("DRY RUN") >= 2 and "--execute" in out
    assert sim.requests() == []
    assert json.loads(plan_path.read_text())["format"] == "reportkit-copy-plan"


# ------------------------------------------------------------------------------------------------
# End to end on the demo tenancy: collect -> assess -> plan -> dry run (read-only) -> execute ->
# collect -> assess again.
# ------------------------------------------------------------------------------------------------
_READ_ONLY_POSTS = ("/20180409/resources",)  # Resource Search's structured query is a read


def _writes(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in requests if r["method"] in ("POST", "PUT", "DELETE", "PATCH")
            and not (r["method"] == "POST" and r["path"].split("?")[0].endswith(_READ_ONLY_POSTS))]


def test_demo_tenancy_plan_then_execute_closes_every_planned_gap(sim, demo_collection, tmp_path) -> None:
    import copy

    from reportkit.assessment import assess
    from reportkit.collection import collect
    from reportkit.sim import write_oci_config

    sim.load(copy.deepcopy(demo_collection["document"]))  # what the session's collection read
    sim.clear_requests()
    config_path, profile = write_oci_config(tmp_path / "oci", tenancy_id=sim.tenancy_id)

    def snapshot(inv=None):
        if inv is None:
            inv = collect(profile, config_file=config_path, endpoint_template=sim.endpoint_template, progress=False)
        return assess(inv, as_of=sim.now())  # the fake's world runs on its simulated clock

    # read-only: collect (the session's demo collection), assess, plan (and its files), dry run
    assert _writes(demo_collection["requests"]) == [], "collect must not change the tenancy"
    before = snapshot(demo_collection["inventory"])
    plan = make_plan(before)
    plan = _load(save_plan(plan, tmp_path / "plan.json"))
    dry = execute_plan(plan, journal_path=tmp_path / "j.jsonl", out=io.StringIO())
    # the copies to a region still being subscribed are blocked in the plan, never sent (OCI refuses them)
    blocked = plan.entries[plan.entries["status"].astype(str) == "blocked"]
    assert len(blocked) and blocked["block_reason"].str.contains("subscription is IN_PROGRESS").all()
    also = {"blocked": len(blocked)}
    assert dry.counts == {"would_copy": plan.summary.copies, **also}
    assert _writes(sim.requests()) == [], "assess/plan/dry run must not change the tenancy"
    assert plan.summary.copies > 10

    # nothing ineligible or unknown is planned
    vols = before.volumes.set_index("boot_volume_id")
    planned = plan.planned()
    assert set(vols.loc[planned["boot_volume_id"], "coverage_status"].astype(str)) <= {"missing", "stale", "failed"}
    assert vols.loc[planned["boot_volume_id"], "copy_eligible"].eq(True).all()
    not_plannable = vols.index[vols["coverage_status"].astype(str).isin(["ineligible", "unknown"])]
    assert len(not_plannable) and not set(not_plannable) & set(plan.entries["boot_volume_id"])

    mark = len(sim.requests())
    result = execute_plan(plan, execute=True, journal_path=tmp_path / "j.jsonl", config=oci.config.from_file(
        str(config_path), profile), endpoint_template=sim.endpoint_template, poll_interval=POLL,
        wait=sim.advance, concurrency=8, progress=False, out=io.StringIO())
    assert result.counts == {"copied": plan.summary.copies, **also}, result.entries
    posts = copy_posts(sim, mark)
    assert len(posts) == plan.summary.copies and {p["status"] for p in posts} == {200}
    assert not [r for r in sim.requests() if r["status"] == 409]

    after = snapshot()
    status = after.volumes.set_index("boot_volume_id")["coverage_status"].astype(str)
    # a copy is fresh while its SOURCE backup is within rpo_days of as_of: backups planned while
    # already older (a note says so) or that aged past it while the copies ran stay stale
    limit = after.summary.as_of - pd.Timedelta(days=after.summary.rpo_days)
    stays_stale = set(planned.loc[planned["backup_time_created"] < limit, "boot_volume_id"])
    noted = set(planned.loc[planned["note"].fillna("").str.contains("older than the RPO"), "boot_volume_id"])
    assert noted <= stays_stale and len(stays_stale) < len(set(planned["boot_volume_id"]))
    for volume_id in set(planned["boot_volume_id"]):
        assert status[volume_id] == ("stale" if volume_id in stays_stale else "covered"), volume_id
    assert after.summary.covered == before.summary.covered + len(set(planned["boot_volume_id"]) - stays_stale)
    # a new plan does not copy the same backups again
    replan = make_plan(after)
    assert not set(replan.planned()["entry_id"]) & set(planned["entry_id"])

    # re-running the executed plan makes no new copy
    mark = len(sim.requests())
    again = execute_plan(plan, execute=True, journal_path=tmp_path / "j.jsonl", config=oci.config.from_file(
        str(config_path), profile), endpoint_template=sim.endpoint_template, poll_interval=POLL,
        wait=sim.advance, progress=False, out=io.StringIO())
    assert again.counts == {"copied": plan.summary.copies, **also} and copy_posts(sim, mark) == []


def test_cli_plan_from_a_snapshot_then_copy_execute(sim, oci_config_file, tmp_path, capsys) -> None:
    from reportkit.cli import main
    from reportkit.collection import collect
    from reportkit.snapshot import save_snapshot

    config_path, profile = oci_config_file
    inv = collect(profile, config_file=config_path, endpoint_template=sim.endpoint_template, progress=False)
    # judged at the fixture's instant, as `reportkit demo` stamps the demo: records expire (rule book §1), so
    # judged at today's wall clock the fixture's newest backup is gone; at the fixture's instant web-1's only
    # copy is 12 days old, stale against a 7-day RPO, and its newest backup is what the plan copies
    inv = stamp_inventory(inv, pd.Timestamp(FIXTURE_AS_OF))
    snap = save_snapshot(inv, tmp_path / "snaps")
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"fra": KEY_FRA}))
    out = tmp_path / "plan.json"
    code = main(["plan", "--snapshot", str(snap), "--rpo-days", "7", "--kms-key-map", str(keys),
                 "--group", "Ops", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    plan = _load(out)
    assert out.with_suffix(".csv").exists() and "reportkit copy --plan" in printed
    assert plan.parameters["group"] == "Ops" and plan.parameters["iam_checked"]
    assert plan.parameters["kms_key_map"] == {FRA: KEY_FRA}
    # the fixture's Ops group may only use boot-volume-backups for COPY in prod: no CREATE anywhere
    assert plan.summary.iam_denied == len(plan.entries) > 0
    assert plan.summary.copies == 0 and set(plan.entries["status"]) == {"blocked"}
    assert sim.requests() and _writes(sim.requests()) == []

    code = main(["copy", "--plan", str(out), "--execute", "--config-file", str(config_path), "--profile", profile,
                 "--endpoint-template", sim.endpoint_template, "--no-progress"])
    assert code == 0 and copy_posts(sim) == []  # everything blocked: nothing requested

    missing = main(["plan", "--snapshot", str(snap), "--kms-key-map", str(tmp_path / "nope.json"), "--out", str(out)])
    assert missing == 2 and "kms key map file" in capsys.readouterr().err


def test_a_group_backup_copy_is_requested_in_the_source_region_and_polled_in_the_destination(
        sim, oci_config, tmp_path) -> None:
    from sim_fixtures import VG, VGB, build_protection_tenancy

    sim.load(build_protection_tenancy())
    vols = [{**_vol(key, IMG_PLATFORM, [IAD]), "requirement_source": "group_policy"} for key in ("db1", "db2")]
    group_backups = pd.DataFrame([{
        "volume_group_backup_id": VGB["db"], "region": LHR, "compartment_id": PROD, "compartment_path": "prod",
        "display_name": "db daily", "volume_group_id": VG, "lifecycle_state": "AVAILABLE", "size_in_gbs": 150,
        "time_created": pd.Timestamp("2026-10-31T02:00:00Z"), "role": "source", "root_backup_id": VGB["db"],
        "origin_region": LHR, "boot_volume_ids": f"{BV['db1']},{BV['db2']}"}])
    images = pd.DataFrame({"image_id": pd.Series([], dtype="string"), "copy_eligible": pd.Series([], dtype="boolean")})
    plan = make_plan(FakeAssessment(pd.DataFrame(vols), pd.DataFrame([_bkp("db1", "db1")]), images,
                                    {"rpo_days": 7, "as_of": "2026-11-01T00:00:00Z"}, group_backups))
    assert len(plan.planned()) == 1 and plan.planned().loc[0, "kind"] == "volume_group_backup"
    result = run(plan, sim, oci_config, tmp_path / "j.jsonl")
    assert result.counts == {"copied": 1}, result.entries
    posts = [r for r in sim.requests() if r["operation"] == "CopyVolumeGroupBackup"]
    assert len(posts) == 1 and posts[0]["region"] == LHR and not copy_posts(sim)
    gets = [r for r in sim.requests() if r["operation"] == "GetVolumeGroupBackup"]
    assert gets and all(r["region"] == IAD and r["status"] == 200 for r in gets)
    copy = oci.core.BlockstorageClient(oci_config, service_endpoint=sim.endpoint(IAD)).get_volume_group_backup(
        result.entries.loc[0, "copy_id"]).data
    assert copy.source_volume_group_backup_id == VGB["db"] and copy.lifecycle_state == "AVAILABLE"
