"""`reportkit iam check|matrix`: exit codes, what is printed, the input forms (text, JSON, snapshot)."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from reportkit.cli import main
from fixtures import iam_examples as ex

TENANCY = "ocid1.tenancy.oc1..root"
PROD = "ocid1.compartment.oc1..prod"


def _write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_check_volume_admins_says_no_and_prints_the_seed_fix(tmp_path, capsys):
    policies = _write(tmp_path, "volume-admins.txt", ex.VOLUME_ADMINS)
    code = main(["iam", "check", "--group", "VolumeAdmins", "--from", "lhr", "--to", "fra", "--policies", policies])
    out = capsys.readouterr().out
    assert code == 1
    assert "CANNOT copy" in out and "[missing] BOOT_VOLUME_BACKUP_COPY" in out
    assert "policy 'volume-admins.txt' statement 1" in out  # the granting statement, by file and line
    assert f"  {ex.VOLUME_ADMINS_COPY_STATEMENT}" in out


def test_check_with_the_fix_added_exits_0(tmp_path, capsys):
    policies = _write(tmp_path, "p.txt", [*ex.VOLUME_ADMINS, ex.VOLUME_ADMINS_COPY_STATEMENT])
    assert main(["iam", "check", "--group", "VolumeAdmins", "--from", "uk-london-1", "--to", "FRA",
                 "--policies", policies]) == 0
    assert "CAN copy" in capsys.readouterr().out


def test_check_names_the_malformed_statement_by_line(tmp_path, capsys):
    policies = _write(tmp_path, "lhr-fra.txt", ["# Oracle's example as printed", *ex.LONDON_TO_FRANKFURT_AS_PRINTED])
    code = main(["iam", "check", "--group", "MyTestGroup", "--from", "lhr", "--to", "fra", "--policies", policies])
    out = capsys.readouterr().out
    assert code == 1
    assert "status: unknown" in out
    assert "policy 'lhr-fra.txt' statement 3, column" in out  # line 3 of the file
    assert "target.region='fra'" in out  # the scoped suggestion


def test_check_reads_the_oci_cli_json_export(tmp_path, capsys):
    export = {"data": [{"id": "ocid1.policy.oc1..a", "name": "copiers", "compartment-id": TENANCY,
                        "statements": list(ex.RESTRICTED_SOURCES)}]}
    path = tmp_path / "policies.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    assert main(["iam", "check", "--group", "MyTestGroup", "--from", "fra", "--to", "lhr",
                 "--policies", str(path)]) == 0
    assert "policy 'copiers' statement 3" in capsys.readouterr().out
    assert main(["iam", "check", "--group", "MyTestGroup", "--from", "lhr", "--to", "iad",
                 "--policies", str(path)]) == 1


def test_matrix_writes_csv_and_uses_the_regions_the_policies_name(tmp_path, capsys):
    policies = _write(tmp_path, "p.txt", ex.RESTRICTED_SOURCES)
    out_csv = tmp_path / "matrix.csv"
    code = main(["iam", "matrix", "--group", "MyTestGroup", "--policies", policies, "--csv", str(out_csv)])
    assert code == 1  # lhr -> iad is not allowed
    frame = pd.read_csv(out_csv, index_col="source")
    assert sorted(frame.index) == ["eu-frankfurt-1", "uk-london-1", "us-ashburn-1", "us-phoenix-1"]
    assert frame.loc["uk-london-1", "us-ashburn-1"] == "denied"
    assert frame.loc["us-phoenix-1", "uk-london-1"] == "allowed"
    assert "wrote" in capsys.readouterr().out


def test_matrix_exits_0_when_every_cross_region_pair_is_allowed(tmp_path):
    policies = _write(tmp_path, "p.txt", ex.RESTRICTED_SOURCES)
    assert main(["iam", "matrix", "--group", "MyTestGroup", "--regions", "phx,iad", "--policies", policies]) == 0


def test_matrix_for_all_groups(tmp_path):
    policies = _write(tmp_path, "p.txt", [*ex.RESTRICTED_SOURCES, *ex.VOLUME_ADMINS])
    out_csv = tmp_path / "all.csv"
    assert main(["iam", "matrix", "--all-groups", "--regions", "lhr,fra", "--policies", policies,
                 "--csv", str(out_csv)]) == 1
    frame = pd.read_csv(out_csv)
    assert set(frame["group"]) == {"MyTestGroup", "VolumeAdmins"} and len(frame) == 8


@pytest.mark.parametrize("argv, message", [
    (["--from", "mars", "--to", "fra"], "unknown region 'mars'"),
    (["--from", "lhr", "--to", "fra", "--compartment", "Prod:Team1", "--group", ""], "empty group"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, argv, message):
    policies = _write(tmp_path, "p.txt", ex.VOLUME_ADMINS)
    args = ["iam", "check", "--group", "VolumeAdmins", "--policies", policies, *argv]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_missing_policies_file_and_bad_json_exit_2(tmp_path, capsys):
    assert main(["iam", "check", "--group", "G", "--from", "lhr", "--to", "fra",
                 "--policies", str(tmp_path / "nope.txt")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{\"data\": [", encoding="utf-8")
    assert main(["iam", "check", "--group", "G", "--from", "lhr", "--to", "fra", "--policies", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_matrix_without_any_region_exits_2(tmp_path, capsys):
    policies = _write(tmp_path, "p.txt", ex.VOLUME_ADMINS)
    assert main(["iam", "matrix", "--group", "VolumeAdmins", "--policies", policies]) == 2
    assert "--regions" in capsys.readouterr().err


def test_check_from_a_snapshot_resolves_compartments(tmp_path, capsys):
    from reportkit.inventory import CollectionMetadata, Inventory

    now = pd.Timestamp("2025-06-01T00:00:00Z")
    meta = CollectionMetadata("ocid1.tenancy.oc1..root", "acme", "uk-london-1", now, now, "0.1.0")
    inv = Inventory.from_tables(
        meta,
        compartments=pd.DataFrame({"compartment_id": [TENANCY, PROD], "parent_compartment_id": [None, TENANCY],
                                   "name": ["acme", "Prod"], "path": ["/", "Prod"], "depth": [0, 1],
                                   "lifecycle_state": ["ACTIVE", "ACTIVE"]}),
        regions=pd.DataFrame({"region": ["uk-london-1", "eu-frankfurt-1"], "region_key": ["LHR", "FRA"],
                              "is_home_region": [True, False], "status": ["READY", "READY"],
                              "collected": [True, True]}),
        iam_policies=pd.DataFrame({"policy_id": ["ocid1.policy.oc1..p"], "compartment_id": [PROD],
                                   "policy_name": ["prod-backups"], "statement_index": [1],
                                   "statement": ["Allow group Ops to manage boot-volume-backups in compartment Prod"]}),
    )
    folder = inv.save(tmp_path / "snapshots")
    # attached to Prod, "compartment Prod" means Prod:Prod, which does not exist: nothing applies
    assert main(["iam", "check", "--group", "Ops", "--from", "lhr", "--to", "fra", "--snapshot", str(folder),
                 "--compartment", "Prod"]) == 1
    assert "no statement grants it" in capsys.readouterr().out
    inv2 = Inventory.from_tables(meta, compartments=inv.compartments, regions=inv.regions,
                                 iam_policies=inv.iam_policies.assign(compartment_id=TENANCY))
    folder2 = inv2.save(tmp_path / "snapshots2")
    assert main(["iam", "check", "--group", "Ops", "--from", "lhr", "--to", "fra", "--snapshot", str(folder2),
                 "--compartment", "Prod"]) == 0
    assert main(["iam", "matrix", "--group", "Ops", "--snapshot", str(folder2), "--compartment", PROD]) == 0
    assert "eu-frankfurt-1" in capsys.readouterr().out  # the snapshot's subscribed regions


def test_matrix_csv_neutralises_group_names_a_spreadsheet_would_run(tmp_path, capsys):
    from reportkit.cli import main

    policies = tmp_path / "p.txt"
    policies.write_text("Allow group '=cmd'/'calc' to manage boot-volume-backups in tenancy\n")
    out = tmp_path / "m.csv"
    main(["iam", "matrix", "--all-groups", "--policies", str(policies), "--regions", "lhr,fra", "--csv", str(out)])
    text = out.read_text()
    assert "'=cmd/calc" in text and "\n=cmd" not in text


# --- --service: may a service use a Vault key? ----------------------------------------------------
KEY = "ocid1.key.oc1.eu-frankfurt-1.aaaaaaaafrakey"


def test_check_service_without_the_grant_exits_1_and_prints_the_fix(tmp_path, capsys):
    policies = _write(tmp_path, "p.txt", [*ex.VOLUME_ADMINS, ex.VOLUME_ADMINS_COPY_STATEMENT])
    code = main(["iam", "check", "--service", "blockstorage", "--key", KEY, "--compartment", "Security",
                 "--policies", policies])
    out = capsys.readouterr().out
    assert code == 1
    assert "Service blockstorage MAY NOT use Vault key" in out and "region eu-frankfurt-1" in out
    assert "[missing] KEY_ENCRYPT" in out and "[missing] KEY_DECRYPT" in out
    assert f"  Allow service blockstorage to use keys in compartment Security where target.key.id = '{KEY}'" in out


def test_check_service_with_oracles_sample_exits_0(tmp_path, capsys):
    policies = _write(tmp_path, "p.txt", [ex.services_use_key("eu-frankfurt-1", KEY)])
    assert main(["iam", "check", "--service", "blockstorage", "--key", KEY, "--compartment", "ABC",
                 "--region", "fra", "--policies", policies]) == 0
    assert "MAY use" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--service", "blockstorage"], "needs --key"),
    (["--service", "blockstorage", "--key", KEY, "--from", "lhr"], "does not take --from"),
    (["--group", "G", "--from", "lhr"], "needs --from and --to"),
    (["--group", "G", "--from", "lhr", "--to", "fra", "--key", KEY], "does not take --key"),
    (["--service", "blockstorage", "--key", KEY, "--region", "mars"], "unknown region 'mars'"),
])
def test_check_rejects_options_that_do_not_fit_the_question(tmp_path, capsys, argv, message):
    policies = _write(tmp_path, "p.txt", ["Allow service blockstorage to use keys in tenancy"])
    assert main(["iam", "check", *argv, "--policies", policies]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
