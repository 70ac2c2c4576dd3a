// Package fees holds the rules of the yearly administrative fee that member
// cities pay (agreement §2.5): which years an agreement covers and what each
// year costs, invoices and credit notes as issued (immutable) documents,
// payments, the balance and status of an invoice, the reminder stages, the
// ISO 11649 structured reference and the matching of bank credits to open
// invoices.
//
// Everything here is pure: no clock, no storage, no network. The caller
// passes "today" (see Today), allocates sequence numbers and identifiers, and
// stores what these functions return.
//
// Conventions:
//   - Money is integer cents with an ISO 4217 code; invoices are in euros.
//   - Calendar dates are Date values (a day, no time, no zone). The fee year
//     and "today" are taken in Europe/Paris, the secretariat's time zone.
//   - Validation failures are failure.Fields errors whose pointers name the
//     offending field in JSON Pointer form ("/address/postalCode").
package fees
