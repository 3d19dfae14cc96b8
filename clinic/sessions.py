"""Database sessions whose idle timeout is renewed at most once a minute.

Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) costs a write on every page view.
Renewing only when the expiry has run down by more than a minute keeps the 15-minute idle timeout
(give or take that minute) for one write a minute per signed-in user.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

RENEW_AFTER = timedelta(seconds=60)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        row = super()._get_session_from_db()
        if row is not None:
            idle_window = timedelta(seconds=settings.SESSION_COOKIE_AGE)
            if row.expire_date - timezone.now() < idle_window - RENEW_AFTER:
                self.modified = True  # SessionMiddleware saves it, which pushes the expiry back
        return row
