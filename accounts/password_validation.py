"""Django's password validators with their messages in Chinese (Django's own translation of the
length rule is missing for zh-hans, and the similarity message names the field in English), and
the username refused inside the password, not only when similar as a whole."""

from django.contrib.auth import password_validation as django_validation
from django.core.exceptions import ValidationError


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短：至少 {self.min_length} 位（当前 {len(password)} 位）。",
                                  code="password_too_short")

    def get_help_text(self):
        return f"至少 {self.min_length} 位。"


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    DEFAULT_USER_ATTRIBUTES = ("username", "first_name", "last_name", "email", "phone")

    def __init__(self, user_attributes=DEFAULT_USER_ATTRIBUTES, max_similarity=0.7):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def validate(self, password, user=None):
        message = "密码与用户名、姓名或电话过于相似，请换一个。"
        username = (getattr(user, "username", "") or "").lower()
        if username and len(username) >= 3 and username in password.lower():
            raise ValidationError(message, code="password_too_similar")
        try:
            super().validate(password, user)
        except ValidationError as exc:
            raise ValidationError(message, code="password_too_similar") from exc

    def get_help_text(self):
        return "不能与用户名、姓名或电话相近。"


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError as exc:
            raise ValidationError("密码太常见，容易被猜到，请换一个。", code="password_too_common") from exc

    def get_help_text(self):
        return "不能是常见密码。"


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def validate(self, password, user=None):
        if password.isdigit():
            raise ValidationError("密码不能全是数字。", code="password_entirely_numeric")

    def get_help_text(self):
        return "不能全是数字。"
