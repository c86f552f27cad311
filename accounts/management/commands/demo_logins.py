from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print the demo users and their password."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--address",
            default="127.0.0.1:8000",
            help="HOST:PORT the development server listens on (printed as the URL).",
        )

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for demo in DEMO_USERS:
            roles = ", ".join(f"{role} of {slug}" for slug, role in demo.memberships)
            self.stdout.write(f"  {demo.email:32} {roles}")
        host, _, port = options["address"].rpartition(":")
        if host in ("", "0.0.0.0", "::"):  # noqa: S104 - only printed
            host = "127.0.0.1"
        self.stdout.write(f"Open http://{host}:{port}/ and log in.\n")
