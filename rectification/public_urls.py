from django.urls import path

from . import views

urlpatterns = [
    path("estates/<int:estate_id>/plan/", views.public_estate_plan, name="public-estate-plan"),
]
