package httpapi

import (
	"testing"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// FuzzApplicationDecoder feeds arbitrary bodies to the application decoder
// and validator: they must never panic, and must either accept the body or
// refuse it as invalid input naming at least one field.
func FuzzApplicationDecoder(f *testing.F) {
	f.Add([]byte(`{"cityName":"Lyon","country":"FR","population":522000,"foreignBornShare":12.5,"foreignResidentShare":9,"nationalMinorityShare":0,"contact":{"name":"A","email":"a@lyon.example"},"language":"fr"}`))
	f.Add([]byte(`{"cityName":"\u0000","population":-1e400}`))
	f.Add([]byte(`{"contact":{"email":"a@b.c\r\nBcc: x@y.z"}}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"cityName":"a"}{"x":1}`))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, body []byte) {
		var app membership.Application
		err := decodeStrict(body, &app)
		if err == nil {
			err = app.Validate()
		}
		if err == nil {
			return
		}
		fe := failure.As(err)
		if fe == nil || fe.Kind != failure.Invalid || len(fe.Fields) == 0 {
			t.Fatalf("body %q: error %v is not invalid input naming a field", body, err)
		}
		for _, f := range fe.Fields {
			if f.Pointer == "" || f.Detail == "" {
				t.Fatalf("body %q: field error %+v lacks a pointer or detail", body, f)
			}
		}
	})
}

// FuzzSubmissionDecoder does the same for INDEX drafts and submissions.
func FuzzSubmissionDecoder(f *testing.F) {
	f.Add([]byte(`{"version":"2019","answers":[{"question":"commitment.strategy","option":"yes","evidence":"council decision"}]}`))
	f.Add([]byte(`{"version":"2017","answers":[{"question":"demographics.population","value":1e309}]}`))
	f.Add([]byte(`{"version":"2019","answers":[{"question":"x","option":"y"},{"question":"x","option":"y"}]}`))
	f.Add([]byte(`{"version":null,"answers":null}`))
	f.Add([]byte(`{"version":"2019","answers":[{"question":"demographics.population","text":"many"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in index.Input
		err := decodeStrict(body, &in)
		for _, complete := range []bool{false, true} {
			if err == nil {
				_, err = in.Validate(complete)
			}
			if err == nil {
				continue
			}
			fe := failure.As(err)
			if fe == nil || fe.Kind != failure.Invalid || len(fe.Fields) == 0 {
				t.Fatalf("body %q: error %v is not invalid input naming a field", body, err)
			}
		}
	})
}

func TestWrongTypesAreNamedWithTheirFullPath(t *testing.T) {
	tests := map[string]string{
		`{"version":"2019","answers":[{"question":"a","option":"yes"},{"question":"b","value":"x"}]}`: "/answers/1/value",
		`{"version":2019,"answers":[]}`:                                  "/version",
		`{"version":"2019","answers":[{"question":"a"},{"question":7}]}`: "/answers/1/question",
		`{"version":"2019","answers":{"question":"a"}}`:                  "/answers",
	}
	for body, want := range tests {
		var in index.Input
		err := decodeStrict([]byte(body), &in)
		fe := failure.As(err)
		if fe == nil || len(fe.Fields) != 1 || fe.Fields[0].Pointer != want {
			t.Errorf("%s: %v, want pointer %s", body, err, want)
		}
	}
}
