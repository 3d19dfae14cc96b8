"""The session and the signed-in user with their roles come from the cache (clinic.sessions, clinic.signed_in),
and every change to who may do what shows on the very next request."""

from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

from clinic import roles


def test_a_signed_in_page_reads_neither_the_session_nor_the_user_once_warm(
    desk_client, patient, django_assert_num_queries
):
    assert desk_client.get("/patients/").status_code == 200
    with django_assert_num_queries(0):
        assert desk_client.get("/robots.txt").status_code == 200
    with django_assert_num_queries(2):  # the patient list's own count and page, nothing for who is asking
        assert desk_client.get("/patients/").status_code == 200


def test_a_role_taken_away_or_given_shows_on_the_next_request(desk_client, front_desk):
    assert desk_client.get("/patients/").status_code == 200
    front_desk.groups.remove(Group.objects.get(name=roles.FRONT_DESK))
    assert desk_client.get("/patients/").status_code == 403
    front_desk.groups.add(Group.objects.get(name=roles.FRONT_DESK))
    assert desk_client.get("/patients/").status_code == 200


def test_a_permission_taken_from_a_role_shows_on_the_next_request(desk_client):
    assert desk_client.get("/patients/").status_code == 200
    group = Group.objects.get(name=roles.FRONT_DESK)
    group.permissions.remove(Permission.objects.get(codename="view_patient", content_type__app_label="patients"))
    assert desk_client.get("/patients/").status_code == 403


def test_the_cached_user_holds_no_password_hash(desk_client, front_desk):
    desk_client.get("/patients/")
    kept = [value for key, value in ((k, cache.get(k.split(":", 2)[-1])) for k in list(cache._cache))
            if getattr(value, "pk", None) == front_desk.pk]
    assert kept and all("password" not in vars(user) for user in kept)
    assert kept[0].password == front_desk.password  # deferred: read when a page needs it
