from django import forms

from .models import Enterprise


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ["name", "credit_code", "legal_representative", "contact_person", "contact_phone", "address", "registered_region"]

    def clean_credit_code(self):
        # People paste codes with spaces or in lower case; the standard's characters are capitals.
        return (self.cleaned_data.get("credit_code") or "").strip().replace(" ", "").upper()
