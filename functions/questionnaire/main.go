// Command questionnaire serves the INDEX questionnaire: GET /questionnaire,
// GET /questionnaire/{version} and the JSON Schema of a submission. It needs
// no AWS client, so it links none.
package main

import "github.com/intercultural-cities/backoffice/shared/httpapi"

func main() { httpapi.StartStandalone(httpapi.QuestionnaireRoutes) }
