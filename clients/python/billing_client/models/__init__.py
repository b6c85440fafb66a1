"""Contains all the data models used in inputs/outputs"""

from .account_enum import AccountEnum
from .add_on_in_request import AddOnInRequest
from .add_on_out import AddOnOut
from .add_on_purchase_in_request import AddOnPurchaseInRequest
from .address import Address
from .address_request import AddressRequest
from .aggregation_enum import AggregationEnum
from .aging_out import AgingOut
from .aging_out_buckets import AgingOutBuckets
from .aging_out_counts import AgingOutCounts
from .allocation_in_request import AllocationInRequest
from .amount_kind_enum import AmountKindEnum
from .api_key_created_out import ApiKeyCreatedOut
from .api_key_in_request import ApiKeyInRequest
from .api_key_out import ApiKeyOut
from .api_key_revoke_in_request import ApiKeyRevokeInRequest
from .apply_enum import ApplyEnum
from .archive_in_request import ArchiveInRequest
from .assignment_in_request import AssignmentInRequest
from .attempt_out import AttemptOut
from .balance_adjustment_kind_enum import BalanceAdjustmentKindEnum
from .balance_in_request import BalanceInRequest
from .balance_kind_enum import BalanceKindEnum
from .balance_transaction_out import BalanceTransactionOut
from .billing_failure_out import BillingFailureOut
from .billing_policy_enum import BillingPolicyEnum
from .blank_enum import BlankEnum
from .block_in_request import BlockInRequest
from .branding_out import BrandingOut
from .cancel_in_request import CancelInRequest
from .cancellation_credit_enum import CancellationCreditEnum
from .category_enum import CategoryEnum
from .change_in_phase_enum import ChangeInPhaseEnum
from .change_in_request import ChangeInRequest
from .change_out import ChangeOut
from .change_out_kind_enum import ChangeOutKindEnum
from .change_out_phase_enum import ChangeOutPhaseEnum
from .change_out_status_enum import ChangeOutStatusEnum
from .change_preview_out import ChangePreviewOut
from .change_timing_enum import ChangeTimingEnum
from .charge_in_request import ChargeInRequest
from .charge_out import ChargeOut
from .check_out import CheckOut
from .check_out_reason_enum import CheckOutReasonEnum
from .copy_in_request import CopyInRequest
from .correction_out import CorrectionOut
from .correction_out_kind_enum import CorrectionOutKindEnum
from .correction_out_status_enum import CorrectionOutStatusEnum
from .corrections_list_kind import CorrectionsListKind
from .corrections_list_status import CorrectionsListStatus
from .coupon_in_request import CouponInRequest
from .coupon_kind_enum import CouponKindEnum
from .coupon_out import CouponOut
from .credit_line_in_request import CreditLineInRequest
from .credit_note_in_request import CreditNoteInRequest
from .credit_note_line_out import CreditNoteLineOut
from .credit_note_out import CreditNoteOut
from .currency import Currency
from .current_usage import CurrentUsage
from .current_usage_subscriptions_item import CurrentUsageSubscriptionsItem
from .customer_in_request import CustomerInRequest
from .customer_out import CustomerOut
from .customer_portal_configuration_in_request import CustomerPortalConfigurationInRequest
from .customer_portal_configuration_out import CustomerPortalConfigurationOut
from .customers_notifications_list_state import CustomersNotificationsListState
from .customers_notifications_list_template import CustomersNotificationsListTemplate
from .dashboard_out import DashboardOut
from .delivery_detail_out import DeliveryDetailOut
from .delivery_out import DeliveryOut
from .direction_enum import DirectionEnum
from .disable_in_request import DisableInRequest
from .draft_in_request import DraftInRequest
from .dunning_out import DunningOut
from .dunning_policy_in_request import DunningPolicyInRequest
from .dunning_policy_out import DunningPolicyOut
from .dunning_state_in_email_template_enum import DunningStateInEmailTemplateEnum
from .dunning_state_in_request import DunningStateInRequest
from .dunning_state_out import DunningStateOut
from .dunning_state_out_email_template_enum import DunningStateOutEmailTemplateEnum
from .dunning_status_out import DunningStatusOut
from .dunning_transition_out import DunningTransitionOut
from .duration_enum import DurationEnum
from .end_in_request import EndInRequest
from .endpoint_created_out import EndpointCreatedOut
from .endpoint_in_request import EndpointInRequest
from .endpoint_out import EndpointOut
from .entitlement_out import EntitlementOut
from .error_body import ErrorBody
from .error_item import ErrorItem
from .event_type_out import EventTypeOut
from .event_type_out_example import EventTypeOutExample
from .export_in_request import ExportInRequest
from .export_kind_enum import ExportKindEnum
from .export_out import ExportOut
from .export_out_totals import ExportOutTotals
from .export_out_totals_additional_property import ExportOutTotalsAdditionalProperty
from .exports_list_file_format import ExportsListFileFormat
from .exports_list_kind import ExportsListKind
from .failed_out import FailedOut
from .feature_in_request import FeatureInRequest
from .feature_kind_enum import FeatureKindEnum
from .feature_out import FeatureOut
from .fee_timing_enum import FeeTimingEnum
from .format_enum import FormatEnum
from .gl_code_in_request import GlCodeInRequest
from .gl_code_out import GlCodeOut
from .grant_in_request import GrantInRequest
from .grant_out import GrantOut
from .grant_out_source_enum import GrantOutSourceEnum
from .history_change_out import HistoryChangeOut
from .history_entry_out import HistoryEntryOut
from .history_out import HistoryOut
from .import_customer_in_request import ImportCustomerInRequest
from .import_event_in_request import ImportEventInRequest
from .import_in_request import ImportInRequest
from .import_invoice_out import ImportInvoiceOut
from .import_preview_out import ImportPreviewOut
from .import_preview_out_customer import ImportPreviewOutCustomer
from .import_preview_out_steps_item import ImportPreviewOutStepsItem
from .import_preview_out_subscriptions_item import ImportPreviewOutSubscriptionsItem
from .import_run_detail_out import ImportRunDetailOut
from .import_run_detail_out_policy_overrides_item import ImportRunDetailOutPolicyOverridesItem
from .import_run_out import ImportRunOut
from .import_run_out_policy_overrides_item import ImportRunOutPolicyOverridesItem
from .import_status_enum import ImportStatusEnum
from .import_subscription_in_request import ImportSubscriptionInRequest
from .imports_list_status import ImportsListStatus
from .interim_billing_out import InterimBillingOut
from .interim_billing_out_reason_enum import InterimBillingOutReasonEnum
from .interval_unit_enum import IntervalUnitEnum
from .invoice_add_on_in_request import InvoiceAddOnInRequest
from .invoice_out import InvoiceOut
from .invoice_status_enum import InvoiceStatusEnum
from .invoices_list_status import InvoicesListStatus
from .item_in_request import ItemInRequest
from .item_out import ItemOut
from .item_remove_in_request import ItemRemoveInRequest
from .job_out import JobOut
from .job_out_params import JobOutParams
from .job_out_result import JobOutResult
from .job_progress_out import JobProgressOut
from .job_status_enum import JobStatusEnum
from .jobs_list_status import JobsListStatus
from .line_kind_enum import LineKindEnum
from .line_out import LineOut
from .locale_enum import LocaleEnum
from .logo_out import LogoOut
from .metric_in_request import MetricInRequest
from .metric_out import MetricOut
from .metrics_list_aggregation import MetricsListAggregation
from .move_to_balance_in_request import MoveToBalanceInRequest
from .movement_out import MovementOut
from .mrr_month_out import MrrMonthOut
from .note_in_request import NoteInRequest
from .note_out import NoteOut
from .notification_detail_out import NotificationDetailOut
from .notification_out import NotificationOut
from .notification_state_enum import NotificationStateEnum
from .notification_template_enum import NotificationTemplateEnum
from .notifications_list_state import NotificationsListState
from .notifications_list_template import NotificationsListTemplate
from .one_off_in_request import OneOffInRequest
from .one_time_fee_in_request import OneTimeFeeInRequest
from .one_time_fee_out import OneTimeFeeOut
from .operation_enum import OperationEnum
from .override_in_request import OverrideInRequest
from .paginated_add_on_out_list import PaginatedAddOnOutList
from .paginated_api_key_out_list import PaginatedApiKeyOutList
from .paginated_balance_transaction_out_list import PaginatedBalanceTransactionOutList
from .paginated_billing_failure_out_list import PaginatedBillingFailureOutList
from .paginated_correction_out_list import PaginatedCorrectionOutList
from .paginated_coupon_out_list import PaginatedCouponOutList
from .paginated_credit_note_out_list import PaginatedCreditNoteOutList
from .paginated_customer_out_list import PaginatedCustomerOutList
from .paginated_delivery_out_list import PaginatedDeliveryOutList
from .paginated_dunning_policy_out_list import PaginatedDunningPolicyOutList
from .paginated_dunning_transition_out_list import PaginatedDunningTransitionOutList
from .paginated_endpoint_out_list import PaginatedEndpointOutList
from .paginated_export_out_list import PaginatedExportOutList
from .paginated_feature_out_list import PaginatedFeatureOutList
from .paginated_gl_code_out_list import PaginatedGlCodeOutList
from .paginated_grant_out_list import PaginatedGrantOutList
from .paginated_history_out_list import PaginatedHistoryOutList
from .paginated_import_run_out_list import PaginatedImportRunOutList
from .paginated_invoice_out_list import PaginatedInvoiceOutList
from .paginated_job_out_list import PaginatedJobOutList
from .paginated_metric_out_list import PaginatedMetricOutList
from .paginated_note_out_list import PaginatedNoteOutList
from .paginated_notification_out_list import PaginatedNotificationOutList
from .paginated_payee_customer_out_list import PaginatedPayeeCustomerOutList
from .paginated_payee_out_list import PaginatedPayeeOutList
from .paginated_payment_method_out_list import PaginatedPaymentMethodOutList
from .paginated_payment_out_list import PaginatedPaymentOutList
from .paginated_payout_method_out_list import PaginatedPayoutMethodOutList
from .paginated_payout_out_list import PaginatedPayoutOutList
from .paginated_payout_schedule_out_list import PaginatedPayoutScheduleOutList
from .paginated_plan_change_policy_out_list import PaginatedPlanChangePolicyOutList
from .paginated_plan_out_list import PaginatedPlanOutList
from .paginated_plan_version_out_list import PaginatedPlanVersionOutList
from .paginated_portal_configuration_out_list import PaginatedPortalConfigurationOutList
from .paginated_portal_session_out_list import PaginatedPortalSessionOutList
from .paginated_portal_user_out_list import PaginatedPortalUserOutList
from .paginated_product_out_list import PaginatedProductOutList
from .paginated_redemption_out_list import PaginatedRedemptionOutList
from .paginated_refund_out_list import PaginatedRefundOutList
from .paginated_subscription_out_list import PaginatedSubscriptionOutList
from .paginated_tax_rate_out_list import PaginatedTaxRateOutList
from .paginated_test_clock_out_list import PaginatedTestClockOutList
from .paginated_usage_event_out_list import PaginatedUsageEventOutList
from .patched_add_on_update_in_request import PatchedAddOnUpdateInRequest
from .patched_api_key_patch_in_request import PatchedApiKeyPatchInRequest
from .patched_billable_metric_update_in_request import PatchedBillableMetricUpdateInRequest
from .patched_branding_in_request import PatchedBrandingInRequest
from .patched_coupon_update_in_request import PatchedCouponUpdateInRequest
from .patched_customer_in_request import PatchedCustomerInRequest
from .patched_dunning_policy_patch_in_request import PatchedDunningPolicyPatchInRequest
from .patched_endpoint_patch_in_request import PatchedEndpointPatchInRequest
from .patched_feature_update_in_request import PatchedFeatureUpdateInRequest
from .patched_gl_code_patch_in_request import PatchedGlCodePatchInRequest
from .patched_item_change_in_request import PatchedItemChangeInRequest
from .patched_note_in_request import PatchedNoteInRequest
from .patched_payee_patch_in_request import PatchedPayeePatchInRequest
from .patched_payment_method_patch_in_request import PatchedPaymentMethodPatchInRequest
from .patched_payout_schedule_patch_in_request import PatchedPayoutSchedulePatchInRequest
from .patched_plan_change_policy_update_in_request import PatchedPlanChangePolicyUpdateInRequest
from .patched_plan_update_in_request import PatchedPlanUpdateInRequest
from .patched_plan_version_in_request import PatchedPlanVersionInRequest
from .patched_portal_configuration_patch_in_request import PatchedPortalConfigurationPatchInRequest
from .patched_product_update_in_request import PatchedProductUpdateInRequest
from .patched_tax_rate_update_in_request import PatchedTaxRateUpdateInRequest
from .pause_out import PauseOut
from .payee_customer_in_request import PayeeCustomerInRequest
from .payee_customer_out import PayeeCustomerOut
from .payee_in_request import PayeeInRequest
from .payee_out import PayeeOut
from .payee_state_enum import PayeeStateEnum
from .payees_list_state import PayeesListState
from .payment_allocation_out import PaymentAllocationOut
from .payment_apply_in_request import PaymentApplyInRequest
from .payment_attempt_out import PaymentAttemptOut
from .payment_attempt_out_action_enum import PaymentAttemptOutActionEnum
from .payment_detail_out import PaymentDetailOut
from .payment_gateway_enum import PaymentGatewayEnum
from .payment_kind_enum import PaymentKindEnum
from .payment_method_in_request import PaymentMethodInRequest
from .payment_method_kind_enum import PaymentMethodKindEnum
from .payment_method_out import PaymentMethodOut
from .payment_method_state_enum import PaymentMethodStateEnum
from .payment_methods_list_gateway import PaymentMethodsListGateway
from .payment_methods_list_kind import PaymentMethodsListKind
from .payment_methods_list_state import PaymentMethodsListState
from .payment_out import PaymentOut
from .payment_record_in_request import PaymentRecordInRequest
from .payment_refund_out import PaymentRefundOut
from .payment_state_enum import PaymentStateEnum
from .payments_list_gateway import PaymentsListGateway
from .payments_list_kind import PaymentsListKind
from .payments_list_state import PaymentsListState
from .payout_basis_item_out import PayoutBasisItemOut
from .payout_call_out import PayoutCallOut
from .payout_call_out_action_enum import PayoutCallOutActionEnum
from .payout_cancel_in_request import PayoutCancelInRequest
from .payout_detail_out import PayoutDetailOut
from .payout_gateway_enum import PayoutGatewayEnum
from .payout_method_in_request import PayoutMethodInRequest
from .payout_method_out import PayoutMethodOut
from .payout_method_state_enum import PayoutMethodStateEnum
from .payout_out import PayoutOut
from .payout_schedule_in_request import PayoutScheduleInRequest
from .payout_schedule_out import PayoutScheduleOut
from .payout_state_enum import PayoutStateEnum
from .payouts_list_state import PayoutsListState
from .pending_line_out import PendingLineOut
from .period_out import PeriodOut
from .phase_kind_enum import PhaseKindEnum
from .plan_change_policies_list_policy import PlanChangePoliciesListPolicy
from .plan_change_policy_in_request import PlanChangePolicyInRequest
from .plan_change_policy_out import PlanChangePolicyOut
from .plan_in_request import PlanInRequest
from .plan_offered_out import PlanOfferedOut
from .plan_out import PlanOut
from .plan_phase_in_request import PlanPhaseInRequest
from .plan_phase_out import PlanPhaseOut
from .plan_version_create_in_request import PlanVersionCreateInRequest
from .plan_version_out import PlanVersionOut
from .plan_version_out_status_enum import PlanVersionOutStatusEnum
from .plan_versions_list_status import PlanVersionsListStatus
from .plans_list_interval_unit import PlansListIntervalUnit
from .policy_ref_out import PolicyRefOut
from .portal_configuration_in_request import PortalConfigurationInRequest
from .portal_configuration_out import PortalConfigurationOut
from .portal_session_created_out import PortalSessionCreatedOut
from .portal_session_in_request import PortalSessionInRequest
from .portal_session_out import PortalSessionOut
from .portal_session_state_enum import PortalSessionStateEnum
from .portal_user_disable_in_request import PortalUserDisableInRequest
from .portal_user_in_request import PortalUserInRequest
from .portal_user_out import PortalUserOut
from .portal_user_state_enum import PortalUserStateEnum
from .portal_users_list_state import PortalUsersListState
from .preview_in_request import PreviewInRequest
from .preview_line_out import PreviewLineOut
from .pricing_model_enum import PricingModelEnum
from .product_in_request import ProductInRequest
from .product_out import ProductOut
from .proration_change_day_enum import ProrationChangeDayEnum
from .proration_kind_enum import ProrationKindEnum
from .proration_line_out import ProrationLineOut
from .proration_unit_enum import ProrationUnitEnum
from .rate_in_request import RateInRequest
from .rating_out import RatingOut
from .reason_in_request import ReasonInRequest
from .redeem_in_request import RedeemInRequest
from .redemption_out import RedemptionOut
from .redemption_out_status_enum import RedemptionOutStatusEnum
from .refund_credit_line_in_request import RefundCreditLineInRequest
from .refund_in_request import RefundInRequest
from .refund_out import RefundOut
from .refund_source_enum import RefundSourceEnum
from .refunds_list_state import RefundsListState
from .renewal_out import RenewalOut
from .renewals_out import RenewalsOut
from .replay_in_request import ReplayInRequest
from .replay_out import ReplayOut
from .required_reason_in_request import RequiredReasonInRequest
from .rerate_in_request import RerateInRequest
from .retry_payment_in_request import RetryPaymentInRequest
from .retry_payment_out import RetryPaymentOut
from .retry_policy_in_request import RetryPolicyInRequest
from .retry_policy_out import RetryPolicyOut
from .revenue_month_out import RevenueMonthOut
from .rotate_in_request import RotateInRequest
from .rotated_out import RotatedOut
from .schedule_run_out import ScheduleRunOut
from .scope_enum import ScopeEnum
from .scopes_enum import ScopesEnum
from .settings_in_request import SettingsInRequest
from .settings_out import SettingsOut
from .settle_enum import SettleEnum
from .situation_out import SituationOut
from .state_ref_out import StateRefOut
from .stripe_webhook_out import StripeWebhookOut
from .subscription_action_enum import SubscriptionActionEnum
from .subscription_action_when_enum import SubscriptionActionWhenEnum
from .subscription_in_request import SubscriptionInRequest
from .subscription_out import SubscriptionOut
from .subscription_payment_method_in_request import SubscriptionPaymentMethodInRequest
from .subscription_payment_method_out import SubscriptionPaymentMethodOut
from .subscription_phase_out import SubscriptionPhaseOut
from .subscription_status_enum import SubscriptionStatusEnum
from .subscriptions_list_status import SubscriptionsListStatus
from .tax_breakdown_out import TaxBreakdownOut
from .tax_rate_in_request import TaxRateInRequest
from .tax_rate_out import TaxRateOut
from .test_clock_advance_in_request import TestClockAdvanceInRequest
from .test_clock_detail_out import TestClockDetailOut
from .test_clock_in_request import TestClockInRequest
from .test_clock_out import TestClockOut
from .test_clock_status_enum import TestClockStatusEnum
from .test_clocks_list_status import TestClocksListStatus
from .timeline_out import TimelineOut
from .timeline_row_out import TimelineRowOut
from .timing_out import TimingOut
from .top_up_in_request import TopUpInRequest
from .type_enum import TypeEnum
from .unapplied_cash_out import UnappliedCashOut
from .unapply_in_request import UnapplyInRequest
from .upcoming_line_out import UpcomingLineOut
from .upcoming_out import UpcomingOut
from .usage_batch_in_request import UsageBatchInRequest
from .usage_batch_result import UsageBatchResult
from .usage_event_in_request import UsageEventInRequest
from .usage_event_in_request_properties import UsageEventInRequestProperties
from .usage_event_out import UsageEventOut
from .usage_event_outcome import UsageEventOutcome
from .usage_event_outcome_errors_item import UsageEventOutcomeErrorsItem
from .usage_event_outcome_status_enum import UsageEventOutcomeStatusEnum
from .usage_out import UsageOut
from .usage_threshold_in_request import UsageThresholdInRequest
from .usage_threshold_out import UsageThresholdOut
from .version_feature_in_request import VersionFeatureInRequest
from .version_feature_out import VersionFeatureOut
from .wallet_out import WalletOut
from .wallet_settings_out import WalletSettingsOut
from .webhook_deliveries_list_kind import WebhookDeliveriesListKind
from .webhook_deliveries_list_status import WebhookDeliveriesListStatus
from .webhook_delivery_kind_enum import WebhookDeliveryKindEnum
from .webhooks_stripe_body import WebhooksStripeBody
from .when_enum import WhenEnum

__all__ = (
    "AccountEnum",
    "AddOnInRequest",
    "AddOnOut",
    "AddOnPurchaseInRequest",
    "Address",
    "AddressRequest",
    "AggregationEnum",
    "AgingOut",
    "AgingOutBuckets",
    "AgingOutCounts",
    "AllocationInRequest",
    "AmountKindEnum",
    "ApiKeyCreatedOut",
    "ApiKeyInRequest",
    "ApiKeyOut",
    "ApiKeyRevokeInRequest",
    "ApplyEnum",
    "ArchiveInRequest",
    "AssignmentInRequest",
    "AttemptOut",
    "BalanceAdjustmentKindEnum",
    "BalanceInRequest",
    "BalanceKindEnum",
    "BalanceTransactionOut",
    "BillingFailureOut",
    "BillingPolicyEnum",
    "BlankEnum",
    "BlockInRequest",
    "BrandingOut",
    "CancelInRequest",
    "CancellationCreditEnum",
    "CategoryEnum",
    "ChangeInPhaseEnum",
    "ChangeInRequest",
    "ChangeOut",
    "ChangeOutKindEnum",
    "ChangeOutPhaseEnum",
    "ChangeOutStatusEnum",
    "ChangePreviewOut",
    "ChangeTimingEnum",
    "ChargeInRequest",
    "ChargeOut",
    "CheckOut",
    "CheckOutReasonEnum",
    "CopyInRequest",
    "CorrectionOut",
    "CorrectionOutKindEnum",
    "CorrectionOutStatusEnum",
    "CorrectionsListKind",
    "CorrectionsListStatus",
    "CouponInRequest",
    "CouponKindEnum",
    "CouponOut",
    "CreditLineInRequest",
    "CreditNoteInRequest",
    "CreditNoteLineOut",
    "CreditNoteOut",
    "Currency",
    "CurrentUsage",
    "CurrentUsageSubscriptionsItem",
    "CustomerInRequest",
    "CustomerOut",
    "CustomerPortalConfigurationInRequest",
    "CustomerPortalConfigurationOut",
    "CustomersNotificationsListState",
    "CustomersNotificationsListTemplate",
    "DashboardOut",
    "DeliveryDetailOut",
    "DeliveryOut",
    "DirectionEnum",
    "DisableInRequest",
    "DraftInRequest",
    "DunningOut",
    "DunningPolicyInRequest",
    "DunningPolicyOut",
    "DunningStateInEmailTemplateEnum",
    "DunningStateInRequest",
    "DunningStateOut",
    "DunningStateOutEmailTemplateEnum",
    "DunningStatusOut",
    "DunningTransitionOut",
    "DurationEnum",
    "EndInRequest",
    "EndpointCreatedOut",
    "EndpointInRequest",
    "EndpointOut",
    "EntitlementOut",
    "ErrorBody",
    "ErrorItem",
    "EventTypeOut",
    "EventTypeOutExample",
    "ExportInRequest",
    "ExportKindEnum",
    "ExportOut",
    "ExportOutTotals",
    "ExportOutTotalsAdditionalProperty",
    "ExportsListFileFormat",
    "ExportsListKind",
    "FailedOut",
    "FeatureInRequest",
    "FeatureKindEnum",
    "FeatureOut",
    "FeeTimingEnum",
    "FormatEnum",
    "GlCodeInRequest",
    "GlCodeOut",
    "GrantInRequest",
    "GrantOut",
    "GrantOutSourceEnum",
    "HistoryChangeOut",
    "HistoryEntryOut",
    "HistoryOut",
    "ImportCustomerInRequest",
    "ImportEventInRequest",
    "ImportInRequest",
    "ImportInvoiceOut",
    "ImportPreviewOut",
    "ImportPreviewOutCustomer",
    "ImportPreviewOutStepsItem",
    "ImportPreviewOutSubscriptionsItem",
    "ImportRunDetailOut",
    "ImportRunDetailOutPolicyOverridesItem",
    "ImportRunOut",
    "ImportRunOutPolicyOverridesItem",
    "ImportsListStatus",
    "ImportStatusEnum",
    "ImportSubscriptionInRequest",
    "InterimBillingOut",
    "InterimBillingOutReasonEnum",
    "IntervalUnitEnum",
    "InvoiceAddOnInRequest",
    "InvoiceOut",
    "InvoicesListStatus",
    "InvoiceStatusEnum",
    "ItemInRequest",
    "ItemOut",
    "ItemRemoveInRequest",
    "JobOut",
    "JobOutParams",
    "JobOutResult",
    "JobProgressOut",
    "JobsListStatus",
    "JobStatusEnum",
    "LineKindEnum",
    "LineOut",
    "LocaleEnum",
    "LogoOut",
    "MetricInRequest",
    "MetricOut",
    "MetricsListAggregation",
    "MovementOut",
    "MoveToBalanceInRequest",
    "MrrMonthOut",
    "NoteInRequest",
    "NoteOut",
    "NotificationDetailOut",
    "NotificationOut",
    "NotificationsListState",
    "NotificationsListTemplate",
    "NotificationStateEnum",
    "NotificationTemplateEnum",
    "OneOffInRequest",
    "OneTimeFeeInRequest",
    "OneTimeFeeOut",
    "OperationEnum",
    "OverrideInRequest",
    "PaginatedAddOnOutList",
    "PaginatedApiKeyOutList",
    "PaginatedBalanceTransactionOutList",
    "PaginatedBillingFailureOutList",
    "PaginatedCorrectionOutList",
    "PaginatedCouponOutList",
    "PaginatedCreditNoteOutList",
    "PaginatedCustomerOutList",
    "PaginatedDeliveryOutList",
    "PaginatedDunningPolicyOutList",
    "PaginatedDunningTransitionOutList",
    "PaginatedEndpointOutList",
    "PaginatedExportOutList",
    "PaginatedFeatureOutList",
    "PaginatedGlCodeOutList",
    "PaginatedGrantOutList",
    "PaginatedHistoryOutList",
    "PaginatedImportRunOutList",
    "PaginatedInvoiceOutList",
    "PaginatedJobOutList",
    "PaginatedMetricOutList",
    "PaginatedNoteOutList",
    "PaginatedNotificationOutList",
    "PaginatedPayeeCustomerOutList",
    "PaginatedPayeeOutList",
    "PaginatedPaymentMethodOutList",
    "PaginatedPaymentOutList",
    "PaginatedPayoutMethodOutList",
    "PaginatedPayoutOutList",
    "PaginatedPayoutScheduleOutList",
    "PaginatedPlanChangePolicyOutList",
    "PaginatedPlanOutList",
    "PaginatedPlanVersionOutList",
    "PaginatedPortalConfigurationOutList",
    "PaginatedPortalSessionOutList",
    "PaginatedPortalUserOutList",
    "PaginatedProductOutList",
    "PaginatedRedemptionOutList",
    "PaginatedRefundOutList",
    "PaginatedSubscriptionOutList",
    "PaginatedTaxRateOutList",
    "PaginatedTestClockOutList",
    "PaginatedUsageEventOutList",
    "PatchedAddOnUpdateInRequest",
    "PatchedApiKeyPatchInRequest",
    "PatchedBillableMetricUpdateInRequest",
    "PatchedBrandingInRequest",
    "PatchedCouponUpdateInRequest",
    "PatchedCustomerInRequest",
    "PatchedDunningPolicyPatchInRequest",
    "PatchedEndpointPatchInRequest",
    "PatchedFeatureUpdateInRequest",
    "PatchedGlCodePatchInRequest",
    "PatchedItemChangeInRequest",
    "PatchedNoteInRequest",
    "PatchedPayeePatchInRequest",
    "PatchedPaymentMethodPatchInRequest",
    "PatchedPayoutSchedulePatchInRequest",
    "PatchedPlanChangePolicyUpdateInRequest",
    "PatchedPlanUpdateInRequest",
    "PatchedPlanVersionInRequest",
    "PatchedPortalConfigurationPatchInRequest",
    "PatchedProductUpdateInRequest",
    "PatchedTaxRateUpdateInRequest",
    "PauseOut",
    "PayeeCustomerInRequest",
    "PayeeCustomerOut",
    "PayeeInRequest",
    "PayeeOut",
    "PayeesListState",
    "PayeeStateEnum",
    "PaymentAllocationOut",
    "PaymentApplyInRequest",
    "PaymentAttemptOut",
    "PaymentAttemptOutActionEnum",
    "PaymentDetailOut",
    "PaymentGatewayEnum",
    "PaymentKindEnum",
    "PaymentMethodInRequest",
    "PaymentMethodKindEnum",
    "PaymentMethodOut",
    "PaymentMethodsListGateway",
    "PaymentMethodsListKind",
    "PaymentMethodsListState",
    "PaymentMethodStateEnum",
    "PaymentOut",
    "PaymentRecordInRequest",
    "PaymentRefundOut",
    "PaymentsListGateway",
    "PaymentsListKind",
    "PaymentsListState",
    "PaymentStateEnum",
    "PayoutBasisItemOut",
    "PayoutCallOut",
    "PayoutCallOutActionEnum",
    "PayoutCancelInRequest",
    "PayoutDetailOut",
    "PayoutGatewayEnum",
    "PayoutMethodInRequest",
    "PayoutMethodOut",
    "PayoutMethodStateEnum",
    "PayoutOut",
    "PayoutScheduleInRequest",
    "PayoutScheduleOut",
    "PayoutsListState",
    "PayoutStateEnum",
    "PendingLineOut",
    "PeriodOut",
    "PhaseKindEnum",
    "PlanChangePoliciesListPolicy",
    "PlanChangePolicyInRequest",
    "PlanChangePolicyOut",
    "PlanInRequest",
    "PlanOfferedOut",
    "PlanOut",
    "PlanPhaseInRequest",
    "PlanPhaseOut",
    "PlansListIntervalUnit",
    "PlanVersionCreateInRequest",
    "PlanVersionOut",
    "PlanVersionOutStatusEnum",
    "PlanVersionsListStatus",
    "PolicyRefOut",
    "PortalConfigurationInRequest",
    "PortalConfigurationOut",
    "PortalSessionCreatedOut",
    "PortalSessionInRequest",
    "PortalSessionOut",
    "PortalSessionStateEnum",
    "PortalUserDisableInRequest",
    "PortalUserInRequest",
    "PortalUserOut",
    "PortalUsersListState",
    "PortalUserStateEnum",
    "PreviewInRequest",
    "PreviewLineOut",
    "PricingModelEnum",
    "ProductInRequest",
    "ProductOut",
    "ProrationChangeDayEnum",
    "ProrationKindEnum",
    "ProrationLineOut",
    "ProrationUnitEnum",
    "RateInRequest",
    "RatingOut",
    "ReasonInRequest",
    "RedeemInRequest",
    "RedemptionOut",
    "RedemptionOutStatusEnum",
    "RefundCreditLineInRequest",
    "RefundInRequest",
    "RefundOut",
    "RefundsListState",
    "RefundSourceEnum",
    "RenewalOut",
    "RenewalsOut",
    "ReplayInRequest",
    "ReplayOut",
    "RequiredReasonInRequest",
    "RerateInRequest",
    "RetryPaymentInRequest",
    "RetryPaymentOut",
    "RetryPolicyInRequest",
    "RetryPolicyOut",
    "RevenueMonthOut",
    "RotatedOut",
    "RotateInRequest",
    "ScheduleRunOut",
    "ScopeEnum",
    "ScopesEnum",
    "SettingsInRequest",
    "SettingsOut",
    "SettleEnum",
    "SituationOut",
    "StateRefOut",
    "StripeWebhookOut",
    "SubscriptionActionEnum",
    "SubscriptionActionWhenEnum",
    "SubscriptionInRequest",
    "SubscriptionOut",
    "SubscriptionPaymentMethodInRequest",
    "SubscriptionPaymentMethodOut",
    "SubscriptionPhaseOut",
    "SubscriptionsListStatus",
    "SubscriptionStatusEnum",
    "TaxBreakdownOut",
    "TaxRateInRequest",
    "TaxRateOut",
    "TestClockAdvanceInRequest",
    "TestClockDetailOut",
    "TestClockInRequest",
    "TestClockOut",
    "TestClocksListStatus",
    "TestClockStatusEnum",
    "TimelineOut",
    "TimelineRowOut",
    "TimingOut",
    "TopUpInRequest",
    "TypeEnum",
    "UnappliedCashOut",
    "UnapplyInRequest",
    "UpcomingLineOut",
    "UpcomingOut",
    "UsageBatchInRequest",
    "UsageBatchResult",
    "UsageEventInRequest",
    "UsageEventInRequestProperties",
    "UsageEventOut",
    "UsageEventOutcome",
    "UsageEventOutcomeErrorsItem",
    "UsageEventOutcomeStatusEnum",
    "UsageOut",
    "UsageThresholdInRequest",
    "UsageThresholdOut",
    "VersionFeatureInRequest",
    "VersionFeatureOut",
    "WalletOut",
    "WalletSettingsOut",
    "WebhookDeliveriesListKind",
    "WebhookDeliveriesListStatus",
    "WebhookDeliveryKindEnum",
    "WebhooksStripeBody",
    "WhenEnum",
)
