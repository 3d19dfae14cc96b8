from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The patient's own pages, over the other apps' selectors (it owns no tables)."""

    name = "portal"
