package invoicedoc

import (
	"image"
	"image/color"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/intercultural-cities/backoffice/shared/fees"
)

func TestEPCPayload(t *testing.T) {
	got, err := EPCPayload(SampleInvoice())
	if err != nil {
		t.Fatal(err)
	}
	want := "BCD\n002\n1\nSCT\nTESTFRPPXXX\nCouncil of Europe\nFR7630006000011234567890189\nEUR5000.00\n\nRF07ICC20270001"
	if got != want {
		t.Errorf("payload =\n%q\nwant\n%q", got, want)
	}
	prorated, err := EPCPayload(SampleInvoiceEN())
	if err != nil || !strings.Contains(prorated, "\nEUR2500.00\n\nRF77ICC20270002") {
		t.Errorf("prorated payload = %q, %v", prorated, err)
	}
}

func TestEPCPayloadRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*fees.Invoice)
	}{
		{"name over 70 characters", func(i *fees.Invoice) { i.Seller.AccountName = strings.Repeat("x", 71) }},
		{"bad IBAN", func(i *fees.Invoice) { i.Seller.IBAN = "FR7630006000011234567890188" }},
		{"bad BIC", func(i *fees.Invoice) { i.Seller.BIC = "TEST" }},
		{"not euros", func(i *fees.Invoice) { i.Line.Amount.Currency = "CHF" }},
		{"nothing to pay", func(i *fees.Invoice) { i.Line.Amount.Amount = 0 }},
		{"no reference", func(i *fees.Invoice) { i.PaymentReference = "ICC-2027-0001" }},
	}
	for _, tt := range tests {
		inv := SampleInvoice()
		tt.change(&inv)
		if p, err := EPCPayload(inv); err == nil {
			t.Errorf("%s: payload %q accepted", tt.name, p)
		}
	}
}

// decodeQR reads a QR code from its dark modules.
func decodeQR(t *testing.T, modules [][]bool) string {
	t.Helper()
	const px, quiet = 4, 4
	n := len(modules)
	img := image.NewGray(image.Rect(0, 0, (n+2*quiet)*px, (n+2*quiet)*px))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for r, row := range modules {
		for c, dark := range row {
			if !dark {
				continue
			}
			for y := 0; y < px; y++ {
				for x := 0; x < px; x++ {
					img.SetGray((c+quiet)*px+x, (r+quiet)*px+y, color.Gray{0})
				}
			}
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_CHARACTER_SET: "UTF-8",
		gozxing.DecodeHintType_PURE_BARCODE:  true,
	})
	if err != nil {
		t.Fatalf("the QR code does not decode: %v", err)
	}
	return res.GetText()
}

func TestQRCodeDecodesToThePayload(t *testing.T) {
	inv := SampleInvoice()
	inv.Seller.AccountName = "Conseil de l'Europe – Cités interculturelles" // UTF-8 beyond ASCII
	payload, err := EPCPayload(inv)
	if err != nil {
		t.Fatal(err)
	}
	modules, err := qrModules(payload)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeQR(t, modules); got != payload {
		t.Errorf("decoded %q, want %q", got, payload)
	}
}

var rectRe = regexp.MustCompile(`([0-9.]+) ([0-9.-]+) ([0-9.]+) ([0-9.-]+) re f`)

// TestQRCodeDrawnInThePDFScans rebuilds the QR code from the rectangles
// the PDF draws and decodes it: what a phone scans off the printed page.
func TestQRCodeDrawnInThePDFScans(t *testing.T) {
	inv := SampleInvoice()
	pdf, err := InvoicePDF(inv)
	if err != nil {
		t.Fatal(err)
	}
	streams, err := pdfStreams(pdf)
	if err != nil {
		t.Fatal(err)
	}
	type rect struct{ x, y, w, h float64 }
	var rects []rect
	for _, s := range streams {
		for _, m := range rectRe.FindAllSubmatch(s, -1) {
			var v [4]float64
			for i := range v {
				v[i], _ = strconv.ParseFloat(string(m[i+1]), 64)
			}
			// fpdf writes y from the bottom with a negative height.
			r := rect{v[0], v[1] + v[3], v[2], -v[3]}
			if r.w < 40*72/25.4 && r.h < 3*72/25.4 { // modules, not the table's header band
				rects = append(rects, r)
			}
		}
	}
	if len(rects) == 0 {
		t.Fatal("no QR modules drawn")
	}
	minX, minY, maxX, maxY, unit := math.Inf(1), math.Inf(1), 0.0, 0.0, math.Inf(1)
	for _, r := range rects {
		minX, minY = math.Min(minX, r.x), math.Min(minY, r.y)
		maxX, maxY = math.Max(maxX, r.x+r.w), math.Max(maxY, r.y+r.h)
		unit = math.Min(unit, r.h)
	}
	n := int(math.Round((maxX - minX) / unit))
	modules := make([][]bool, n)
	for i := range modules {
		modules[i] = make([]bool, n)
	}
	for _, r := range rects {
		row := n - 1 - int(math.Round((r.y-minY)/unit)) // PDF y grows upwards
		c0 := int(math.Round((r.x - minX) / unit))
		c1 := int(math.Round((r.x + r.w - minX) / unit))
		for c := c0; c < c1 && c < n; c++ {
			if row >= 0 && row < n {
				modules[row][c] = true
			}
		}
	}
	want, _ := EPCPayload(inv)
	if got := decodeQR(t, modules); got != want {
		t.Errorf("the printed QR code reads %q, want %q", got, want)
	}
}
