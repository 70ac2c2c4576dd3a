package local

import (
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/smithy-go/middleware"

	"github.com/intercultural-cities/backoffice/infra/template"
)

// The emulator enforces no IAM, so the stack records what IAM would check
// for every AWS call a function makes, and CheckGrants compares that with the
// function's policies in the template.

// Call is one permission a function's AWS call needed: IAM checks Action on
// Resource. A call that touches several items or resources needs one Call
// for each: a transaction's items are authorized one by one.
type Call struct {
	Function  string // the function's name, as in functions/<name>
	Service   string // the SDK's service id: DynamoDB, SES
	Operation string // the API operation: TransactWriteItems
	Item      string // in TransactWriteItems and BatchWriteItem, the item's kind: Put, Update, Delete, ConditionCheck
	Action    string // the IAM action: dynamodb:UpdateItem
	Resource  string // the ARN the action is checked on; empty when the recorder cannot tell which
}

// String reads as "DynamoDB TransactWriteItems (Update item): dynamodb:UpdateItem on arn:…".
func (c Call) String() string {
	op := c.Service + " " + c.Operation
	if c.Item != "" {
		op += " (" + c.Item + " item)"
	}
	res := c.Resource
	if res == "" {
		res = "an unknown resource"
	}
	return op + ": " + c.Action + " on " + res
}

// CallLog records the calls of every function of a stack.
type CallLog struct {
	// Deployment builds the recorded ARNs; CheckGrants resolves the
	// template's with the same values.
	Deployment template.Deployment
	mu         sync.Mutex
	counts     map[Call]int
}

// NewCallLog records calls with ARNs in deployment d.
func NewCallLog(d template.Deployment) *CallLog {
	return &CallLog{Deployment: d, counts: map[Call]int{}}
}

// localDeployment is the stack's deployment: a fixed account in the SDK's
// region, for each "!Ref X" the value the stack gives its functions, and as
// SenderIdentity the sender address the stack verifies in SES.
func localDeployment(region string, refs map[string]string, sender string) template.Deployment {
	d := template.Deployment{Partition: "aws", Region: region, AccountID: "123456789012",
		Refs: map[string]string{"SenderIdentity": sender}}
	for k, v := range refs {
		if name, ok := strings.CutPrefix(k, "!Ref "); ok {
			d.Refs[name] = v
		}
	}
	return d
}

// Record returns the SDK option that records each call made with it as
// function's. It is an Initialize step, where the operation's input is still
// typed, and it records before the call is sent: a refused call needed its
// grant too.
func (l *CallLog) Record(function string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("RecordCalls",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
				middleware.InitializeOutput, middleware.Metadata, error,
			) {
				l.add(function, awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), in.Parameters)
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	}
}

func (l *CallLog) add(function, service, operation string, params any) {
	calls := permissions(l.Deployment, service, operation, params)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range calls {
		c.Function, c.Service, c.Operation = function, service, operation
		l.counts[c]++
	}
}

// Calls returns the distinct calls recorded, sorted by function, service,
// operation, item, action and resource.
func (l *CallLog) Calls() []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Call, 0, len(l.counts))
	for c := range l.counts {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Call) int {
		return strings.Compare(
			strings.Join([]string{a.Function, a.Service, a.Operation, a.Item, a.Action, a.Resource}, "\x00"),
			strings.Join([]string{b.Function, b.Service, b.Operation, b.Item, b.Action, b.Resource}, "\x00"))
	})
	return out
}

// Count returns how many times a call was made.
func (l *CallLog) Count(c Call) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[c]
}

// permissions returns what IAM checks for one call (Function, Service and
// Operation left for the caller to fill).
func permissions(d template.Deployment, service, operation string, params any) []Call {
	switch service {
	case dynamodb.ServiceID:
		return dynamoDBPermissions(d, operation, params)
	case ses.ServiceID:
		return sesPermissions(d, operation, params)
	case "DynamoDB Streams":
		return streamPermissions(d, operation, params)
	case "S3":
		return s3Permissions(d, operation, params)
	case "Secrets Manager":
		// Every action on a secret is authorized on the secret's ARN,
		// which the functions name it by.
		action := "secretsmanager:" + operation
		if id, ok := stringField(params, "SecretId"); ok && strings.HasPrefix(id, "arn:") {
			return []Call{{Action: action, Resource: id}}
		}
		return []Call{{Action: action}}
	}
	// A service the recorder does not know yet: the action is usually the
	// operation's name, the resource is left unknown so the check says so.
	prefix := strings.ToLower(strings.ReplaceAll(service, " ", ""))
	return []Call{{Action: prefix + ":" + operation}}
}

// dynamoDBPermissions follows the DynamoDB actions table of the Service
// Authorization Reference
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html).
func dynamoDBPermissions(d template.Deployment, operation string, params any) []Call {
	action := "dynamodb:" + operation
	switch in := params.(type) {
	case *dynamodb.TransactWriteItemsInput:
		// IAM has no dynamodb:TransactWriteItems: each item is authorized
		// as the single-item operation it performs (Put as PutItem, Update
		// as UpdateItem, Delete as DeleteItem) and a ConditionCheck as
		// dynamodb:ConditionCheckItem, on the item's own table. See "Using
		// IAM with DynamoDB transactions",
		// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
		var out []Call
		for _, it := range in.TransactItems {
			switch {
			case it.Put != nil:
				out = append(out, Call{Item: "Put", Action: "dynamodb:PutItem", Resource: tableARN(d, it.Put.TableName)})
			case it.Update != nil:
				out = append(out, Call{Item: "Update", Action: "dynamodb:UpdateItem", Resource: tableARN(d, it.Update.TableName)})
			case it.Delete != nil:
				out = append(out, Call{Item: "Delete", Action: "dynamodb:DeleteItem", Resource: tableARN(d, it.Delete.TableName)})
			case it.ConditionCheck != nil:
				out = append(out, Call{Item: "ConditionCheck", Action: "dynamodb:ConditionCheckItem",
					Resource: tableARN(d, it.ConditionCheck.TableName)})
			}
		}
		return out
	case *dynamodb.TransactGetItemsInput:
		// The same page: a transaction's Get is authorized as GetItem.
		var out []Call
		for _, it := range in.TransactItems {
			if it.Get != nil {
				out = append(out, Call{Action: "dynamodb:GetItem", Resource: tableARN(d, it.Get.TableName)})
			}
		}
		return out
	case *dynamodb.BatchWriteItemInput:
		// Unlike a transaction, a batch is authorized as
		// dynamodb:BatchWriteItem on each table it writes; each item's
		// kind is recorded to tell puts from deletes.
		var out []Call
		for table, reqs := range in.RequestItems {
			for _, r := range reqs {
				item := "Put"
				if r.DeleteRequest != nil {
					item = "Delete"
				}
				out = append(out, Call{Item: item, Action: action, Resource: tableARN(d, &table)})
			}
		}
		return out
	case *dynamodb.BatchGetItemInput:
		var out []Call
		for table := range in.RequestItems {
			out = append(out, Call{Action: action, Resource: tableARN(d, &table)})
		}
		return out
	case *dynamodb.QueryInput:
		return []Call{{Action: action, Resource: indexARN(d, in.TableName, in.IndexName)}}
	case *dynamodb.ScanInput:
		return []Call{{Action: action, Resource: indexARN(d, in.TableName, in.IndexName)}}
	}
	// Every other table operation names its table in TableName.
	if table, ok := stringField(params, "TableName"); ok {
		return []Call{{Action: action, Resource: tableARN(d, &table)}}
	}
	return []Call{{Action: action}}
}

// tableARN accepts a table's name or its ARN, as DynamoDB does.
func tableARN(d template.Deployment, table *string) string {
	if table == nil {
		return ""
	}
	return d.TableARN(tableName(*table))
}

func tableName(table string) string {
	if _, after, isARN := strings.Cut(table, ":table/"); isARN {
		table, _, _ = strings.Cut(after, "/")
	}
	return table
}

func indexARN(d template.Deployment, table, index *string) string {
	if table == nil || index == nil || *index == "" {
		return tableARN(d, table)
	}
	return d.IndexARN(tableName(*table), *index)
}

// streamPermissions covers a function reading a table's stream itself. (The
// stream triggers of notify and score are read by Lambda's event source
// mapping, with the permissions SAM adds for a DynamoDB event; the local
// pollers stand for it and are not recorded.) GetRecords names only a shard
// iterator, so its stream is unknown.
func streamPermissions(d template.Deployment, operation string, params any) []Call {
	action := "dynamodb:" + operation
	arn, ok := stringField(params, "StreamArn")
	if !ok {
		return []Call{{Action: action}}
	}
	// arn:aws:dynamodb:region:account:table/<name>/stream/<label>
	_, rest, _ := strings.Cut(arn, ":table/")
	table, label, _ := strings.Cut(rest, "/stream/")
	return []Call{{Action: action, Resource: d.StreamARN(table, label)}}
}

// sesPermissions: SES authorizes sending on the identity the message is
// sent as: SourceArn when the call names one, else the Source address (the
// From header of a raw message without Source). The stack verifies the
// sender's address, so that is the local identity.
func sesPermissions(d template.Deployment, operation string, params any) []Call {
	action := "ses:" + operation
	var source, sourceARN string
	switch in := params.(type) {
	case *ses.SendEmailInput:
		source, sourceARN = deref(in.Source), deref(in.SourceArn)
	case *ses.SendRawEmailInput:
		source, sourceARN = deref(in.Source), deref(in.SourceArn)
		if source == "" && in.RawMessage != nil {
			if m, err := mail.ReadMessage(strings.NewReader(string(in.RawMessage.Data))); err == nil {
				source = m.Header.Get("From")
			}
		}
	default:
		// Identity administration names the identity itself.
		if id, ok := stringField(params, "Identity"); ok {
			return []Call{{Action: action, Resource: d.IdentityARN(id)}}
		}
		return []Call{{Action: action}}
	}
	if sourceARN != "" {
		return []Call{{Action: action, Resource: sourceARN}}
	}
	addr, err := mail.ParseAddress(source)
	if err != nil {
		return []Call{{Action: action}}
	}
	calls := []Call{{Action: action, Resource: d.IdentityARN(addr.Address)}}
	// Sending with a configuration set is authorized on the set too.
	if set, ok := stringField(params, "ConfigurationSetName"); ok {
		calls = append(calls, Call{Action: action, Resource: d.ConfigurationSetARN(set)})
	}
	return calls
}

// s3Permissions follows the S3 actions table of the Service Authorization
// Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html):
// object operations on the object's ARN, bucket operations on the
// bucket's; a few operations are authorized under another action's name.
// It reads the input by field names, so that the local stack does not link
// the S3 client for it.
func s3Permissions(d template.Deployment, operation string, params any) []Call {
	renamed := map[string]string{
		"ListObjectsV2": "ListBucket", "ListObjects": "ListBucket", "HeadBucket": "ListBucket",
		"HeadObject": "GetObject", "CreateMultipartUpload": "PutObject", "UploadPart": "PutObject",
		"CompleteMultipartUpload": "PutObject", "ListObjectVersions": "ListBucketVersions",
		"ListMultipartUploads": "ListBucketMultipartUploads", "ListParts": "ListMultipartUploadParts",
		"DeleteObjects": "DeleteObject",
	}
	action := operation
	if a, ok := renamed[operation]; ok {
		action = a
	}
	action = "s3:" + action
	bucket, ok := stringField(params, "Bucket")
	if !ok {
		return []Call{{Action: action}}
	}
	if operation == "DeleteObjects" {
		// The keys are inside the request; deleting any of them needs
		// s3:DeleteObject on that key, which only a grant on the bucket's
		// objects covers in general.
		return []Call{{Action: action, Resource: d.ObjectARN(bucket, "*")}}
	}
	key, hasKey := stringField(params, "Key")
	if !hasKey {
		return []Call{{Action: action, Resource: d.BucketARN(bucket)}}
	}
	out := []Call{{Action: action, Resource: d.ObjectARN(bucket, key)}}
	if src, ok := stringField(params, "CopySource"); ok && operation == "CopyObject" {
		// A copy reads its source too: "bucket/key", URL-encoded.
		src, _, _ = strings.Cut(strings.TrimPrefix(src, "/"), "?")
		if u, err := url.PathUnescape(src); err == nil {
			src = u
		}
		srcBucket, srcKey, _ := strings.Cut(src, "/")
		out = append(out, Call{Action: "s3:GetObject", Resource: d.ObjectARN(srcBucket, srcKey)})
	}
	return out
}

// stringField reads a *string field of an operation's input by name.
func stringField(params any, name string) (string, bool) {
	v := reflect.ValueOf(params)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "", false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return "", false
	}
	f := v.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() || f.Elem().Kind() != reflect.String {
		return "", false
	}
	return f.Elem().String(), true
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Table renders the calls grouped by function, one line per distinct call:
// the IAM action, the resource, the operation (and item kind) and how many
// times it was made.
func (l *CallLog) Table() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	last := ""
	for _, c := range l.Calls() {
		if c.Function != last {
			fmt.Fprintf(w, "%s\t\t\t\n", c.Function)
			last = c.Function
		}
		op := c.Operation
		if c.Item != "" {
			op += " (" + c.Item + ")"
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t×%d\n", c.Action, c.Resource, op, l.Count(c))
	}
	_ = w.Flush()
	return b.String()
}
