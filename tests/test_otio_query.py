"""`.rushes` query files: what they may say, and the message when they say something else."""
from __future__ import annotations

import pytest

from rushes_otio import query


def test_a_query_names_its_product():
    q = query.parse('{"project": "cuts", "what": "clusters", "view": "people", "address": "127.0.0.1:5"}')
    assert q == query.Query(what="clusters", project="cuts", view="people", address="127.0.0.1:5")
    assert query.parse('{"what": "highlights"}') == query.Query(what="highlights")
    assert query.parse('{"what": "shots", "media": "12"}').media == "12"


@pytest.mark.parametrize("text,message", [
    ('{"what": "shots"}', 'names its "media"'),
    ('{"what": "clusters", "view": "faces"}', '"view" must be one of scene, character, people'),
    ('{"what": "everything"}', '"what" must be one of shots, clusters, highlights, compound'),
    ('{"what": "shots", "media": "1", "token": "x"}', "never holds a token"),
    ('{"what": "shots", "media": "1", "colour": "red"}', "unknown keys in the .rushes file: colour"),
    ('["shots"]', "one JSON object"),
    ("what: shots", "is JSON like"),
])
def test_a_bad_query_says_what_to_change(text, message):
    with pytest.raises(query.QueryError, match=None) as err:
        query.parse(text)
    assert message in str(err.value)


def test_references_point_at_a_copy_that_is_there(tmp_path):
    from rushes_otio.fetch import online_path
    from rushes_proto.v1 import rushes_pb2 as pb

    there = tmp_path / "cardB" / "A001.mov"
    there.parent.mkdir()
    there.write_bytes(b"x")
    gone = str(tmp_path / "cardA" / "A001.mov")
    assert online_path(pb.Media(path=gone, paths=[gone, str(there)])) == str(there)
    assert online_path(pb.Media(path=str(there), paths=[gone, str(there)])) == str(there)
    assert online_path(pb.Media(path=gone, paths=[gone])) == gone          # offline: its last path
