"""The user admin's second-factor page: a system administrator issues an enrolment code (shown
once) for another account, optionally removing its devices (lost phone). Actions in services/otp.py."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import otp


class IssueCodeForm(forms.Form):
    reset = forms.BooleanField(
        label="重新绑定（手机丢失或更换）：立即删除该账号现有的身份验证器",
        required=False,
    )


class OTPEnrolmentAdminMixin:
    """For UserAdmin: ``<id>/second-factor/`` and a read-only status field on the change page."""

    def get_urls(self):
        extra = [
            path(
                "<path:object_id>/second-factor/",
                self.admin_site.admin_view(self.second_factor_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_second_factor",
            )
        ]
        return extra + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_issue_enrolment_code": request.user.is_superuser or request.user.has_perm(otp.PERMISSION),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def second_factor_status(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        devices = TOTPDevice.objects.filter(user=obj, confirmed=True).count()
        pending = otp.active_codes(obj).order_by("-expires_at").first()
        text = f"已绑定 {devices} 个身份验证器" if devices else "未绑定身份验证器"
        if pending:
            text += f"；有一个待使用的绑定码，有效至 {timezone.localtime(pending.expires_at):%Y-%m-%d %H:%M}"
        return text

    second_factor_status.short_description = "双因素身份验证"

    @method_decorator(never_cache)
    def second_factor_view(self, request, object_id):
        if not (request.user.is_superuser or request.user.has_perm(otp.PERMISSION)):
            raise PermissionDenied("只有系统管理员可以签发身份验证器绑定码")
        account = self.get_object(request, object_id)  # out of scope: 404 (and audited)
        form = IssueCodeForm(request.POST if request.method == "POST" else None)
        code = error = None
        if request.method == "POST" and form.is_valid():
            try:
                code = otp.otp_code_issue(
                    user=account, issued_by=request.user, reset=form.cleaned_data["reset"], request=request
                )
            except ValidationError as exc:
                error = exc.messages[0]
            except PermissionDenied as exc:
                error = str(exc)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": account,
            "title": f"身份验证器绑定码：{account.username}",
            "form": form,
            "code": code,
            "error": error,
            "status": self.second_factor_status(account),
            "hours": otp._hours(),
        }
        return TemplateResponse(request, "admin/services/user/second_factor.html", context)
