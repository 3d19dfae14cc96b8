"""A clinic with two locations: the calendar shows a location filter (remembered in the URL) and marks each visit
with its location's colour and name; one location's calendar shows who works there; admins set the colours."""

import re
from datetime import timedelta

import pytest

from scheduling import services
from scheduling.models import Location, Modality, Room, WorkingHours
from tests.factories import PatientFactory, sign_in

from .conftest import local

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def cambridge(db, dr_chen):
    """A second location, where Jordan Chen works on Mondays (Tuesday to Friday stay at Back Bay)."""
    place = Location.objects.create(name="Cambridge", address_line1="15 Brattle St", city="Cambridge",
                                    time_zone="America/New_York", color="#d63384")
    Room.objects.create(location=place, name="Treatment A")
    dr_chen.locations.add(place)
    WorkingHours.objects.filter(clinician=dr_chen, weekday=0).update(location=place)
    return place


@pytest.fixture
def visits(dr_rivera, dr_chen, follow_up, telehealth_consult, location, cambridge, monday):
    def book(first, clinician, start, **kw):
        kw.setdefault("modality", Modality.IN_OFFICE)
        return services.appointment_book(patient=PatientFactory(first_name=first, last_name="Test"),
                                         clinician=clinician, visit_type=kw.pop("visit", follow_up), start=start, **kw)

    return {
        "maya": book("Maya", dr_rivera, local(monday, 10), location=location),
        "liam": book("Liam", dr_chen, local(monday, 11), location=cambridge),
        "video": book("Vida", dr_chen, local(monday, 14), modality=Modality.TELEHEALTH, visit=telehealth_consult),
    }


def test_with_one_location_there_is_no_filter_and_no_location_mark(desk_client, dr_rivera, follow_up, location,
                                                                   monday):
    services.appointment_book(patient=PatientFactory(), clinician=dr_rivera, visit_type=follow_up,
                              start=local(monday, 10), modality=Modality.IN_OFFICE, location=location)
    page = text(desk_client.get("/schedule/", {"date": monday.isoformat()}))
    assert 'aria-label="Location"' not in page and "--loc" not in page and "All locations" not in page


def test_two_locations_give_a_filter_a_legend_and_each_visit_its_locations_colour(desk_client, visits, cambridge,
                                                                                   location, monday):
    response = desk_client.get("/schedule/", {"date": monday.isoformat()})
    page = text(response)
    nav = re.search(r'<nav class="btn-group btn-group-sm cal-locations" aria-label="Location">(.*?)</nav>', page).group(1)
    assert re.findall(r">(?:<span[^>]*></span> )?([^<>]+)</a>", nav) == ["All locations", "Back Bay", "Cambridge"]
    assert 'class="btn btn-outline-secondary active" aria-current="page" href="/schedule/?date=' in nav  # All
    # Back Bay has no colour of its own: it gets one no other location has.
    back_bay_color = next(p.color for p in response.context["grid"].locations if p.pk == location.pk)
    assert back_bay_color not in ("", "#d63384")
    blocks = {b["name"]: b["place"] for b in response.context["grid"].blocks}
    assert blocks["Liam Test"].endswith('; --loc: #d63384; --loc-tag: "Cambridge"')
    assert blocks["Maya Test"].endswith(f'; --loc: {back_bay_color}; --loc-tag: "Back Bay"')
    assert "--loc" not in blocks["Vida Test"]  # a video visit is at no location
    assert "--loc-tag: &quot;Cambridge&quot;" in page  # the stylesheet draws the name beside the colour
    assert "Locations (right edge):" in page and '--vt: #d63384"></span> Cambridge' in page


def test_one_locations_calendar_shows_who_works_there_and_keeps_the_filter_in_every_link(
    desk_client, visits, cambridge, dr_chen, monday
):
    response = desk_client.get("/schedule/", {"date": monday.isoformat(), "location": cambridge.pk})
    grid, page = response.context["grid"], text(response)
    assert [c.label for c in grid.columns] == ["Jordan Chen"]  # Sam Rivera is at Back Bay all week
    assert sorted(b["name"] for b in grid.blocks) == ["Liam Test", "Vida Test"]  # and his video visit
    assert f'aria-current="page" href="/schedule/?date={monday.isoformat()}&amp;location={cambridge.pk}">' in page
    for link in ("prev_url", "next_url", "today_url", "day_url", "week_url", "rooms_url", "body_url"):
        assert f"location={cambridge.pk}" in response.context[link], link
    assert f'<input type="hidden" name="location" value="{cambridge.pk}">' in page  # the date and other forms
    assert f'data-who="clinician={dr_chen.pk}&amp;location={cambridge.pk}"' in page  # a booking there is there

    rooms = desk_client.get("/schedule/", {"date": monday.isoformat(), "location": cambridge.pk, "by": "room"})
    assert [c.label for c in rooms.context["grid"].columns] == ["Treatment A", "No room"]
    # On Tuesday Jordan Chen is back at Back Bay: Cambridge has nobody.
    tuesday = text(desk_client.get("/schedule/", {"date": (monday + timedelta(days=1)).isoformat(),
                                                  "location": cambridge.pk}))
    assert "Jordan Chen" not in re.sub(r"<select.*?</select>", "", tuesday)


def test_an_unknown_or_inactive_location_in_the_address_shows_every_location(desk_client, visits, cambridge, monday):
    cambridge_id = cambridge.pk
    unknown = desk_client.get("/schedule/", {"date": monday.isoformat(), "location": "9999"})
    assert len(unknown.context["grid"].blocks) == 3 and unknown.context["location_id"] is None
    Location.objects.filter(pk=cambridge_id).update(is_active=False)
    cambridge.refresh_from_db()
    cambridge.save()  # as the staff admin saves it: the calendar's list of locations is drawn again
    gone = desk_client.get("/schedule/", {"date": monday.isoformat(), "location": cambridge_id})
    assert gone.context["location_id"] is None and gone.context["location_links"] == []  # one active location left


def test_a_location_changed_in_the_admin_shows_on_the_next_calendar(client, admin_user, visits, cambridge, monday):
    sign_in(client, admin_user)
    assert "Cambridge" in text(client.get("/schedule/", {"date": monday.isoformat()}))
    response = client.post(f"/admin/scheduling/location/{cambridge.pk}/change/", {
        "name": "Harvard Square", "address_line1": "15 Brattle St", "city": "Cambridge", "time_zone": "America/New_York",
        "color": "#198754", "is_active": "on", "rooms-TOTAL_FORMS": 0, "rooms-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302
    page = text(client.get("/schedule/", {"date": monday.isoformat()}))
    assert '--loc: #198754; --loc-tag: &quot;Harvard Square&quot;' in page


def test_the_admin_refuses_a_colour_that_is_not_a_css_colour_and_lists_each_locations(admin_user, client, location,
                                                                                      cambridge):
    sign_in(client, admin_user)
    form = {"name": "Cambridge", "address_line1": "15 Brattle St", "city": "Cambridge", "time_zone": "America/New_York",
            "is_active": "on", "rooms-TOTAL_FORMS": 0, "rooms-INITIAL_FORMS": 0}
    refused = client.post(f"/admin/scheduling/location/{cambridge.pk}/change/",
                          {**form, "color": "red;color:blue"})
    assert refused.status_code == 200 and "Type a CSS colour, e.g. #6f42c1." in text(refused)
    cambridge.refresh_from_db()
    assert cambridge.color == "#d63384"
    listing = text(client.get("/admin/scheduling/location/"))
    assert "background:#d63384" in listing and "chosen for it" in listing  # Back Bay's is picked for it


def test_a_location_name_cannot_break_out_of_the_blocks_style(desk_client, visits, cambridge, monday):
    Location.objects.filter(pk=cambridge.pk).update(name='Cam"; } body { display: none } \\')
    cambridge.refresh_from_db()
    cambridge.save()
    place = next(b["place"] for b in desk_client.get("/schedule/", {"date": monday.isoformat()}).context["grid"].blocks
                 if b["name"] == "Liam Test")
    assert place.endswith('--loc-tag: "Cam  body  display none"')


# The calendar's pinned counts (test_calendar.py) hold with two locations and one of them shown: the locations
# come from the cache, each visit's location with its row.
@pytest.mark.parametrize("params,most", [({}, 9), ({"by": "room"}, 10), ({"view": "week"}, 9),
                                         ({"partial": "1"}, 8)], ids=["day", "rooms", "week-everyone", "day-refresh"])
@pytest.mark.parametrize("filtered", [False, True], ids=["all", "one-location"])
def test_two_locations_keep_the_calendars_query_counts(desk_client, visits, cambridge, monday, params, most, filtered,
                                                       django_assert_max_num_queries):
    query = {"date": monday.isoformat(), **params, **({"location": cambridge.pk} if filtered else {})}
    desk_client.get("/schedule/", query)
    with django_assert_max_num_queries(most):
        response = desk_client.get("/schedule/", query, **(HX if "partial" in params else {}))
    assert len(response.context["grid"].blocks) == (2 if filtered else 3)

