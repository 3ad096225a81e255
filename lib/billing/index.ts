// lib/billing: plans and invoices (issue 12, point 2; docs/billing.md).
//   computeInvoice / splitTiers        the arithmetic (pure, bigint)
//   plan store                         listPlans / createPlan / updatePlan / assignPlan (RLS: the MSSP's admins)
//   draftPeriod / finalizeInvoice / createCreditNote   writes as service role billing.invoicing
//   listInvoices / getInvoice          reads under RLS
//   invoicesCsv / invoicePdf           exports
//   registerBillingTasks               the monthly drafting job (and releaseOffboardedBilling after it)
export * from "./compute";
export * from "./money";
export { assignPlan, createPlan, getPlan, listCustomerPlans, listPlans, refusalOf, updatePlan, type CustomerPlanRow, type Plan } from "./plans";
export { createCreditNote, draftPeriod, finalizeInvoice, invoiceNumber, type CreditResult, type DraftStats, type FinalizeResult } from "./invoices";
export { getInvoice, listInvoices, type InvoiceDetail, type InvoiceSummary } from "./read";
export { csvField, csvRow, invoicesCsv } from "./csv";
export { invoicePdf, DEFAULT_INVOICE_COLOR } from "./pdf";
export { BILLING_DRAFT_CRONTAB, BILLING_DRAFT_TASK, draftMonth, monthlyBilling, registerBillingTasks } from "./tasks";
export { endPlansAtOffboarding, releaseOffboardedBilling, type ReleaseStats } from "./offboarded";
