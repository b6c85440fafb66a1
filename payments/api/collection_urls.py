from django.urls import path

from payments.api import collection_views

urlpatterns = [
    path("webhooks/stripe/", collection_views.StripeWebhook.as_view(), name="webhooks-stripe"),
]
