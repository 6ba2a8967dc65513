"""``manage.py prepare_site``: migrate, and seed the shop if its tables are empty."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from workshop_site.seed import seed as seed_shop
from workshop_site.shop.models import Customer


class Command(BaseCommand):
    help = "Migrate the database and seed the shop once (nothing is seeded twice)."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=1000, help="customers (default 1000)")
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, size: int, seed: int, **options):
        call_command("migrate", verbosity=0, interactive=False)
        if Customer.objects.exists():
            self.stdout.write(f"Shop already seeded ({Customer.objects.count():,} customers).")
            return
        inserted = seed_shop(size=size, seed=seed, progress=True)
        self.stdout.write(f"Seeded {sum(inserted.values()):,} rows (size={size}, seed={seed}).")
