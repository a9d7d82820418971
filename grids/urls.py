from django.urls import path

from grids import views

app_name = "grids"
urlpatterns = [
    path("mine/", views.my_grids, name="mine"),
]
