"""A small HTTP client for the CI deployment tests (standard library only): cookies kept by name
(Secure ones too: the tests talk to gunicorn over plain HTTP on loopback as well), the CSRF token,
multipart uploads, an optional TLS CA file and source address, and the public form's CAPTCHA."""

import http.client
import json
import re
import ssl
import uuid
from urllib.parse import urlencode, urlsplit


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)

    def header(self, name, default=""):
        return self.headers.get(name.lower(), default)


class Client:
    def __init__(self, base, *, cafile=None, source=None, host_header=None):
        parts = urlsplit(base)
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.origin = f"{parts.scheme}://{host_header or parts.netloc}"
        self.host_header = host_header or parts.netloc
        self.context = ssl.create_default_context(cafile=cafile) if parts.scheme == "https" else None
        self.source = (source, 0) if source else None
        self.cookies = {}

    def _connection(self):
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, context=self.context,
                                               source_address=self.source, timeout=60)
        return http.client.HTTPConnection(self.host, self.port, source_address=self.source, timeout=60)

    def request(self, method, path, *, body=None, headers=None, content_type=None):
        all_headers = {"Host": self.host_header, "User-Agent": "wuye-ci"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET":
            all_headers["Origin"] = self.origin
            all_headers["Referer"] = self.origin + path
            if "csrftoken" in self.cookies:
                all_headers["X-CSRFToken"] = self.cookies["csrftoken"]
        if content_type:
            all_headers["Content-Type"] = content_type
        all_headers.update(headers or {})
        connection = self._connection()
        try:
            connection.request(method, path, body=body, headers=all_headers)
            raw = connection.getresponse()
            data = raw.read()
            headers_out = {}
            for name, value in raw.getheaders():
                if name.lower() == "set-cookie":
                    cookie_name, _, rest = value.partition("=")
                    cookie_value = rest.split(";", 1)[0]
                    if 'expires=Thu, 01 Jan 1970' in value or "Max-Age=0" in value:
                        self.cookies.pop(cookie_name.strip(), None)
                    else:
                        self.cookies[cookie_name.strip()] = cookie_value
                headers_out[name.lower()] = value
            return Response(raw.status, headers_out, data)
        finally:
            connection.close()

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, files=None, headers=None):
        if files:
            boundary = uuid.uuid4().hex
            chunks = []
            for key, value in data.items():
                chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
            for key, (filename, content, ctype) in files.items():
                chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{filename}"\r\n'
                              f"Content-Type: {ctype}\r\n\r\n".encode() + content + b"\r\n")
            chunks.append(f"--{boundary}--\r\n".encode())
            return self.request("POST", path, body=b"".join(chunks), headers=headers,
                                content_type=f"multipart/form-data; boundary={boundary}")
        return self.request("POST", path, body=urlencode(data).encode(), headers=headers,
                            content_type="application/x-www-form-urlencoded")

    def csrf(self, path):
        page = self.get(path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        return match.group(1) if match else ""

    def login(self, username, password, headers=None):
        token = self.csrf("/accounts/login/")
        return self.post("/accounts/login/", {"csrfmiddlewaretoken": token, "username": username,
                                              "password": password}, headers=headers)


def complaint_form(client, estate_id):
    """The public form of one estate: (csrf token, CAPTCHA answer, CAPTCHA token, a category id)."""
    page = client.get(f"/complaints/new/?estate={estate_id}").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    question = re.search(r'data-testid="captcha-question">(\d+) (加|减) (\d+)', page)
    a, op, b = int(question.group(1)), question.group(2), int(question.group(3))
    answer = a + b if op == "加" else a - b
    captcha_token = re.search(r'name="captcha_token" value="([^"]+)"', page).group(1)
    category = re.search(r'<option value="(\d+)"', page[page.index('name="category"'):]).group(1)
    return token, answer, captcha_token, category


def jpeg_bytes():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def submit_complaint(client, estate_id, *, phone="13812341234", headers=None, photo=True, photo_bytes=None):
    token, answer, captcha_token, category = complaint_form(client, estate_id)
    data = {"csrfmiddlewaretoken": token, "estate": estate_id, "category": category,
            "description": "楼道垃圾一周没人清理（部署冒烟测试）", "name": "测试", "phone": phone,
            "captcha": answer, "captcha_token": captcha_token, "via": "qr"}
    files = {"photos": ("楼道.jpg", photo_bytes or jpeg_bytes(), "image/jpeg")} if photo else None
    return client.post("/complaints/new/", data, files=files, headers=headers)
