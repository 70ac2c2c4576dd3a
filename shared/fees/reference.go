package fees

import (
	"fmt"
	"strings"
)

// CreditorReference builds the ISO 11649 structured creditor reference of a
// document number: "RF", two check digits, then the number's letters and
// digits in capitals (ICC-2027-0001 → RF.. ICC20270001). Banks carry it
// intact from payer to payee, so a credit can be matched without reading
// free text. The reference part is at most 21 characters.
func CreditorReference(number string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(number); i++ {
		c := number[i]
		switch {
		case c >= '0' && c <= '9' || c >= 'A' && c <= 'Z':
			b.WriteByte(c)
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		}
	}
	ref := b.String()
	if ref == "" || len(ref) > 21 {
		return "", fmt.Errorf("%q does not give a creditor reference of 1 to 21 letters and digits", number)
	}
	rem, _ := mod97(ref + "RF00")
	return fmt.Sprintf("RF%02d%s", 98-rem, ref), nil
}

// NormalizeReference returns a creditor reference in its electronic form:
// no spaces, capitals ("rf18 icc2 0270 001" → "RF18ICC20270001").
func NormalizeReference(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// ValidCreditorReference reports whether s (electronic or printed form) is
// an ISO 11649 creditor reference with valid check digits: at most 25
// characters, "RF", two digits, 1 to 21 letters or digits, and MOD 97-10 of
// the reference followed by its first four characters leaves 1.
func ValidCreditorReference(s string) bool {
	s = NormalizeReference(s)
	if len(s) < 5 || len(s) > 25 || s[:2] != "RF" || !allDigits(s[2:4]) {
		return false
	}
	rem, ok := mod97(s[4:] + s[:4])
	return ok && rem == 1
}

// FormatReference writes a creditor reference in its printed form, in
// groups of four ("RF18 ICC2 0270 001"), as ISO 11649 recommends on paper.
func FormatReference(s string) string { return groupsOf4(NormalizeReference(s)) }
