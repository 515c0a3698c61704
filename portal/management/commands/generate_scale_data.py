from django.core.management.base import BaseCommand, CommandError

from portal.scale import SCALES, generate


class Command(BaseCommand):
    help = "生成压测数据（county / city / province 规模），用于 make bench。请在专用的空数据库上运行。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), required=True)
        parser.add_argument("--seed", type=int, default=20251)

    def handle(self, *args, scale, seed, **options):
        try:
            timings = generate(scale=scale, seed=seed, log=self.stdout.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{scale} 规模压测数据已生成，用时 {sum(timings.values()):.1f} 秒。"))
