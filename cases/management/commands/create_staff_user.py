"""Create (or update) a staff account with the Editor or Publisher role.

manage.py create_staff_user wang --role editor
manage.py create_staff_user li --role publisher --password "..."  # without a prompt
"""

import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.roles import EDITOR, PUBLISHER, sync_roles

ROLE_CHOICES = {"editor": EDITOR, "publisher": PUBLISHER}


class Command(BaseCommand):
    help = "Create or update a staff account that signs in to the admin as an editor or publisher."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLE_CHOICES)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password", help="Set this password instead of asking for one (twice) at a prompt."
        )

    def handle(self, username, role, email, password, **options):
        password = password or self.ask_password()
        User = get_user_model()
        user = User.objects.filter(username=username).first() or User(username=username)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        with transaction.atomic():
            group = sync_roles()[ROLE_CHOICES[role]]
            created = user.pk is None
            user.email = email or user.email
            user.is_staff = True
            user.set_password(password)
            user.save()
            user.groups.set([group])
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {username}, {group.name.lower()}: sign in at /admin/.")

    def ask_password(self):
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
