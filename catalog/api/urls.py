from django.urls import path

from catalog.api import views as v

urlpatterns = [
    path("currencies/", v.CurrencyListView.as_view(), name="currency-list"),
    path("products/", v.ProductListCreate.as_view(), name="product-list"),
    path("products/<int:pk>/", v.ProductDetail.as_view(), name="product-detail"),
    path("plans/", v.PlanListCreate.as_view(), name="plan-list"),
    path("plans/<int:pk>/", v.PlanDetail.as_view(), name="plan-detail"),
    path("plans/<int:pk>/price/", v.PlanPriceAt.as_view(), name="plan-price-at"),
    path("plans/<int:pk>/timeline/", v.PlanTimeline.as_view(), name="plan-timeline"),
    path("plan-versions/", v.PlanVersionListCreate.as_view(), name="plan-version-list"),
    path("plan-versions/<int:pk>/", v.PlanVersionDetail.as_view(), name="plan-version-detail"),
    path(
        "plan-versions/<int:pk>/publish/",
        v.PlanVersionPublish.as_view(),
        name="plan-version-publish",
    ),
    path("plan-versions/<int:pk>/copy/", v.PlanVersionCopy.as_view(), name="plan-version-copy"),
    path(
        "plan-versions/<int:pk>/preview/",
        v.PlanVersionPreview.as_view(),
        name="plan-version-preview",
    ),
    path("metrics/", v.MetricListCreate.as_view(), name="metric-list"),
    path("metrics/<int:pk>/", v.MetricDetail.as_view(), name="metric-detail"),
    path("features/", v.FeatureListCreate.as_view(), name="feature-list"),
    path("features/<int:pk>/", v.FeatureDetail.as_view(), name="feature-detail"),
    path("coupons/", v.CouponListCreate.as_view(), name="coupon-list"),
    path("coupons/<int:pk>/", v.CouponDetail.as_view(), name="coupon-detail"),
    path("addons/", v.AddOnListCreate.as_view(), name="addon-list"),
    path("addons/<int:pk>/", v.AddOnDetail.as_view(), name="addon-detail"),
    path("tax-rates/", v.TaxRateListCreate.as_view(), name="tax-rate-list"),
    path("tax-rates/<int:pk>/", v.TaxRateDetail.as_view(), name="tax-rate-detail"),
    path("pricing/rate/", v.RateView.as_view(), name="pricing-rate"),
    path(
        "plan-change-policies/",
        v.PlanChangePolicyListCreate.as_view(),
        name="plan-change-policy-list",
    ),
    path(
        "plan-change-policies/<int:pk>/",
        v.PlanChangePolicyDetail.as_view(),
        name="plan-change-policy-detail",
    ),
]
