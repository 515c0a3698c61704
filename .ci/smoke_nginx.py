"""The smoke test through nginx (.ci/smoke_nginx.sh starts nginx and gunicorn). Exits non-zero
with a Chinese message on the first failed check."""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from webclient import Client, submit_complaint  # noqa: E402

DEMO_PASSWORD = "Demo@2025"


def check(condition, message):
    if not condition:
        print(f"!!! 失败：{message}", file=sys.stderr)
        sys.exit(1)
    print(f"ok  {message}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--https")
    parser.add_argument("--http")
    parser.add_argument("--gunicorn")
    parser.add_argument("--cafile")
    parser.add_argument("--ids")
    args = parser.parse_args()
    ids = json.load(open(args.ids))

    import django

    django.setup()
    from complaints.models import Complaint, ComplaintAttachment

    def https(source="127.0.0.5"):
        return Client(args.https, cafile=args.cafile, source=source)

    plain = Client(args.http)
    check(plain.get("/").status == 301 and plain.get("/").header("location").startswith("https://"),
          "HTTP 跳转到 HTTPS")
    health = plain.get("/healthz")
    checks = health.json()["checks"]
    check(health.status == 200 and checks["database"]["status"] == "正常",
          f"/healthz 经 HTTP 可访问且数据库正常（{health.status}: {json.dumps(checks, ensure_ascii=False)}）")
    expected = "正常" if os.environ.get("REDIS_URL") else "未配置"
    check(all(checks[part]["status"] == expected for part in ("redis", "celery_worker", "celery_beat")),
          f"/healthz: Redis、Celery worker、定时任务均为“{expected}”")
    check(health.header("x-request-id") != "", "响应带 X-Request-ID")
    check(https().get("/healthz", headers={"X-Request-ID": "smoke-42"}).header("x-request-id") == "smoke-42",
          "X-Request-ID 经 nginx 传递并原样返回")

    manifest = json.load(open(os.path.join(os.environ["STATIC_ROOT"], "staticfiles.json")))["paths"]
    css = next(v for k, v in manifest.items() if k.endswith(".css"))
    static = https().get("/static/" + css)
    check(static.status == 200 and "x-request-id" not in static.headers and "immutable" in static.header("cache-control"),
          f"静态文件由 nginx 直接提供（/static/{css}）")

    staff = https()
    check(staff.login("demo-county", DEMO_PASSWORD).status == 302, "县专班登录")
    ledger = staff.get("/rectification/")
    check(ledger.status == 200 and "案件" in ledger.text, "案件台账页面")
    check(staff.get("/complaints/").status == 200, "投诉台账页面")

    public = https("127.0.0.5")
    before = ComplaintAttachment.objects.count()
    submitted = submit_complaint(public, ids["estate"])
    check(submitted.status == 302 and "/complaints/new/done/" in submitted.header("location"),
          f"群众投诉（带照片）经 nginx 提交（{submitted.status}）")
    check(ComplaintAttachment.objects.count() == before + 1, "照片已保存")
    attachment = ComplaintAttachment.objects.order_by("-pk").first()
    # with the broker, the worker groups the complaint into its case after the request (join_later)
    waited = time.monotonic() + 60
    while Complaint.objects.get(pk=attachment.complaint_id).clue_id is None and time.monotonic() < waited:
        time.sleep(0.3)
    joined = Complaint.objects.select_related("case").get(pk=attachment.complaint_id)
    check(joined.clue_id is not None and joined.case is not None,
          f"后台任务已将投诉并入案件（{joined.case.number if joined.case else '未并案'}）")
    url = f"/complaints/attachments/{attachment.pk}/"

    photo = staff.get(url)
    check(photo.status == 200 and photo.header("content-type") == "image/jpeg" and photo.body[:3] == b"\xff\xd8\xff"
          and len(photo.body) == attachment.size, "有权限的工作人员经 nginx 取得照片")
    direct = Client(args.gunicorn)
    direct.cookies = dict(staff.cookies)
    accel = direct.get(url, headers={"X-Forwarded-Proto": "https"})
    check(accel.status == 200 and accel.header("x-accel-redirect") == "/_private/" + attachment.file.name
          and accel.body == b"", "gunicorn 以 X-Accel-Redirect 交给 nginx 发送文件")
    check(https().get("/_private/" + attachment.file.name).status == 404, "/_private/ 不能直接访问")
    other = https()
    check(other.login("smoke-other-town", "Smoke@2025x").status == 302, "另一镇干部登录")
    check(other.get(url).status == 404, "无权限的用户取照片得到 404")
    check(https().get(url).status == 302, "未登录取照片转到登录页")

    # nginx lets an upload over the product's limit through, so that the product refuses it in Chinese
    too_big = submit_complaint(https("127.0.0.11"), ids["estate"], photo_bytes=b"\xff\xd8\xff" + bytes(11 * 1024 * 1024))
    check(too_big.status == 400 and "超过 10MB" in too_big.text, f"11MB 照片经 nginx 到达系统并被中文提示拒绝（{too_big.status}）")

    # the rate limits count the address nginx saw, never the client's own X-Forwarded-For
    for n in range(9):  # the form's limit is 10 an hour per address; one was sent above
        response = submit_complaint(public, ids["estate"], phone=f"1390000{n:04d}",
                                    headers={"X-Forwarded-For": f"203.0.113.{n + 1}"})
        check(response.status == 302, f"同一地址第 {n + 2} 次投诉被接受（伪造的 X-Forwarded-For 不影响计数）")
    refused = submit_complaint(public, ids["estate"], phone="13900009999", headers={"X-Forwarded-For": "203.0.113.99"})
    check(refused.status == 429 and "提交次数过多" in refused.text, "同一地址第 11 次投诉被限流（429）")
    check(submit_complaint(https("127.0.0.6"), ids["estate"]).status == 302, "另一地址的投诉不受影响")

    attacker = https("127.0.0.7")
    for n in range(5):
        attacker.login("demo-office", "wrong-password", headers={"X-Forwarded-For": f"198.51.100.{n + 1}"})
    check(attacker.login("demo-office", DEMO_PASSWORD).status == 429, "同一地址 5 次登录失败后被锁定")
    check(https("127.0.0.8").login("demo-office", DEMO_PASSWORD).status == 302, "其他地址的同一账号仍可登录")
    print("== nginx 冒烟测试通过")


if __name__ == "__main__":
    main()
