"""Recording with consent: nothing records before everyone present agreed; uploads are checked,
resumable and size-limited; the file is private and each side can delete their copy."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from apps.accounts.tests.test_uploads import WEBM_HEAD as WEBM
from apps.rooms import recording
from apps.rooms.models import Attendance, Recording, RecordingEvent, RecordingStatus

from .factories import trio, user
from .test_consumers import both_joined, receive_until


def _present(s, *people):
    for p in people:
        Attendance.objects.update_or_create(session=s, user=p, defaults={"connections": 1})


@pytest.fixture
def private(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path / "private"


@pytest.mark.django_db
def test_consent_rules_and_the_trail(private):
    mentor, learner, outsider, s, _b = trio()
    with pytest.raises(recording.RecordingError, match="nobody else is here"):
        recording.request(session=s, user=learner)
    _present(s, mentor, learner)
    rec = recording.request(session=s, user=learner)
    assert rec.needed == [mentor.pk]
    with pytest.raises(recording.RecordingError, match="already been asked"):
        recording.request(session=s, user=mentor)
    for who in (learner, outsider):  # the requester cannot consent for the other side; outsiders can't either
        with pytest.raises(recording.RecordingError) as exc:
            recording.answer(session=s, user=who, recording_id=rec.pk, accept=True)
        assert exc.value.status == 403
    with pytest.raises(recording.RecordingError, match="before everyone"):
        recording.start(session=s, user=learner, recording_id=rec.pk)
    rec = recording.answer(session=s, user=mentor, recording_id=rec.pk, accept=True)
    assert rec.status == RecordingStatus.CONSENTED
    with pytest.raises(recording.RecordingError, match="Only the person who asked"):
        recording.start(session=s, user=mentor, recording_id=rec.pk)
    assert recording.start(session=s, user=learner, recording_id=rec.pk).status == RecordingStatus.RECORDING
    assert recording.stop(session=s, user=mentor, recording_id=rec.pk).status == RecordingStatus.STOPPED
    kinds = list(RecordingEvent.objects.filter(recording=rec).values_list("kind", "user_id"))
    assert kinds == [
        ("requested", learner.pk),
        ("accepted", mentor.pk),
        ("started", learner.pk),
        ("stopped", mentor.pk),
    ]
    assert all(e.at for e in RecordingEvent.objects.filter(recording=rec))


@pytest.mark.django_db
def test_declined_request_records_nothing(private):
    mentor, learner, _o, s, _b = trio()
    _present(s, mentor, learner)
    rec = recording.request(session=s, user=mentor)
    assert recording.answer(session=s, user=learner, recording_id=rec.pk, accept=False).status == "declined"
    with pytest.raises(recording.RecordingError):
        recording.start(session=s, user=mentor, recording_id=rec.pk)
    with pytest.raises(recording.RecordingError) as exc:
        recording.append_chunk(session=s, user=mentor, recording_id=rec.pk, offset=0, data=WEBM)
    assert exc.value.status == 409
    assert not private.exists() or not any(private.rglob("*.webm"))


def _recording_in_progress(s, mentor, learner):
    _present(s, mentor, learner)
    rec = recording.request(session=s, user=learner)
    recording.answer(session=s, user=mentor, recording_id=rec.pk, accept=True)
    return recording.start(session=s, user=learner, recording_id=rec.pk)


@pytest.mark.django_db
def test_upload_is_type_checked_resumable_and_limited(client, private, monkeypatch):
    mentor, learner, _o, s, _b = trio()
    rec = _recording_in_progress(s, mentor, learner)
    url = f"/session/{s.room_code}/recordings/{rec.pk}/upload/"
    client.force_login(learner)
    r = client.post(url, b"RIFF....AVI LIST", content_type="application/octet-stream", headers={"X-Upload-Offset": "0"})
    assert r.status_code == 415 and "WebM" in r.json()["error"]
    assert client.post(url, WEBM, content_type="application/octet-stream", headers={"X-Upload-Offset": "0"}).json() == {
        "offset": len(WEBM)
    }
    # A chunk sent again after a lost reply (or from a stale offset) is refused with where to resume.
    again = client.post(url, WEBM, content_type="application/octet-stream", headers={"X-Upload-Offset": "0"})
    assert again.status_code == 409 and again.json()["offset"] == len(WEBM)
    assert client.get(url).json() == {"offset": len(WEBM)}
    r = client.post(url, b"x" * 10, content_type="application/octet-stream", headers={"X-Upload-Offset": "nope"})
    assert r.status_code == 400
    monkeypatch.setattr(recording, "MAX_RECORDING_BYTES", len(WEBM) + 5)
    r = client.post(
        url, b"y" * 10, content_type="application/octet-stream", headers={"X-Upload-Offset": str(len(WEBM))}
    )
    assert r.status_code == 413
    client.force_login(mentor)  # only the recorder's page uploads
    assert client.get(url).status_code == 403
    client.force_login(learner)
    done = client.post(
        f"/session/{s.room_code}/recordings/{rec.pk}/complete/", {"duration": 5.2}, content_type="application/json"
    )
    assert done.status_code == 409  # still recording: stop first
    recording.stop(session=s, user=learner, recording_id=rec.pk)
    done = client.post(
        f"/session/{s.room_code}/recordings/{rec.pk}/complete/", {"duration": 5.2}, content_type="application/json"
    )
    assert done.status_code == 200
    rec.refresh_from_db()
    assert (rec.status, rec.size_bytes, rec.duration_seconds) == ("ready", len(WEBM), 5.2)


@pytest.mark.django_db
def test_file_is_private_ranged_and_each_side_deletes_their_copy(client, private, django_capture_on_commit_callbacks):
    mentor, learner, outsider, s, _b = trio()
    rec = _recording_in_progress(s, mentor, learner)
    recording.append_chunk(session=s, user=learner, recording_id=rec.pk, offset=0, data=WEBM)
    recording.stop(session=s, user=learner, recording_id=rec.pk)
    recording.complete(session=s, user=learner, recording_id=rec.pk, duration_seconds=4)
    url = f"/session/{s.room_code}/recordings/{rec.pk}.webm"
    for who in (outsider, user("admin")):
        client.force_login(who)
        assert client.get(url).status_code == 404
    client.force_login(mentor)
    whole = client.get(url)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == WEBM
    part = client.get(url, headers={"Range": "bytes=4-8"})
    assert part.status_code == 206 and part.content == WEBM[4:9] and part["Content-Range"] == f"bytes 4-8/{len(WEBM)}"
    assert client.get(url, headers={"Range": f"bytes={len(WEBM)}-"}).status_code == 416
    assert 'data-testid="summary-recording"' in client.get(f"/session/{s.room_code}/summary/").content.decode()
    client.post(f"/session/{s.room_code}/recordings/{rec.pk}/delete/")
    assert client.get(url).status_code == 404
    assert 'data-testid="summary-recording"' not in client.get(f"/session/{s.room_code}/summary/").content.decode()
    path = private / Recording.objects.get(pk=rec.pk).file.name
    assert path.exists()  # the learner still has theirs
    client.force_login(learner)
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/session/{s.room_code}/recordings/{rec.pk}/delete/")
    assert not path.exists() and Recording.objects.get(pk=rec.pk).file.name == ""


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_consumer_refuses_to_start_without_consent_and_tells_both_sides():
    _mentor, learner, _o, _s, m, l_, _w, _lw = await both_joined()
    await l_.send_json_to({"type": "rec-request"})
    asked = await receive_until(m, "rec")
    assert asked["event"] == "requested" and asked["requester"] == learner.pk
    await receive_until(l_, "rec")
    await l_.send_json_to({"type": "rec-start", "id": asked["id"]})
    refused = await receive_until(l_, "error")
    assert refused["error"] == "recording" and "agreed" in refused["detail"]
    status = await database_sync_to_async(lambda: Recording.objects.get(pk=asked["id"]).status)()
    assert status == "requested"
    await m.send_json_to({"type": "rec-answer", "id": asked["id"], "accept": True})
    assert (await receive_until(l_, "rec"))["event"] == "consented"
    await receive_until(m, "rec")
    await l_.send_json_to({"type": "rec-start", "id": asked["id"]})
    assert (await receive_until(m, "rec"))["event"] == "started"
    assert (await receive_until(l_, "rec"))["event"] == "started"
    await m.send_json_to({"type": "rec-stop", "id": asked["id"]})
    assert (await receive_until(l_, "rec"))["event"] == "stopped"
    await m.disconnect()
    await l_.disconnect()
