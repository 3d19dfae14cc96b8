"""Sessions kept in the cache in front of the database, with an idle timeout renewed at most once a minute.

Reading the session from the database on every request was one of the two queries every signed-in page
paid before doing anything (Django's cached_db engine: the database stays the record, the cache answers
reads; a sign-out deletes both). Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) would
cost a write per page; renewing only when the last save is more than a minute old keeps the 15-minute
idle timeout (give or take that minute) for one write a minute per signed-in user. The cached copy
expires with the row (its timeout is the session's remaining age). The cache must be shared by every
web process (CACHE_URL, the deploy check says so), or a sign-out would reach only one of them.
"""

import time

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseSessionStore

RENEW_AFTER = 60  # seconds
SAVED_AT = "_stride_saved_at"


class SessionStore(CachedDatabaseSessionStore):
    cache_key_prefix = "stride.session."

    def load(self):
        data = super().load()
        if data and time.time() - data.get(SAVED_AT, 0) > RENEW_AFTER:
            self.modified = True  # SessionMiddleware saves it, which pushes the expiry back
        return data

    def save(self, must_create=False):
        self._get_session(no_load=must_create)[SAVED_AT] = int(time.time())
        super().save(must_create)


def not_activity(request):
    """This request is the page keeping itself current (a calendar polling for changes), not the person: it does
    not push the idle timeout back, so a screen left open still signs out after 15 minutes."""
    session = getattr(request, "session", None)
    if session is not None:
        session.modified = False
