package httpapi

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/httpapi/openapi"
)

// The served document is generated: these fail while a generated file is
// stale, so that what is served is always what the fragments say.

func TestDocumentIsTheBundleOfItsFragments(t *testing.T) {
	bundle, err := openapi.Bundle(os.DirFS("openapi"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bundle, OpenAPI()) {
		t.Fatal("openapi.json is not the bundle of openapi/*.yaml: run go generate ./shared/httpapi")
	}
}

// openapi.json, the document uncompressed, is what people read and review:
// the compressed one the functions embed is that file.
func TestCompressedDocumentIsTheDocument(t *testing.T) {
	onDisk, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(onDisk, OpenAPI()) {
		t.Fatal("openapi.json.gz is not openapi.json compressed: run go generate ./shared/httpapi")
	}
}

func TestOpenAPIIsCompressedForClientsThatAcceptIt(t *testing.T) {
	tests := map[string]bool{
		"":                              false,
		"identity":                      false,
		"br, zstd":                      false,
		"gzip":                          true,
		"GZIP":                          true,
		"gzip, deflate, br, zstd":       true,
		"deflate, gzip;q=0.5":           true,
		"gzip; q=0.001":                 true,
		"gzip;q=0":                      false,
		"gzip;q=0.0":                    false,
		"*":                             true,
		"br;q=1.0, gzip;q=0.8, *;q=0.1": true,
	}
	for header, gz := range tests {
		r := httptest.NewRequest(http.MethodGet, "/openapi.json", nil)
		if header != "" {
			r.Header.Set("Accept-Encoding", header)
		}
		w := httptest.NewRecorder()
		(&API{}).openAPI(w, r)
		body := w.Body.Bytes()
		if gz {
			if w.Header().Get("Content-Encoding") != "gzip" || !bytes.Equal(body, openAPIGzip) {
				t.Errorf("Accept-Encoding %q: want the gzip document, got Content-Encoding %q", header, w.Header().Get("Content-Encoding"))
			}
		} else if w.Header().Get("Content-Encoding") != "" || !bytes.Equal(body, OpenAPI()) {
			t.Errorf("Accept-Encoding %q: want the plain document, got Content-Encoding %q", header, w.Header().Get("Content-Encoding"))
		}
		if w.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q", header, w.Header().Get("Vary"))
		}
	}
}
