"""Many people taking the last seats at the same second, through a live server.

Each thread is a separate browser: it loads the form (for its CSRF cookie), then all of them
submit at once. Whatever the database (SQLite in CI's first pass, PostgreSQL in its second), the
confirmed count never exceeds the seats and every other submission is on the waiting list.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request

import pytest

from kopa.programme.models import Registration
from kopa.programme.tests.factories import make_activity, make_notice

SEATS = 3
PEOPLE = 12


class Browser:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def open_form(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=30) as response:
            page = response.read().decode()
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def submit(self, path: str, data: dict[str, str]) -> int:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(
            self.base_url + path, data=body, headers={"Referer": self.base_url + path}
        )
        with self.opener.open(request, timeout=60) as response:
            return response.status


@pytest.mark.django_db(transaction=True)
def test_twelve_people_submitting_at_once_never_get_more_than_three_seats(live_server):
    make_notice()
    activity = make_activity(capacity=SEATS)
    path = f"/en/programme/{activity.slug}/register/"
    browsers = [Browser(live_server.url) for _i in range(PEOPLE)]
    tokens = [browser.open_form(path) for browser in browsers]
    start = threading.Barrier(PEOPLE)
    results: list[int | Exception] = [0] * PEOPLE

    def submit(index: int) -> None:
        start.wait()
        try:
            results[index] = browsers[index].submit(
                path,
                {
                    "csrfmiddlewaretoken": tokens[index],
                    "name": f"Person {index}",
                    "email": f"person{index}@example.org",
                    "country": "UA",
                    "participant_group": "other",
                    "consent": "on",
                },
            )
        except Exception as error:  # noqa: BLE001 - reported below with the others
            results[index] = error

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(result == 200 for result in results), results  # 302 followed to the private page
    statuses = list(Registration.objects.filter(activity=activity).values_list("status", flat=True))
    assert len(statuses) == PEOPLE
    assert statuses.count(Registration.Status.CONFIRMED) == SEATS
    assert statuses.count(Registration.Status.WAITING) == PEOPLE - SEATS
