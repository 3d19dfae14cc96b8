"""The four roles of the clinic, as Django groups with permissions.

Each app grants its own permissions to the roles from a data migration, through `grant`.
"""

ADMIN = "Admin"
FRONT_DESK = "Front desk"
CLINICIAN = "Clinician"
PATIENT = "Patient"
ALL_ROLES = (ADMIN, FRONT_DESK, CLINICIAN, PATIENT)
STAFF_ROLES = (ADMIN, FRONT_DESK, CLINICIAN)


def grant(apps, grants):
    """Give each role (group name) the listed "app_label.codename" permissions; safe to run twice.

    Run from a data migration: creates missing groups and the app's permissions first, since
    Django only creates permissions after all migrations have run.
    """
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for label in {perm.split(".")[0] for perms in grants.values() for perm in perms}:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    for role, perms in grants.items():
        group, _ = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def has_role(user, role):
    return user.is_authenticated and (user.is_superuser and role == ADMIN or role in user.role_names)
