"""The first administrator of a production installation (no demo account ever exists there)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from canghzou_portal.audit import audit
from services.models import Station, User
from services.otp import otp_code_issue
from services.passwords import random_password


class Command(BaseCommand):
    help = (
        "创建超级管理员账号，随机生成密码并只显示这一次（生产环境的第一个管理员用此命令或 createsuperuser 创建）；"
        "需要双因素身份验证时（生产环境），同时签发身份验证器绑定码。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名（字母、数字和 @.+-_）")
        parser.add_argument("--full-name", default="系统管理员", help="姓名（默认“系统管理员”）")

    @transaction.atomic
    def handle(self, *args, username: str, full_name: str, **options):
        username = (username or "").strip()
        if not username:
            raise CommandError("请提供用户名")
        try:
            User._meta.get_field("username").run_validators(username)
        except ValidationError as exc:
            raise CommandError(f"用户名“{username}”无效：只能包含字母、数字和 @.+-_，最多 150 个字符") from exc
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户名“{username}”已存在，未创建任何账号")
        user = User(username=username, full_name=full_name.strip()[:50], is_staff=True, is_superuser=True)
        user.station = Station.objects.filter(level="city").order_by("code").first()
        password = random_password(user=user)
        user.set_password(password)
        user.save()
        audit("admin_created", obj=user, command_line=True)
        self.stdout.write(self.style.SUCCESS(f"已创建超级管理员 {username}。"))
        self.stdout.write(f"初始密码（只显示这一次，请当面交给本人，登录后立即修改）：{password}")
        if settings.OTP_REQUIRED:
            code = otp_code_issue(user=user, issued_by=None)
            self.stdout.write(f"身份验证器绑定码（只显示这一次，24 小时内有效）：{code}")
            self.stdout.write("首次登录后输入绑定码，再用手机上的身份验证器应用完成绑定。")
