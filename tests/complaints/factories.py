"""Helpers for complaints tests: complaints go through the real service."""

from io import BytesIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from campaigns.models import ProblemCategory
from complaints import services
from complaints.models import Channel

SCRIPT = b"#!/bin/sh\nrm -rf / --no-preserve-root\n"
# a real 16x16 JPEG (uploads are decoded and rebuilt, see core.images)
JPEG = (Path(__file__).parent.parent / "core" / "data" / "python.jpg").read_bytes()


def category(code="A1"):
    return ProblemCategory.objects.get(code=code)


def complaint(estate, *, phone="13800001111", code="A1", channel=Channel.PUBLIC_FORM, user=None, **kwargs):
    values = {"description": "电梯坏了一个月没人修", "complainant_name": "张三", "is_anonymous": not phone}
    values.update(kwargs)
    return services.complaint_create(
        channel=channel, estate=estate, category=category(code), phone=phone or "", user=user, **values
    )


def forged_jpg(name="photo.jpg"):
    """A shell script renamed .jpg and sent with an image content type."""
    return SimpleUploadedFile(name, SCRIPT, content_type="image/jpeg")


def jpg(name="photo.jpg"):
    return SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


HEADERS = ["工单编号", "来电时间", "来电人", "联系电话", "诉求内容", "所属区域", "小区名称", "诉求类别", "办理时限"]


def xlsx(rows, *, headers=HEADERS, title=None, blank_rows_after=(), extra_before=0) -> bytes:
    """A 12345-style workbook: optional merged title row, header, data rows, blank rows."""
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        sheet.append([])
    sheet.append(headers)
    for index, row in enumerate(rows):
        sheet.append(row)
        if index in blank_rows_after:
            sheet.append([])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
