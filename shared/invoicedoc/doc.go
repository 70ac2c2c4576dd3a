// Package invoicedoc renders the fee's issued documents: the PDF a city's
// finance office files (invoice or credit note, in the document's language,
// with an EPC "GiroCode" payment QR code on invoices) and the EN 16931 UBL
// 2.1 e-invoice (Peppol BIS Billing 3.0) its system can read.
//
// Rendering is deterministic: the same document gives the same bytes (the
// PDF's dates are the issue date, nothing random is written), because the
// issued files are stored once, under S3 Object Lock, and a retried
// rendering must not produce a second, different original.
package invoicedoc
