"""`reportkit collect` end to end against the fake: snapshot written, summary printed, exit codes."""
from __future__ import annotations

from reportkit.cli import main
from reportkit.sim import write_oci_config
from reportkit.snapshot import load_snapshot
from sim_fixtures import FRA, IAD, LHR, PROD, SECRET, build_fixture_tenancy


def test_collect_writes_a_snapshot_and_prints_a_per_region_summary(sim, oci_config_file, tmp_path, capsys):
    path, profile = oci_config_file
    code = main(["collect", "--config-file", str(path), "--profile", profile, "--endpoint-template",
                 sim.endpoint_template, "--out", str(tmp_path), "--no-progress", "--workers", "4"])
    out = capsys.readouterr().out
    assert code == 0
    snapshot = out.splitlines()[0].removeprefix("snapshot: ")
    inv = load_snapshot(snapshot)
    assert inv.metadata.tenancy_name == "fixture" and len(inv.backups) == 11
    for region in (LHR, FRA, IAD):
        assert region in out
    lhr = next(line for line in out.splitlines() if line.strip().startswith(LHR)).split()
    doc = build_fixture_tenancy()
    visible = [len([x for x in doc[key][LHR] if x["compartmentId"] != SECRET]) for key in ("bootVolumeBackups",
                                                                                            "bootVolumes")]
    # collected, backups, volumes, errors (the denied compartment: 2 lists, groups and group backups listed
    # there because those lists failed, its IAM policies; and the replica web-1 names, which has no record)
    assert lhr[1:] == ["True", str(visible[0]), str(visible[1]), "6"]
    assert "14 read(s) failed" in out and "NotAuthorizedOrNotFound" in out
    assert set(inv.errors["compartment_id"]) == {SECRET, PROD}


def test_collect_exits_1_when_nothing_could_be_read(sim, tmp_path, capsys):
    # a tenancy the fake does not know: GetTenancy is 404 (not retried), so nothing can be read
    path, profile = write_oci_config(tmp_path / "oci", tenancy_id="ocid1.tenancy.oc1..aaaaaaaaunknown")
    out = tmp_path / "snaps"
    code = main(["collect", "--config-file", str(path), "--endpoint-template", sim.endpoint_template,
                 "--out", str(out), "--no-progress"])
    assert code == 1
    err = capsys.readouterr().err
    assert "discovery failed in uk-london-1: GetTenancy returned 404 NotAuthorizedOrNotFound" in err
    assert not out.exists()


def test_bad_configuration_is_a_one_line_error(tmp_path, capsys):
    code = main(["collect", "--config-file", str(tmp_path / "missing"), "--no-progress"])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "missing not found (from --config-file)" in err[0]
