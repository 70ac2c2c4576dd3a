package fees

import (
	"strings"
)

// mod97 returns the ISO 7064 MOD 97-10 remainder of s, letters counting as
// two digits (A = 10 … Z = 35) as IBAN (ISO 13616), creditor references
// (ISO 11649) and Leitweg-IDs all do. ok is false if s holds anything but
// ASCII letters and digits.
func mod97(s string) (rem int, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A') + 10) % 97
		case c >= 'a' && c <= 'z':
			rem = (rem*100 + int(c-'a') + 10) % 97
		default:
			return 0, false
		}
	}
	return rem, true
}

// ibanLengths is the length of the IBAN of each country in the ISO 13616
// registry.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
	"BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
	"EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
	"GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
	"IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
	"LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
	"NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
	"RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
	"SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// ValidIBAN reports whether s is an IBAN in its electronic form (capitals,
// no spaces) with its country's length and valid check digits (ISO 13616:
// the first four characters moved to the end, MOD 97-10 leaves 1).
func ValidIBAN(s string) bool {
	if len(s) < 5 || ibanLengths[s[:2]] != len(s) {
		return false
	}
	if s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	rem, ok := mod97(s[4:] + s[:4])
	return ok && rem == 1
}

// CompactIBAN returns s without spaces, in capitals: the electronic form of
// an IBAN typed in its printed form.
func CompactIBAN(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// FormatIBAN writes an IBAN in its printed form, in groups of four:
// "FR76 3000 6000 0112 3456 7890 189".
func FormatIBAN(s string) string { return groupsOf4(CompactIBAN(s)) }

func groupsOf4(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// ValidBIC reports whether s has the form of a BIC (ISO 9362): four letters
// for the institution, an assigned country code, two letters or digits for
// the location and, optionally, three for the branch.
func ValidBIC(s string) bool {
	if len(s) != 8 && len(s) != 11 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		if i < 6 && !letter || i >= 6 && !letter && !digit {
			return false
		}
	}
	return ValidCountry(s[4:6])
}

// ValidCountry reports whether code is an officially assigned ISO 3166-1
// alpha-2 country code in capitals ("FR"; not "fr", "FRA", "UK" nor "EU").
func ValidCountry(code string) bool { return countries[code] }

// iso3166 lists the officially assigned ISO 3166-1 alpha-2 codes: the list
// shared/membership checks applications with. It is repeated here rather
// than imported because the membership workflow is the one that uses fees.
const iso3166 = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
	"MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
	"UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

var countries = func() map[string]bool {
	m := make(map[string]bool, 249)
	for _, c := range strings.Fields(iso3166) {
		m[c] = true
	}
	return m
}()

// ValidLeitwegID reports whether s is a German Leitweg-ID (the routing id
// of a German public buyer, Peppol scheme 0204): a coarse address of 2 to
// 12 digits, optionally a fine address of up to 30 letters and digits, and
// two check digits, joined by hyphens ("04011000-1234512345-06"). The check
// digits are ISO 7064 MOD 97-10 over the coarse and fine addresses, letters
// counting A = 10 … Z = 35, as in the Leitweg-ID format specification.
func ValidLeitwegID(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	coarse, check := parts[0], parts[len(parts)-1]
	fine := ""
	if len(parts) == 3 {
		fine = parts[1]
		if fine == "" || len(fine) > 30 {
			return false
		}
	}
	if len(coarse) < 2 || len(coarse) > 12 || !allDigits(coarse) || len(check) != 2 || !allDigits(check) {
		return false
	}
	rem, ok := mod97(coarse + fine + check)
	return ok && rem == 1
}

// ValidGLN reports whether s is a GS1 Global Location Number (Peppol scheme
// 0088): 13 digits, the last a GS1 mod-10 check digit.
func ValidGLN(s string) bool {
	if len(s) != 13 || !allDigits(s) {
		return false
	}
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(s[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return (10-sum%10)%10 == int(s[12]-'0')
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
