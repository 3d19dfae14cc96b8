"""The clinic's questionnaires, for the clinicians who choose them: which wording the intake asks (licensed or demo)
and a form to load the clinic's licensed file. The staff admin offers the same to admins (intake.admin)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from clinic.audit import request_ip
from clinic.permissions import staff_permission_required

from . import selectors
from .checks import odi_notice
from .forms_instruments import InstrumentFileForm
from .models import Instrument


@require_http_methods(["GET", "POST"])
@staff_permission_required("intake.view_instrument", "intake.add_instrument")
def instruments(request):
    form = InstrumentFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and (row := form.load(actor=request.user, ip=request_ip(request))):
        messages.success(request, form.loaded_message(row))
        return redirect("intake:instruments")
    active = selectors.active_instruments()
    loaded = list(Instrument.objects.select_related("loaded_by"))
    return render(request, "intake/instruments.html", {
        "form": form, "active": active, "loaded": loaded, "odi_notice": odi_notice(active),
    }, status=400 if form.is_bound and form.errors else 200)
