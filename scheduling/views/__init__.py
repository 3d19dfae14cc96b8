"""The staff scheduling screens, one module per screen (shared helpers in `shared`).

Actions answer htmx requests with the side panel's new content and an `HX-Trigger: calendar-changed` header
(the calendar body then re-fetches itself); without JavaScript every form posts to the same URL and the
answer is a normal page.
"""
