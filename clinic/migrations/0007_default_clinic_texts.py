"""A new clinic starts with version 1 of each of its texts: plain starting wording its admins replace (with their
counsel's) in the staff admin. Patients never see a consent or policy that is not there to read."""

from django.db import migrations

DEFAULTS = {
    "privacy_notice": (
        "Notice of privacy practices",
        "This notice describes how medical information about you may be used and disclosed and how you can get "
        "access to this information. Please review it carefully.\n\n"
        "We use your health information to treat you, to get paid for your care and to run the clinic. We share "
        "it with others only as the law allows or as you authorise in writing.\n\n"
        "You may ask for a copy of your record, ask us to correct it, ask for a list of those we shared it with, "
        "and ask us to contact you in a certain way. Ask the front desk or the clinic's privacy officer.",
        "Este aviso describe cómo se puede usar y divulgar su información médica y cómo puede acceder a ella. "
        "Léalo con atención.\n\n"
        "Usamos su información de salud para atenderle, para cobrar por su atención y para el funcionamiento de "
        "la clínica. Solo la compartimos con otros según lo permita la ley o lo que usted autorice por escrito.\n\n"
        "Puede pedir una copia de su expediente, pedir que lo corrijamos, pedir una lista de con quién lo hemos "
        "compartido y pedir que le contactemos de cierta manera. Pregunte en recepción o a la persona "
        "responsable de privacidad de la clínica.",
    ),
    "treatment_consent": (
        "Consent to evaluation and treatment",
        "I agree to be assessed and treated by the clinic's clinicians. Treatment may include exercise, manual "
        "therapy and other methods that will be explained to me. I can ask questions, refuse or stop any part "
        "of my care at any time.",
        "Acepto ser evaluado/a y tratado/a por los profesionales de la clínica. El tratamiento puede incluir "
        "ejercicio, terapia manual y otros métodos que se me explicarán. Puedo hacer preguntas, rechazar o "
        "interrumpir cualquier parte de mi atención en cualquier momento.",
    ),
    "telehealth_consent": (
        "Consent to telehealth visits",
        "I agree to video visits with the clinic's clinicians. A video visit cannot include a hands-on "
        "examination, and a connection problem may end it early. I will join from a private place.",
        "Acepto las consultas por video con los profesionales de la clínica. Una consulta por video no puede "
        "incluir un examen físico, y un problema de conexión puede interrumpirla. Me conectaré desde un lugar "
        "privado.",
    ),
    "cancellation_policy": (
        "Cancellation policy",
        "Please give us at least 24 hours' notice if you cannot come, so another patient can have your time. "
        "Visits missed or cancelled later than that may be charged.",
        "Avísenos con al menos 24 horas de antelación si no puede venir, para que otro paciente pueda usar su "
        "horario. Las citas perdidas o canceladas con menos antelación pueden cobrarse.",
    ),
}


def add_defaults(apps, schema_editor):
    ClinicText = apps.get_model("clinic", "ClinicText")
    for kind, (title, body, body_es) in DEFAULTS.items():
        if not ClinicText.objects.filter(kind=kind).exists():
            ClinicText.objects.create(kind=kind, version=1, title=title, body=body, body_es=body_es)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0006_clinic_texts")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
