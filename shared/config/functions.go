package config

import (
	"errors"
	"time"
)

// The groups of settings functions share. Each variable is declared once,
// here; a function's settings embed the groups it needs.

// Logging is every function's log level.
type Logging struct {
	Level string `env:"LOG_LEVEL" default:"info" doc:"debug, info, warn or error"`
}

// LogLevel returns the level, for the logger.
func (l Logging) LogLevel() string { return l.Level }

// Table names the one DynamoDB table.
type Table struct {
	TableName string `env:"TABLE_NAME" required:"true" doc:"the DynamoDB table"`
}

// Notices is where the secretariat is told of what needs it.
type Notices struct {
	SecretariatEmail string `env:"SECRETARIAT_EMAIL" required:"true" check:"email" doc:"where the secretariat is told of applications, visits, terminations and expiries"`
}

// Links are the personal access links emailed to cities.
type Links struct {
	FormsBaseURL string        `env:"FORMS_BASE_URL" check:"url" doc:"base URL of the web forms, for access links (empty: the API's own URL, where the web function serves them)"`
	CityTokenTTL time.Duration `env:"CITY_TOKEN_TTL" default:"4320h" check:"positive" doc:"validity of a city's emailed access link"`
}

// LinkKey is the secret the links' secrets are derived from.
type LinkKey struct {
	LinkKeySecret string `env:"LINK_KEY_SECRET" required:"true" doc:"the Secrets Manager secret (ARN) access links are derived from; no link's secret is stored"`
}

// Retention is how long sent emails keep personal data.
type Retention struct {
	NotificationRetention time.Duration `env:"NOTIFICATION_RETENTION" default:"2160h" check:"positive" doc:"how long a sent email's recipient, data and link stay in the table; its sent record (template, recipient's hash, times, message id) stays for good"`
}

// Eligibility are the admission thresholds.
type Eligibility struct {
	MinPopulation     int64   `env:"ELIGIBILITY_MIN_POPULATION" default:"30000" doc:"inhabitants a city needs"`
	MinDiversityShare float64 `env:"ELIGIBILITY_MIN_DIVERSITY_SHARE" default:"5" doc:"percent one diversity share needs"`
}

// Workflow configures the admission and membership steps.
type Workflow struct {
	FeePerYearCents     int64         `env:"FEE_PER_YEAR_CENTS" default:"500000" doc:"default yearly fee of a new agreement, in euro cents"`
	VisitMinExperts     int           `env:"VISIT_MIN_EXPERTS" default:"1" check:"positive" doc:"fewest experts an expert visit names"`
	VisitMaxExperts     int           `env:"VISIT_MAX_EXPERTS" default:"2" check:"positive" doc:"most experts an expert visit names"`
	NoticeGrace         time.Duration `env:"TERMINATION_NOTICE_GRACE" default:"720h" doc:"how far back a termination notice may be dated when recorded"`
	ProgressEveryMonths int           `env:"PROGRESS_REPORT_EVERY_MONTHS" default:"12" check:"positive" doc:"months between a member's progress reports (12, 6 or 3)"`
}

// Validate checks the workflow's settings against each other.
func (w Workflow) Validate() error {
	var errs []error
	if w.VisitMaxExperts < w.VisitMinExperts {
		errs = append(errs, errors.New("VISIT_MAX_EXPERTS must be at least VISIT_MIN_EXPERTS"))
	}
	if m := w.ProgressEveryMonths; m != 12 && m != 6 && m != 3 {
		errs = append(errs, errors.New("PROGRESS_REPORT_EVERY_MONTHS must be 12, 6 or 3"))
	}
	if w.FeePerYearCents > 100_000_000 {
		errs = append(errs, errors.New("FEE_PER_YEAR_CENTS must be at most 100000000"))
	}
	return errors.Join(errs...)
}

// SweepVariable names SWEEP_AFTER, which tests shorten.
const SweepVariable = "SWEEP_AFTER"

// Seller is the Council of Europe as its invoices name it, and how the fee
// is invoiced.
type Seller struct {
	SellerName        string `env:"SELLER_NAME" default:"Council of Europe" doc:"the seller on invoices"`
	SellerUnit        string `env:"SELLER_UNIT" default:"Intercultural Cities programme" doc:"printed under the seller's name"`
	SellerStreet      string `env:"SELLER_STREET" default:"Avenue de l'Europe" doc:"the seller's street address"`
	SellerPostalCode  string `env:"SELLER_POSTAL_CODE" default:"67075" doc:"the seller's postal code"`
	SellerCity        string `env:"SELLER_CITY" default:"Strasbourg Cedex" doc:"the seller's city"`
	SellerCountry     string `env:"SELLER_COUNTRY" default:"FR" doc:"the seller's country (ISO 3166-1 alpha-2)"`
	SellerIBAN        string `env:"SELLER_IBAN" required:"true" doc:"the account cities pay to (IBAN)"`
	SellerBIC         string `env:"SELLER_BIC" required:"true" doc:"the account's BIC"`
	SellerEmail       string `env:"SELLER_EMAIL" required:"true" check:"email" doc:"the finance office's address on invoices"`
	SellerVATID       string `env:"SELLER_VAT_ID" doc:"the seller's VAT id, if any"`
	SellerTaxID       string `env:"SELLER_TAX_ID" doc:"the seller's tax registration id other than VAT, if any"`
	PaymentTermDays   int    `env:"PAYMENT_TERM_DAYS" default:"30" check:"positive" doc:"days from issue to the due date"`
	VATCategory       string `env:"VAT_CATEGORY" default:"O" doc:"the fee's VAT category: O (not subject: an international organisation), E (exempt: needs SELLER_VAT_ID or SELLER_TAX_ID) or S (standard)"`
	VATRateBP         int    `env:"VAT_RATE_BASIS_POINTS" default:"0" doc:"the VAT rate in hundredths of a percent, for category S"`
	VATReasonCode     string `env:"VAT_EXEMPTION_CODE" default:"VATEX-EU-O" doc:"the VATEX code of the exemption (BT-121)"`
	VATReasonEnglish  string `env:"VAT_EXEMPTION_REASON_EN" default:"Not subject to VAT: administrative contribution to an international organisation." doc:"why no VAT is charged, in English"`
	VATReasonFrench   string `env:"VAT_EXEMPTION_REASON_FR" default:"Non soumis à la TVA : contribution administrative à une organisation internationale." doc:"why no VAT is charged, in French"`
	FirstYearProrated string `env:"FEE_FIRST_YEAR" default:"full" doc:"a year the agreement covers in part: full (the whole fee) or monthly (prorated by month)"`
}

// Validate checks the policy's name.
func (s Seller) Validate() error {
	if s.FirstYearProrated != "full" && s.FirstYearProrated != "monthly" {
		return errors.New("FEE_FIRST_YEAR must be full or monthly")
	}
	return nil
}

// Reminders place the fee reminders around the due date, in days.
type Reminders struct {
	CourtesyBefore int `env:"FEE_COURTESY_DAYS_BEFORE" default:"7" doc:"days before the due date of the courtesy notice"`
	ReminderAfter  int `env:"FEE_REMINDER_DAYS_AFTER" default:"14" doc:"days after the due date of the reminder"`
	FinalAfter     int `env:"FEE_FINAL_DAYS_AFTER" default:"45" doc:"days after the due date of the final notice (copied to the secretariat)"`
	FlagAfter      int `env:"FEE_FLAG_DAYS_AFTER" default:"60" doc:"days after the due date when the secretariat is asked to follow up"`
}

// Validate checks the stages come in order.
func (r Reminders) Validate() error {
	if !(r.ReminderAfter < r.FinalAfter && r.FinalAfter < r.FlagAfter) {
		return errors.New("FEE_REMINDER_DAYS_AFTER < FEE_FINAL_DAYS_AFTER < FEE_FLAG_DAYS_AFTER must hold")
	}
	return nil
}

// Archive is the bucket of issued documents.
type Archive struct {
	DocumentsBucket string `env:"DOCUMENTS_BUCKET" required:"true" doc:"the S3 bucket of issued invoices, credit notes and reports (Object Lock)"`
}

// Sweep is when pending work is re-driven.
type Sweep struct {
	SweepAfter time.Duration `env:"SWEEP_AFTER" default:"5m" check:"positive" doc:"age after which pending work is re-driven"`
}

// Bands are the comparison groups' cut-offs.
type Bands struct {
	PopulationBands  []float64 `env:"COMPARISON_POPULATION_BANDS" default:"100000,200000,500000" doc:"population cut-offs of the comparison groups"`
	ForeignBornBands []float64 `env:"COMPARISON_FOREIGN_BORN_BANDS" default:"10,15,20" doc:"foreign-born % cut-offs of the comparison groups"`
}

// Sender is the address every email comes from.
type Sender struct {
	SenderEmail      string `env:"SENDER_EMAIL" required:"true" check:"email" doc:"verified SES address emails come from"`
	ConfigurationSet string `env:"SES_CONFIGURATION_SET" doc:"the SES configuration set emails are sent with (bounce and complaint events, reputation alarms); empty: none"`
}

// PublicAPI is the API's public URL, for functions API Gateway never calls.
type PublicAPI struct {
	APIURL string `env:"API_URL" check:"url" doc:"the API's public URL, for links in scheduled emails"`
}

// The functions' settings, one type per function.

// ApplicationsSettings are the applications function's.
type ApplicationsSettings struct {
	Logging
	Table
	Notices
	Links
	LinkKey
	Eligibility
}

// CitiesSettings are the cities function's.
type CitiesSettings struct {
	Logging
	Table
}

// IndexSettings are the index function's.
type IndexSettings struct {
	Logging
	Table
}

// SecretariatSettings are the secretariat function's: its steps (signing
// an agreement issues its first invoice). The schedules it is asked to run
// run in their own functions.
type SecretariatSettings struct {
	Logging
	Table
	Notices
	Links
	LinkKey
	Workflow
	Seller
}

// DailySettings are the daily schedule's.
type DailySettings struct {
	Logging
	Table
	Notices
	Links
	LinkKey
	Workflow
	PublicAPI
	Reminders
}

// InvoicesSettings are the invoices function's: a city's invoices and
// billing details, the documents read from the archive.
type InvoicesSettings struct {
	Logging
	Table
	Archive
}

// FinanceSettings are the finance function's: payments, credit notes, bank
// statements and the invoices' ledger.
type FinanceSettings struct {
	Logging
	Table
}

// BillingSettings are the billing function's: it issues the invoices the
// annual run asks for, and archives and emails issued documents.
type BillingSettings struct {
	Logging
	Table
	Seller
	Archive
}

// AnnualInvoicesSettings are the annual-invoices schedule's.
type AnnualInvoicesSettings struct {
	Logging
	Table
}

// ScoreSettings are the score function's: the secretariat is asked to
// review each draft report.
type ScoreSettings struct {
	Logging
	Table
	Bands
	Notices
}

// ReportsSettings are the reports function's: reports built, shown and
// published; the good-practice catalogue.
type ReportsSettings struct {
	Logging
	Table
	Bands
	Archive
}

// PublisherSettings are the publisher function's: it archives published
// reports and emails them.
type PublisherSettings struct {
	Logging
	Table
	Archive
	Links
	PublicAPI
}

// NotifySettings are the notify function's.
type NotifySettings struct {
	Logging
	Table
	Sender
	Archive
	LinkKey
	Retention
}

// SweeperSettings are the sweeper's.
type SweeperSettings struct {
	Logging
	Table
	Sweep
}

// StandaloneSettings are those of the functions without AWS: the
// questionnaire, the contract and the web forms.
type StandaloneSettings struct {
	Logging
}

// Functions names each function's settings type, for the checks that the
// template gives every function exactly the variables it reads.
var Functions = map[string]any{
	"applications":    ApplicationsSettings{},
	"cities":          CitiesSettings{},
	"index":           IndexSettings{},
	"secretariat":     SecretariatSettings{},
	"daily":           DailySettings{},
	"score":           ScoreSettings{},
	"notify":          NotifySettings{},
	"sweeper":         SweeperSettings{},
	"invoices":        InvoicesSettings{},
	"finance":         FinanceSettings{},
	"billing":         BillingSettings{},
	"annual-invoices": AnnualInvoicesSettings{},
	"reports":         ReportsSettings{},
	"publisher":       PublisherSettings{},
	"questionnaire":   StandaloneSettings{},
	"openapi":         StandaloneSettings{},
	"web":             StandaloneSettings{},
}
