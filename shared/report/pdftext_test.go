package report

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf16"

	"rsc.io/pdf"
)

// pdfDocument is a PDF as a reader sees it: the text of each page and the
// outline's titles. It is read with rsc.io/pdf (an independent parser: the
// cross-reference table, the objects, the page tree, the compressed
// streams) and the text is decoded here through each font's ToUnicode map,
// as a text extractor or a screen reader does.
type pdfDocument struct {
	pages   []string // one string per page: each text object on a line of its own
	outline []string
}

func readPDF(data []byte) (doc pdfDocument, err error) {
	defer func() {
		if r := recover(); r != nil { // rsc.io/pdf panics on malformed input
			err = fmt.Errorf("the PDF does not parse: %v", r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return doc, err
	}
	for i := 1; i <= r.NumPage(); i++ {
		text, err := pageText(r.Page(i))
		if err != nil {
			return doc, fmt.Errorf("page %d: %w", i, err)
		}
		doc.pages = append(doc.pages, text)
	}
	var walk func(o pdf.Outline)
	walk = func(o pdf.Outline) {
		if o.Title != "" {
			doc.outline = append(doc.outline, o.Title)
		}
		for _, c := range o.Child {
			walk(c)
		}
	}
	walk(r.Outline())
	return doc, nil
}

// pageText decodes the text-showing operators of a page's content.
func pageText(p pdf.Page) (string, error) {
	fonts := map[string]*toUnicode{}
	res := p.Resources().Key("Font")
	for _, name := range res.Keys() {
		m, err := parseToUnicode(res.Key(name).Key("ToUnicode"))
		if err != nil {
			return "", fmt.Errorf("font %s: %w", name, err)
		}
		fonts[name] = m
	}
	var out strings.Builder
	var font *toUnicode
	var failed error
	show := func(raw string) {
		if font == nil {
			failed = fmt.Errorf("text shown before a font was set")
			return
		}
		out.WriteString(font.decode(raw))
	}
	contents := p.V.Key("Contents")
	streams := []pdf.Value{contents}
	if contents.Kind() == pdf.Array {
		streams = nil
		for i := range contents.Len() {
			streams = append(streams, contents.Index(i))
		}
	}
	for _, s := range streams {
		pdf.Interpret(s, func(stk *pdf.Stack, op string) {
			args := make([]pdf.Value, stk.Len())
			for i := len(args) - 1; i >= 0; i-- {
				args[i] = stk.Pop()
			}
			switch op {
			case "Tf":
				if len(args) == 2 {
					font = fonts[args[0].Name()]
				}
			case "Tj", "'", `"`:
				if len(args) > 0 {
					show(args[len(args)-1].RawString())
				}
			case "TJ":
				if len(args) == 1 {
					for i := range args[0].Len() {
						if v := args[0].Index(i); v.Kind() == pdf.String {
							show(v.RawString())
						}
					}
				}
			case "ET":
				out.WriteByte('\n')
			}
		})
	}
	return out.String(), failed
}

// toUnicode is a font's map from character codes (two bytes) to text.
type toUnicode struct {
	ranges []cmapRange
}

type cmapRange struct {
	lo, hi uint16
	dst    []uint16 // UTF-16 of lo's text; later codes add their offset to the last unit
}

var (
	hexToken = regexp.MustCompile(`<([0-9A-Fa-f]*)>`)
	bfBlock  = regexp.MustCompile(`(?s)begin(bfrange|bfchar)(.*?)endbf(?:range|char)`)
)

func parseToUnicode(v pdf.Value) (*toUnicode, error) {
	if v.Kind() != pdf.Stream {
		return nil, fmt.Errorf("no ToUnicode map")
	}
	raw, err := io.ReadAll(v.Reader())
	if err != nil {
		return nil, err
	}
	m := &toUnicode{}
	units := func(h string) ([]uint16, error) {
		b, err := hex.DecodeString(h)
		if err != nil || len(b)%2 != 0 {
			return nil, fmt.Errorf("bad hex %q", h)
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		return u, nil
	}
	for _, block := range bfBlock.FindAllStringSubmatch(string(raw), -1) {
		toks := hexToken.FindAllStringSubmatch(block[2], -1)
		step := 3
		if block[1] == "bfchar" {
			step = 2
		}
		for i := 0; i+step <= len(toks); i += step {
			lo, err := units(toks[i][1])
			if err != nil || len(lo) != 1 {
				return nil, fmt.Errorf("bad source code %q", toks[i][1])
			}
			hi := lo
			if step == 3 {
				if hi, err = units(toks[i+1][1]); err != nil || len(hi) != 1 {
					return nil, fmt.Errorf("bad source code %q", toks[i+1][1])
				}
			}
			dst, err := units(toks[i+step-1][1])
			if err != nil || len(dst) == 0 {
				return nil, fmt.Errorf("bad destination %q", toks[i+step-1][1])
			}
			m.ranges = append(m.ranges, cmapRange{lo[0], hi[0], dst})
		}
	}
	if len(m.ranges) == 0 {
		return nil, fmt.Errorf("an empty ToUnicode map")
	}
	return m, nil
}

func (m *toUnicode) decode(raw string) string {
	var u []uint16
	for i := 0; i+1 < len(raw); i += 2 {
		code := uint16(raw[i])<<8 | uint16(raw[i+1])
		found := false
		for _, r := range m.ranges {
			if code >= r.lo && code <= r.hi {
				d := append([]uint16(nil), r.dst...)
				d[len(d)-1] += code - r.lo
				u = append(u, d...)
				found = true
				break
			}
		}
		if !found {
			u = append(u, 0xFFFD)
		}
	}
	return string(utf16.Decode(u))
}
