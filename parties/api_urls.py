from rest_framework.routers import SimpleRouter

from parties.api import ResidentViewSet, UnitViewSet

router = SimpleRouter()
router.register("residents", ResidentViewSet, basename="api-resident")
router.register("units", UnitViewSet, basename="api-unit")
urlpatterns = router.urls
