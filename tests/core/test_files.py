"""The one file store (core.files): uploads are recognised, checked and rebuilt from their content
and stored privately under random names; downloads go through one scope-checked helper; /media/
serves nothing."""

import importlib
import io
import re
import struct
import time
import zlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import clear_url_caches
from PIL import Image, PngImagePlugin

from complaints.models import ComplaintAttachment
from core import files, images
from core.files import InvalidUpload, private_storage, validate_upload
from inspections.models import VisitPhoto
from rectification.models import CaseAttachment, CaseState, SupervisionAction
from rectification.services import supervision_record
from tests.conftest import login
from tests.rectification.factories import PDF, PNG, CaseFactory, rectifying_case

DATA = Path(__file__).parent / "data"
STORED_NAME = re.compile(r"^rectification/\d{6}/[0-9a-f]{32}\.(png|gif|jpg|webp|pdf)$")
#: what the store keeps of the factories' PNG: its pixels encoded again
STORED_PNG = files.check_content(PNG)[0]


def _image(fmt: str, size=(8, 6), *, color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt, **save)
    return out.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_header(width: int, height: int) -> bytes:
    """A PNG declaring a size, with no pixels: a few dozen bytes."""
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + _png_chunk(b"IDAT", zlib.compress(b"")) + _png_chunk(b"IEND", b"")


def _decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _upload(name: str, data: bytes, content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _request_closure(client, case, upload):
    return client.post(f"/rectification/cases/{case.pk}/do/request_closure/",
                       {"version": case.version, "note": "完成", "files": [upload]})


# ---------------------------------------------------------------------------------------------
# Finding 7: content checks


class TestUploadChecks:
    def test_gif_html_polyglot_is_refused(self):
        with pytest.raises(InvalidUpload, match="图片"):
            validate_upload(_upload("poly.html", b"GIF89a<html><script>alert(1)</script></html>", "text/html"))

    def test_real_gif_named_html_is_stored_as_gif_with_clean_bytes(self, db, client, community_user, estates):
        out = io.BytesIO()
        Image.new("P", (4, 4), 1).save(out, format="GIF", comment=b"<html><script>alert(1)</script></html>")
        polyglot = out.getvalue() + b"<html><script>alert(2)</script>"
        assert b"<html><script>alert(1)" in polyglot
        case = rectifying_case(estates["haiyang_1"])
        assert _request_closure(login(client, community_user), case, _upload("poly.html", polyglot)).status_code == 302
        attachment = CaseAttachment.objects.get(case=case)
        assert STORED_NAME.match(attachment.file.name) and attachment.file.name.endswith(".gif")
        assert attachment.original_name == "poly.gif" and attachment.content_type == "image/gif"
        stored = attachment.file.read()
        assert b"<html" not in stored and b"script" not in stored and stored.endswith(b"\x3b")
        assert _decoded(stored).size == (4, 4)

    def test_20000_by_20000_png_is_refused_before_decoding(self):
        started = time.monotonic()
        with pytest.raises(InvalidUpload, match="尺寸过大.*最多 4000 万像素"):
            validate_upload(_upload("huge.png", _png_header(20000, 20000)))
        assert time.monotonic() - started < 1

    def test_the_limit_is_40_megapixels_not_pillows(self):
        with pytest.raises(InvalidUpload, match="尺寸过大（7000×7000）"):
            validate_upload(_upload("big.png", _png_header(7000, 7000)))
        assert Image.MAX_IMAGE_PIXELS == images.MAX_PIXELS == 40_000_000

    def test_page_answers_a_huge_png_with_a_chinese_400(self, db, client, community_user, estates):
        case = rectifying_case(estates["haiyang_1"])
        response = _request_closure(login(client, community_user), case, _upload("huge.png", _png_header(20000, 20000)))
        assert response.status_code == 400 and "尺寸过大" in response.content.decode()
        assert not CaseAttachment.objects.exists()

    def test_deflate_bomb_inside_the_pixel_limit_is_decoded_in_bounded_time(self):
        # 200 MB of zeros in ~200 KB of IDAT, for a 100×100 grey image: only what the image needs is inflated
        raw = zlib.compress(b"\0" * 200_000_000)
        header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 100, 100, 8, 0, 0, 0, 0))
        bomb = b"\x89PNG\r\n\x1a\n" + header + _png_chunk(b"IDAT", raw) + _png_chunk(b"IEND", b"")
        started = time.monotonic()
        stored = validate_upload(_upload("bomb.png", bomb)).read()
        assert time.monotonic() - started < 2
        assert len(stored) < 1000 and _decoded(stored).size == (100, 100)

    def test_png_metadata_and_bytes_after_iend_are_dropped(self):
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "<script>alert(1)</script>")
        data = _image("PNG", pnginfo=info) + b"PK\x03\x04appended zip"
        checked = validate_upload(_upload("photo.PNG", data))
        stored = checked.read()
        assert checked.name == "photo.png" and checked.content_type == "image/png"
        assert stored.endswith(b"IEND\xaeB`\x82") and b"PK\x03\x04" not in stored and b"script" not in stored
        assert _decoded(stored).getpixel((0, 0)) == (200, 30, 30)

    def test_truncated_png_is_refused(self):
        with pytest.raises(InvalidUpload, match="损坏"):
            validate_upload(_upload("half.png", _image("PNG", (64, 64))[:60]))

    def test_jpeg_loses_exif_with_gps_but_is_turned_upright(self):
        exif = Image.Exif()
        exif[0x0112] = 6  # orientation: rotate 90° clockwise to view
        exif[0x010F] = "PhoneMaker"
        exif.get_ifd(0x8825)[2] = (29.0, 51.0, 36.0)  # GPSLatitude
        data = _image("JPEG", (40, 20), exif=exif.tobytes()) + b"<html>"
        assert b"PhoneMaker" in data and _decoded(data).getexif()[0x0112] == 6
        checked = validate_upload(_upload("IMG_0001.JPEG", data, "image/jpeg"))
        stored = checked.read()
        assert checked.name == "IMG_0001.jpg" and checked.content_type == "image/jpeg"
        assert b"Exif" not in stored and b"PhoneMaker" not in stored and b"<html>" not in stored
        image = _decoded(stored)
        assert image.size == (20, 40) and not image.getexif() and "exif" not in image.info

    def test_webp_loses_exif(self):
        exif = Image.Exif()
        exif.get_ifd(0x8825)[2] = (29.0, 51.0, 36.0)
        exif[0x010F] = "PhoneMaker"
        data = _image("WEBP", exif=exif.tobytes())
        assert b"PhoneMaker" in data
        checked = validate_upload(_upload("a.webp", data, "image/webp"))
        stored = checked.read()
        assert b"PhoneMaker" not in stored and b"EXIF" not in stored and checked.content_type == "image/webp"
        assert _decoded(stored).size == (8, 6)

    def test_the_extension_is_the_detected_type(self):
        checked = validate_upload(_upload("photo.jpg", _image("PNG"), "image/jpeg"))
        assert checked.name == "photo.png" and checked.content_type == "image/png"

    def test_other_formats_are_refused(self):
        for fmt in ("BMP", "TIFF"):
            with pytest.raises(InvalidUpload, match="不是允许的类型"):
                validate_upload(_upload(f"a.{fmt.lower()}", _image(fmt)))

    @pytest.mark.parametrize("name", ["python.jpg", "python.gif", "python.png", "python.webp"])
    def test_real_images_pass(self, name):
        checked = validate_upload(_upload(name, (DATA / name).read_bytes()))
        assert checked.name == name and checked.content_type.startswith("image/")
        assert _decoded(checked.read()).size == (16, 16)

    def test_pdf_needs_its_end_marker(self):
        assert validate_upload(_upload("报告.pdf", PDF, "application/pdf")).content_type == "application/pdf"
        with pytest.raises(InvalidUpload, match="不是完整的 PDF"):
            validate_upload(_upload("cut.pdf", PDF[:-7], "application/pdf"))


# ---------------------------------------------------------------------------------------------
# Finding 3: private store, random names, one download helper, nothing under /media/


@pytest.fixture
def debug_urls(settings):
    """The URLconf as `make run` builds it (DEBUG on)."""
    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


#: "app_label.Model.field" of the files the world may fetch straight from a web server, each with a
#: public storage named in core.files. None: even the 公示 notice photo is served by serve_private.
PUBLIC_BY_DESIGN: dict[str, object] = {}


def test_every_file_field_names_its_storage_and_only_listed_ones_are_public():
    fields = {
        f"{model._meta.label}.{field.name}": field for model in apps.get_models() for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert len(fields) >= 8
    for name, field in fields.items():
        assert "storage" in field.deconstruct()[3], f"{name} does not name its storage"
        assert field.storage is not default_storage, name
        if name in PUBLIC_BY_DESIGN:
            assert field.storage is PUBLIC_BY_DESIGN[name], name
        else:
            assert isinstance(field.storage, files.PrivateStorage), f"{name} is not in the private store"


@pytest.mark.parametrize("model", [CaseAttachment, VisitPhoto, ComplaintAttachment])
def test_files_with_their_own_row_are_stored_files(model):
    assert issubclass(model, files.StoredFile)
    assert model._meta.get_field("file").storage is private_storage


def test_evidence_is_stored_privately_and_media_serves_nothing(
    db, client, community_user, other_town_user, estates, settings, debug_urls
):
    case = rectifying_case(estates["haiyang_1"])
    assert _request_closure(login(client, community_user), case, _upload("整改照片.png", PNG)).status_code == 302
    attachment = CaseAttachment.objects.get(case=case)
    assert STORED_NAME.match(attachment.file.name), attachment.file.name
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / attachment.file.name).read_bytes() == STORED_PNG
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.png"))
    # a file left under MEDIA_ROOT by an earlier version, at its old public address
    legacy = Path(settings.MEDIA_ROOT) / "rectification" / str(case.pk) / "202612" / "整改照片.png"
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(PNG)
    client.logout()
    for path in [f"/media/{attachment.file.name}", f"/media/rectification/{case.pk}/202612/整改照片.png"]:
        assert client.get(path).status_code == 404, path
    assert login(client, other_town_user).get(f"/rectification/attachments/{attachment.pk}/").status_code == 404


def test_download_headers(db, client, community_user, estates):
    case = rectifying_case(estates["haiyang_1"])
    _request_closure(login(client, community_user), case, _upload("整改照片.png", PNG))
    attachment = CaseAttachment.objects.get(case=case)
    response = client.get(f"/rectification/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == STORED_PNG
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline") and "%E6%95%B4%E6%94%B9" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


class TestSupervisionFiles:
    """约谈记录 and 移送回执 had no page at all: only their public /media/ address."""

    def _action(self, estates, county_user):
        case = rectifying_case(estates["haiyang_1"])
        return supervision_record(
            case_id=case.pk, user=county_user, kind="transfer", transfer_target="police",
            receipt_file=_upload("移送回执.pdf", PDF, "application/pdf"),
        )

    def test_it_works(self, client, estates, county_user, town_user):
        action = self._action(estates, county_user)
        assert STORED_NAME.match(action.receipt_file.name) and action.receipt_file_name == "移送回执.pdf"
        body = login(client, town_user).get(f"/rectification/cases/{action.case_id}/").content.decode()
        assert f"/rectification/supervisions/{action.pk}/receipt/" in body
        response = client.get(f"/rectification/supervisions/{action.pk}/receipt/")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert client.get(f"/rectification/supervisions/{action.pk}/minutes/").status_code == 404

    def test_it_validates_ownership(self, client, estates, county_user, other_town_user):
        action = self._action(estates, county_user)
        assert login(client, other_town_user).get(f"/rectification/supervisions/{action.pk}/receipt/").status_code == 404
        client.logout()
        assert client.get(f"/rectification/supervisions/{action.pk}/receipt/").status_code == 302


class TestMoveIntoPrivateStore:
    """Files stored under MEDIA_ROOT by earlier versions (with the user's names) move into the store."""

    def test_it_moves_renames_and_is_safe_to_repeat(
        self, db, estates, county_user, settings, django_capture_on_commit_callbacks
    ):
        case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.RECTIFYING)
        old_name = f"rectification/{case.pk}/202612/整改照片.png"
        (Path(settings.MEDIA_ROOT) / old_name).parent.mkdir(parents=True)
        (Path(settings.MEDIA_ROOT) / old_name).write_bytes(PNG + b"<html>")
        attachment = CaseAttachment.objects.create(case=case, file=old_name, original_name="整改照片.png",
                                                   content_type="image/png", size=len(PNG))
        action = SupervisionAction.objects.create(case=case, kind="interview", occurred_on="2026-12-01",
                                                  recorded_by=county_user, minutes_file=f"rectification/{case.pk}/supervision/约谈.pdf")
        (Path(settings.MEDIA_ROOT) / action.minutes_file.name).parent.mkdir(parents=True)
        (Path(settings.MEDIA_ROOT) / action.minutes_file.name).write_bytes(PDF)

        with django_capture_on_commit_callbacks(execute=True):
            assert files.move_into_private_store(CaseAttachment, field="file", app="rectification",
                                                 name_field="original_name") == 1
            assert files.move_into_private_store(SupervisionAction, field="minutes_file", app="rectification",
                                                 name_field="minutes_file_name") == 1
        assert (Path(settings.MEDIA_ROOT) / old_name).exists() is False
        attachment.refresh_from_db()
        action.refresh_from_db()
        assert STORED_NAME.match(attachment.file.name) and attachment.original_name == "整改照片.png"
        assert attachment.file.read() == STORED_PNG  # rebuilt: the appended bytes are gone
        assert STORED_NAME.match(action.minutes_file.name) and action.minutes_file_name == "约谈.pdf"
        assert not any(p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("*"))
        assert files.move_into_private_store(CaseAttachment, field="file", app="rectification") == 0

    def test_an_old_polyglot_is_kept_but_downloads_as_bin(self, db, estates, client, town_user, settings):
        case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.RECTIFYING)
        old_name = f"rectification/{case.pk}/202612/poly.html"
        (Path(settings.MEDIA_ROOT) / old_name).parent.mkdir(parents=True)
        (Path(settings.MEDIA_ROOT) / old_name).write_bytes(b"GIF89a<html><script>alert(1)</script>")
        attachment = CaseAttachment.objects.create(case=case, file=old_name, original_name="poly.html",
                                                   content_type="image/gif", size=40)
        files.move_into_private_store(CaseAttachment, field="file", app="rectification", name_field="original_name")
        attachment.refresh_from_db()
        assert attachment.file.name.endswith(".bin")
        response = login(client, town_user).get(f"/rectification/attachments/{attachment.pk}/")
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment") and "poly.bin" in response["Content-Disposition"]
