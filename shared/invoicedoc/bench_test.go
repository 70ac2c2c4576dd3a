package invoicedoc

import "testing"

// BenchmarkInvoicePDF renders the sample invoice; the project's bench
// program reports its time and size (bytes/doc) beside the 100 KB target.
func BenchmarkInvoicePDF(b *testing.B) {
	inv := SampleInvoice()
	var size int
	for b.Loop() {
		pdf, err := InvoicePDF(inv)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/doc")
}

// BenchmarkInvoiceUBL renders the sample invoice's UBL e-invoice.
func BenchmarkInvoiceUBL(b *testing.B) {
	inv := SampleInvoice()
	var size int
	for b.Loop() {
		x, err := InvoiceUBL(inv)
		if err != nil {
			b.Fatal(err)
		}
		size = len(x)
	}
	b.ReportMetric(float64(size), "bytes/doc")
}
