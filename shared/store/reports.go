package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/notify"
	"github.com/intercultural-cities/backoffice/shared/outbox"
	"github.com/intercultural-cities/backoffice/shared/practice"
)

// The analytical reports' items:
//
//	CITY#<id> / REPORT#<reportId>          a report; in gsi1 under REPORTS#DRAFT while a draft
//	CITY#<id> / DOCUMENTS#REPORT#<id>      the work item that archives a published report and emails it
//	PRACTICE#<id> / PRACTICE               a good practice; in gsi1 under PRACTICES (by area)
const (
	reportPrefix   = "REPORT#"
	draftReports   = "REPORTS#DRAFT"
	practicePrefix = "PRACTICE#"
	practicesPK    = "PRACTICES"
	// ReportDocumentsPrefix starts the sort key of a report's documents
	// work item.
	ReportDocumentsPrefix = "DOCUMENTS#REPORT#"
)

type reportItem struct {
	PK           string `dynamodbav:"pk"`
	SK           string `dynamodbav:"sk"`
	Type         string `dynamodbav:"type"`
	Schema       int    `dynamodbav:"schema"`
	GSI1PK       string `dynamodbav:"gsi1pk,omitempty"`
	GSI1SK       string `dynamodbav:"gsi1sk,omitempty"`
	ID           string `dynamodbav:"reportId"`
	CityID       string `dynamodbav:"cityId"`
	CityName     string `dynamodbav:"cityName"`
	SubmissionID string `dynamodbav:"submissionId"`
	Status       string `dynamodbav:"status"`
	Commentary   string `dynamodbav:"commentary"` // JSON of commentaryRecord
	CreatedAt    string `dynamodbav:"createdAt"`
	PublishedAt  string `dynamodbav:"publishedAt,omitempty"`
	Model        string `dynamodbav:"model,omitempty"` // the report package's JSON, frozen when published
	Documents    bool   `dynamodbav:"documents"`
	Version      int64  `dynamodbav:"version"`
}

const reportSchema = 1

type textRecord struct {
	EN string `json:"en,omitempty"`
	FR string `json:"fr,omitempty"`
}

type commentaryRecord struct {
	Introduction textRecord            `json:"introduction"`
	Areas        map[string]textRecord `json:"areas,omitempty"`
}

func commentaryOf(c membership.Commentary) commentaryRecord {
	out := commentaryRecord{Introduction: textRecord(c.Introduction), Areas: map[string]textRecord{}}
	for k, v := range c.Areas {
		out.Areas[k] = textRecord(v)
	}
	return out
}

func (r commentaryRecord) commentary() membership.Commentary {
	out := membership.Commentary{Introduction: index.Text(r.Introduction), Areas: map[string]index.Text{}}
	for k, v := range r.Areas {
		out.Areas[k] = index.Text(v)
	}
	return out
}

func reportKey(cityID, id string) map[string]types.AttributeValue {
	return key(cityKey(cityID), reportPrefix+id)
}

func init() {
	register(reportDraftWrites)
	register(reportCommentWrites)
	register(reportIssueWrites)
}

func reportDraftWrites(table string, d membership.ReportDrafted) ([]write, error) {
	r := d.Report
	cr := commentaryOf(r.Commentary)
	w, err := put(table, reportItem{PK: cityKey(r.CityID), SK: reportPrefix + r.ID, Type: "report", Schema: reportSchema,
		GSI1PK: draftReports, GSI1SK: timeKey(r.CreatedAt) + "#" + r.ID, ID: r.ID, CityID: r.CityID, CityName: r.CityName,
		SubmissionID: r.SubmissionID, Status: membership.ReportDraft, Commentary: jsonText(&cr),
		CreatedAt: r.CreatedAt.Format(time.RFC3339Nano), Version: 1})
	return []write{w}, err
}

// reportChanged is what a condition on a report's version failing means.
func reportChanged(id string) func(context.Context, *Store) error {
	return func(context.Context, *Store) error {
		return failure.New(failure.Conflict, "report %s changed meanwhile; reload it and try again", id)
	}
}

func reportCommentWrites(table string, c membership.ReportCommented) ([]write, error) {
	r := c.Report
	cr := commentaryOf(r.Commentary)
	return []write{{item: types.TransactWriteItem{Update: &types.Update{TableName: aws.String(table),
		Key: reportKey(r.CityID, r.ID), UpdateExpression: aws.String("SET commentary = :c, version = :next"),
		ConditionExpression:      aws.String("version = :read AND #status = :draft"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": str(jsonText(&cr)), ":next": num(r.Version + 1),
			":read": num(r.Version), ":draft": str(membership.ReportDraft)},
	}}, conflict: reportChanged(r.ID)}}, nil
}

// reportIssueWrites publishes a draft (once: a report published meanwhile
// makes the step membership.ErrPublished) and queues its archiving.
func reportIssueWrites(table string, p membership.ReportIssued) ([]write, error) {
	r := p.Report
	at := r.PublishedAt
	return []write{
		{item: types.TransactWriteItem{Update: &types.Update{TableName: aws.String(table),
			Key:                      reportKey(r.CityID, r.ID),
			UpdateExpression:         aws.String("SET #status = :published, publishedAt = :at, model = :model, version = :next REMOVE gsi1pk, gsi1sk"),
			ConditionExpression:      aws.String("#status = :draft"),
			ExpressionAttributeNames: map[string]string{"#status": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":published": str(membership.ReportPublished),
				":at": str(at.Format(time.RFC3339Nano)), ":model": str(string(r.Model)), ":next": num(r.Version + 1),
				":draft": str(membership.ReportDraft)},
		}}, conflict: func(context.Context, *Store) error { return membership.ErrPublished }},
		{item: types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table), Item: map[string]types.AttributeValue{
			"pk": str(cityKey(r.CityID)), "sk": str(ReportDocumentsPrefix + r.ID), "type": str(outbox.TypeReport),
			"reportId": str(r.ID), "cityId": str(r.CityID), "status": str(outbox.StatusPending),
			"gsi1pk": str(outbox.PendingPartition), "gsi1sk": str(timeKey(at) + "#" + r.ID), "createdAt": timeAttr(at),
		}, ConditionExpression: aws.String("attribute_not_exists(pk)")}}},
	}, nil
}

func reportOf(item map[string]types.AttributeValue) (membership.Report, error) {
	var it reportItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return membership.Report{}, fmt.Errorf("unmarshal report: %w", err)
	}
	if it.Schema > reportSchema {
		return membership.Report{}, fmt.Errorf("report %s: schema %d is newer than this code", it.ID, it.Schema)
	}
	c, err := fromJSONText[commentaryRecord](it.Commentary)
	if err != nil {
		return membership.Report{}, fmt.Errorf("report %s: commentary: %w", it.ID, err)
	}
	r := membership.Report{ID: it.ID, CityID: it.CityID, CityName: it.CityName, SubmissionID: it.SubmissionID, Status: it.Status,
		Documents: it.Documents, Version: it.Version, Commentary: membership.Commentary{Areas: map[string]index.Text{}}}
	if c != nil {
		r.Commentary = c.commentary()
	}
	r.CreatedAt, _ = time.Parse(time.RFC3339Nano, it.CreatedAt)
	if it.PublishedAt != "" {
		r.PublishedAt, _ = time.Parse(time.RFC3339Nano, it.PublishedAt)
	}
	if it.Model != "" {
		r.Model = []byte(it.Model)
	}
	return r, nil
}

// Report reads one of a city's reports.
func (s *Store) Report(ctx context.Context, cityID, id string) (membership.Report, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: reportKey(cityID, id),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return membership.Report{}, fmt.Errorf("get report: %w", err)
	}
	if len(out.Item) == 0 {
		return membership.Report{}, failure.New(failure.NotFound, "city %s has no report %s", cityID, id)
	}
	return reportOf(out.Item)
}

// Reports lists a city's reports, newest first, without their models.
func (s *Store) Reports(ctx context.Context, cityID string) ([]membership.Report, error) {
	// A published report holds its frozen model, which counts against a
	// page's 1 MB even though it is not projected: read every page.
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{TableName: aws.String(s.table),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :r)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(cityKey(cityID)), ":r": str(reportPrefix)},
		ProjectionExpression:      aws.String("reportId, cityId, cityName, submissionId, #status, commentary, createdAt, publishedAt, documents, version, #schema"),
		ExpressionAttributeNames:  map[string]string{"#status": "status", "#schema": "schema"}})
	var reports []membership.Report
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query reports of %s: %w", cityID, err)
		}
		for _, it := range out.Items {
			r, err := reportOf(it)
			if err != nil {
				return nil, err
			}
			reports = append(reports, r)
		}
	}
	sort.Slice(reports, func(i, j int) bool { return reports[i].CreatedAt.After(reports[j].CreatedAt) })
	return reports, nil
}

// DraftReports lists the drafts awaiting the secretariat, oldest first.
func (s *Store) DraftReports(ctx context.Context) ([]membership.Report, error) {
	var out []membership.Report
	var start map[string]types.AttributeValue
	for {
		page, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(s.table), IndexName: aws.String(Table.Index),
			KeyConditionExpression:    aws.String("gsi1pk = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": str(draftReports)}, ExclusiveStartKey: start})
		if err != nil {
			return nil, fmt.Errorf("query draft reports: %w", err)
		}
		for _, it := range page.Items {
			r, err := reportOf(it)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		start = page.LastEvaluatedKey
	}
}

// ReportArchived records that a published report is in the archive: the
// work item is done, the report says so, and its email goes out.
func (s *Store) ReportArchived(ctx context.Context, k outbox.Key, cityID, reportID string, mail []notify.Notification) error {
	return s.archived(ctx, k, reportKey(cityID, reportID), mail)
}

// Submissions lists a city's scored submissions, oldest first, without
// their answers: what a report compares with.
func (s *Store) Submissions(ctx context.Context, cityID string) ([]index.Submission, error) {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{TableName: aws.String(s.table),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :s)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(cityKey(cityID)), ":s": str(SubmissionPrefix)},
		ConsistentRead:            aws.Bool(true)})
	var subs []index.Submission
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query submissions of %s: %w", cityID, err)
		}
		for _, it := range out.Items {
			sub, err := submissionOf(cityID, attrString(it, "id"), it)
			if err != nil {
				return nil, err
			}
			subs = append(subs, sub)
		}
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].SubmittedAt.Before(subs[j].SubmittedAt) })
	return subs, nil
}

// The good-practice catalogue.

type practiceItem struct {
	PK       string `dynamodbav:"pk"`
	SK       string `dynamodbav:"sk"`
	Type     string `dynamodbav:"type"`
	Schema   int    `dynamodbav:"schema"`
	GSI1PK   string `dynamodbav:"gsi1pk"`
	GSI1SK   string `dynamodbav:"gsi1sk"`
	Practice string `dynamodbav:"practice"` // JSON of practiceRecord
}

const practiceSchema = 1

type practiceRecord struct {
	ID        string     `json:"id"`
	CityID    string     `json:"cityId"`
	CityName  string     `json:"cityName"`
	Country   string     `json:"country"`
	Area      string     `json:"area"`
	Title     textRecord `json:"title"`
	Summary   textRecord `json:"summary"`
	Year      int        `json:"year"`
	Link      string     `json:"link,omitempty"`
	Published bool       `json:"published"`
	Demo      bool       `json:"demo"`
}

// PutPractice stores a good practice, new or changed. With the request's
// idempotency record (a new practice's POST), the practice and the record
// are written in one transaction: a retry replays the first answer rather
// than adding the practice again, and of concurrent duplicates one wins
// (the others get idempotency.ErrRace).
func (s *Store) PutPractice(ctx context.Context, p practice.Practice, idem *idempotency.Record) error {
	rec := practiceRecord{ID: p.ID, CityID: p.CityID, CityName: p.CityName, Country: p.Country, Area: p.Area,
		Title: textRecord(p.Title), Summary: textRecord(p.Summary), Year: p.Year, Link: p.Link, Published: p.Published, Demo: p.Demo}
	item, err := attributevalue.MarshalMap(practiceItem{PK: practicePrefix + p.ID, SK: "PRACTICE", Type: "practice", Schema: practiceSchema,
		GSI1PK: practicesPK, GSI1SK: p.Area + "#" + p.ID, Practice: jsonText(&rec)})
	if err != nil {
		return err
	}
	if idem == nil {
		if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
			return fmt.Errorf("put practice %s: %w", p.ID, err)
		}
		return nil
	}
	items, err := withRecord(s.table, []types.TransactWriteItem{{Put: &types.Put{TableName: aws.String(s.table), Item: item}}}, idem)
	if err != nil {
		return err
	}
	if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items}); err != nil {
		if lostRace(err, items, idem) {
			return idempotency.ErrRace
		}
		return fmt.Errorf("put practice %s: %w", p.ID, err)
	}
	return nil
}

// Practice reads one good practice.
func (s *Store) Practice(ctx context.Context, id string) (practice.Practice, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(practicePrefix+id, "PRACTICE")})
	if err != nil {
		return practice.Practice{}, fmt.Errorf("get practice: %w", err)
	}
	if len(out.Item) == 0 {
		return practice.Practice{}, failure.New(failure.NotFound, "no good practice %s", id)
	}
	return practiceOf(out.Item)
}

func practiceOf(item map[string]types.AttributeValue) (practice.Practice, error) {
	if v := int(attrNumber(item, "schema")); v > practiceSchema {
		return practice.Practice{}, fmt.Errorf("practice %s: schema %d is newer than this code", attrString(item, "pk"), v)
	}
	rec, err := fromJSONText[practiceRecord](attrString(item, "practice"))
	if err != nil || rec == nil {
		return practice.Practice{}, fmt.Errorf("practice %s: %w", attrString(item, "pk"), err)
	}
	return practice.Practice{ID: rec.ID, CityID: rec.CityID, CityName: rec.CityName, Country: rec.Country, Area: rec.Area,
		Title: index.Text(rec.Title), Summary: index.Text(rec.Summary), Year: rec.Year, Link: rec.Link,
		Published: rec.Published, Demo: rec.Demo}, nil
}

// Practices lists the catalogue, in one area or all, by area.
func (s *Store) Practices(ctx context.Context, area string) ([]practice.Practice, error) {
	in := &dynamodb.QueryInput{TableName: aws.String(s.table), IndexName: aws.String(Table.Index),
		KeyConditionExpression:    aws.String("gsi1pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": str(practicesPK)}}
	if area != "" {
		in.KeyConditionExpression = aws.String("gsi1pk = :p AND begins_with(gsi1sk, :a)")
		in.ExpressionAttributeValues[":a"] = str(area + "#")
	}
	var out []practice.Practice
	for {
		page, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query practices: %w", err)
		}
		for _, it := range page.Items {
			p, err := practiceOf(it)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// LatestResults reads the latest scored result and facts of cities, in
// batches: what choosing practices needs of the practices' cities.
func (s *Store) LatestResults(ctx context.Context, cityIDs []string) (map[string]index.Result, error) {
	out := map[string]index.Result{}
	seen := map[string]bool{}
	var keys []map[string]types.AttributeValue
	for _, id := range cityIDs {
		if id != "" && !seen[id] {
			seen[id] = true
			keys = append(keys, key(cityKey(id), profileSK))
		}
	}
	if err := s.batchGet(ctx, keys, "cityId, latestResult", false, func(it map[string]types.AttributeValue) error {
		res, err := fromJSONText[resultRecord](attrString(it, "latestResult"))
		if err == nil && res != nil {
			out[attrString(it, "cityId")] = res.result()
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read latest results: %w", err)
	}
	return out, nil
}
