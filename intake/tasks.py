"""Celery tasks of the intake form: load by id, call a service. Queued on commit by intake.services.

The notifications work will route these through the outbox (one claimed row per message), which
also makes a retry safe; until then a task that runs twice sends its email twice.
"""

from celery import shared_task

from . import services


@shared_task(name="intake.send_red_flag_alert", ignore_result=True)
def send_red_flag_alert(alert_id):
    """Email the visit's clinician that the patient reported a red flag."""
    services.red_flag_alert_email(alert_id=alert_id)


@shared_task(name="intake.send_intake_link", ignore_result=True)
def send_intake_link(intake_id, base_url):
    """Email the patient the signed link to their intake form."""
    services.intake_link_email(intake_id=intake_id, base_url=base_url)
