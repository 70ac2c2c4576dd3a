package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"

	"github.com/intercultural-cities/backoffice/shared/notify"
)

// MIME writes a message with attachments as RFC 5322 / RFC 2045 raw email:
// multipart/mixed holding the text and HTML alternatives, then each file,
// base64 encoded. The boundaries derive from the content, so the same
// message gives the same bytes.
func MIME(from, to string, m notify.Message) ([]byte, error) {
	var buf bytes.Buffer
	sum := sha256.New()
	sum.Write([]byte(m.Subject + m.Text))
	for _, f := range m.Attachments {
		sum.Write(f.Data)
	}
	seed := hex.EncodeToString(sum.Sum(nil))[:24]
	fmt.Fprintf(&buf, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\n", from, to,
		mime.QEncoding.Encode("utf-8", m.Subject))
	mixed := multipart.NewWriter(&buf)
	if err := mixed.SetBoundary("mixed-" + seed); err != nil {
		return nil, err
	}
	fmt.Fprintf(&buf, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n", mixed.Boundary())

	altHeader := textproto.MIMEHeader{}
	alt := multipart.NewWriter(nil)
	if err := alt.SetBoundary("alt-" + seed); err != nil {
		return nil, err
	}
	altHeader.Set("Content-Type", fmt.Sprintf("multipart/alternative; boundary=%q", alt.Boundary()))
	part, err := mixed.CreatePart(altHeader)
	if err != nil {
		return nil, err
	}
	alt = multipart.NewWriter(part)
	if err := alt.SetBoundary("alt-" + seed); err != nil {
		return nil, err
	}
	for _, body := range []struct{ kind, text string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", body.kind+"; charset=utf-8")
		h.Set("Content-Transfer-Encoding", "quoted-printable")
		w, err := alt.CreatePart(h)
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(body.text)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := alt.Close(); err != nil {
		return nil, err
	}
	for _, f := range m.Attachments {
		if err := notify.SafeHeader(f.Name); err != nil || strings.ContainsAny(f.Name, `"\/`) {
			return nil, fmt.Errorf("unsafe attachment name %q", f.Name)
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", f.ContentType)
		h.Set("Content-Transfer-Encoding", "base64")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
		w, err := mixed.CreatePart(h)
		if err != nil {
			return nil, err
		}
		enc := base64.StdEncoding.EncodeToString(f.Data)
		for len(enc) > 76 {
			fmt.Fprintf(w, "%s\r\n", enc[:76])
			enc = enc[76:]
		}
		fmt.Fprintf(w, "%s\r\n", enc)
	}
	if err := mixed.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
