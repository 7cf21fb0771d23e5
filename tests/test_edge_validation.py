"""Every RPC fed oversized and malformed arguments answers INVALID_ARGUMENT / NOT_FOUND (issue 11).

Driven by the service descriptor: an RPC (or a request field) added later without a row in
rushes.server.validate.RULES fails here. Before the edge checks, `GetMedia("9"*5000)` and a
20-digit `GetJob` answered INTERNAL with a traceback in the log, `GetJob("٣")` returned job 3,
and a 3 MB path echoed whole into the error came back as RESOURCE_EXHAUSTED.
"""
from __future__ import annotations

import grpc
import pytest


from rushes_proto.v1 import rushes_pb2 as pb
from rushes_proto.v1 import rushes_pb2_grpc as pb_grpc

SERVICE = pb.DESCRIPTOR.services_by_name["Rushes"]

BAD_TEXT = ["9" * 5000, "1" * 20, "x" * 300_000, "\x00", "٣", "-1", "a\nb", " ", "../../.."]
BAD_LISTS = [["y" * 300_000], ["a"] * 20_000, ["\x00"]]
BAD_INTS = [-1, -(2**31), 2**31 - 1]
BAD_FLOATS = [float("nan"), float("inf"), -1.0]
ACCEPTED = {grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND,
            grpc.StatusCode.FAILED_PRECONDITION}


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    from rushes.server.daemon import Daemon
    from rushes.settings import load_settings

    home = tmp_path_factory.mktemp("edge-home")
    settings = load_settings({"RUSHES_HOME": str(home)})  # the default transport: a Unix socket
    d = Daemon(settings, start_watcher=False).start()
    yield d
    d.stop(0)


@pytest.fixture(scope="module")
def stub(daemon):
    channel = grpc.insecure_channel(daemon.settings.address,
                                    options=[("grpc.max_send_message_length", 512 * 1024 * 1024)])
    yield pb_grpc.RushesStub(channel)
    channel.close()


def test_every_rpc_and_every_field_has_a_row():
    from rushes.server.validate import RULES

    rpcs = {m.name for m in SERVICE.methods}
    assert set(RULES) == rpcs, f"rows missing: {rpcs - set(RULES)}, stale rows: {set(RULES) - rpcs}"
    for method in SERVICE.methods:
        fields = {f.name for f in method.input_type.fields}
        assert set(RULES[method.name]) == fields, f"{method.name}: fields without a check: {fields - set(RULES[method.name])}"
        for f in method.input_type.fields:  # nested messages: their rule covers each of their fields
            if f.message_type is not None and not f.message_type.GetOptions().map_entry:
                rules = getattr(RULES[method.name][f.name], "rules", None)
                if rules is None:  # each(message(...)): the wrapped rule is reached by calling it
                    rules = getattr(RULES[method.name][f.name], "inner_rules", None)
                assert rules is not None and set(rules) == {g.name for g in f.message_type.fields}, \
                    f"{method.name}.{f.name}: nested fields without a check"


def _bad_messages(message_type):
    """One nested message per (sub-field, bad value)."""
    cls = getattr(pb, message_type.name)
    for sub in message_type.fields:
        if sub.type == sub.TYPE_STRING:
            values = ["9" * 5000, "x" * 300_000, "\x00"]
        elif sub.type in (sub.TYPE_INT32, sub.TYPE_INT64):
            values = [-1, 2**31 - 1]
        elif sub.type == sub.TYPE_DOUBLE:
            values = BAD_FLOATS
        else:
            continue
        for v in values:
            yield cls(**{sub.name: v})


def _cases():
    for method in SERVICE.methods:
        for field in method.input_type.fields:
            repeated = field.is_repeated
            if field.message_type is not None and field.message_type.GetOptions().map_entry:
                values = [{"k" * 300_000: "v"}, {"k": "v" * 300_000}, {"\x00": "v"}]
            elif field.message_type is not None:
                bad = list(_bad_messages(field.message_type))
                values = ([[m] for m in bad] + [[getattr(pb, field.message_type.name)()] * 20_000]) if repeated else bad
            elif field.type == field.TYPE_DOUBLE:
                values = [[v] for v in BAD_FLOATS] if repeated else BAD_FLOATS
            elif field.type == field.TYPE_STRING:
                values = BAD_LISTS if repeated else BAD_TEXT
            elif field.type in (field.TYPE_INT32, field.TYPE_INT64):
                values = [[v] for v in BAD_INTS] if repeated else BAD_INTS
            elif field.type == field.TYPE_BOOL:
                continue
            elif field.type == field.TYPE_BYTES:    # a picture that is none
                values = [[b"not a picture"], [b"\x00" * 1000]] if repeated else [b"not a picture"]
            else:
                raise AssertionError(f"{method.name}.{field.name}: no bad values for field type {field.type}")
            for i, value in enumerate(values):
                yield pytest.param(method, field.name, value, id=f"{method.name}.{field.name}[{i}]")


@pytest.mark.parametrize("method,field,value", list(_cases()))
def test_bad_arguments_are_refused_cleanly(stub, daemon, method, field, value):
    request = getattr(pb, method.input_type.name)(**{field: value})
    call = getattr(stub, method.name)
    try:
        result = call(request, timeout=60)
        if method.server_streaming:
            list(result)
        code, details = grpc.StatusCode.OK, ""
    except grpc.RpcError as err:
        code, details = err.code(), err.details() or ""
    assert code in ACCEPTED, f"{method.name}({field}={str(value)[:40]!r}) -> {code}: {details[:300]}"
    assert len(details) <= 2100, f"{method.name}: {len(details)}-character error echoes the argument whole"


def test_named_defects_of_the_probe(stub, daemon):
    """The exact reproductions from the issue, with the answers they get now."""
    for bad in ("9" * 5000, "1" * 20, "٣"):
        with pytest.raises(grpc.RpcError) as err:
            stub.GetJob(pb.GetJobRequest(id=bad), timeout=30)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, bad[:20]
    with pytest.raises(grpc.RpcError) as err:
        stub.GetMedia(pb.GetMediaRequest(media="9" * 5000), timeout=30)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as err:
        stub.Ingest(pb.IngestRequest(paths=["/" + "p" * 3_000_000]), timeout=30)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and len(err.value.details()) < 400
    with pytest.raises(grpc.RpcError) as err:
        stub.CreateProject(pb.CreateProjectRequest(name="n" * 1_000_000), timeout=30)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as err:
        stub.SubmitFeedback(pb.FeedbackRequest(action="name", cluster="s1", name="c" * 1_000_000), timeout=30)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert stub.Health(pb.HealthRequest(), timeout=30).version
