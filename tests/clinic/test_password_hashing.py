"""The suite hashes with MD5 for speed (tests/conftest.py); production must still store slow, salted hashes."""

from django.contrib.auth.hashers import identify_hasher

from clinic import roles
from clinic import settings as production
from tests.factories import PASSWORD, UserFactory

REAL_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def test_production_settings_keep_djangos_slow_default_hasher():
    assert not hasattr(production, "PASSWORD_HASHERS"), "settings.py must not pick a hasher (tests do, for speed)"
    from django.conf import global_settings

    assert global_settings.PASSWORD_HASHERS[0] == REAL_HASHERS[0]


def test_with_the_real_hasher_a_password_is_stored_salted_and_slow_and_still_signs_in(db, client, settings):
    settings.PASSWORD_HASHERS = REAL_HASHERS
    user = UserFactory(email="hashed@stride.test", role=roles.PATIENT)
    user.refresh_from_db()
    algorithm, iterations, salt, digest = user.password.split("$")
    assert identify_hasher(user.password).algorithm == algorithm == "pbkdf2_sha256"
    assert int(iterations) >= 1_000_000 and salt and PASSWORD not in user.password
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "x")
    signed_in = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302 and client.session.get("_auth_user_id") == str(user.pk)


def test_the_suite_itself_runs_on_the_fast_hasher(db):
    user = UserFactory(email="fast@stride.test")
    assert identify_hasher(user.password).algorithm == "md5"  # if this fails, the suite is slow again
