"""The public form benchmark's baseline: the least a Django form submission can cost on the same
gunicorn, settings and middleware as the product — GET renders a two-field form with its CSRF
token, POST validates it and inserts one row, then redirects. `make bench` reports the product's
accepted submissions per second as a ratio to this view's (issue 20: ≥ 0.5)."""

from django import forms
from django.shortcuts import redirect, render

from bench.models import BaselineRow


class BaselineForm(forms.Form):
    description = forms.CharField(max_length=500)
    phone = forms.RegexField(regex=r"^1[3-9]\d{9}$")


def baseline_form(request):
    if request.method == "POST":
        form = BaselineForm(request.POST)
        if form.is_valid():
            BaselineRow.objects.create(**form.cleaned_data)
            return redirect("bench-baseline")
        status = 400
    else:
        form = BaselineForm()
        status = 200
    return render(request, "bench/baseline.html", {"form": form}, status=status)
