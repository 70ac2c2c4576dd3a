package invoicedoc

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

// Page geometry, in millimetres on A4.
const (
	pageW   = 210.0
	marginL = 18.0
	marginR = 18.0
	marginT = 16.0
	right   = pageW - marginR
	contW   = pageW - marginL - marginR
	family  = "go"
)

// Colours: dark text, grey labels, a light fill for table headers.
var (
	ink   = [3]int{20, 20, 20}
	grey  = [3]int{100, 100, 100}
	fill  = [3]int{236, 239, 243}
	rules = [3]int{170, 170, 170}
)

// CheckInvoice reports, as field errors, the invoice's texts the documents
// cannot print (characters outside the embedded font). The issuing step
// calls it before numbering an invoice, so that an invoice that cannot be
// printed is never issued.
func CheckInvoice(inv fees.Invoice) error {
	var c failure.Collector
	checkPrintable(&c, documentTexts(inv.Seller, inv.Buyer, inv.Line, inv.VAT, ""))
	return c.Err("the invoice has text its documents cannot print")
}

// CheckCreditNote is CheckInvoice for a credit note.
func CheckCreditNote(cn fees.CreditNote) error {
	var c failure.Collector
	checkPrintable(&c, documentTexts(cn.Seller, cn.Buyer, cn.Line, cn.VAT, cn.Reason))
	return c.Err("the credit note has text its documents cannot print")
}

func documentTexts(s fees.Seller, b fees.Buyer, l fees.Line, v fees.VAT, reason string) [][2]string {
	f := [][2]string{
		{"/seller/name", s.Name}, {"/seller/unit", s.Unit}, {"/seller/accountName", s.AccountName},
		{"/seller/address/street", s.Address.Street}, {"/seller/address/additionalStreet", s.Address.AdditionalStreet},
		{"/seller/address/city", s.Address.City}, {"/seller/address/region", s.Address.Region},
		{"/buyer/legalName", b.LegalName},
		{"/buyer/address/street", b.Address.Street}, {"/buyer/address/additionalStreet", b.Address.AdditionalStreet},
		{"/buyer/address/city", b.Address.City}, {"/buyer/address/region", b.Address.Region},
		{"/buyer/reference", b.Reference}, {"/buyer/purchaseOrder", b.PurchaseOrder},
		{"/line/description", l.Description}, {"/vat/reason", v.Reason},
	}
	if reason != "" {
		f = append(f, [2]string{"/reason", reason})
	}
	return f
}

// doc is one document being drawn.
type doc struct {
	pdf *fpdf.Fpdf
	l   i18n.Lang
	t   labels
}

func newDoc(l i18n.Lang, number, title string, s fees.Seller, issued fees.Date) *doc {
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	// Determinism: fixed dates, sorted resources, no generation-time data.
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(issued.Time())
	pdf.SetModificationDate(issued.Time())
	pdf.SetProducer("Intercultural Cities back office", true)
	pdf.SetCreator("Intercultural Cities back office", true)
	pdf.SetAuthor(s.Name, true)
	pdf.SetTitle(title+" "+number, true)
	pdf.SetLang(string(l))
	pdf.AddUTF8FontFromBytes(family, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(family, "B", gobold.TTF)
	pdf.SetMargins(marginL, marginT, marginR)
	pdf.SetAutoPageBreak(true, 24)
	pdf.AliasNbPages("{nb}")
	d := &doc{pdf: pdf, l: l, t: textsFor(l)}
	pdf.SetFooterFunc(func() { d.footer(number, s) })
	pdf.AddPage()
	return d
}

func (d *doc) font(style string, size float64, color [3]int) {
	d.pdf.SetFont(family, style, size)
	d.pdf.SetTextColor(color[0], color[1], color[2])
}

// text writes one line at (x, y) in a box of width w, aligned L, R or C.
func (d *doc) text(x, y, w, h float64, s, align string) {
	d.pdf.SetXY(x, y)
	d.pdf.CellFormat(w, h, printable(s), "", 0, align, false, 0, "")
}

// para writes wrapped text from (x, y) in width w and returns the y below.
func (d *doc) para(x, y, w, h float64, s string) float64 {
	d.pdf.SetXY(x, y)
	d.pdf.MultiCell(w, h, printable(s), "", "L", false)
	return d.pdf.GetY()
}

func (d *doc) rule(y float64) {
	d.pdf.SetDrawColor(rules[0], rules[1], rules[2])
	d.pdf.SetLineWidth(0.2)
	d.pdf.Line(marginL, y, right, y)
}

func (d *doc) footer(number string, s fees.Seller) {
	d.pdf.SetY(-16)
	d.rule(d.pdf.GetY())
	d.font("", 7.5, grey)
	y := d.pdf.GetY() + 1.5
	parts := append([]string{s.Name}, addressLines(d.l, s.Address)...)
	parts[len(parts)-1] = countryName(d.l, s.Address.Country)
	line := strings.Join(parts, " · ") + " · " + s.Email
	d.text(marginL, y, contW-40, 4, line, "L")
	d.text(right-40, y, 40, 4, fmt.Sprintf("%s · %s %d/{nb}", number, d.t.page, d.pdf.PageNo()), "R")
}

// header draws the seller (left), the title and the document's facts
// (right), and returns the y below.
func (d *doc) header(title string, s fees.Seller, facts [][2]string) float64 {
	y := marginT
	d.font("B", 13, ink)
	d.text(marginL, y, 95, 6, s.Name, "L")
	y += 6.5
	d.font("", 9, ink)
	lines := addressLines(d.l, s.Address)
	if s.Unit != "" {
		lines = append([]string{s.Unit}, lines...)
	}
	lines = append(lines, s.Email)
	if s.VATID != "" {
		lines = append(lines, d.t.vat+" "+s.VATID)
	}
	for _, l := range lines {
		d.text(marginL, y, 95, 4.3, l, "L")
		y += 4.3
	}
	ry := marginT
	d.font("B", 20, ink)
	d.text(right-80, ry, 80, 9, title, "R")
	ry += 12
	for _, f := range facts {
		d.font("", 8.5, grey)
		d.text(right-80, ry, 42, 5, f[0], "R")
		d.font("B", 9.5, ink)
		d.text(right-37, ry, 37, 5, f[1], "R")
		ry += 5.2
	}
	return max(y, ry) + 6
}

// buyer draws the buyer's block and its references and returns the y below.
func (d *doc) buyer(y float64, b fees.Buyer) float64 {
	d.font("", 8.5, grey)
	d.text(marginL, y, 90, 5, d.t.billTo, "L")
	by := y + 5.5
	d.font("B", 11, ink)
	by = d.para(marginL, by, 95, 5.2, b.LegalName)
	d.font("", 10, ink)
	for _, l := range addressLines(d.l, b.Address) {
		by = d.para(marginL, by, 95, 4.8, l)
	}
	d.font("", 8.5, grey)
	d.text(marginL, by+0.5, 95, 4.5, b.Email, "L")
	by += 5

	var refs [][2]string
	if b.Reference != "" {
		refs = append(refs, [2]string{d.t.buyerRef, b.Reference})
	}
	if b.PurchaseOrder != "" {
		refs = append(refs, [2]string{d.t.order, b.PurchaseOrder})
	}
	if b.Routing != nil {
		refs = append(refs, [2]string{d.t.routing, routingText(b.Routing)})
	}
	ry := y
	for _, r := range refs {
		d.font("", 8.5, grey)
		d.text(120, ry, 72, 4.5, r[0], "L")
		d.font("", 10, ink)
		d.text(120, ry+4.3, 72, 5, r[1], "L")
		ry += 10.5
	}
	return max(by, ry) + 6
}

// routingText writes an electronic address as its scheme's users know it.
func routingText(e *fees.Endpoint) string {
	switch e.Scheme {
	case fees.SchemeLeitwegID:
		return "Leitweg-ID " + e.ID
	case fees.SchemeGLN:
		return "GLN " + e.ID
	}
	return "Peppol " + e.Scheme + ":" + e.ID
}

// lineTable draws the line and the totals and returns the y below.
func (d *doc) lineTable(y float64, line fees.Line, vat fees.VAT, t fees.Totals, totalLabel string) float64 {
	amountW := 38.0
	descW := contW - amountW
	d.pdf.SetFillColor(fill[0], fill[1], fill[2])
	d.pdf.Rect(marginL, y, contW, 7, "F")
	d.font("B", 9, ink)
	d.text(marginL+2, y+1, descW-4, 5, d.t.description, "L")
	d.text(marginL+descW, y+1, amountW-2, 5, d.t.amount, "R")
	y += 9
	d.font("", 10, ink)
	d.text(marginL+descW, y, amountW-2, 5, money(d.l, line.Amount), "R")
	y = d.para(marginL+2, y, descW-6, 5, line.Description)
	d.font("", 8.5, grey)
	d.text(marginL+2, y+0.5, descW-6, 4.5, d.t.period+colon(d.l)+date(d.l, line.PeriodStart)+" – "+date(d.l, line.PeriodEnd), "L")
	y += 7
	d.rule(y)
	y += 3

	x := right - 90
	row := func(label, value string, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		d.font(style, 10, ink)
		d.text(x, y, 52, 6, label, "L")
		d.text(x+52, y, 38, 6, value, "R")
		y += 6
	}
	row(d.t.net, money(d.l, t.Net), false)
	if vat.Exempt() {
		row(d.t.vatExempt, money(d.l, t.VAT), false)
	} else {
		row(d.t.vat+" "+d.l.Number(float64(vat.RateBasisPoints)/100, 2)+percentSign(d.l), money(d.l, t.VAT), false)
	}
	d.pdf.SetDrawColor(ink[0], ink[1], ink[2])
	d.pdf.SetLineWidth(0.4)
	d.pdf.Line(x, y+0.5, right, y+0.5)
	y += 1.5
	d.font("B", 11, ink)
	d.text(x, y, 52, 7, totalLabel, "L")
	d.text(x+52, y, 38, 7, money(d.l, t.Gross), "R")
	y += 9
	if vat.Reason != "" {
		d.font("", 8.5, grey)
		y = d.para(marginL, y, contW, 4.3, vat.Reason) + 2
	}
	return y + 2
}

// colon writes a label's colon: French puts a no-break space before it.
func colon(l i18n.Lang) string {
	if l == i18n.French {
		return "\u00a0: "
	}
	return ": "
}

func percentSign(l i18n.Lang) string {
	if l == i18n.French {
		return "\u202f%"
	}
	return "%"
}

// InvoicePDF renders an issued invoice as a one-page A4 PDF in the
// invoice's language. The output depends on the invoice alone.
func InvoicePDF(inv fees.Invoice) ([]byte, error) {
	if err := CheckInvoice(inv); err != nil {
		return nil, err
	}
	payload, err := EPCPayload(inv)
	if err != nil {
		return nil, err
	}
	modules, err := qrModules(payload)
	if err != nil {
		return nil, err
	}
	d := newDoc(inv.Language, inv.Number, textsFor(inv.Language).invoice, inv.Seller, inv.IssueDate)
	d.pdf.SetSubject(FeeSubject(inv.Language, inv.FeeYear), true)
	y := d.header(d.t.invoice, inv.Seller, [][2]string{
		{d.t.number, inv.Number},
		{d.t.issued, date(d.l, inv.IssueDate)},
		{d.t.due, date(d.l, inv.DueDate)},
		{d.t.feeYear, fmt.Sprint(inv.FeeYear)},
	})
	y = d.buyer(y, inv.Buyer)
	y = d.lineTable(y, inv.Line, inv.VAT, inv.Totals(), d.t.total)
	d.payment(y, inv, modules)
	return d.output()
}

// payment draws the payment instructions and the QR code.
func (d *doc) payment(y float64, inv fees.Invoice, modules [][]bool) {
	s := inv.Seller
	d.font("B", 11, ink)
	d.text(marginL, y, 100, 6, d.t.payment, "L")
	y += 7
	d.rule(y)
	y += 3
	top := y
	w := 118.0
	d.font("", 9.5, ink)
	y = d.para(marginL, y, w, 4.8, fmt.Sprintf(d.t.payBy, date(d.l, inv.DueDate)))
	y += 1.5
	rows := [][2]string{
		{d.t.beneficiary, s.Beneficiary()},
		{d.t.iban, fees.FormatIBAN(s.IBAN)},
		{d.t.bic, s.BIC},
		{d.t.amount, money(d.l, inv.Total())},
	}
	for _, r := range rows {
		d.font("", 9, grey)
		d.text(marginL, y, 38, 5.5, r[0], "L")
		d.font("B", 10, ink)
		d.text(marginL+38, y, w-38, 5.5, r[1], "L")
		y += 5.5
	}
	d.font("", 9, grey)
	d.text(marginL, y+1, 38, 7, d.t.yourRef, "L")
	d.font("B", 13, ink)
	d.text(marginL+38, y+1, w-38, 7, fees.FormatReference(inv.PaymentReference), "L")
	y += 9
	d.font("", 8.5, grey)
	d.para(marginL, y, w, 4.3, d.t.quoteRef)

	size := 36.0
	qx := right - size
	d.qr(qx, top, size, modules)
	d.font("", 7.5, grey)
	d.para(qx-4, top+size+1.5, size+8, 3.6, d.t.scan)
}

// qr draws the modules as filled rectangles (vector, sharp at any zoom),
// one rectangle per horizontal run of dark modules.
func (d *doc) qr(x, y, size float64, modules [][]bool) {
	n := len(modules)
	if n == 0 {
		return
	}
	m := size / float64(n)
	d.pdf.SetFillColor(0, 0, 0)
	for r, row := range modules {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			d.pdf.Rect(x+float64(start)*m, y+float64(r)*m, float64(c-start)*m, m, "F")
		}
	}
}

// CreditNotePDF renders an issued credit note as a one-page A4 PDF in its
// language.
func CreditNotePDF(cn fees.CreditNote) ([]byte, error) {
	if err := CheckCreditNote(cn); err != nil {
		return nil, err
	}
	d := newDoc(cn.Language, cn.Number, textsFor(cn.Language).creditNote, cn.Seller, cn.IssueDate)
	d.pdf.SetSubject(d.t.creditNoteFor+" "+cn.InvoiceNumber, true)
	y := d.header(d.t.creditNote, cn.Seller, [][2]string{
		{d.t.number, cn.Number},
		{d.t.issued, date(d.l, cn.IssueDate)},
		{d.t.credits, cn.InvoiceNumber},
		{d.t.feeYear, fmt.Sprint(cn.FeeYear)},
	})
	y = d.buyer(y, cn.Buyer)
	d.font("", 8.5, grey)
	d.text(marginL, y, 40, 5, d.t.reason, "L")
	d.font("", 10, ink)
	y = d.para(marginL, y+5, contW, 5, cn.Reason) + 3
	d.font("", 9, ink)
	y = d.para(marginL, y, contW, 4.6, d.t.credits+" "+cn.InvoiceNumber+" ("+date(d.l, cn.InvoiceIssueDate)+")") + 4
	y = d.lineTable(y, cn.Line, cn.VAT, cn.Totals(), d.t.totalCredited)
	d.font("", 9.5, ink)
	d.para(marginL, y, contW, 4.8, d.t.noPayment)
	return d.output()
}

func (d *doc) output() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// FeeSubject is the documents' subject line for fee year y.
func FeeSubject(l i18n.Lang, y int) string {
	if l == i18n.French {
		return fmt.Sprintf("Contribution annuelle %d – programme des Cités interculturelles", y)
	}
	return fmt.Sprintf("Yearly fee %d – Intercultural Cities programme", y)
}
