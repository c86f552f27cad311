from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print the demo users and their password."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for demo in DEMO_USERS:
            roles = ", ".join(f"{role} of {slug}" for slug, role in demo.memberships)
            self.stdout.write(f"  {demo.email:32} {roles}")
        self.stdout.write("Open http://127.0.0.1:8000/ and log in.\n")
