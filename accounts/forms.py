"""The account pages' forms: they parse input; the services (accounts.services) decide."""

from django import forms
from django.contrib.auth import password_validation

from .roles import Role
from .user_scope import enterprises_assignable_by, regions_assignable_by, roles_assignable_by


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="当前密码", strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(label="新密码", strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                    help_text="至少 8 位，不能与用户名、姓名相近，不能是常见密码或纯数字。")
    new_password2 = forms.CharField(label="再次输入新密码", strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError("当前密码不正确，请重新输入。")
        return value

    def clean(self):
        cleaned = super().clean()
        new1, new2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if new1 and new2:
            if new1 != new2:
                self.add_error("new_password2", "两次输入的新密码不一致。")
            elif new1 == cleaned.get("old_password"):
                self.add_error("new_password1", "新密码不能与当前密码相同。")
            else:
                try:
                    password_validation.validate_password(new1, self.user)
                except forms.ValidationError as exc:
                    self.add_error("new_password1", exc)
        return cleaned


class UserForm(forms.Form):
    """A user's role and scope, offered only within what the manager may give (user_scope)."""

    username = forms.CharField(label="用户名（登录名）", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=150)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    role = forms.ChoiceField(label="角色")
    region = forms.ModelChoiceField(label="所属行政区划（镇/街道、社区/村…）", queryset=None, required=False)
    enterprise = forms.ModelChoiceField(label="所属物业服务企业（企业用户）", queryset=None, required=False)

    def __init__(self, actor, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles_assignable_by(actor)]
        self.fields["region"].queryset = regions_assignable_by(actor)
        self.fields["region"].label_from_instance = lambda r: r.full_name
        self.fields["enterprise"].queryset = enterprises_assignable_by(actor)
        if editing:
            self.fields["username"].disabled = True
            self.fields["username"].required = False
