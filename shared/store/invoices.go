package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/notify"
	"github.com/intercultural-cities/backoffice/shared/outbox"
)

// The fee's items (infra/ACCESS-PATTERNS.md):
//
//	INVOICE#<id> / INVOICE              the invoice and its running account; in gsi1 under
//	                                    INVOICES#OPEN (by due date) while something is owed,
//	                                    in gsi2 under FEEYEAR#<year> (by number) for good
//	INVOICE#<id> / PAYMENT#<on>#<id>    a payment
//	INVOICE#<id> / CREDIT#<id>          a credit note
//	INVOICE#<id> / DOCUMENTS#<docId>    the work item that archives a document and emails it
//	CITY#<id> / INVOICE#<feeYear>#<id>  the city's list of invoices
//	CITY#<id> / FEEDUE#<year>           the work item that issues a city's invoice of a year
//	SEQUENCE#<series> / SEQUENCE        the last number given in a series (gapless)
//	BANKENTRY#<key> / BANKENTRY         a bank statement entry recorded as a payment
const (
	InvoicePrefix   = "INVOICE#"
	invoiceSK       = "INVOICE"
	openInvoices    = "INVOICES#OPEN"
	feeYearPrefix   = "FEEYEAR#"
	paymentPrefix   = "PAYMENT#"
	creditPrefix    = "CREDIT#"
	DocumentsPrefix = "DOCUMENTS#"
	FeeDuePrefix    = "FEEDUE#"
	sequencePrefix  = "SEQUENCE#"
	bankEntryPrefix = "BANKENTRY#"
)

// invoiceItem is an invoice with its running account. The account's sums
// are kept on it (written with each payment or credit note) so that lists
// and reminders need one item per invoice.
type invoiceItem struct {
	PK            string `dynamodbav:"pk"`
	SK            string `dynamodbav:"sk"`
	Type          string `dynamodbav:"type"`
	Schema        int    `dynamodbav:"schema"`
	GSI1PK        string `dynamodbav:"gsi1pk,omitempty"`
	GSI1SK        string `dynamodbav:"gsi1sk,omitempty"`
	GSI2PK        string `dynamodbav:"gsi2pk"`
	GSI2SK        string `dynamodbav:"gsi2sk"`
	ID            string `dynamodbav:"invoiceId"`
	CityID        string `dynamodbav:"cityId"`
	Number        string `dynamodbav:"number"`
	FeeYear       int    `dynamodbav:"feeYear"`
	DueDate       string `dynamodbav:"dueDate"`
	Invoice       string `dynamodbav:"invoice"` // JSON of invoiceRecord
	Version       int64  `dynamodbav:"version"`
	PaidCents     int64  `dynamodbav:"paidCents"`
	CreditedCents int64  `dynamodbav:"creditedCents"` // gross
	Credited      bool   `dynamodbav:"credited"`      // in full
	Documents     bool   `dynamodbav:"documents"`     // the PDF and XML are archived
	FlaggedAt     string `dynamodbav:"flaggedAt,omitempty"`
}

const invoiceSchema = 1

func invoiceKey(id string) map[string]types.AttributeValue { return key(InvoicePrefix+id, invoiceSK) }

// DocumentKeys names an archived document's files.
func DocumentKeys(number string, year int) (pdf, xml string) {
	base := "invoices/" + strconv.Itoa(year) + "/" + number
	if strings.HasPrefix(number, "ICC-CN-") {
		base = "credit-notes/" + strconv.Itoa(year) + "/" + number
	}
	return base + ".pdf", base + ".xml"
}

func init() {
	register(feeDueWrites)
	register(invoiceWrites)
	register(paymentWrites)
	register(creditNoteWrites)
}

// sequenceWrite takes number seq in a series: the last number must still
// be seq-1, so numbers are given without gaps and never twice.
func sequenceWrite(table, series string, seq int) write {
	u := &types.Update{
		TableName: aws.String(table), Key: key(sequencePrefix+series, "SEQUENCE"),
		UpdateExpression:          aws.String("SET #last = :seq, #type = :type"),
		ExpressionAttributeNames:  map[string]string{"#last": "last", "#type": "type"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":seq": num(int64(seq)), ":type": str("sequence")},
	}
	if seq == 1 {
		u.ConditionExpression = aws.String("attribute_not_exists(pk)")
	} else {
		u.ConditionExpression = aws.String("#last = :previous")
		u.ExpressionAttributeValues[":previous"] = num(int64(seq - 1))
	}
	return write{item: types.TransactWriteItem{Update: u},
		conflict: func(context.Context, *Store) error { return membership.ErrNumberTaken }}
}

// documentsWork is the work item that archives a document, then emails it.
func documentsWork(table, invoiceID, docID, kind string, at time.Time) write {
	return write{item: types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"pk": str(InvoicePrefix + invoiceID), "sk": str(DocumentsPrefix + docID), "type": str(outbox.TypeDocuments),
		"kind": str(kind), "invoiceId": str(invoiceID), "documentId": str(docID), "status": str(outbox.StatusPending),
		"gsi1pk": str(outbox.PendingPartition), "gsi1sk": str(timeKey(at) + "#" + docID), "createdAt": timeAttr(at),
	}, ConditionExpression: aws.String("attribute_not_exists(pk)")}}}
}

func invoiceWrites(table string, r membership.InvoiceIssued) ([]write, error) {
	inv := r.Invoice
	rec := invoiceRecordOf(inv)
	item, err := attributevalue.MarshalMap(invoiceItem{
		PK: InvoicePrefix + inv.ID, SK: invoiceSK, Type: "invoice", Schema: invoiceSchema,
		GSI1PK: openInvoices, GSI1SK: inv.DueDate.String() + "#" + inv.ID,
		GSI2PK: feeYearPrefix + strconv.Itoa(inv.FeeYear), GSI2SK: inv.Number,
		ID: inv.ID, CityID: inv.CityID, Number: inv.Number, FeeYear: inv.FeeYear, DueDate: inv.DueDate.String(),
		Invoice: jsonText(&rec), Version: 1,
	})
	if err != nil {
		return nil, fmt.Errorf("marshal invoice: %w", err)
	}
	at := inv.IssueDate.Time()
	ref, err := put(table, map[string]any{"pk": cityKey(inv.CityID),
		"sk": "INVOICE#" + strconv.Itoa(inv.FeeYear) + "#" + inv.ID, "type": "invoice-ref", "invoiceId": inv.ID})
	if err != nil {
		return nil, err
	}
	return []write{
		{item: types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table), Item: item,
			ConditionExpression: aws.String("attribute_not_exists(pk)")}}},
		ref,
		sequenceWrite(table, fees.InvoiceSeries(inv.Year), inv.Seq),
		documentsWork(table, inv.ID, inv.ID, "invoice", at),
	}, nil
}

// accountUpdate writes an invoice's account after a payment or a credit
// note, if no other change came first; a settled invoice leaves the open
// invoices' index.
func accountUpdate(table string, a membership.InvoiceAccount, b fees.Balance) write {
	expr := "SET paidCents = :paid, creditedCents = :credited, credited = :full, version = :next"
	if b.Settled() {
		expr += " REMOVE gsi1pk, gsi1sk"
	}
	return write{item: types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(table), Key: invoiceKey(a.Invoice.ID), UpdateExpression: aws.String(expr),
		ConditionExpression: aws.String("version = :read"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":paid": num(b.Paid.Amount), ":credited": num(b.Credited.Amount),
			":full": &types.AttributeValueMemberBOOL{Value: b.Status == fees.StatusCredited},
			":next": num(a.Version + 1), ":read": num(a.Version),
		},
	}}, conflict: func(context.Context, *Store) error {
		return failure.New(failure.Conflict, "invoice %s changed while this was being recorded; reload it and try again", a.Invoice.Number)
	}}
}

func paymentWrites(table string, r membership.PaymentRecorded) ([]write, error) {
	p := r.Payment
	rec := paymentRecordOf(p)
	pay, err := put(table, map[string]any{"pk": InvoicePrefix + p.InvoiceID,
		"sk": paymentPrefix + p.ReceivedOn.String() + "#" + p.ID, "type": "payment", "payment": jsonText(&rec)})
	if err != nil {
		return nil, err
	}
	writes := []write{pay, accountUpdate(table, r.Account, r.Balance)}
	if r.EntryKey != "" {
		entry, err := put(table, map[string]any{"pk": bankEntryPrefix + r.EntryKey, "sk": "BANKENTRY",
			"type": "bank-entry", "invoiceId": p.InvoiceID, "paymentId": p.ID})
		if err != nil {
			return nil, err
		}
		entry.conflict = func(context.Context, *Store) error { return membership.ErrEntryRecorded }
		writes = append(writes, entry)
	}
	return writes, nil
}

func creditNoteWrites(table string, r membership.CreditNoteIssued) ([]write, error) {
	cn := r.CreditNote
	rec := creditNoteRecordOf(cn)
	item, err := put(table, map[string]any{"pk": InvoicePrefix + cn.InvoiceID, "sk": creditPrefix + cn.ID,
		"type": "credit-note", "number": cn.Number, "creditNote": jsonText(&rec)})
	if err != nil {
		return nil, err
	}
	return []write{item, accountUpdate(table, r.Account, r.Balance),
		sequenceWrite(table, fees.CreditNoteSeries(cn.Year), cn.Seq),
		documentsWork(table, cn.InvoiceID, cn.ID, "credit-note", cn.IssueDate.Time())}, nil
}

// NextNumber implements membership.InvoicingStore: the number after the
// last one given in a series (consistent read).
func (s *Store) NextNumber(ctx context.Context, series string) (int, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table),
		Key: key(sequencePrefix+series, "SEQUENCE"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return 0, fmt.Errorf("read series %s: %w", series, err)
	}
	return int(attrNumber(out.Item, "last")) + 1, nil
}

// InvoiceAccount reads an invoice with its payments and credit notes, in
// one query of its partition.
func (s *Store) InvoiceAccount(ctx context.Context, id string) (membership.InvoiceAccount, error) {
	var a membership.InvoiceAccount
	found := false
	var start map[string]types.AttributeValue
	for {
		out, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(s.table),
			KeyConditionExpression:    aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(InvoicePrefix + id)},
			ConsistentRead:            aws.Bool(true), ExclusiveStartKey: start})
		if err != nil {
			return a, fmt.Errorf("query invoice %s: %w", id, err)
		}
		for _, it := range out.Items {
			sk := attrString(it, "sk")
			switch {
			case sk == invoiceSK:
				acc, err := accountOf(it)
				if err != nil {
					return a, err
				}
				payments, credits := a.Payments, a.Credits
				a, found = acc, true
				a.Payments, a.Credits = payments, credits
			case strings.HasPrefix(sk, paymentPrefix):
				rec, err := fromJSONText[paymentRecord](attrString(it, "payment"))
				if err != nil || rec == nil {
					return a, fmt.Errorf("payment %s: %w", sk, err)
				}
				a.Payments = append(a.Payments, rec.payment())
			case strings.HasPrefix(sk, creditPrefix):
				rec, err := fromJSONText[creditNoteRecord](attrString(it, "creditNote"))
				if err != nil || rec == nil {
					return a, fmt.Errorf("credit note %s: %w", sk, err)
				}
				a.Credits = append(a.Credits, rec.creditNote())
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		start = out.LastEvaluatedKey
	}
	if !found {
		return a, failure.New(failure.NotFound, "no invoice %s", id)
	}
	return a, nil
}

// accountOf reads an invoice item. Its payments and credit notes are not on
// it: their sums are (Summary).
func accountOf(item map[string]types.AttributeValue) (membership.InvoiceAccount, error) {
	var it invoiceItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return membership.InvoiceAccount{}, fmt.Errorf("unmarshal invoice: %w", err)
	}
	if it.Schema > invoiceSchema {
		return membership.InvoiceAccount{}, fmt.Errorf("invoice %s: schema %d is newer than this code", it.ID, it.Schema)
	}
	rec, err := fromJSONText[invoiceRecord](it.Invoice)
	if err != nil || rec == nil {
		return membership.InvoiceAccount{}, fmt.Errorf("invoice %s: %w", it.ID, err)
	}
	a := membership.InvoiceAccount{Invoice: rec.invoice(), Documents: it.Documents, Version: it.Version}
	if it.FlaggedAt != "" {
		a.Flagged, _ = time.Parse(time.RFC3339Nano, it.FlaggedAt)
	}
	a.Paid, a.Credited, a.CreditedInFull = fees.Euros(it.PaidCents), fees.Euros(it.CreditedCents), it.Credited
	return a, nil
}

// OpenInvoices implements membership.InvoicingStore: the open invoices'
// index, due on or before dueBy, in due-date order.
func (s *Store) OpenInvoices(ctx context.Context, dueBy fees.Date) ([]membership.InvoiceAccount, error) {
	var out []membership.InvoiceAccount
	var start map[string]types.AttributeValue
	for {
		page, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(s.table), IndexName: aws.String(Table.Index),
			KeyConditionExpression: aws.String("gsi1pk = :p AND gsi1sk < :until"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": str(openInvoices),
				":until": str(dueBy.AddDays(1).String())},
			ExclusiveStartKey: start})
		if err != nil {
			return nil, fmt.Errorf("query open invoices: %w", err)
		}
		for _, it := range page.Items {
			a, err := accountOf(it)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		start = page.LastEvaluatedKey
	}
}

// Invoices lists a fee year's invoices, in number order (gsi2).
func (s *Store) Invoices(ctx context.Context, feeYear int) ([]membership.InvoiceAccount, error) {
	var out []membership.InvoiceAccount
	var start map[string]types.AttributeValue
	for {
		page, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(s.table), IndexName: aws.String(Table.Index2),
			KeyConditionExpression:    aws.String("gsi2pk = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": str(feeYearPrefix + strconv.Itoa(feeYear))},
			ExclusiveStartKey:         start})
		if err != nil {
			return nil, fmt.Errorf("query invoices of %d: %w", feeYear, err)
		}
		for _, it := range page.Items {
			a, err := accountOf(it)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		start = page.LastEvaluatedKey
	}
}

// CityInvoices lists a city's invoices, newest fee year first: the city's
// references, then the invoices in one batch read.
func (s *Store) CityInvoices(ctx context.Context, cityID string) ([]membership.InvoiceAccount, error) {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{TableName: aws.String(s.table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :ref)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(cityKey(cityID)),
			":ref": str(InvoicePrefix)},
		ScanIndexForward: aws.Bool(false)})
	var keys []map[string]types.AttributeValue
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query invoices of city %s: %w", cityID, err)
		}
		for _, it := range out.Items {
			keys = append(keys, invoiceKey(attrString(it, "invoiceId")))
		}
	}
	accounts := make([]membership.InvoiceAccount, 0, len(keys))
	if err := s.batchGet(ctx, keys, "", true, func(it map[string]types.AttributeValue) error {
		a, err := accountOf(it)
		accounts = append(accounts, a)
		return err
	}); err != nil {
		return nil, fmt.Errorf("read invoices of city %s: %w", cityID, err)
	}
	slices.SortFunc(accounts, func(a, b membership.InvoiceAccount) int {
		return strings.Compare(b.Invoice.Number, a.Invoice.Number)
	})
	return accounts, nil
}

// QueueInvoicing implements membership.InvoicingStore with batch writes of
// 25 items, four batches in flight. The work items' keys derive from the
// city and the year: a run that writes them again leaves one item per city,
// and issuing checks the city's file, so no city is invoiced twice.
func (s *Store) QueueInvoicing(ctx context.Context, year int, cityIDs []string, now time.Time) error {
	batches := make(chan []types.WriteRequest)
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for reqs := range batches {
				if err := s.batchWrite(ctx, reqs); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var err error
	for i := 0; i < len(cityIDs) && err == nil; i += 25 {
		var reqs []types.WriteRequest
		for _, id := range cityIDs[i:min(i+25, len(cityIDs))] {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: FeeDueItem(id, year, now)}})
		}
		select {
		case batches <- reqs:
		case err = <-errs:
		}
	}
	close(batches)
	wg.Wait()
	close(errs)
	if err != nil {
		return err
	}
	return <-errs // nil once closed empty
}

// feeDueWrites queues the issue of an invoice with the step that makes it
// possible (billing details recorded). An item left from an earlier ask is
// replaced: issuing checks the city's file, so nothing is invoiced twice.
func feeDueWrites(table string, d membership.FeeDue) ([]write, error) {
	return []write{{item: types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table),
		Item: FeeDueItem(d.CityID, d.Year, d.At)}}}}, nil
}

// FeeDueItem is the work item that issues a city's invoice of a year.
func FeeDueItem(cityID string, year int, now time.Time) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": str(cityKey(cityID)), "sk": str(FeeDuePrefix + strconv.Itoa(year)), "type": str(outbox.TypeFeeDue),
		"cityId": str(cityID), "year": num(int64(year)), "status": str(outbox.StatusPending),
		"gsi1pk": str(outbox.PendingPartition), "gsi1sk": str(timeKey(now) + "#" + cityID), "createdAt": timeAttr(now),
	}
}

// batchWrite writes requests, retrying what DynamoDB leaves unprocessed.
func (s *Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	pending := map[string][]types.WriteRequest{s.table: reqs}
	for attempt := 0; len(pending) > 0; attempt++ {
		out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		if err != nil {
			return fmt.Errorf("batch write: %w", err)
		}
		pending = out.UnprocessedItems
		if len(pending) > 0 {
			if attempt > 10 {
				return fmt.Errorf("batch write: %d items left unprocessed", len(pending[s.table]))
			}
			time.Sleep(time.Duration(attempt+1) * 50 * time.Millisecond)
		}
	}
	return nil
}

// WorkDone marks a work item done and takes it out of the outbox.
func (s *Store) WorkDone(ctx context.Context, k outbox.Key, now time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(s.table), Key: key(k.PK, k.SK),
		UpdateExpression:          aws.String("SET #status = :done, doneAt = :now REMOVE gsi1pk, gsi1sk, leaseUntil"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":done": str(outbox.StatusDone), ":now": timeAttr(now)}})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("mark %s %s done: %w", k.PK, k.SK, err)
	}
	return nil
}

// FlagInvoice implements membership.InvoicingStore.
func (s *Store) FlagInvoice(ctx context.Context, invoiceID string, now time.Time) (bool, error) {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(s.table), Key: invoiceKey(invoiceID),
		UpdateExpression:          aws.String("SET flaggedAt = :now"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND attribute_not_exists(flaggedAt)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": timeAttr(now)}})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("flag invoice %s: %w", invoiceID, err)
	}
	return true, nil
}

// DocumentsArchived records that a document's PDF and XML are in the
// archive: the work item is done, the document says so, and its email goes
// out, in one transaction.
func (s *Store) DocumentsArchived(ctx context.Context, k outbox.Key, invoiceID, creditNoteID string, mail []notify.Notification) error {
	target := invoiceKey(invoiceID)
	if creditNoteID != "" {
		target = key(InvoicePrefix+invoiceID, creditPrefix+creditNoteID)
	}
	return s.archived(ctx, k, target, mail)
}

// archived marks a documents work item done, the document archived, and
// queues its email, in one transaction; a work item done already (a
// duplicate delivery) changes nothing.
func (s *Store) archived(ctx context.Context, k outbox.Key, target map[string]types.AttributeValue, mail []notify.Notification) error {
	items := []types.TransactWriteItem{{Update: &types.Update{TableName: aws.String(s.table), Key: key(k.PK, k.SK),
		UpdateExpression:          aws.String("SET #status = :done REMOVE gsi1pk, gsi1sk, leaseUntil"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND #status <> :done"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":done": str(outbox.StatusDone)}}}}
	items = append(items, types.TransactWriteItem{Update: &types.Update{TableName: aws.String(s.table), Key: target,
		UpdateExpression: aws.String("SET documents = :yes"), ConditionExpression: aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":yes": &types.AttributeValueMemberBOOL{Value: true}}}})
	for _, n := range mail {
		w, err := notificationWrite(s.table, n)
		if err != nil {
			return err
		}
		items = append(items, w.item)
	}
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if failed, _ := canceledAt(err); slices.Contains(failed, 0) {
		return nil // done already: a duplicate delivery
	}
	if err != nil {
		return fmt.Errorf("record the archiving of %s %s: %w", k.PK, k.SK, err)
	}
	return nil
}

// MembersToInvoice implements membership.InvoicingStore: the cities in a
// status with only what invoicing reads (their agreement, billing details
// and invoiced years), in DynamoDB's pages of up to 1 MB, so the annual run
// reads 10 000 members in a few queries.
func (s *Store) MembersToInvoice(ctx context.Context, status membership.Status) ([]membership.City, error) {
	var out []membership.City
	var start map[string]types.AttributeValue
	for {
		page, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(s.table), IndexName: aws.String(Table.Index),
			KeyConditionExpression:    aws.String("gsi1pk = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": str(cityStatusPartition(status))},
			ProjectionExpression:      aws.String("cityId, #status, agreement, billing, invoicedYears, #schema"),
			ExpressionAttributeNames:  map[string]string{"#status": "status", "#schema": "schema"},
			ExclusiveStartKey:         start})
		if err != nil {
			return nil, fmt.Errorf("query members: %w", err)
		}
		for _, item := range page.Items {
			var it cityItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, err
			}
			c, err := it.city()
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		start = page.LastEvaluatedKey
	}
}
