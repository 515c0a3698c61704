from django.urls import path

from core import tabular_import as ti

from . import views
from .registers import OWNER_IMPORT

app_name = "votes"

urlpatterns = [
    path("", views.vote_list, name="vote-list"),
    path("new/", views.vote_create, name="vote-create"),
    path("<int:pk>/", views.vote_detail, name="vote-detail"),
    path("<int:pk>/matters/", views.matter_add, name="matter-add"),
    path("<int:pk>/open/", views.vote_open, name="vote-open"),
    path("<int:pk>/close/", views.vote_close, name="vote-close"),
    path("<int:pk>/codes/", views.codes_issue, name="codes-issue"),
    path("<int:pk>/paper/", views.paper_enter, name="paper-enter"),
    path("matters/<int:pk>/exit/", views.matter_exit, name="matter-exit"),
    path("ballots/<int:pk>/photo/", views.ballot_photo, name="ballot-photo"),
    path("estates/<int:estate_id>/owners/", views.owner_register, name="owner-register"),
    *ti.urls(OWNER_IMPORT, "owners/import/", name="owner-import"),
    path("enterprises/<int:pk>/decisions/", views.enterprise_decisions, name="enterprise-decisions"),
    # owners, no login
    path("b/", views.ballot_start, name="ballot-start"),
    path("b/vote/", views.ballot, name="ballot"),
    path("public/estates/<int:estate_id>/", views.public_estate, name="public-estate"),
]
