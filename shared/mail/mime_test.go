package mail

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/notify"
)

// A message with attachments parses back as standard MIME: the text and
// HTML alternatives, then each file with its name and exact bytes.
func TestMIMEParsesBackWithEveryPart(t *testing.T) {
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0, 1, 2, 255}, 100)...)
	m := notify.Message{Subject: "Facture ICC-2027-0042 : 5 000,00 €", Text: "Bonjour,\nvoici la facture.",
		HTML: "<p>Bonjour, voici la facture.</p>",
		Attachments: []notify.File{{Name: "ICC-2027-0042.pdf", ContentType: "application/pdf", Data: pdf},
			{Name: "ICC-2027-0042.xml", ContentType: "application/xml", Data: []byte("<Invoice/>")}}}
	raw, err := MIME(`"Intercultural Cities" <no-reply@coe.example>`, "ville@lyon.example", m)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := MIME(`"Intercultural Cities" <no-reply@coe.example>`, "ville@lyon.example", m)
	if !bytes.Equal(raw, again) {
		t.Error("the same message gave other bytes")
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Fatalf("subject %q %v", subject, err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("content type %s %v", mt, err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	var names []string
	var files [][]byte
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "multipart/alternative") {
			_, ap, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			ar := multipart.NewReader(p, ap["boundary"])
			var kinds []string
			for {
				q, err := ar.NextPart()
				if err == io.EOF {
					break
				}
				body, _ := io.ReadAll(q) // multipart decodes quoted-printable
				kinds = append(kinds, q.Header.Get("Content-Type"))
				if strings.HasPrefix(q.Header.Get("Content-Type"), "text/plain") && strings.ReplaceAll(string(body), "\r\n", "\n") != m.Text {
					t.Errorf("text part %q", body)
				}
			}
			if len(kinds) != 2 {
				t.Errorf("alternatives %v", kinds)
			}
			continue
		}
		data, _ := io.ReadAll(p)
		dec := make([]byte, len(data))
		n, err := base64Decode(dec, data)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, p.FileName())
		files = append(files, dec[:n])
	}
	if len(names) != 2 || names[0] != "ICC-2027-0042.pdf" || !bytes.Equal(files[0], pdf) || string(files[1]) != "<Invoice/>" {
		t.Fatalf("attachments %v", names)
	}
	if _, err := MIME("a@b.example", "c@d.example", notify.Message{Attachments: []notify.File{{Name: "a\r\nBcc: x", Data: pdf}}}); err == nil {
		t.Error("a header in a file name was accepted")
	}
}

func base64Decode(dst, src []byte) (int, error) {
	return base64.StdEncoding.Decode(dst, bytes.ReplaceAll(src, []byte("\r\n"), nil))
}
