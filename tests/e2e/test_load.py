"""The protocol-level load client against a real server: a handful of users, every page, no timings."""

from __future__ import annotations

import pytest

from tests.e2e import load

pytestmark = pytest.mark.e2e


def test_every_view_finishes_and_loads_its_media(app_server):
    users = 4
    samples, _ = load.run_load(app_server.url, users, rounds=len(load.VIEWS))

    errors = [f"{s.view}: {s.error}" for s in samples if s.error]
    assert not errors, errors
    views = [s.view for s in samples]
    assert views.count(load.FILTER) == views.count(load.NEXT_PAGE) == users, "each user changed Browse's filter and page once"
    assert views.count(load.UPLOAD) == users, "each user uploaded a 12 MP photo once"
    assert {v for v in views} == {*load.VIEWS, load.FILTER, load.NEXT_PAGE, load.UPLOAD}
    # Every view reached script_finished (else it is an error); Browse's grid sent its 24 tiles and the detail its
    # 3 pictures inline; the Model page's training curves are a media file, fetched.
    for view in ("Browse", load.FILTER, load.NEXT_PAGE):
        assert all(s.images >= 24 for s in samples if s.view == view), f"{view}: a run sent fewer than 24 pictures"
    assert all(s.images >= 24 + 3 for s in samples if s.view == "Browse detail"), "the detail sent fewer than 3 pictures"
    assert all(s.media > 0 for s in samples if s.view == "Model"), "the Model page referred to no media file"
    # An upload's run showed the photo's conversion steps and the model's input: the photo was received and read.
    assert all(s.images >= 5 for s in samples if s.view == load.UPLOAD), "an upload's run sent fewer than 5 pictures"
    uploads = [s for s in samples if s.view == load.UPLOAD]
    assert all(s.answer_seconds is not None and s.answer_seconds <= s.seconds for s in uploads), "an upload's run showed no answer"
