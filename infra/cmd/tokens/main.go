// Command tokens issues and revokes secretariat tokens, against the local
// stack or real AWS: it uses the same environment as the functions
// (TABLE_NAME, AWS_REGION, credentials, and AWS_ENDPOINT_URL for an
// emulator).
//
//	go run ./infra/cmd/tokens create --name "Jane Doe" [--ttl 2160h]
//	go run ./infra/cmd/tokens revoke --secret <token>   (or --hash <sha256>)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "tokens:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: tokens create --name NAME [--ttl 2160h] | tokens revoke (--secret S | --hash H)")
	}
	var t config.Table
	if err := config.Load(&t); err != nil {
		return err
	}
	cfg, err := boot.AWS(ctx)
	if err != nil {
		return err
	}
	s := boot.Store(t, cfg)
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("create", flag.ContinueOnError)
		name := fs.String("name", "", "who the token is for")
		ttl := fs.Duration("ttl", 90*24*time.Hour, "validity")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if strings.TrimSpace(*name) == "" || strings.ContainsAny(*name, "\r\n") || len(*name) > 120 {
			return errors.New("--name is required: one line, at most 120 characters")
		}
		if *ttl <= 0 || *ttl > 366*24*time.Hour {
			return errors.New("--ttl must be positive and at most a year")
		}
		secret, tok := auth.Issue(auth.RoleSecretariat, "", *name, time.Now(), *ttl)
		if err := s.PutToken(ctx, tok); err != nil {
			return err
		}
		fmt.Printf("secretariat token for %s, valid until %s (shown once; stored only as its hash %s):\n%s\n",
			*name, tok.ExpiresAt.Format(time.RFC3339), tok.Hash, secret)
		return nil
	case "revoke":
		fs := flag.NewFlagSet("revoke", flag.ContinueOnError)
		secret := fs.String("secret", "", "the token itself")
		hash := fs.String("hash", "", "the token's SHA-256 hash, as printed at creation")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		h := *hash
		if *secret != "" {
			h = auth.Hash(*secret)
		}
		if h == "" {
			return errors.New("give --secret or --hash")
		}
		if err := s.RevokeToken(ctx, h, time.Now()); err != nil {
			return err
		}
		fmt.Println("revoked", h)
		return nil
	}
	return fmt.Errorf("unknown command %q", args[0])
}
