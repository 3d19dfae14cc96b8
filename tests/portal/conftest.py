"""The scheduling tests' small clinic, for the patient's own pages."""

from tests.scheduling import conftest as scheduling

clinic_settings, visit_types, location = scheduling.clinic_settings, scheduling.visit_types, scheduling.location
dr_rivera, dr_chen, monday = scheduling.dr_rivera, scheduling.dr_chen, scheduling.monday
follow_up, telehealth_consult = scheduling.follow_up, scheduling.telehealth_consult
