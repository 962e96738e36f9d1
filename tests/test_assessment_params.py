"""reportkit.assessment.params: copy targets from any syntax, and errors that say where they came from."""
from __future__ import annotations

from pathlib import Path

import pytest

from reportkit.assessment import read_copy_targets
from reportkit.errors import InputError


def test_read_copy_targets_json_and_lines(tmp_path: Path) -> None:
    j = tmp_path / "t.json"
    j.write_text('{"lhr": ["fra", "ams"], "fra": "lhr"}')
    assert read_copy_targets(j) == {"lhr": ["fra", "ams"], "fra": ["lhr"]}
    y = tmp_path / "t.yaml"
    y.write_text("# targets\nlhr: fra, ams\nfra: [lhr]\n")
    assert read_copy_targets(y) == {"lhr": ["fra", "ams"], "fra": ["lhr"]}
    bad = tmp_path / "bad.txt"
    bad.write_text("lhr fra\n")
    with pytest.raises(InputError, match="line 1"):
        read_copy_targets(bad)


@pytest.mark.parametrize("value", [
    {"lhr": ["fra", "ams"], "iad": "phx"},
    '{"lhr": ["fra", "ams"], "iad": "phx"}',
    "lhr: fra, ams\niad: [phx]  # comment",
    "lhr=fra+ams,iad=phx",
    "lhr=fra+ams; iad=phx",
])
def test_every_copy_targets_syntax_gives_the_same_mapping(value) -> None:
    from reportkit.assessment import parse_copy_targets

    assert parse_copy_targets(value, where="test") == {"lhr": ["fra", "ams"], "iad": ["phx"]}


@pytest.mark.parametrize("value", ["lhr", "lhr:", "=fra", "lhr: fra\nlhr: ams", "{bad json", 7, {"lhr": 3}])
def test_bad_copy_targets_name_where_they_came_from(value) -> None:
    from reportkit.assessment import parse_copy_targets

    with pytest.raises(InputError, match="^my file"):
        parse_copy_targets(value, where="my file")
