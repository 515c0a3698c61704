"""The public form keeps what the resident typed and chose: the estate search does not reload the
page (JSON for static/js/estate-search.js) and, without JavaScript, shows the form again with
everything kept; photos of a refused post are kept (complaints.kept_photos) and need not be chosen
again."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints import kept_photos
from complaints.models import Complaint

from .factories import category, jpg
from .test_public_form import URL, _answer, _solve

pytestmark = pytest.mark.django_db

KEPT_RE = re.compile(r'name="kept_photo" value="([^"]+)"')


def test_the_estate_search_answers_json_without_a_page(client, estates):
    response = client.get("/complaints/new/estates/", {"q": "海阳"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["count"] == len(data["estates"]) >= 1
    labels = [e["label"] for e in data["estates"]]
    assert any(label.startswith("海阳花园（海阳镇") for label in labels)
    assert not any("横江苑" in label for label in labels)
    assert client.get("/complaints/new/estates/").json() == {"count": 0, "estates": []}  # nothing asked, nothing listed


def test_the_search_button_is_in_the_complaint_form_and_the_page_loads_its_script(client, estates):
    html = client.get(URL).content.decode()
    form = html[html.index('data-testid="complaint-form"'):html.index("</form>")]
    assert 'name="search"' in form and "formnovalidate" in form and 'name="q"' in form
    assert "js/estate-search.js" in html and "data-estate-search-url=\"/complaints/new/estates/\"" in html


def test_a_search_without_javascript_keeps_everything_typed_and_the_photos(client, estates):
    answer, token = _answer(client)
    response = client.post(URL, {
        "search": "1", "q": "海阳", "town": "", "category": category("A1").pk, "description": "楼道垃圾一周没人清理",
        "name": "李四", "phone": "13812341234", "captcha": answer, "captcha_token": token, "photos": [jpg("楼道.jpg")],
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "楼道垃圾一周没人清理" in html and 'value="李四"' in html and 'value="13812341234"' in html
    assert f'value="{category("A1").pk}" selected' in html
    assert "海阳花园（海阳镇" in html and "找到" in html
    assert "field-error" not in html  # a search is not a refused complaint
    assert len(KEPT_RE.findall(html)) == 1 and 'alt="楼道.jpg"' in html
    assert not Complaint.objects.exists()


def test_photos_are_kept_across_a_wrong_answer_and_sent_with_the_next_post(client, estates):
    estate = estates["haiyang_1"]
    answer, token = _answer(client)
    refused = client.post(URL, {
        "estate": estate.pk, "category": category("A1").pk, "description": "电梯困人", "phone": "13812341234",
        "captcha": "999", "captcha_token": token, "photos": [jpg("一.jpg"), jpg("二.jpg")],
    })
    assert refused.status_code == 400 and "验证题答案不正确" in refused.content.decode()
    html = refused.content.decode()
    tokens = KEPT_RE.findall(html)
    assert len(tokens) == 2 and 'data-testid="kept-photos"' in html
    thumbnail = client.get(f"/complaints/new/photo/{tokens[0]}/")
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"
    assert thumbnail["X-Content-Type-Options"] == "nosniff"

    # the resident answers again, unticks the second photo and chooses no new one
    answer, token = _solve(html)
    response = client.post(URL, {
        "estate": estate.pk, "category": category("A1").pk, "description": "电梯困人", "phone": "13812341234",
        "captcha": answer, "captcha_token": token, "kept_photo": [tokens[0]],
    })
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert [a.original_name for a in complaint.attachments.all()] == ["一.jpg"]
    # the kept copy of the photo sent is deleted once the complaint holds its own
    assert client.get(f"/complaints/new/photo/{tokens[0]}/").status_code == 404


def test_a_forged_or_foreign_token_shows_nothing_and_adds_nothing(client, estates):
    assert client.get("/complaints/new/photo/not-a-token/").status_code == 404
    forged = signing.dumps({"f": "complaints/202601/" + "0" * 32 + ".jpg", "n": "x.jpg", "t": "image/jpeg"},
                           salt=kept_photos.SALT)
    assert client.get(f"/complaints/new/photo/{forged}/").status_code == 404  # outside the kept folder
    answer, token = _answer(client)
    response = client.post(URL, {
        "estate": estates["haiyang_1"].pk, "category": category("A1").pk, "description": "电梯困人",
        "phone": "13812341234", "captcha": answer, "captcha_token": token, "kept_photo": ["not-a-token", forged],
    })
    assert response.status_code == 302 and Complaint.objects.get().attachments.count() == 0


def test_a_file_that_is_not_an_image_is_not_kept_and_says_why(client, estates):
    answer, token = _answer(client)
    response = client.post(URL, {
        "estate": estates["haiyang_1"].pk, "category": category("A1").pk, "description": "", "phone": "13812341234",
        "captcha": answer, "captcha_token": token,
        "photos": [jpg("好.jpg"), SimpleUploadedFile("坏.jpg", b"<script>", content_type="image/jpeg")],
    })
    html = response.content.decode()
    assert response.status_code == 400 and len(KEPT_RE.findall(html)) == 1
    assert 'data-testid="photo-refused"' in html and "坏.jpg" in html


def test_abandoned_kept_photos_are_purged(estates):
    tokens, _refused = kept_photos.photos_keep([jpg()])
    assert kept_photos.kept_photo(tokens[0]) is not None
    assert kept_photos.kept_photos_purge() == 0  # not a day old yet
    assert kept_photos.kept_photos_purge(older_than=timedelta(seconds=-1)) == 1
    assert kept_photos.kept_photo(tokens[0]) is None
    assert kept_photos.kept_photos_purge(older_than=timedelta(seconds=-1)) == 0  # twice does nothing more
