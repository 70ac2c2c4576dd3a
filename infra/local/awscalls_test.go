package local

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"

	"github.com/intercultural-cities/backoffice/infra/template"
)

var testDeployment = template.Deployment{Partition: "aws", Region: "eu-west-3", AccountID: "123456789012",
	Refs: map[string]string{"Table": "t", "SenderIdentity": "no-reply@coe.example"}}

const testTableARN = "arn:aws:dynamodb:eu-west-3:123456789012:table/t"

// recordedBy sends calls through SDK clients that carry the recorder and
// reach a server answering 500 to everything: the recorder sees each call
// before it is sent, and a refused call counts.
func recordedBy(t *testing.T, function string, send func(context.Context, aws.Config)) []Call {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	log := NewCallLog(testDeployment)
	cfg := aws.Config{Region: "eu-west-3", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: aws.AnonymousCredentials{}}
	cfg.APIOptions = append(cfg.APIOptions, log.Record(function))
	send(t.Context(), cfg)
	return log.Calls()
}

func TestRecorderSaysWhatIAMChecks(t *testing.T) {
	table, index := aws.String("t"), aws.String("gsi1")
	calls := recordedBy(t, "fn", func(ctx context.Context, cfg aws.Config) {
		db := dynamodb.NewFromConfig(cfg)
		key := map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "k"}}
		_, _ = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
			{Put: &ddbtypes.Put{TableName: table, Item: key}},
			{Update: &ddbtypes.Update{TableName: aws.String(testTableARN), Key: key, UpdateExpression: aws.String("SET a = :a")}},
			{Delete: &ddbtypes.Delete{TableName: table, Key: key}},
			{ConditionCheck: &ddbtypes.ConditionCheck{TableName: table, Key: key, ConditionExpression: aws.String("x")}},
		}})
		_, _ = db.Query(ctx, &dynamodb.QueryInput{TableName: table, IndexName: index})
		_, _ = db.Query(ctx, &dynamodb.QueryInput{TableName: table})
		_, _ = db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{
			"t": {{PutRequest: &ddbtypes.PutRequest{Item: key}}, {DeleteRequest: &ddbtypes.DeleteRequest{Key: key}}}}})
		_, _ = ses.NewFromConfig(cfg).SendEmail(ctx, &ses.SendEmailInput{
			Source:      aws.String(`"Intercultural Cities" <no-reply@coe.example>`),
			Destination: &sestypes.Destination{ToAddresses: []string{"city@example.org"}},
			Message:     &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("s")}, Body: &sestypes.Body{}},
		})
	})
	want := []Call{
		{"fn", "DynamoDB", "BatchWriteItem", "Delete", "dynamodb:BatchWriteItem", testTableARN},
		{"fn", "DynamoDB", "BatchWriteItem", "Put", "dynamodb:BatchWriteItem", testTableARN},
		{"fn", "DynamoDB", "Query", "", "dynamodb:Query", testTableARN},
		{"fn", "DynamoDB", "Query", "", "dynamodb:Query", testTableARN + "/index/gsi1"},
		{"fn", "DynamoDB", "TransactWriteItems", "ConditionCheck", "dynamodb:ConditionCheckItem", testTableARN},
		{"fn", "DynamoDB", "TransactWriteItems", "Delete", "dynamodb:DeleteItem", testTableARN},
		{"fn", "DynamoDB", "TransactWriteItems", "Put", "dynamodb:PutItem", testTableARN},
		{"fn", "DynamoDB", "TransactWriteItems", "Update", "dynamodb:UpdateItem", testTableARN},
		{"fn", "SES", "SendEmail", "", "ses:SendEmail", "arn:aws:ses:eu-west-3:123456789012:identity/no-reply@coe.example"},
	}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("recorded:\n%s\nwant:\n%s", lines(calls), lines(want))
	}
}

func TestS3CallsNameBucketsAndObjects(t *testing.T) {
	type input struct{ Bucket, Key, CopySource *string }
	tests := []struct {
		operation string
		in        input
		want      []Call
	}{
		{"GetObject", input{Bucket: aws.String("b"), Key: aws.String("invoices/1.pdf")},
			[]Call{{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/invoices/1.pdf"}}},
		{"HeadObject", input{Bucket: aws.String("b"), Key: aws.String("k")}, []Call{{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}}},
		{"ListObjectsV2", input{Bucket: aws.String("b")}, []Call{{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b"}}},
		{"CopyObject", input{Bucket: aws.String("b"), Key: aws.String("to"), CopySource: aws.String("src/a%20b?versionId=1")},
			[]Call{{Action: "s3:CopyObject", Resource: "arn:aws:s3:::b/to"}, {Action: "s3:GetObject", Resource: "arn:aws:s3:::src/a b"}}},
		{"DeleteObjects", input{Bucket: aws.String("b")}, []Call{{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/*"}}},
		{"ListBuckets", input{}, []Call{{Action: "s3:ListBuckets"}}},
	}
	for _, tt := range tests {
		in := tt.in
		if got := permissions(testDeployment, "S3", tt.operation, &in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %+v, want %+v", tt.operation, got, tt.want)
		}
	}
	if got := permissions(testDeployment, "SQS", "SendMessage", nil); !reflect.DeepEqual(got, []Call{{Action: "sqs:SendMessage"}}) {
		t.Errorf("an unknown service: %+v", got)
	}
}

func lines(calls []Call) string {
	var b strings.Builder
	for _, c := range calls {
		b.WriteString("  " + c.Function + ": " + c.String() + "\n")
	}
	return b.String()
}

const auditTemplate = `
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: x}
  ApplicationsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/applications
      Policies:
        - Statement:
            - Effect: Allow
              Action: [dynamodb:GetItem, dynamodb:PutItem]
              Resource: !GetAtt Table.Arn
  ReaderFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/reader
      Policies:
        - Statement:
            - Effect: Allow
              Action: [dynamodb:Get*, dynamodb:Scan]
              Resource: !GetAtt Table.Arn
            - Effect: Allow
              Action: dynamodb:Query
              Resource: [!Sub "${Table.Arn}/index/*", !GetAtt Table.Arn]
            - Effect: Deny
              Action: dynamodb:GetItem
              Resource: !Sub "${Table.Arn}"
  MailFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/mail
      Policies:
        - Statement:
            - Effect: Allow
              Action: ses:SendEmail
              Resource: !Sub "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderIdentity}"
  IdleFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/idle
      Policies:
        - Statement:
            - Effect: Allow
              Action: dynamodb:GetItem
              Resource: !GetAtt Table.Arn
  ManagedFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/managed
      Policies:
        - DynamoDBCrudPolicy: {TableName: !Ref Table}
  StaticFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/static
`

// The checker finds the bug this project shipped (a transaction's Update
// item without dynamodb:UpdateItem), reads wildcards and Deny as IAM does,
// and reports grants nothing used.
func TestCheckGrantsBothWays(t *testing.T) {
	p := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(p, []byte(auditTemplate), 0o600); err != nil {
		t.Fatal(err)
	}
	tpl, err := template.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	identity := "arn:aws:ses:eu-west-3:123456789012:identity/no-reply@coe.example"
	calls := []Call{
		{"applications", "DynamoDB", "GetItem", "", "dynamodb:GetItem", testTableARN},
		{"applications", "DynamoDB", "TransactWriteItems", "Put", "dynamodb:PutItem", testTableARN},
		{"applications", "DynamoDB", "TransactWriteItems", "Update", "dynamodb:UpdateItem", testTableARN},
		{"reader", "DynamoDB", "BatchGetItem", "", "dynamodb:BatchGetItem", testTableARN}, // not Get*: dynamodb:BatchGetItem
		{"reader", "DynamoDB", "GetItem", "", "dynamodb:GetItem", testTableARN},           // denied
		{"reader", "DynamoDB", "Query", "", "dynamodb:Query", testTableARN + "/index/gsi1"},
		{"mail", "SES", "SendEmail", "", "ses:SendEmail", identity},
		{"mail", "SQS", "SendMessage", "", "sqs:SendMessage", ""},
		{"managed", "DynamoDB", "GetItem", "", "dynamodb:GetItem", testTableARN},
		{"ghost", "DynamoDB", "GetItem", "", "dynamodb:GetItem", testTableARN},
	}
	a := CheckGrants(tpl, testDeployment, calls)
	expect := func(kind string, got []string, want ...string) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %d findings, want %d:\n  %s", kind, len(got), len(want), strings.Join(got, "\n  "))
			return
		}
		for i, w := range want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%s[%d] = %q, want it to say %q", kind, i, got[i], w)
			}
		}
	}
	expect("missing", a.Missing,
		"applications: DynamoDB TransactWriteItems (Update item): dynamodb:UpdateItem on "+testTableARN+
			", which no statement of ApplicationsFunction's Policies allows: grant dynamodb:UpdateItem on !GetAtt Table.Arn",
		"reader: DynamoDB BatchGetItem: dynamodb:BatchGetItem on "+testTableARN,
		"reader: DynamoDB GetItem: dynamodb:GetItem on "+testTableARN+", which ReaderFunction Policies[0].Statement[2] denies")
	expect("unused", a.Unused,
		"idle made no AWS call, so IdleFunction needs no Policies",
		"reader: ReaderFunction Policies[0].Statement[0] grants dynamodb:Scan on !GetAtt Table.Arn ("+testTableARN+")",
		"reader: ReaderFunction Policies[0].Statement[1] grants dynamodb:Query on !GetAtt Table.Arn")
	expect("unchecked", a.Unchecked,
		"ghost: 1 calls recorded, but the template has no function functions/ghost",
		"mail: SQS SendMessage: sqs:SendMessage on an unknown resource: the recorder cannot tell",
		"managed: ManagedFunction Policies[0] names DynamoDBCrudPolicy")
	if a.OK() {
		t.Error("an audit with findings is OK")
	}
	if ok := CheckGrants(tpl, testDeployment, calls[:2]); len(ok.Missing) != 0 {
		t.Errorf("granted calls reported missing: %v", ok.Missing)
	}
}
