package template

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var testDeployment = Deployment{Partition: "aws", Region: "eu-west-3", AccountID: "123456789012",
	Refs: map[string]string{"Table": "icc-test", "SenderIdentity": "coe.example", "Bucket": "icc-files",
		"Queue": "https://sqs.eu-west-3.amazonaws.com/123456789012/icc-failures", "DocumentsBucket": "icc-documents",
		"LinkKey": "arn:aws:secretsmanager:eu-west-3:123456789012:secret:icc-link-key-AbCdEf", "EmailConfigurationSet": "icc-prod"}}

// loadYAML loads a template written for a test.
func loadYAML(t *testing.T, text string) *Template {
	t.Helper()
	p := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	tpl, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

const resources = `
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: x}
  Bucket:
    Type: AWS::S3::Bucket
  Queue:
    Type: AWS::SQS::Queue
  Api:
    Type: AWS::Serverless::HttpApi
`

// Every function's policies in template.yaml are statements this package
// can read and resolve: no managed policy, no SAM policy template, no
// condition, nothing that resolves only in AWS.
func TestProjectPoliciesResolve(t *testing.T) {
	tpl := load(t)
	for _, name := range tpl.Names() {
		f, _ := tpl.FunctionByName(name)
		grants, err := tpl.Grants(f, testDeployment)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, g := range grants {
			if len(g.Statement.Actions) == 0 || len(g.Resources) == 0 {
				t.Errorf("%s: grants no action or no resource", g.Where)
			}
		}
	}
}

func TestResolve(t *testing.T) {
	tpl := loadYAML(t, resources)
	tests := []struct {
		value any
		want  string
	}{
		{"arn:aws:s3:::literal", "arn:aws:s3:::literal"},
		{map[string]any{"Ref": "Table"}, "icc-test"},
		{map[string]any{"Ref": "AWS::Region"}, "eu-west-3"},
		{map[string]any{"Fn::GetAtt": []any{"Table", "Arn"}}, "arn:aws:dynamodb:eu-west-3:123456789012:table/icc-test"},
		{map[string]any{"Fn::GetAtt": []any{"Table", "StreamArn"}}, "arn:aws:dynamodb:eu-west-3:123456789012:table/icc-test/stream/*"},
		{map[string]any{"Fn::GetAtt": []any{"Bucket", "Arn"}}, "arn:aws:s3:::icc-files"},
		{map[string]any{"Fn::GetAtt": []any{"Queue", "Arn"}}, "arn:aws:sqs:eu-west-3:123456789012:icc-failures"},
		{map[string]any{"Fn::Sub": "${Table.Arn}/index/gsi1"}, "arn:aws:dynamodb:eu-west-3:123456789012:table/icc-test/index/gsi1"},
		{map[string]any{"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderIdentity}"},
			"arn:aws:ses:eu-west-3:123456789012:identity/coe.example"},
		{map[string]any{"Fn::Sub": "${Bucket.Arn}/invoices/*"}, "arn:aws:s3:::icc-files/invoices/*"},
		{map[string]any{"Fn::Sub": []any{"${Arn}/${!Literal}", map[string]any{"Arn": map[string]any{"Fn::GetAtt": []any{"Bucket", "Arn"}}}}},
			"arn:aws:s3:::icc-files/${Literal}"},
		{map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Fn::GetAtt": []any{"Bucket", "Arn"}}, "/*"}}}, "arn:aws:s3:::icc-files/*"},
	}
	for _, tt := range tests {
		got, err := tpl.Resolve(tt.value, testDeployment)
		if err != nil || got != tt.want {
			t.Errorf("Resolve(%s) = %q, %v; want %q", Written(tt.value), got, err, tt.want)
		}
	}
	for _, bad := range []any{
		map[string]any{"Ref": "Nowhere"},
		map[string]any{"Fn::GetAtt": []any{"Api", "ApiEndpoint"}},
		map[string]any{"Fn::GetAtt": []any{"Missing", "Arn"}},
		map[string]any{"Fn::If": []any{"c", "a", "b"}},
		map[string]any{"Fn::Sub": "${Table.Arn"},
		42.0,
	} {
		if got, err := tpl.Resolve(bad, testDeployment); err == nil {
			t.Errorf("Resolve(%s) = %q, want an error", Written(bad), got)
		}
	}
}

func TestPoliciesAsWritten(t *testing.T) {
	tpl := loadYAML(t, resources+`
  Documented:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/documented
      Policies:
        Statement:
          - Effect: Allow
            Action: dynamodb:GetItem
            Resource: !GetAtt Table.Arn
          - Effect: Deny
            Action: [dynamodb:Delete*]
            Resource: [!GetAtt Table.Arn, !Sub "${Table.Arn}/index/*"]
  Named:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/named
      Policies:
        - AWSLambdaBasicExecutionRole
        - DynamoDBCrudPolicy:
            TableName: !Ref Table
  Conditional:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/conditional
      Policies:
        - Statement:
            - Effect: Allow
              NotAction: dynamodb:DeleteTable
              Resource: "*"
              Condition: {Bool: {aws:SecureTransport: true}}
  Bare:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/bare
`)
	doc, _ := tpl.FunctionByName("documented")
	want := []Policy{{Statements: []Statement{
		{Effect: "Allow", Actions: []string{"dynamodb:GetItem"}, Resources: []any{map[string]any{"Fn::GetAtt": []any{"Table", "Arn"}}}},
		{Effect: "Deny", Actions: []string{"dynamodb:Delete*"}, Resources: []any{
			map[string]any{"Fn::GetAtt": []any{"Table", "Arn"}}, map[string]any{"Fn::Sub": "${Table.Arn}/index/*"}}},
	}}}
	if !reflect.DeepEqual(doc.Policies, want) {
		t.Errorf("a lone policy document read as %+v, want %+v", doc.Policies, want)
	}
	grants, err := tpl.Grants(doc, testDeployment)
	if err != nil || len(grants) != 2 || grants[1].Where != "Documented Policies[0].Statement[1]" ||
		!grants[1].Matches("dynamodb:DeleteItem", "arn:aws:dynamodb:eu-west-3:123456789012:table/icc-test/index/gsi1") {
		t.Errorf("grants %+v, %v", grants, err)
	}

	named, _ := tpl.FunctionByName("named")
	if len(named.Policies) != 2 || named.Policies[0].Named != "AWSLambdaBasicExecutionRole" || named.Policies[1].Named != "DynamoDBCrudPolicy" {
		t.Errorf("named policies read as %+v", named.Policies)
	}
	if _, err := tpl.Grants(named, testDeployment); err == nil || !strings.Contains(err.Error(), "AWSLambdaBasicExecutionRole") {
		t.Errorf("a managed policy's grants resolved: %v", err)
	}
	cond, _ := tpl.FunctionByName("conditional")
	if got := cond.Policies[0].Statements[0].Unchecked; !reflect.DeepEqual(got, []string{"NotAction", "Condition"}) {
		t.Errorf("unchecked elements %v", got)
	}
	if _, err := tpl.Grants(cond, testDeployment); err == nil || !strings.Contains(err.Error(), "NotAction, Condition") {
		t.Errorf("a conditional statement resolved: %v", err)
	}
	if bare, _ := tpl.FunctionByName("bare"); bare.Policies != nil {
		t.Errorf("no Policies read as %+v", bare.Policies)
	}

	if _, err := policies([]any{map[string]any{"Statement": []any{map[string]any{"Effect": "allow"}}}}); err == nil {
		t.Error("an Effect of the wrong case was accepted; IAM refuses it")
	}
}

func TestWildcard(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"dynamodb:getitem", "dynamodb:getitem", true},
		{"dynamodb:get*", "dynamodb:getitem", true},
		{"dynamodb:get*", "dynamodb:batchgetitem", false},
		{"dynamodb:*item", "dynamodb:updateitem", true},
		{"*", "anything:at/all", true},
		{"arn:aws:dynamodb:*:*:table/t", "arn:aws:dynamodb:eu-west-3:1:table/t", true},
		{"arn:aws:dynamodb:*:*:table/t", "arn:aws:dynamodb:eu-west-3:1:table/t/index/gsi1", false},
		{"arn:aws:dynamodb:*:*:table/t/*", "arn:aws:dynamodb:eu-west-3:1:table/t/index/gsi1", true},
		{"arn:aws:s3:::b/invoices/????.pdf", "arn:aws:s3:::b/invoices/2026.pdf", true},
		{"arn:aws:s3:::b/invoices/????.pdf", "arn:aws:s3:::b/invoices/26.pdf", false},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"", "", true},
		{"", "x", false},
	}
	for _, tt := range tests {
		if got := Wildcard(tt.pattern, tt.s); got != tt.want {
			t.Errorf("Wildcard(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
