package httpapi

import (
	_ "embed"
	"net/http"
)

// OpenAPI is the published contract of this API (OpenAPI 3.1).
//
//go:embed openapi.json
var OpenAPI []byte

func (a *API) openAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(OpenAPI)
}
