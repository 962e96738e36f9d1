"""reportkit._io: publish without overwriting, the one CSV writer, JSON-ready values."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from reportkit._io import (
    json_records,
    json_value,
    neutralise_formulas,
    publish_files,
    publish_folder,
    reserve_stem,
    stage_folder,
    write_csv,
    write_json,
)


def test_neutralise_formulas_prefixes_only_risky_text() -> None:
    df = pd.DataFrame({"a": pd.array(["=1+1", "+x", "-y", "@z", "\tt", "\rr", "ok", None], dtype="string"),
                       "n": [-1, 2, 3, 4, 5, 6, 7, 8]})
    out = neutralise_formulas(df)
    assert out["a"].tolist()[:7] == ["'=1+1", "'+x", "'-y", "'@z", "'\tt", "'\rr", "ok"]
    assert pd.isna(out["a"].iloc[7]) and out["n"].tolist()[0] == -1
    assert df["a"].iloc[0] == "=1+1"  # input untouched


def test_reserved_names_never_collide(tmp_path):
    (tmp_path / "coverage_t_2024-01-01.html").write_text("earlier report")
    stem, lock = reserve_stem(tmp_path, "coverage_t_2024-01-01", (".html", ".ipynb"))
    assert stem == "coverage_t_2024-01-01-2"
    stem3, _ = reserve_stem(tmp_path, "coverage_t_2024-01-01", (".html", ".ipynb"))  # the -2 lock is held
    assert stem3 == "coverage_t_2024-01-01-3"
    assert (tmp_path / "coverage_t_2024-01-01.html").read_text() == "earlier report"


def test_a_published_folder_never_replaces_an_earlier_one(tmp_path):
    earlier = tmp_path / "run"
    earlier.mkdir()
    (earlier / "a.txt").write_text("earlier")
    staging = stage_folder(tmp_path, "run")
    assert staging.name.startswith(".tmp-run-")  # hidden: readers skip it
    (staging / "a.txt").write_text("new")
    final = publish_folder(staging, earlier)
    assert final.name == "run-2" and (final / "a.txt").read_text() == "new"
    assert (earlier / "a.txt").read_text() == "earlier" and not staging.exists()


def test_published_files_share_a_stem_and_never_replace_a_file(tmp_path):
    out, staging = tmp_path / "out", tmp_path / "stage"
    staging.mkdir()
    (staging / "r.html").write_text("page")
    (staging / "findings.csv").write_text("x")
    out.mkdir()
    published = publish_files(staging, out, "r")
    assert sorted(p.name for p in published) == ["r.html", "r_findings.csv"]
    with pytest.raises(FileExistsError):
        publish_files(staging, out, "r")
    assert (out / "r.html").read_text() == "page"


def test_csv_is_iso_utc_neutralised_and_without_index(tmp_path):
    frame = pd.DataFrame({"name": pd.array(["=HYPERLINK(1)", None], dtype="string"),
                          "at": pd.to_datetime(["2024-05-31T12:00:00+02:00", None], utc=True, format="ISO8601"),
                          "n": pd.array([-1, None], dtype="Int64")})
    text = write_csv(frame, tmp_path / "x.csv").read_text()
    assert text == "name,at,n\n'=HYPERLINK(1),2024-05-31T10:00:00.000000Z,-1\n,,\n"
    assert not list(tmp_path.glob(".*"))  # the temporary file was renamed into place


def test_json_values_are_plain_python(tmp_path):
    frame = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "t": pd.to_datetime(["2024-01-01", None], utc=True),
                          "f": [np.float64(1.5), np.nan], "s": pd.Categorical(["x", None])})
    assert json_records(frame) == [{"a": 1, "t": "2024-01-01T00:00:00+00:00", "f": 1.5, "s": "x"},
                                   {"a": None, "t": None, "f": None, "s": None}]
    assert json_value({"k": (np.int64(2), pd.NA)}) == {"k": [2, None]}
    path = write_json({"when": pd.Timestamp("2024-01-01", tz="UTC")}, tmp_path / "x.json")
    assert json.loads(path.read_text()) == {"when": "2024-01-01T00:00:00+00:00"}


def test_a_stem_with_any_file_of_an_earlier_result_is_taken(tmp_path):
    from reportkit._io import publish_file  # noqa: F401 - imported with the others below

    (tmp_path / "r_summary.json").write_text("stale companion of an earlier report")
    (tmp_path / "p.json.journal.jsonl").write_text("journal of an earlier plan")
    assert reserve_stem(tmp_path, "r", (".html",))[0] == "r-2"
    assert reserve_stem(tmp_path, "p", (".json", ".csv"))[0] == "p-2"  # never resumes another plan's journal
    assert reserve_stem(tmp_path, "r-1", (".html",))[0] == "r-1"  # a longer stem is another result


def test_published_files_are_all_or_nothing(tmp_path):
    out, staging = tmp_path / "out", tmp_path / "stage"
    staging.mkdir()
    out.mkdir()
    for name in ("r.html", "r.ipynb", "summary.json"):
        (staging / name).write_text(name)
    (out / "r_summary.json").write_text("appeared meanwhile")  # after the stem was reserved
    with pytest.raises(FileExistsError):
        publish_files(staging, out, "r")
    assert sorted(p.name for p in out.iterdir()) == ["r_summary.json"]  # the links already made are gone
    assert (out / "r_summary.json").read_text() == "appeared meanwhile"


def test_one_file_is_published_under_the_first_free_name(tmp_path):
    from reportkit._io import publish_file

    source = tmp_path / "nb.ipynb"
    source.write_text("first")
    first = publish_file(source, tmp_path / "failed", "r.ipynb")
    source.unlink()
    source.write_text("second")
    second = publish_file(source, tmp_path / "failed", "r.ipynb")
    assert (first.name, second.name) == ("r.ipynb", "r-2.ipynb")
    assert first.read_text() == "first" and second.read_text() == "second"
