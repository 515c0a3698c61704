from django.urls import path

from . import views

app_name = "credit-public"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("enterprises/<int:pk>/", views.public_enterprise, name="enterprise"),
]
