package fees

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Credit is money a bank statement says came in, as the matcher needs it.
type Credit struct {
	Amount Money
	// StructuredRef is the creditor reference the payer's bank carried
	// (camt Strd/CdtrRefInf/Ref), if any.
	StructuredRef string
	// Unstructured is the free remittance text (camt Ustrd).
	Unstructured string
	DebtorName   string
}

// OpenInvoice is an invoice with something left to pay.
type OpenInvoice struct {
	Invoice     Invoice
	Outstanding Money
}

// MatchKind says how a credit was tied to an invoice.
type MatchKind string

// The ways, from the surest.
const (
	// MatchNone: nothing points to an open invoice.
	MatchNone MatchKind = "none"
	// MatchAmbiguous: several open invoices fit and none is preferred; a
	// person decides.
	MatchAmbiguous MatchKind = "ambiguous"
	// MatchReference: the structured creditor reference is an open
	// invoice's.
	MatchReference MatchKind = "reference"
	// MatchReferenceInText: an open invoice's creditor reference appears in
	// the free text.
	MatchReferenceInText MatchKind = "reference-in-text"
	// MatchNumber: an open invoice's number appears in the free text.
	MatchNumber MatchKind = "number"
	// MatchAmountAndName: no reference at all, but exactly one open
	// invoice has that outstanding amount and a buyer whose name agrees with
	// the debtor's. A suggestion for the secretariat to confirm.
	MatchAmountAndName MatchKind = "amount-and-name"
)

// Automatic reports whether a match is sure enough to record the payment
// without a person looking: the payer quoted the invoice's reference or
// number. An amount-and-name match is a suggestion only.
func (k MatchKind) Automatic() bool {
	return k == MatchReference || k == MatchReferenceInText || k == MatchNumber
}

// Match is the matcher's verdict.
type Match struct {
	Kind MatchKind `json:"kind"`
	// InvoiceID is the matched invoice (empty unless Kind is a match).
	InvoiceID string `json:"invoiceId,omitempty"`
	// Candidates are the invoices that fit equally when Kind is ambiguous.
	Candidates []string `json:"candidates,omitempty"`
}

// MatchCredit finds the open invoice a credit pays, trying in turn, and
// stopping at the first rule that points anywhere:
//
//  1. the structured reference, if it is a valid creditor reference of an
//     open invoice;
//  2. creditor references of open invoices written in the free text;
//  3. invoice numbers written in the free text, tolerating other
//     separators and a shortened sequence ("ICC 2027/1");
//  4. the amount and the name: exactly one open invoice whose outstanding
//     amount equals the credit and whose buyer's name and the debtor's name
//     agree (one contains the other as whole words, ignoring case, accents
//     and punctuation). Every city owes the same 5 000 €, so the amount
//     alone says nothing; the name does, and the result is only a
//     suggestion (see MatchKind.Automatic).
//
// A rule that points to two or more open invoices gives MatchAmbiguous
// with the candidates: the matcher never picks between them (a city paying
// two invoices in one transfer is split by a person). Credits in another
// currency than the invoices' never match.
func MatchCredit(c Credit, open []OpenInvoice) Match {
	if c.Amount.Amount <= 0 {
		return Match{Kind: MatchNone}
	}
	var eligible []OpenInvoice
	for _, o := range open {
		if o.Invoice.Currency == c.Amount.Currency && o.Outstanding.Amount > 0 {
			eligible = append(eligible, o)
		}
	}
	byRef := func(refs []string) []string {
		var ids []string
		for _, o := range eligible {
			if slices.Contains(refs, NormalizeReference(o.Invoice.PaymentReference)) {
				ids = append(ids, o.Invoice.ID)
			}
		}
		return ids
	}
	if ref := NormalizeReference(c.StructuredRef); ValidCreditorReference(ref) {
		if m, ok := verdict(MatchReference, byRef([]string{ref})); ok {
			return m
		}
	}
	if m, ok := verdict(MatchReferenceInText, byRef(referencesIn(c.Unstructured))); ok {
		return m
	}
	numbers := numbersIn(c.Unstructured + " " + c.StructuredRef)
	var ids []string
	for _, o := range eligible {
		if numbers[[2]int{o.Invoice.Year, o.Invoice.Seq}] {
			ids = append(ids, o.Invoice.ID)
		}
	}
	if m, ok := verdict(MatchNumber, ids); ok {
		return m
	}
	var named []string
	for _, o := range eligible {
		if o.Outstanding.Amount == c.Amount.Amount && namesAgree(o.Invoice.Buyer.LegalName, c.DebtorName) {
			named = append(named, o.Invoice.ID)
		}
	}
	if m, ok := verdict(MatchAmountAndName, named); ok {
		return m
	}
	return Match{Kind: MatchNone}
}

func verdict(kind MatchKind, ids []string) (Match, bool) {
	switch len(ids) {
	case 0:
		return Match{}, false
	case 1:
		return Match{Kind: kind, InvoiceID: ids[0]}, true
	}
	return Match{Kind: MatchAmbiguous, Candidates: ids}, true
}

// rfInText finds creditor references written in text, grouped by four or
// not ("RF18 ICC2 0270 001", "rf18icc20270001").
var rfInText = regexp.MustCompile(`(?i)\bRF\s?[0-9]{2}(?:\s?[0-9A-Z]){1,21}\b`)

func referencesIn(s string) []string {
	var refs []string
	for _, m := range rfInText.FindAllString(s, -1) {
		// A reference in text may run into the next word ("RF18ICC20270001
		// MERCI"): try it whole, then shorter, keeping the valid ones.
		r := NormalizeReference(m)
		for n := len(r); n >= 5; n-- {
			if ValidCreditorReference(r[:n]) {
				refs = append(refs, r[:n])
				break
			}
		}
	}
	return refs
}

// numberInText finds invoice numbers as payers write them: ICC-2027-0001,
// ICC 2027 0001, icc/2027/1, ICC20270001. A credit note's number
// (ICC-CN-…) does not match.
var numberInText = regexp.MustCompile(`(?i)\bICC[\s\-/_.:#]*(20[0-9]{2})[\s\-/_.:#]*([0-9]{1,9})\b`)

func numbersIn(s string) map[[2]int]bool {
	found := map[[2]int]bool{}
	for _, m := range numberInText.FindAllStringSubmatch(s, -1) {
		y, _ := strconv.Atoi(m[1])
		q, err := strconv.Atoi(m[2])
		if err == nil && q > 0 {
			found[[2]int{y, q}] = true
		}
	}
	return found
}

// namesAgree reports whether two names of the same body agree: folded to
// lower-case letters and digits without accents, one contains the other as
// whole words ("Ville de Besançon" and "VILLE DE BESANCON - TRESORERIE"),
// and the shorter has a word of its own, not only words every city's name
// has ("Ville", "City of"), so "Ville" alone agrees with nothing.
func namesAgree(a, b string) bool {
	a, b = fold(a), fold(b)
	if len(a) > len(b) {
		a, b = b, a
	}
	if !strings.Contains(" "+b+" ", " "+a+" ") {
		return false
	}
	for _, w := range strings.Fields(a) {
		if len(w) >= 3 && !generic[w] {
			return true
		}
	}
	return false
}

// generic are words of the names of many cities' administrations.
var generic = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the and of de di du des del della la le les las los el von der
		city town council municipality municipal borough county metropolitan ville commune communaute mairie
		stadt gemeinde landeshauptstadt hansestadt comune citta ayuntamiento municipio ajuntament concello
		camara gemeente stad kommune kommun dimos grad miasto mesto obec opstina municipiul primaria
		tresorerie treasury finance finances service services department direction kasse stadtkasse`) {
		generic[w] = true
	}
}

var stripMarks = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

func fold(s string) string {
	s, _, _ = transform.String(stripMarks, s)
	var b strings.Builder
	space := true
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}
