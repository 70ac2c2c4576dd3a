package fees

import "testing"

func TestParseDecimalIsExactOrRefuses(t *testing.T) {
	tests := []struct {
		in    string
		cents int64
		ok    bool
	}{
		{"5000", 500000, true},
		{"5000.00", 500000, true},
		{"5000.5", 500050, true},
		{"0.01", 1, true},
		{"0", 0, true},
		{"2916.67", 291667, true},
		{"10000000.00", 1_000_000_000, true},
		{"10000000.01", 0, false}, // over MaxAmount
		{"5000.001", 0, false},    // three decimals: never rounded
		{"5000.", 0, false},
		{".50", 0, false},
		{"-5", 0, false},
		{"+5", 0, false},
		{"5e3", 0, false},
		{"5,00", 0, false},
		{" 5", 0, false},
		{"99999999999999999999", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseDecimal(tt.in)
		if (err == nil) != tt.ok || got != tt.cents {
			t.Errorf("ParseDecimal(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.cents, tt.ok)
		}
	}
}

func TestDecimalWritesTwoDecimals(t *testing.T) {
	for cents, want := range map[int64]string{500000: "5000.00", 291667: "2916.67", 5: "0.05", 0: "0.00", -1250: "-12.50"} {
		if got := Euros(cents).Decimal(); got != want {
			t.Errorf("Decimal(%d) = %q, want %q", cents, got, want)
		}
	}
}

func TestAddingTwoCurrenciesIsAProgrammingError(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("adding CHF to EUR did not panic")
		}
	}()
	Euros(1).Add(Money{Amount: 1, Currency: "CHF"})
}
