"""Two web machines share sessions, rate limits, spent CAPTCHAs and files (.ci/two_machines.sh)."""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from webclient import Client, complaint_form, jpeg_bytes, submit_complaint  # noqa: E402


def check(condition, message):
    if not condition:
        print(f"!!! 失败：{message}", file=sys.stderr)
        sys.exit(1)
    print(f"ok  {message}")


def main():
    url_a, url_b, ids_path = sys.argv[1:4]
    estate = json.load(open(ids_path))["estate"]
    import django

    django.setup()
    import redis

    from complaints.models import ComplaintAttachment

    store = redis.Redis.from_url(os.environ["REDIS_URL"])

    # a session opened on A is valid on B (sessions in Redis, written through to the database)
    a = Client(url_a)
    check(a.login("demo-county", "Demo@2025").status == 302, "在 A 登录")
    b = Client(url_b)
    b.cookies = dict(a.cookies)
    home = b.get("/accounts/home/")
    check(home.status == 200, f"A 的会话在 B 上有效（{home.status}）")
    check(any(b"django.contrib.sessions.cache" in key for key in store.keys("*")), "会话保存在 Redis 中")
    logout_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.text)
    check(logout_token is not None, "B 的页面带 CSRF 令牌")

    # a CAPTCHA answered on A cannot be replayed on B (spent nonces in Redis)
    visitor_a = Client(url_a, source="127.0.0.9")
    token, answer, captcha_token, category = complaint_form(visitor_a, estate)
    data = {"csrfmiddlewaretoken": token, "estate": estate, "category": category, "description": "两台机器测试",
            "name": "测试", "phone": "13800001111", "captcha": answer, "captcha_token": captcha_token, "via": "qr"}
    first = visitor_a.post("/complaints/new/", data, files={"photos": ("a.jpg", jpeg_bytes(), "image/jpeg")})
    check(first.status == 302, "在 A 提交投诉（带照片）")
    visitor_b = Client(url_b, source="127.0.0.9")
    visitor_b.cookies = dict(visitor_a.cookies)
    replay = visitor_b.post("/complaints/new/", data)
    check(replay.status == 400 and "验证题已过期" in replay.text, "同一验证题在 B 上重放被拒绝")

    # the per-address limit (10 an hour) counts both machines' requests together
    sent = 2  # the submission and the replay above both counted
    for n in range(8):
        client = visitor_a if n % 2 else visitor_b
        response = submit_complaint(client, estate, phone=f"1380000{n:04d}")
        check(response.status == 302, f"第 {sent + n + 1} 次提交（{'A' if n % 2 else 'B'}）被接受")
    refused_a = submit_complaint(visitor_a, estate, phone="13800009998")
    refused_b = submit_complaint(visitor_b, estate, phone="13800009999")
    check(refused_a.status == 429 and refused_b.status == 429, "第 11、12 次在 A、B 上都被限流（计数共享）")

    # the photo uploaded through A is served by B (one file store)
    attachment = ComplaintAttachment.objects.filter(complaint__description="两台机器测试").order_by("-pk").first()
    check(attachment is not None, "照片记录已保存")
    photo = b.get(f"/complaints/attachments/{attachment.pk}/")
    with attachment.file.open("rb") as handle:
        stored = handle.read()
    check(photo.status == 200 and photo.body == stored and photo.body[:3] == b"\xff\xd8\xff",
          "经 A 上传的照片由 B 提供，内容一致")
    print("== 两台 web 机器共享会话、限流、验证题与文件")


if __name__ == "__main__":
    main()
