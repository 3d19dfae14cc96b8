import datetime

import factory
from django.contrib.auth.models import Group

from clinic.models import User
from patients.models import Patient

PASSWORD = "Correct-Horse-Battery-9"

# What the front desk types into the new-patient form.
PATIENT_FORM = {
    "first_name": "Lena",
    "last_name": "Kowalski",
    "date_of_birth": "1988-04-12",
    "sex": "female",
    "email": "lena.k@example.com",
    "mobile_phone": "(617) 555-0199",
    "preferred_channel": "email",
    "reminder_email_consent": "on",
    "country": "US",
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@stride.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        self.save()


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Sequence(lambda n: datetime.date(1950, 1, 1) + datetime.timedelta(days=(97 * n) % 20_000))
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    mobile_phone = factory.Sequence(lambda n: f"+1617555{n % 10000:04d}")
    sex = Patient.Sex.FEMALE
