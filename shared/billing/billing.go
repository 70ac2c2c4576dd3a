// Package billing is the billing function's work: it issues the invoices
// the annual run asks for, one city at a time, and archives each issued
// document (invoice or credit note: its PDF and its e-invoice) before
// emailing it. Only this function renders documents: the others never link
// the PDF library.
package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/intercultural-cities/backoffice/shared/archive"
	"github.com/intercultural-cities/backoffice/shared/invoicedoc"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/notify"
	"github.com/intercultural-cities/backoffice/shared/outbox"
	"github.com/intercultural-cities/backoffice/shared/store"
)

// Store is what billing needs from storage.
type Store interface {
	InvoiceAccount(ctx context.Context, id string) (membership.InvoiceAccount, error)
	CityForUpdate(ctx context.Context, id string) (membership.City, error)
	DocumentsArchived(ctx context.Context, k outbox.Key, invoiceID, creditNoteID string, mail []notify.Notification) error
	WorkDone(ctx context.Context, k outbox.Key, now time.Time) error
}

// Archive keeps issued documents.
type Archive interface {
	Put(ctx context.Context, key string, d archive.Document) error
}

// Service does the billing function's work.
type Service struct {
	Store     Store
	Archive   Archive
	Invoicing *membership.Invoicing
	Now       func() time.Time
}

// IssueDue consumes a fee-due work item (CITY#<id> / FEEDUE#<year>): it
// issues the city's invoice of the year unless the city owes none any more,
// then marks the item done.
func (s *Service) IssueDue(ctx context.Context, k outbox.Key) error {
	cityID, err := outbox.IDFromKey(k.PK, store.CityPrefix)
	if err != nil {
		return err
	}
	y, err := outbox.IDFromKey(k.SK, store.FeeDuePrefix)
	if err != nil {
		return err
	}
	year, err := strconv.Atoi(y)
	if err != nil {
		return fmt.Errorf("work item %s: %w", k.SK, err)
	}
	inv, err := s.Invoicing.Issue(ctx, cityID, year)
	switch {
	case errors.Is(err, membership.ErrNotOwed):
		slog.InfoContext(ctx, "no invoice owed any more", "city", cityID, "year", year)
	case err != nil:
		return err
	default:
		slog.InfoContext(ctx, "invoice issued", "city", cityID, "year", year, "number", inv.Number)
	}
	return s.Store.WorkDone(ctx, k, s.Now())
}

// ArchiveDocuments consumes a documents work item (INVOICE#<id> / DOCUMENTS#<doc>):
// it renders the invoice or credit note, stores its PDF and XML in the
// archive once, and queues its email with both attached, marking the item
// done in the same transaction. Rendering is deterministic, so a retry
// finds the same bytes in the archive.
func (s *Service) ArchiveDocuments(ctx context.Context, k outbox.Key) error {
	invoiceID, err := outbox.IDFromKey(k.PK, store.InvoicePrefix)
	if err != nil {
		return err
	}
	docID, err := outbox.IDFromKey(k.SK, store.DocumentsPrefix)
	if err != nil {
		return err
	}
	a, err := s.Store.InvoiceAccount(ctx, invoiceID)
	if err != nil {
		return err
	}
	c, err := s.Store.CityForUpdate(ctx, a.Invoice.CityID)
	if err != nil {
		return err
	}
	now := s.Now()
	if docID == invoiceID {
		pdf, xml, err := s.store(ctx, a.Invoice.Number, a.Invoice.Year,
			func() ([]byte, error) { return invoicedoc.InvoicePDF(a.Invoice) },
			func() ([]byte, error) { return invoicedoc.InvoiceUBL(a.Invoice) })
		if err != nil {
			return err
		}
		mail := membership.InvoiceIssuedMail(c, a.Invoice, pdf, xml, now)
		return s.Store.DocumentsArchived(ctx, k, invoiceID, "", []notify.Notification{mail})
	}
	for _, cn := range a.Credits {
		if cn.ID != docID {
			continue
		}
		pdf, xml, err := s.store(ctx, cn.Number, cn.Year,
			func() ([]byte, error) { return invoicedoc.CreditNotePDF(cn) },
			func() ([]byte, error) { return invoicedoc.CreditNoteUBL(cn) })
		if err != nil {
			return err
		}
		mail := membership.CreditNoteMail(c, a.Invoice, cn, pdf, xml, now)
		return s.Store.DocumentsArchived(ctx, k, invoiceID, cn.ID, []notify.Notification{mail})
	}
	return fmt.Errorf("invoice %s has no credit note %s", invoiceID, docID)
}

// store renders and archives a document's PDF and XML, and returns their
// keys.
func (s *Service) store(ctx context.Context, number string, year int, pdf, xml func() ([]byte, error)) (string, string, error) {
	pdfKey, xmlKey := store.DocumentKeys(number, year)
	for _, d := range []struct {
		key, contentType string
		render           func() ([]byte, error)
	}{{pdfKey, "application/pdf", pdf}, {xmlKey, "application/xml", xml}} {
		body, err := d.render()
		if err != nil {
			return "", "", fmt.Errorf("render %s: %w", d.key, err)
		}
		if err := s.Archive.Put(ctx, d.key, archive.Document{Body: body, ContentType: d.contentType}); err != nil {
			return "", "", err
		}
	}
	return pdfKey, xmlKey, nil
}

// Consumers are the billing function's stream consumers, by work type.
func (s *Service) Consumers() map[string]func(context.Context, outbox.Key) error {
	return map[string]func(context.Context, outbox.Key) error{
		outbox.TypeFeeDue:    s.IssueDue,
		outbox.TypeDocuments: s.ArchiveDocuments,
	}
}
