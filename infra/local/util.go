package local

import (
	"context"
	"errors"
	"log/slog"
)

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }

func slogError(ctx context.Context, msg string, err error) {
	slog.ErrorContext(ctx, msg, "error", err)
}
