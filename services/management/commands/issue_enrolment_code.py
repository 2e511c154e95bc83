"""An enrolment code from the server's command line: for the first administrator (nobody can issue
one in the admin yet) and for an administrator who lost their phone."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from services.models import User
from services.otp import otp_code_issue


class Command(BaseCommand):
    help = "为账号签发身份验证器绑定码（只显示这一次）。--reset：手机丢失或更换时，同时删除该账号现有的身份验证器。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="账号的用户名")
        parser.add_argument("--reset", action="store_true", help="重新绑定：删除该账号现有的身份验证器")

    def handle(self, *args, username: str, reset: bool, **options):
        user = User.objects.filter(username=(username or "").strip()).first()
        if user is None:
            raise CommandError(f"用户名“{username}”不存在，未签发绑定码")
        try:
            code = otp_code_issue(user=user, issued_by=None, reset=reset)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        self.stdout.write(self.style.SUCCESS(f"已为 {user.username} 签发身份验证器绑定码（只显示这一次）：{code}"))
        self.stdout.write("请当面或电话告知本人；24 小时内有效，只能使用一次。本人登录后按页面提示输入此码并绑定手机。")
