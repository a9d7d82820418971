from django.urls import path

from parties import views

app_name = "parties"
urlpatterns = [
    path("residents/", views.resident_list, name="residents"),
    path("residents/search/", views.resident_search, name="resident-search"),
    path("residents/new/", views.resident_create, name="resident-create"),
    path("residents/export.csv", views.resident_export, name="resident-export"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident-edit"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="resident-reveal"),
    path("residents/<int:pk>/tags/", views.resident_tag_add, name="resident-tag-add"),
    path("residents/<int:pk>/tags/<int:tag_pk>/remove/", views.resident_tag_remove, name="resident-tag-remove"),
    path("houses/", views.house_list, name="houses"),
    path("houses/new/", views.house_create, name="house-create"),
    path("houses/<int:pk>/", views.house_detail, name="house"),
    path("houses/<int:pk>/edit/", views.house_edit, name="house-edit"),
    path("houses/<int:pk>/households/", views.household_create, name="household-create"),
    path("units/", views.unit_list, name="units"),
    path("units/search/", views.unit_search, name="unit-search"),
    path("units/new/", views.unit_create, name="unit-create"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit-edit"),
    path("units/<int:pk>/reveal/", views.unit_reveal, name="unit-reveal"),
    path("residents/<int:pk>/party/", views.resident_party_member, name="resident-party"),
    path("party/", views.party_branch_list, name="party-branches"),
    path("party/new/", views.party_branch_create, name="party-branch-create"),
    path("party/community/<str:code>/in-service/new/", views.in_service_create, name="in-service-create"),
    path("party/community/<str:code>/agreements/new/", views.agreement_create, name="agreement-create"),
    path("party/community/<str:code>/meetings/new/", views.meeting_create, name="meeting-create"),
    path("party/<int:pk>/", views.party_branch_detail, name="party-branch"),
    path("party/community/<str:code>/", views.community_party_work, name="community-party"),
]
