"""The four roles of the clinic, as Django groups with permissions.

Each app lists what its permissions grant to which role in `role_permissions` on its AppConfig.
A data migration of each app applies them when the app is installed, and `sync_app_roles` runs
after every migrate (and after a test flush), so roles always carry the permissions the code
expects, including ones added by later releases.
"""

ADMIN = "Admin"
FRONT_DESK = "Front desk"
CLINICIAN = "Clinician"
PATIENT = "Patient"
ALL_ROLES = (ADMIN, FRONT_DESK, CLINICIAN, PATIENT)
STAFF_ROLES = (ADMIN, FRONT_DESK, CLINICIAN)


def _apply(Group, Permission, grants, *, skip_missing=False):
    # A handful of queries whatever the number of grants: this runs after every migrate and after every flush of a
    # transactional test (one query per permission made each such test's teardown about a second slower).
    groups = {}
    for role in ALL_ROLES:
        groups[role], _ = Group.objects.get_or_create(name=role)
    wanted = {tuple(perm.split(".")) for perms in grants.values() for perm in perms}
    known = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted}, codename__in={code for _, code in wanted}
        ).values_list("pk", "content_type__app_label", "codename")
    }
    for role, perms in grants.items():
        ids = []
        for perm in perms:
            found = known.get(tuple(perm.split(".")))
            if found is None and not skip_missing:
                raise Permission.DoesNotExist(perm)
            if found is not None:
                ids.append(found)
        if ids:
            groups[role].permissions.add(*ids)


def grant(apps, grants):
    """Apply `grants` from a data migration (historical models); safe to run twice."""
    from django.contrib.auth.management import create_permissions

    # Django creates permissions only after all migrations have run; this migration needs them now.
    for label in {perm.split(".")[0] for perms in grants.values() for perm in perms}:
        try:
            app_config = apps.get_app_config(label)
        except LookupError:  # an app this migration does not depend on (axes, django_otp): sync_app_roles grants it
            continue
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    # A model added by a later migration has no permission yet here; sync_app_roles grants it after migrate.
    _apply(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), grants, skip_missing=True)


def sync_app_roles(sender, using="default", **kwargs):
    """post_migrate receiver: grant the app's `role_permissions` to the roles."""
    grants = getattr(sender, "role_permissions", None)
    if grants:
        from django.contrib.auth.models import Group, Permission

        _apply(Group, Permission, grants)


def has_role(user, role):
    return user.is_authenticated and (user.is_superuser and role == ADMIN or role in user.role_names)
