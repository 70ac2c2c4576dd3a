// Package failure gives errors a kind that every port maps to its own terms
// (an HTTP status, a batch item failure) in exactly one place.
package failure

import (
	"errors"
	"fmt"
	"strings"
)

// Kind says what went wrong from the caller's point of view.
type Kind int

// The kinds of failure the domain reports.
const (
	// Internal is anything unexpected; the caller cannot fix it.
	Internal Kind = iota
	// Invalid input: the caller sent something malformed or out of range.
	Invalid
	// Unauthenticated: no valid credentials were presented.
	Unauthenticated
	// Forbidden: the credentials do not reach this resource.
	Forbidden
	// NotFound: the resource does not exist (or is hidden from the caller).
	NotFound
	// Conflict: the resource's state does not allow the request.
	Conflict
	// Unprocessable: the request is well formed but cannot be honoured
	// (for example an idempotency key reused with another body).
	Unprocessable
	// TooLarge: the request body exceeds the limit.
	TooLarge
	// PreconditionFailed: a conditional request lost against a newer version.
	PreconditionFailed
	// UnsupportedMediaType: the request's body is not of a type the route
	// takes (or declares none).
	UnsupportedMediaType
)

// FieldError names one offending input field (as a JSON Pointer) and why.
// Detail is in English; Message gives what it was made of, so that a port can
// word it in the caller's language.
type FieldError struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
	format  string
	args    []any
}

// Field returns the error of the field at pointer: format with args.
func Field(pointer, format string, args ...any) FieldError {
	return FieldError{Pointer: pointer, Detail: fmt.Sprintf(format, args...), format: format, args: args}
}

// Message returns the format and arguments Detail was made of (Detail itself
// when the error was written as a literal).
func (f FieldError) Message() (string, []any) {
	if f.format == "" {
		return f.Detail, nil
	}
	return f.format, f.args
}

// Error is a failure with a kind, a human message and optional field errors.
type Error struct {
	Kind   Kind
	Detail string
	Fields []FieldError
	Err    error
	format string
	args   []any
}

// Message returns the format and arguments Detail was made of (Detail itself
// when the error was written as a literal).
func (e *Error) Message() (string, []any) {
	if e.format == "" {
		return e.Detail, nil
	}
	return e.format, e.args
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Detail, e.Err)
	}
	return e.Detail
}

func (e *Error) Unwrap() error { return e.Err }

// New returns a failure of the given kind.
func New(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Detail: fmt.Sprintf(format, args...), format: format, args: args}
}

// Fields returns an Invalid failure listing every offending field.
func Fields(detail string, fields ...FieldError) *Error {
	return &Error{Kind: Invalid, Detail: detail, Fields: fields}
}

// KindOf returns the kind of err, Internal when err carries none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns err's failure, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Collector gathers field errors while validating a value.
type Collector struct {
	Errs []FieldError
}

// Add records an error for the field at pointer.
func (c *Collector) Add(pointer, format string, args ...any) {
	c.Errs = append(c.Errs, Field(pointer, format, args...))
}

// Err returns an Invalid failure if any field error was recorded.
func (c *Collector) Err(detail string) error {
	if len(c.Errs) == 0 {
		return nil
	}
	return Fields(detail, c.Errs...)
}

// Under returns the field error moved under a parent field: "/street"
// under "/billing" is "/billing/street". Its wording is kept.
func (f FieldError) Under(parent string) FieldError {
	f.Pointer = parent + f.Pointer
	return f
}

// Describe writes a failure with its field errors on one line, for logs
// and start-up errors.
func Describe(err error) string {
	e := As(err)
	if e == nil || len(e.Fields) == 0 {
		return err.Error()
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Pointer + " " + f.Detail
	}
	return e.Detail + ": " + strings.Join(parts, "; ")
}
