from django.urls import path

from . import views

app_name = "communities"

urlpatterns = [
    path("estates/", views.estate_list, name="estate-list"),
    path("estates/<int:pk>/", views.estate_detail, name="estate-detail"),
]
