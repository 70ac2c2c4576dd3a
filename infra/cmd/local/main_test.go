package main

import (
	"testing"
	"time"
)

func TestSchedulesFireWhenTheTemplateSays(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 11, 27, 7, 30, 0, 0, paris)
	tests := []struct {
		expr string
		want time.Time
	}{
		{"rate(5 minutes)", now.Add(5 * time.Minute)},
		{"rate(1 hour)", now.Add(time.Hour)},
		{"cron(0 6 * * ? *)", time.Date(2026, 11, 28, 6, 0, 0, 0, paris)},
		{"cron(45 7 * * ? *)", time.Date(2026, 11, 27, 7, 45, 0, 0, paris)},
	}
	for _, tt := range tests {
		next := nextRun(tt.expr, "Europe/Paris")
		if next == nil {
			t.Fatalf("%s not understood", tt.expr)
		}
		if got := next(now); !got.Equal(tt.want) {
			t.Errorf("%s: next %v, want %v", tt.expr, got, tt.want)
		}
	}
	if nextRun("cron(0 6 1 1 ? *)", "Europe/Paris") != nil {
		t.Error("a yearly cron is not a daily one")
	}
}
