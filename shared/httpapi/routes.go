package httpapi

import (
	"net/http"
	"slices"

	"github.com/intercultural-cities/backoffice/shared/web"
)

// The routes, one table per function: a function's main serves its own
// (API.Serve), so its binary links its handlers and what they use, not every
// function's (a table is static data, left out of a binary that does not
// name it). Handlers answer with JSON, or with the documents an invoice or a
// report is; the pages (web) and the form sent without JavaScript
// (applications) answer with HTML.

// ApplicationsRoutes are the applications function's: a city applies, as
// JSON or with the form sent without JavaScript (answered with a page).
var ApplicationsRoutes = []Route{
	{Function: "applications", Method: http.MethodPost, Path: "/applications", handler: (*API).createApplication},
	{Function: "applications", Method: http.MethodPost, Path: "/apply", handler: (*API).applyForm},
}

// CitiesRoutes are the cities function's: a city's file and its progress reports.
var CitiesRoutes = []Route{
	{Function: "cities", Method: http.MethodGet, Path: "/cities/{cityId}", handler: (*API).getCity},
	{Function: "cities", Method: http.MethodPost, Path: "/cities/{cityId}/progress-reports", handler: (*API).addProgressReport},
	{Function: "cities", Method: http.MethodGet, Path: "/cities/{cityId}/progress-reports", handler: (*API).listProgressReports},
}

// SecretariatRoutes are the secretariat function's: the pipeline, the
// admission steps and the on-demand runs.
var SecretariatRoutes = []Route{
	{Function: "secretariat", Method: http.MethodPost, Path: "/admin/runs/{schedule}", handler: (*API).runSchedule},
	{Function: "secretariat", Method: http.MethodGet, Path: "/admin/runs/{schedule}/{runId}", handler: (*API).getRun},
	{Function: "secretariat", Method: http.MethodGet, Path: "/admin/cities", handler: (*API).listCities},
	{Function: "secretariat", Method: http.MethodGet, Path: "/admin/cities/{cityId}/audit", handler: (*API).audit},
	{Function: "secretariat", Method: http.MethodPost, Path: "/admin/cities/{cityId}/intent", handler: (*API).signIntent},
	{Function: "secretariat", Method: http.MethodPost, Path: "/admin/cities/{cityId}/expert-visits", handler: (*API).scheduleVisit},
	{Function: "secretariat", Method: http.MethodPost, Path: "/admin/cities/{cityId}/expert-visits/{visitId}/held", handler: (*API).holdVisit},
	{Function: "secretariat", Method: http.MethodPost, Path: "/admin/cities/{cityId}/profile", handler: (*API).issueProfile},
	{Function: "secretariat", Method: http.MethodPost, Path: "/admin/cities/{cityId}/agreement", handler: (*API).signAgreement},
	{Function: "secretariat", Method: http.MethodPost, Path: "/admin/cities/{cityId}/agreement/amendments", handler: (*API).amendAgreement},
	{Function: "secretariat", Method: http.MethodPost, Path: "/admin/cities/{cityId}/termination", handler: (*API).notifyTermination},
	{Function: "secretariat", Method: http.MethodPost, Path: "/admin/cities/{cityId}/withdrawal", handler: (*API).withdraw},
	{Function: "secretariat", Method: http.MethodPost, Path: "/admin/cities/{cityId}/decline", handler: (*API).decline},
	{Function: "secretariat", Method: http.MethodPost, Path: "/admin/cities/{cityId}/tokens", handler: (*API).reissueToken},
}

// InvoicesRoutes are the invoices function's: a city's invoices and billing details.
var InvoicesRoutes = []Route{
	{Function: "invoices", Method: http.MethodGet, Path: "/cities/{cityId}/invoices", handler: (*API).listCityInvoices},
	{Function: "invoices", Method: http.MethodGet, Path: "/cities/{cityId}/invoices/{invoiceId}", handler: (*API).getCityInvoice},
	{Function: "invoices", Method: http.MethodPut, Path: "/cities/{cityId}/billing", handler: (*API).putBilling},
}

// FinanceRoutes are the finance function's: invoices for finance: payments, credit notes, bank statements.
var FinanceRoutes = []Route{
	{Function: "finance", Method: http.MethodGet, Path: "/admin/invoices", handler: (*API).listInvoices},
	{Function: "finance", Method: http.MethodPost, Path: "/admin/invoices/{invoiceId}/payments", handler: (*API).recordPayment},
	{Function: "finance", Method: http.MethodPost, Path: "/admin/invoices/{invoiceId}/credit-notes", handler: (*API).issueCreditNote},
	{Function: "finance", Method: http.MethodPost, Path: "/admin/bank-statements", handler: (*API).importStatement},
}

// ReportsRoutes are the reports function's: analytical reports and good practices.
var ReportsRoutes = []Route{
	{Function: "reports", Method: http.MethodGet, Path: "/cities/{cityId}/reports", handler: (*API).listReports},
	{Function: "reports", Method: http.MethodGet, Path: "/cities/{cityId}/reports/{reportId}", handler: (*API).getReport},
	{Function: "reports", Method: http.MethodPut, Path: "/admin/cities/{cityId}/reports/{reportId}/commentary", handler: (*API).putCommentary},
	{Function: "reports", Method: http.MethodPost, Path: "/admin/cities/{cityId}/reports/{reportId}/publish", handler: (*API).publishReport},
	{Function: "reports", Method: http.MethodGet, Path: "/admin/reports", handler: (*API).listDraftReports},
	{Function: "reports", Method: http.MethodGet, Path: "/good-practices", handler: (*API).listPublicPractices},
	{Function: "reports", Method: http.MethodGet, Path: "/admin/good-practices", handler: (*API).listPractices},
	{Function: "reports", Method: http.MethodPost, Path: "/admin/good-practices", handler: (*API).createPractice},
	{Function: "reports", Method: http.MethodPut, Path: "/admin/good-practices/{practiceId}", handler: (*API).putPractice},
}

// OpenAPIRoutes are the openapi function's: the published contract.
var OpenAPIRoutes = []Route{
	{Function: "openapi", Method: http.MethodGet, Path: "/openapi.json", handler: (*API).openAPI},
}

// QuestionnaireRoutes are the questionnaire function's: the INDEX questionnaire.
var QuestionnaireRoutes = []Route{
	{Function: "questionnaire", Method: http.MethodGet, Path: "/questionnaire", handler: (*API).getQuestionnaire},
	{Function: "questionnaire", Method: http.MethodGet, Path: "/questionnaire/{version}", handler: (*API).getQuestionnaire},
	{Function: "questionnaire", Method: http.MethodGet, Path: "/questionnaire/{version}/schema", handler: (*API).getQuestionnaireSchema},
}

// IndexRoutes are the index function's: a city's INDEX drafts and submissions.
var IndexRoutes = []Route{
	{Function: "index", Method: http.MethodGet, Path: "/cities/{cityId}/index/draft", handler: (*API).getDraft},
	{Function: "index", Method: http.MethodPut, Path: "/cities/{cityId}/index/draft", handler: (*API).putDraft},
	{Function: "index", Method: http.MethodPost, Path: "/cities/{cityId}/index/submissions", handler: (*API).createSubmission},
	{Function: "index", Method: http.MethodGet, Path: "/cities/{cityId}/index/submissions/{submissionId}", handler: (*API).getSubmission},
}

// WebRoutes are the web function's: the web pages.
var WebRoutes = []Route{
	{Function: "web", Method: http.MethodGet, Path: "/", page: web.Home},
	{Function: "web", Method: http.MethodGet, Path: "/apply", page: web.Apply},
	{Function: "web", Method: http.MethodGet, Path: "/index-form", page: web.IndexForm},
	{Function: "web", Method: http.MethodGet, Path: "/progress-report", page: web.ProgressReport},
	{Function: "web", Method: http.MethodGet, Path: "/invoices", page: web.Invoices},
	{Function: "web", Method: http.MethodGet, Path: "/secretariat", page: web.Secretariat},
}

// AllRoutes lists every route of every function. The template test checks
// that the template declares exactly these, on these functions.
func AllRoutes() []Route {
	return slices.Concat(ApplicationsRoutes, CitiesRoutes, SecretariatRoutes, InvoicesRoutes, FinanceRoutes, ReportsRoutes, OpenAPIRoutes, QuestionnaireRoutes, IndexRoutes, WebRoutes)
}
