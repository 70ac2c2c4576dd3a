package invoicedoc

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// pdfText extracts the text a PDF viewer would let a reader select: it
// inflates every stream, reads the fonts' ToUnicode maps and decodes the
// strings shown by Tj and TJ in the page content, one line per text object.
// It knows what fpdf writes (Type0 fonts, Identity-H, two-byte codes), and
// no more: enough to prove the text is there and maps back to Unicode.
func pdfText(pdf []byte) (string, error) {
	streams, err := pdfStreams(pdf)
	if err != nil {
		return "", err
	}
	cmap := map[uint16]string{}
	var contents [][]byte
	for _, s := range streams {
		switch {
		case bytes.Contains(s, []byte("begincmap")):
			if err := readCMap(s, cmap); err != nil {
				return "", err
			}
		case bytes.Contains(s, []byte("BT")) && (bytes.Contains(s, []byte("Tj")) || bytes.Contains(s, []byte("TJ"))):
			contents = append(contents, s)
		}
	}
	if len(cmap) == 0 {
		return "", fmt.Errorf("no ToUnicode map: the text cannot be extracted")
	}
	var out strings.Builder
	for _, c := range contents {
		for _, obj := range textObjects(c) {
			for _, s := range obj {
				if len(s)%2 != 0 {
					return "", fmt.Errorf("odd-length string in a two-byte font")
				}
				for i := 0; i < len(s); i += 2 {
					code := uint16(s[i])<<8 | uint16(s[i+1])
					u, ok := cmap[code]
					if !ok {
						return "", fmt.Errorf("code %04X has no Unicode mapping", code)
					}
					out.WriteString(u)
				}
			}
			out.WriteByte('\n')
		}
	}
	return out.String(), nil
}

var streamRe = regexp.MustCompile(`(?s)<<(.*?)>>\s*stream\r?\n`)
var lengthRe = regexp.MustCompile(`/Length (\d+)`)

func pdfStreams(pdf []byte) ([][]byte, error) {
	var out [][]byte
	for _, m := range streamRe.FindAllSubmatchIndex(pdf, -1) {
		dict := pdf[m[2]:m[3]]
		lm := lengthRe.FindSubmatch(dict)
		if lm == nil {
			return nil, fmt.Errorf("stream without a direct /Length")
		}
		n, _ := strconv.Atoi(string(lm[1]))
		start := m[1]
		if start+n > len(pdf) {
			return nil, fmt.Errorf("stream runs past the end of the file")
		}
		data := pdf[start : start+n]
		if !bytes.HasPrefix(pdf[start+n:], []byte("\nendstream")) {
			return nil, fmt.Errorf("stream of /Length %d is not followed by endstream", n)
		}
		if bytes.Contains(dict, []byte("/FlateDecode")) {
			r, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				return nil, err
			}
			if data, err = io.ReadAll(r); err != nil {
				return nil, err
			}
		}
		out = append(out, data)
	}
	return out, nil
}

var hexRe = regexp.MustCompile(`<([0-9A-Fa-f]+)>`)

// readCMap reads bfchar and bfrange entries into m.
func readCMap(s []byte, m map[uint16]string) error {
	text := string(s)
	hex := hexString
	utf16be := func(b []byte) string {
		var rs []rune
		for i := 0; i+1 < len(b); i += 2 {
			rs = append(rs, rune(uint16(b[i])<<8|uint16(b[i+1])))
		}
		return string(rs)
	}
	for _, block := range regexp.MustCompile(`(?s)beginbfrange(.*?)endbfrange`).FindAllStringSubmatch(text, -1) {
		vals := hexRe.FindAllStringSubmatch(block[1], -1)
		if len(vals)%3 != 0 {
			return fmt.Errorf("bfrange entries are not triples")
		}
		for i := 0; i < len(vals); i += 3 {
			lo, _ := hex(vals[i][1])
			hi, _ := hex(vals[i+1][1])
			dst, _ := hex(vals[i+2][1])
			for c := lo; c <= hi; c++ {
				m[uint16(c)] = string(rune(dst + c - lo))
			}
		}
	}
	for _, block := range regexp.MustCompile(`(?s)beginbfchar(.*?)endbfchar`).FindAllStringSubmatch(text, -1) {
		vals := hexRe.FindAllStringSubmatch(block[1], -1)
		for i := 0; i+1 < len(vals); i += 2 {
			src, _ := hex(vals[i][1])
			_, dst := hex(vals[i+1][1])
			m[uint16(src)] = utf16be(dst)
		}
	}
	return nil
}

// textObjects returns, for each BT … ET object of a content stream, the
// strings its Tj and TJ operators show.
func textObjects(c []byte) [][][]byte {
	var objs [][][]byte
	var cur [][]byte
	var pending [][]byte // strings read since the last operator
	in := false
	for i := 0; i < len(c); {
		switch ch := c[i]; {
		case ch == '(':
			s, n := literal(c[i:])
			pending = append(pending, s)
			i += n
		case ch == '<' && i+1 < len(c) && c[i+1] != '<':
			j := bytes.IndexByte(c[i:], '>')
			_, b := hexString(string(c[i+1 : i+j]))
			pending = append(pending, b)
			i += j + 1
		case ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch == '\'' || ch == '"':
			j := i
			for j < len(c) && (c[j] >= 'A' && c[j] <= 'Z' || c[j] >= 'a' && c[j] <= 'z' || c[j] == '*' || c[j] == '\'' || c[j] == '"') {
				j++
			}
			switch op := string(c[i:j]); op {
			case "BT":
				in, cur = true, nil
			case "ET":
				if in {
					objs = append(objs, cur)
				}
				in = false
			case "Tj", "TJ", "'", "\"":
				cur = append(cur, pending...)
			}
			pending = nil
			i = j
		default:
			i++
		}
	}
	return objs
}

// literal reads a PDF literal string at the start of b and returns its
// bytes and the length read.
func literal(b []byte) ([]byte, int) {
	var out []byte
	depth := 0
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '\\':
			i++
			if i >= len(b) {
				return out, i
			}
			switch e := b[i]; e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '0', '1', '2', '3', '4', '5', '6', '7':
				j := i
				for j < len(b) && j < i+3 && b[j] >= '0' && b[j] <= '7' {
					j++
				}
				v, _ := strconv.ParseUint(string(b[i:j]), 8, 8)
				out = append(out, byte(v))
				i = j - 1
			default:
				out = append(out, e)
			}
		case '(':
			if depth > 0 {
				out = append(out, c)
			}
			depth++
		case ')':
			depth--
			if depth == 0 {
				return out, i + 1
			}
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return out, len(b)
}

// hexString reads the digits of a hex string as a number and as bytes.
func hexString(h string) (uint64, []byte) {
	v, _ := strconv.ParseUint(h, 16, 64)
	b := make([]byte, len(h)/2)
	for i := range b {
		x, _ := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		b[i] = byte(x)
	}
	return v, b
}
