"""reportkit.settings: every data/... default in one place, read when called, never at import."""
from __future__ import annotations

from pathlib import Path

import pytest

from reportkit.errors import InputError
from reportkit.settings import Settings, current


def test_defaults_live_under_the_data_folder_and_follow_the_environment_when_called(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REPORTKIT_DATA", raising=False)
    monkeypatch.delenv("REPORTKIT_SNAPSHOTS", raising=False)
    s = current()
    assert (s.snapshots, s.assessments, s.reports, s.plans) == (
        Path("data/snapshots"), Path("data/assessments"), Path("data/reports"), Path("data/plans"))
    assert s.overrides is None and s.image_overrides() is None  # no data/image_overrides.csv here
    monkeypatch.setenv("REPORTKIT_DATA", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("REPORTKIT_SNAPSHOTS", str(tmp_path / "snaps"))
    s = current()  # read now, not when reportkit was imported
    assert s.reports == tmp_path / "elsewhere" / "reports" and s.snapshots == tmp_path / "snaps"


def test_the_overrides_file_applies_when_it_exists_and_an_explicit_one_must_exist(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REPORTKIT_DATA", raising=False)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "image_overrides.csv").write_text("image_id,image_class,note\nimg-1,platform,checked\n")
    s = Settings.from_environment()
    assert s.overrides == Path("data/image_overrides.csv")
    assert list(s.image_overrides()["image_id"]) == ["img-1"]
    with pytest.raises(InputError, match="does not exist"):
        s.replace(overrides=tmp_path / "nope.csv").image_overrides()
    assert s.replace(overrides=None) == s  # None leaves a setting as it is (optional CLI flags)
