"""The registry sandbox serves the product photos a realistic catalogue links: decodable pictures of
the size and format the URL names, the same bytes for the same name, revalidated by ETag."""

from __future__ import annotations

import io

import pytest
import requests
from PIL import Image


def get(fleet, path, **headers):
    return requests.get(fleet.registry_url + path, headers=headers, timeout=10)


@pytest.mark.parametrize("path, fmt, size, media_type", [
    ("/images/ocop-87-872-10001-3-2024-1-1200x900.jpg", "JPEG", (1200, 900), "image/jpeg"),
    ("/images/hat-sen-say-800x1000.png", "PNG", (800, 1000), "image/png"),
    ("/images/thumb-120x120.jpeg", "JPEG", (120, 120), "image/jpeg"),
])
def test_a_photo_url_answers_a_picture_of_the_size_and_format_it_names(fleet, path, fmt, size, media_type):
    answer = get(fleet, path)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == media_type
    with Image.open(io.BytesIO(answer.content)) as picture:
        assert (picture.format, picture.size) == (fmt, size)


def test_the_same_name_gives_the_same_bytes_and_another_name_another_picture(fleet):
    first = get(fleet, "/images/mat-ong-1000x1000.jpg").content
    assert get(fleet, "/images/mat-ong-1000x1000.jpg").content == first
    assert get(fleet, "/images/nuoc-mam-1000x1000.jpg").content != first


def test_a_client_holding_the_current_copy_is_answered_304(fleet):
    etag = get(fleet, "/images/keo-dua-900x900.jpg").headers["ETag"]
    again = get(fleet, "/images/keo-dua-900x900.jpg", **{"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", etag)


@pytest.mark.parametrize("path", ["/images/no-size.jpg", "/images/huge-9000x9000.jpg", "/images/doc-800x800.pdf"])
def test_a_path_that_names_no_photo_is_404_saying_what_is_expected(fleet, path):
    answer = get(fleet, path)
    assert answer.status_code == 404 and "<name>-<width>x<height>" in answer.json()["expected"]
