// Command web serves the web forms: GET / (a bilingual landing page),
// GET /apply (the application form) and GET /index-form (the INDEX form).
// The pages call the API from the browser; the function itself needs no AWS
// client, so it links none.
package main

import "github.com/intercultural-cities/backoffice/shared/httpapi"

func main() { httpapi.StartStandalone(httpapi.WebRoutes) }
