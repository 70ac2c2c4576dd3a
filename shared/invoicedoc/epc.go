package invoicedoc

import (
	"fmt"
	"strings"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/intercultural-cities/backoffice/shared/fees"
)

// EPCPayload returns the text of the EPC QR code ("GiroCode", EPC069-12
// version 002) for paying inv by SEPA credit transfer: service tag BCD,
// version 002, character set 1 (UTF-8), identification SCT, the BIC, the
// beneficiary's name, the IBAN, the amount ("EUR5000.00"), an empty
// purpose, and the creditor reference as structured remittance
// information. Elements are separated by line feeds, with nothing after the
// last element given, as the guidelines require.
func EPCPayload(inv fees.Invoice) (string, error) {
	s := inv.Seller
	name := s.Beneficiary()
	amount := inv.Total()
	switch {
	case amount.Currency != fees.EUR:
		return "", fmt.Errorf("an EPC QR code pays euros, not %s", amount.Currency)
	case amount.Amount < 1 || amount.Amount > 99_999_999_999:
		return "", fmt.Errorf("amount %s is outside what an EPC QR code carries", amount)
	case !fees.ValidIBAN(s.IBAN):
		return "", fmt.Errorf("seller IBAN %q is invalid", s.IBAN)
	case s.BIC != "" && !fees.ValidBIC(s.BIC):
		return "", fmt.Errorf("seller BIC %q is invalid", s.BIC)
	case name == "" || utf8.RuneCountInString(name) > 70:
		return "", fmt.Errorf("the beneficiary's name must have 1 to 70 characters for the EPC QR code")
	case !fees.ValidCreditorReference(inv.PaymentReference) || len(inv.PaymentReference) > 35:
		return "", fmt.Errorf("payment reference %q is not a creditor reference", inv.PaymentReference)
	case strings.ContainsAny(name, "\r\n"):
		return "", fmt.Errorf("the beneficiary's name must be one line")
	}
	payload := strings.Join([]string{
		"BCD", "002", "1", "SCT",
		s.BIC,
		name,
		s.IBAN,
		"EUR" + amount.Decimal(),
		"", // purpose
		fees.NormalizeReference(inv.PaymentReference),
	}, "\n")
	if len(payload) > 331 {
		return "", fmt.Errorf("the EPC payload is %d bytes, over the 331 allowed", len(payload))
	}
	return payload, nil
}

// qrModules encodes payload as the EPC guidelines ask (error correction
// level M, version 13 at most) and returns its dark modules, without the
// quiet zone (the page leaves the margin).
func qrModules(payload string) ([][]bool, error) {
	q, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	if q.VersionNumber > 13 {
		return nil, fmt.Errorf("the EPC QR code needs version %d, over the 13 allowed", q.VersionNumber)
	}
	q.DisableBorder = true
	return q.Bitmap(), nil
}
