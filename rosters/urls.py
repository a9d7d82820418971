from django.urls import path

app_name = "rosters"
urlpatterns = []
