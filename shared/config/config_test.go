package config

import (
	"strings"
	"testing"
)

func TestLoadReportsEveryMissingVariable(t *testing.T) {
	t.Setenv("TABLE_NAME", "")
	t.Setenv("SENDER_EMAIL", "")
	t.Setenv("SWEEP_AFTER", "")
	_, err := Load(TableName, SenderEmail, SweepAfter)
	if err == nil || !strings.Contains(err.Error(), "TABLE_NAME") || !strings.Contains(err.Error(), "SENDER_EMAIL") {
		t.Fatalf("err = %v, want both required variables named", err)
	}
	t.Setenv("TABLE_NAME", "t")
	t.Setenv("SENDER_EMAIL", "a@b.example")
	env, err := Load(TableName, SenderEmail, SweepAfter)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := env.Duration(SweepAfter); err != nil || d.Minutes() != 5 {
		t.Fatalf("default SWEEP_AFTER = %v %v", d, err)
	}
}
