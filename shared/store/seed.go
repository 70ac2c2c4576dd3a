package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/shared/membership"
)

// Bulk writes that skip the workflow (no audit entry, no email, no counter),
// for loading a large sample to measure against: never for real records.

// SeedCities writes cities as they stand, 25 to a batch.
func (s *Store) SeedCities(ctx context.Context, cities []membership.City) error {
	var reqs []types.WriteRequest
	for _, c := range cities {
		c.Version++
		item, err := attributevalue.MarshalMap(toCityItem(c))
		if err != nil {
			return fmt.Errorf("marshal city: %w", err)
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	return s.seed(ctx, reqs)
}

// SeedInvoices writes issued invoices with their city references, without
// numbers taken from a series or documents to archive.
func (s *Store) SeedInvoices(ctx context.Context, invoices []membership.InvoiceIssued) error {
	var reqs []types.WriteRequest
	for _, r := range invoices {
		writes, err := invoiceWrites(s.table, r)
		if err != nil {
			return err
		}
		for _, w := range writes[:2] { // the invoice and the city's reference
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: w.item.Put.Item}})
		}
	}
	return s.seed(ctx, reqs)
}

func (s *Store) seed(ctx context.Context, reqs []types.WriteRequest) error {
	for i := 0; i < len(reqs); i += 25 {
		if err := s.batchWrite(ctx, reqs[i:min(i+25, len(reqs))]); err != nil {
			return fmt.Errorf("seed batch %s: %w", strconv.Itoa(i/25), err)
		}
	}
	return nil
}
