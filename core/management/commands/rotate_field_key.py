import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.key_rotation import field_key_rotate

OLD_KEY_VARIABLE = "FIELD_ENCRYPTION_KEY_OLD"


class Command(BaseCommand):
    # The keys come from the environment, not from arguments: a key on the command line is seen
    # by every user of the host (ps) and kept in the shell history.
    help = (
        "更换数据加密主密钥：用旧密钥（环境变量 FIELD_ENCRYPTION_KEY_OLD）解密全部加密字段"
        "（投诉人联系电话、公共收益专门账户账号），再用新密钥（环境变量 FIELD_ENCRYPTION_KEY，"
        "即本次运行的设置）重新加密，并重算联系电话摘要。按主键分批，每批一个事务；可重复运行，"
        "已是新密钥的记录跳过。请先停止网站和后台任务（Celery）再运行，完成后以新密钥启动。"
        "原先未设置 FIELD_ENCRYPTION_KEY 的（密钥由 SECRET_KEY 派生），旧密钥即原 SECRET_KEY 的值。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="每批处理的记录数（默认 500）。")

    def handle(self, *args, batch_size: int, **options):
        old_master = os.environ.get(OLD_KEY_VARIABLE, "")
        new_master = settings.FIELD_ENCRYPTION_KEY
        if not old_master:
            raise CommandError(f"请通过环境变量 {OLD_KEY_VARIABLE} 提供旧密钥。")
        if not new_master:
            raise CommandError("请通过环境变量 FIELD_ENCRYPTION_KEY 提供新密钥。")
        if old_master == new_master:
            raise CommandError("新旧密钥相同，无需更换。")
        if batch_size < 1:
            raise CommandError("--batch-size 须为正整数。")
        unreadable = 0
        for count in field_key_rotate(old_master=old_master, new_master=new_master, batch_size=batch_size):
            self.stdout.write(
                f"{count.label}：重新加密 {count.rotated} 条，已是新密钥 {count.already_new} 条，"
                f"无法解密 {count.unreadable} 条。"
            )
            unreadable += count.unreadable
        if unreadable:
            raise CommandError(f"有 {unreadable} 条记录新旧密钥都无法解密，未作改动；请核对旧密钥后重新运行。")
        self.stdout.write(self.style.SUCCESS("密钥更换完成。"))
