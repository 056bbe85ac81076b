/**
 * The API's request and response shapes under the portal's names. Every type here is an alias of
 * one generated from the API's OpenAPI document (schema.d.ts, written by `npm run openapi`, see
 * README.md "Web portal"): when a DTO changes, regenerate, and TypeScript shows every page it breaks.
 * No page declares an API shape of its own.
 */
import type { components, operations } from './schema';

type Schemas = components['schemas'];

export type ProblemDetails = Schemas['ProblemDetails'];

export type Me = Schemas['UserResponse'];
export type Role = Me['role'];
export type PublicConfig = Schemas['PublicConfigView'];

export type CreditLine = Schemas['CreditLineView']['line'];
export type CreditLineView = Schemas['CreditLineView'];
export type Reseller = Schemas['ResellerView'];
export type Currency = Reseller['currency'];

export type Product = Schemas['ProductView'];
export type ProductKind = Product['kind'];
export type Order = Schemas['OrderView'];
export type OrderStatus = Order['status'];
export type Subscription = Schemas['SubscriptionView'];
export type SubscriptionStatus = Subscription['status'];
export type Charge = Schemas['ChargeView'];

export type Invoice = Schemas['InvoiceView'];
/** An invoice as lists show it (without lines). */
export type InvoiceSummary = Schemas['InvoiceSummaryView'];
export type InvoiceStatus = InvoiceSummary['status'];
export type BillingRun = Schemas['BillingRunView'];
export type BillingRunAccepted = Schemas['BillingRunAccepted'];
export type ArAging = Schemas['AgingReportView'];
export type MarginReport = Schemas['MarginReportView'];
export type MarginGroup = MarginReport['groupBy'];
export type Reconciliation = Schemas['ReconciliationView'];
export type ReconciliationRow = Schemas['ReconciliationRowView'];
export type TrialBalance = Schemas['TrialBalanceView'];

export type RenewalAlert = Schemas['RenewalAlertView'];
/** One card per renewal (`GET /renewal-alerts?view=renewals`). */
export type RenewalCard = Schemas['RenewalCardView'];
export type RenewalCardPage = Schemas['RenewalCardPage'];
export type AlertStatus = RenewalAlert['status'];
export type AlertUpdate = Schemas['UpdateAlertDto'];
export type Pipeline = Schemas['PipelineView'];

export type BulkAssignResult = Schemas['BulkAssignResult'];
export type RenewalQuote = Schemas['RenewalQuoteView'];
export type ScheduledChange = Schemas['ScheduledChangeView'];

/**
 * A renewal desk card (`GET /renewal-alerts?view=renewals`): the renewal's current alert with every
 * alert id and threshold of the renewal. The list endpoint documents no response schema, so the
 * two card fields the API adds (RenewalCardView in libs/renewal-alert) are named here.
 */
export type RenewalCardView = RenewalAlert & { alertIds: string[]; thresholds: number[] };

// Cloud consumption (docs/consumption.md §3, §7–§9).
export type ConsumptionSubscription = Schemas['ConsumptionSubscriptionView'];
export type UsageSummary = Schemas['UsageSummaryView'];
export type Budget = Schemas['BudgetView'];
export type BudgetAlert = Schemas['BudgetAlertView'];
export type CreditAlert = Schemas['CreditAlertView'];
export type UsageImport = Schemas['UsageImportView'];
export type UsageRejection = Schemas['UsageRejectionView'];
export type Vendor = Schemas['VendorView'];
export type VendorReconciliation = Schemas['VendorReconciliationView'];
export type VendorReconciliationItem = Schemas['VendorReconciliationItemView'];
export type VendorReconciliationSummary = Schemas['VendorReconciliationSummaryView'];

// Portal operations (docs/portal.md): credit requests, lines to ship, statements, payments.
export type CreditRequest = Schemas['CreditRequestView'];
export type ToShipLine = Schemas['ToShipLineView'];
export type Payment = Schemas['PaymentView'];
export type Statement = Schemas['StatementView'];
export type PaymentDetails = Schemas['PaymentDetailsView'];
// Billing on a reseller's behalf (docs/billing-on-behalf.md).
export type BillingProfile = Schemas['BillingProfileView'];
export type BillingProfileUpdate = Schemas['UpdateBillingProfileDto'];
export type PriceRule = Schemas['PriceRuleView'];
export type PriceRuleInput = Schemas['CreatePriceRuleDto'];
export type EndCustomerInvoice = Schemas['EndCustomerInvoiceView'];
export type Collection = Schemas['CollectionView'];
export type Settlement = Schemas['SettlementView'];
// Sign-in, account and admin (docs/security.md §6–§11).
export type SignInResponse = Schemas['SignInResponse'];
export type TotpEnrolment = Schemas['TotpEnrolmentView'];
export type ApiToken = Schemas['ApiTokenView'];
export type ApiTokenCreated = Schemas['ApiTokenCreatedView'];
export type User = Schemas['UserResponse'];
export type CreditLimitChange = Schemas['CreditLimitChangeView'];
/** The catalog search's list orders (`sort` of GET /catalog/products). */
export type ProductSort = NonNullable<NonNullable<operations['listProducts']['parameters']['query']>['sort']>;
