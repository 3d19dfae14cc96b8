"""seed_demo never puts the published demo password on a server without DEBUG."""

import io
import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from scheduling.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_without_debug_seed_demo_refuses_and_creates_nobody(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG=1"):
        call_command("seed_demo", "--patients", "3", stdout=io.StringIO())
    assert not get_user_model().objects.filter(email="admin@stride.test").exists()


def test_on_a_staging_copy_every_login_gets_a_random_password_printed_once(settings, rf):
    settings.DEBUG = False
    out = io.StringIO()
    call_command("seed_demo", "--patients", "3", "--staging", stdout=out)
    printed = dict(re.findall(r"(\S+@stride\.test)\s+(\S+)$", out.getvalue(), re.MULTILINE))
    assert DEMO_PASSWORD not in out.getvalue() and len(printed) == 7 and len(set(printed.values())) == 7
    request = rf.post("/accounts/login/")
    assert authenticate(request, username="admin@stride.test", password=DEMO_PASSWORD) is None
    assert authenticate(request, username="admin@stride.test", password=printed["admin@stride.test"]) is not None


def test_with_debug_the_demo_logins_use_the_published_password(settings, rf):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", "--patients", "3", stdout=out)
    assert DEMO_PASSWORD in out.getvalue()
    user = authenticate(rf.post("/accounts/login/"), username="frontdesk@stride.test", password=DEMO_PASSWORD)
    assert user is not None
