package httpapi

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"net/http"
	"strings"
	"sync"
)

// The document's source is the YAML fragments under openapi/, one per area
// of the API: go generate bundles them into openapi.json, then compresses it.
//
//go:generate go run ../../infra/cmd/openapi openapi openapi.json
//go:generate go run ../../infra/cmd/gzip openapi.json

// openAPIGzip is the published contract of this API (OpenAPI 3.1), bundled
// from the fragments under openapi/ and compressed (a test keeps it their
// bundle). Only the compressed document is in the binary — a tenth of the
// size, in every function that serves the API — and sent as it is to the
// clients that accept gzip, as browsers do.
//
//go:embed openapi.json.gz
var openAPIGzip []byte

// OpenAPI returns the document uncompressed (openapi.json), decompressed
// once, when a client first asks for it so. The embedded document was
// checked when generated, so one that does not decompress is a
// programming error that the package's tests catch first: it panics.
var OpenAPI = sync.OnceValue(func() []byte {
	zr, err := gzip.NewReader(bytes.NewReader(openAPIGzip))
	if err != nil {
		panic("httpapi: the embedded OpenAPI document: " + err.Error())
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		panic("httpapi: the embedded OpenAPI document: " + err.Error())
	}
	return b
})

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Vary", "Accept-Encoding")
	if acceptsGzip(r.Header.Values("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		_, _ = w.Write(openAPIGzip)
		return
	}
	_, _ = w.Write(OpenAPI())
}

// acceptsGzip reports whether Accept-Encoding admits gzip (RFC 9110 §12.5.3:
// a q of 0 refuses it).
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for _, coding := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(coding), ";")
			if !strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.TrimSpace(name) != "*" {
				continue
			}
			q := strings.ReplaceAll(strings.ToLower(params), " ", "")
			return !strings.HasPrefix(q, "q=0") || strings.HasPrefix(q, "q=0.") && strings.Trim(q[4:], "0") != ""
		}
	}
	return false
}
