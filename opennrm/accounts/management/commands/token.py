from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from opennrm.accounts import services
from opennrm.accounts.models import ApiToken, User
from opennrm.lib.errors import DomainError


class Command(BaseCommand):
    help = "Personal API tokens: create USERNAME (prints the token alone), list [USERNAME], revoke PREFIX."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it alone on standard output")
        create.add_argument("username")
        create.add_argument("--name", default="api")
        create.add_argument("--days", type=int, default=None)
        listing = sub.add_parser("list", help="list tokens (never the secrets)")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "create":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"no user {options['username']!r}")
            try:
                _token, secret = services.token_create(
                    actor=None, user=user, name=options["name"], days=options["days"]
                )
            except DomainError as exc:
                raise CommandError(exc.message) from None
            sys.stdout.write(secret + "\n")
        elif action == "list":
            qs = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
            if options.get("username"):
                qs = qs.filter(user__username=options["username"])
            for t in qs:
                state = "active" if t.is_active else ("revoked" if t.revoked_at else "expired")
                self.stdout.write(
                    f"{t.prefix}\t{t.user.username}\t{t.name}\t{state}\texpires {t.expires_at:%Y-%m-%d}"
                )
        else:
            token = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if token is None:
                raise CommandError(f"no token with prefix {options['prefix']!r}")
            services.token_revoke(actor=None, token=token)
            self.stdout.write(f"revoked {token.prefix}")
