from django.urls import path

from payments.api import dunning_views as views

urlpatterns = [
    path("dunning-policies/", views.DunningPolicyCollection.as_view(), name="dunning-policy-list"),
    path(
        "dunning-policies/<int:pk>/",
        views.DunningPolicyDetail.as_view(),
        name="dunning-policy-detail",
    ),
    path(
        "customers/<int:pk>/dunning/", views.CustomerDunningView.as_view(), name="customer-dunning"
    ),
    path(
        "customers/<int:pk>/dunning/transitions/",
        views.CustomerDunningTransitions.as_view(),
        name="customer-dunning-transitions",
    ),
    path(
        "customers/<int:pk>/dunning/evaluate/",
        views.CustomerDunningEvaluate.as_view(),
        name="customer-dunning-evaluate",
    ),
]
