// Command openapi serves GET /openapi.json: the published HTTP contract. It
// needs no AWS client, so it links none.
package main

import "github.com/intercultural-cities/backoffice/shared/httpapi"

func main() { httpapi.StartStandalone(httpapi.OpenAPIRoutes) }
