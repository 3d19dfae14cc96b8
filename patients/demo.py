"""Synthetic demo people. No real patient data, ever: names are drawn from common-name lists."""

import datetime
import random

from .models import MRN_ALPHABET, Patient

FIRST = (
    "Avery Jordan Maya Liam Noah Emma Olivia Ethan Sofia Lucas Mia Aiden Chloe Mateo Zoe Elijah Aria Caleb "
    "Nora Owen Leah Isaac Ruby Levi Hannah Julian Grace Miles Ivy Ezra Naomi Theo Clara Jonah Stella Felix "
    "Hazel Rowan Priya Arjun Mei Kenji Amara Kofi Lucia Diego Fatima Omar Ingrid Lars"
).split()
LAST = (
    "Rivera Chen Patel Okafor Nguyen Kowalski Haddad Silva Johansson Murphy Brooks Tanaka Alvarez Fischer "
    "Novak Osei Bennett Kim Costa Ward Lindqvist Moreau Rossi Walsh Gupta Ibrahim Larsen Duarte Sato Reyes "
    "Hughes Mendes Ortiz Parker Quinn Shah Turner Vega Young Zimmerman"
).split()
SPORTS = ["Running", "Cycling", "Soccer", "Tennis", "CrossFit", "Yoga", "Basketball", "Golf", "Swimming", "Hiking", ""]
JOBS = ["Software engineer", "Teacher", "Nurse", "Truck driver", "Accountant", "Student", "Carpenter", "Retired", ""]
CARRIERS = ["Blue Cross Blue Shield", "Aetna", "UnitedHealthcare", "Cigna", "Harvard Pilgrim", ""]
CITIES = [("Boston", "MA", "02115"), ("Cambridge", "MA", "02139"), ("Somerville", "MA", "02143"), ("Brookline", "MA", "02446")]


def demo_mrn(index):
    rng = random.Random(f"mrn-{index}")
    body = "".join(rng.choice(MRN_ALPHABET) for _ in range(8))
    return f"{body[:4]}-{body[4:]}"


def demo_patient(index):
    """The index-th synthetic patient, the same every time."""
    rng = random.Random(index)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    city, state, postal = rng.choice(CITIES)
    dob = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 55))
    sms = rng.random() < 0.6
    return Patient(
        mrn=demo_mrn(index),
        first_name=first,
        last_name=last,
        date_of_birth=dob,
        sex=rng.choice([Patient.Sex.FEMALE, Patient.Sex.MALE]),
        email=f"{first}.{last}.{index}@example.com".lower(),
        mobile_phone=f"+1617555{index % 10000:04d}",
        address_line1=f"{rng.randrange(1, 999)} {rng.choice(['Elm', 'Beacon', 'Summer', 'Harvard', 'Main'])} St",
        city=city,
        state=state,
        postal_code=postal,
        emergency_contact_name=f"{rng.choice(FIRST)} {last}",
        emergency_contact_relationship=rng.choice(["Spouse", "Parent", "Sibling", "Friend"]),
        emergency_contact_phone=f"+1617555{(index + 5000) % 10000:04d}",
        preferred_channel=Patient.Channel.SMS if sms else Patient.Channel.EMAIL,
        reminder_sms_consent=sms,
        insurance_carrier=rng.choice(CARRIERS),
        insurance_member_id=f"M{rng.randrange(10**8, 10**9)}",
        occupation=rng.choice(JOBS),
        sport_activity=rng.choice(SPORTS),
    )
