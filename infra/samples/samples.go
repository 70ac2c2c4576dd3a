// Package samples reads the sample events in events/ at the repository root:
// one per function, named <function>.json, holding the payload the function's
// trigger sends (API Gateway HTTP API 2.0, DynamoDB stream, EventBridge
// Scheduler); a scheduled function that the table's stream also triggers
// (with the runs the secretariat asks for) has its stream event in
// <function>.stream.json besides. They serve `sam local invoke -e
// events/<function>.json`, the tests and the Lambda Runtime Interface
// Emulator runs.
package samples

import (
	"os"
	"path/filepath"

	"github.com/intercultural-cities/backoffice/infra/template"
)

// Dir returns the events folder, beside template.yaml.
func Dir() (string, error) {
	path, err := template.Find()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(path), "events"), nil
}

// Path returns the sample event file of a function.
func Path(function string) (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, function+".json"), nil
}

// Read returns the sample event of a function.
func Read(function string) ([]byte, error) {
	p, err := Path(function)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// StreamSuffix names the second sample of a function triggered both on a
// schedule and by the table's stream: <function>.stream.json.
const StreamSuffix = ".stream"

// ReadStream returns the sample stream event of a function triggered on a
// schedule too (its <function>.stream.json).
func ReadStream(function string) ([]byte, error) {
	return Read(function + StreamSuffix)
}
