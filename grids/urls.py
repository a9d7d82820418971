from django.urls import path

from grids import views

app_name = "grids"
urlpatterns = [
    path("mine/", views.my_grids, name="mine"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.visit_create, name="visit-create"),
    path("visits/<int:pk>/photo/", views.visit_photo, name="visit-photo"),
]
