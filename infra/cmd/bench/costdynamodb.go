package main

// DynamoDB request units for the meter: what each call consumed, as
// DynamoDB reports it when asked (ReturnConsumedCapacity), or, where the
// emulator reports nothing, computed from the items' sizes by DynamoDB's
// rules: 1 WRU per KB written per item (twice in a transaction), 1 RRU per
// 4 KB read (half eventually consistent, twice in a transaction), the
// items a query or scan evaluated whatever its filter, and the writes to
// each global secondary index an item enters, changes in or leaves. Both
// indexes of the template project ALL attributes, so an index entry is the
// item's size; a ConditionCheck in a write transaction is counted as a
// transactional write of its item (an upper bound).

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// askCapacity asks DynamoDB to return the capacity each call consumed,
// indexes included.
func askCapacity(params any) {
	const rc = types.ReturnConsumedCapacityIndexes
	switch p := params.(type) {
	case *dynamodb.GetItemInput:
		p.ReturnConsumedCapacity = rc
	case *dynamodb.PutItemInput:
		p.ReturnConsumedCapacity = rc
	case *dynamodb.UpdateItemInput:
		p.ReturnConsumedCapacity = rc
	case *dynamodb.DeleteItemInput:
		p.ReturnConsumedCapacity = rc
	case *dynamodb.QueryInput:
		p.ReturnConsumedCapacity = rc
	case *dynamodb.ScanInput:
		p.ReturnConsumedCapacity = rc
	case *dynamodb.BatchGetItemInput:
		p.ReturnConsumedCapacity = rc
	case *dynamodb.BatchWriteItemInput:
		p.ReturnConsumedCapacity = rc
	case *dynamodb.TransactGetItemsInput:
		p.ReturnConsumedCapacity = rc
	case *dynamodb.TransactWriteItemsInput:
		p.ReturnConsumedCapacity = rc
	}
}

// consumed sums the capacity a response reports, if it reports any.
func consumed(result any) (read, write, gsiWrite float64, ok bool) {
	var caps []types.ConsumedCapacity
	reading := false
	switch r := result.(type) {
	case *dynamodb.GetItemOutput:
		caps, reading = one(r.ConsumedCapacity), true
	case *dynamodb.QueryOutput:
		caps, reading = one(r.ConsumedCapacity), true
	case *dynamodb.ScanOutput:
		caps, reading = one(r.ConsumedCapacity), true
	case *dynamodb.BatchGetItemOutput:
		caps, reading = r.ConsumedCapacity, true
	case *dynamodb.TransactGetItemsOutput:
		caps, reading = r.ConsumedCapacity, true
	case *dynamodb.PutItemOutput:
		caps = one(r.ConsumedCapacity)
	case *dynamodb.UpdateItemOutput:
		caps = one(r.ConsumedCapacity)
	case *dynamodb.DeleteItemOutput:
		caps = one(r.ConsumedCapacity)
	case *dynamodb.BatchWriteItemOutput:
		caps = r.ConsumedCapacity
	case *dynamodb.TransactWriteItemsOutput:
		caps = r.ConsumedCapacity
	}
	for _, c := range caps {
		switch {
		case c.ReadCapacityUnits != nil || c.WriteCapacityUnits != nil:
			read += aws.ToFloat64(c.ReadCapacityUnits)
			write += aws.ToFloat64(c.WriteCapacityUnits)
		case reading:
			read += aws.ToFloat64(c.CapacityUnits)
		default:
			write += aws.ToFloat64(c.CapacityUnits)
		}
		for _, g := range c.GlobalSecondaryIndexes {
			if g.WriteCapacityUnits != nil {
				gsiWrite += *g.WriteCapacityUnits
			} else if !reading {
				gsiWrite += aws.ToFloat64(g.CapacityUnits)
			}
		}
	}
	return read, write, gsiWrite, len(caps) > 0
}

func one(c *types.ConsumedCapacity) []types.ConsumedCapacity {
	if c == nil {
		return nil
	}
	return []types.ConsumedCapacity{*c}
}

// dynamoDB is a DynamoDB call's request units: as DynamoDB reports them,
// or, when the response carries none (the emulator), computed from the
// items' sizes by DynamoDB's rules.
func (m *meter) dynamoDB(ctx context.Context, params, result any, err error, before []map[string]types.AttributeValue) Usage {
	if err == nil {
		if r, w, g, ok := consumed(result); ok && r+w > 0 {
			m.mu.Lock()
			m.reported++
			m.mu.Unlock()
			return Usage{RRU: r, WRU: w, GSIWRU: g}
		}
	}
	var u Usage
	switch p := params.(type) {
	case *dynamodb.GetItemInput:
		size := 0
		if r, ok := result.(*dynamodb.GetItemOutput); ok && r != nil {
			size = itemSize(r.Item)
		}
		u.RRU = readUnits(size, aws.ToBool(p.ConsistentRead))
	case *dynamodb.BatchGetItemInput:
		found := map[string]int{}
		if r, ok := result.(*dynamodb.BatchGetItemOutput); ok && r != nil {
			for _, items := range r.Responses {
				for _, it := range items {
					found[m.keyString(it)] = itemSize(it)
				}
			}
		}
		for _, ka := range p.RequestItems {
			for _, k := range ka.Keys {
				u.RRU += readUnits(found[m.keyString(k)], aws.ToBool(ka.ConsistentRead))
			}
		}
	case *dynamodb.QueryInput:
		u.RRU = readUnits(m.evaluatedBytes(ctx, p, result), aws.ToBool(p.ConsistentRead) && p.IndexName == nil)
	case *dynamodb.ScanInput:
		u.RRU = readUnits(m.evaluatedBytes(ctx, p, result), aws.ToBool(p.ConsistentRead) && p.IndexName == nil)
	case *dynamodb.TransactGetItemsInput:
		if r, ok := result.(*dynamodb.TransactGetItemsOutput); ok && r != nil {
			for _, resp := range r.Responses {
				u.RRU += 2 * readUnits(itemSize(resp.Item), true)
			}
		}
	case *dynamodb.PutItemInput, *dynamodb.UpdateItemInput, *dynamodb.DeleteItemInput,
		*dynamodb.BatchWriteItemInput, *dynamodb.TransactWriteItemsInput:
		_, transactional := p.(*dynamodb.TransactWriteItemsInput)
		after := m.afterImages(ctx, p, result, err, before)
		for i := range before {
			if isConditionCheck(p, i) {
				u.WRU += 2 * writeUnits(itemSize(before[i]))
				continue
			}
			w, g := writeCost(before[i], after[i], transactional, m.indexes)
			u.WRU += w + g
			u.GSIWRU += g
		}
	default:
		return u
	}
	m.mu.Lock()
	m.computed++
	m.mu.Unlock()
	return u
}

// writeCost is one item's write: 1 WRU per KB of the larger of its old and
// new images (twice in a transaction), and in each index whose key it has
// before or after, one write per KB, or two when its index key changed.
func writeCost(old, new map[string]types.AttributeValue, transactional bool, indexes [][]string) (table, gsi float64) {
	size := max(itemSize(old), itemSize(new))
	table = writeUnits(size)
	if transactional {
		table *= 2
	}
	if sameItem(old, new) {
		return table, 0 // a condition that failed: no index changes
	}
	for _, keys := range indexes {
		inOld, inNew := hasAll(old, keys), hasAll(new, keys)
		switch {
		case inOld && inNew && !sameKeys(old, new, keys):
			gsi += writeUnits(itemSize(old)) + writeUnits(itemSize(new))
		case inOld || inNew:
			gsi += writeUnits(size)
		}
	}
	return table, gsi
}

// writeUnits: 1 WRU per KB, rounded up, at least 1.
func writeUnits(size int) float64 { return math.Max(1, math.Ceil(float64(size)/1024)) }

// readUnits: 1 RRU per 4 KB read, rounded up, at least 1; half as much
// eventually consistent.
func readUnits(size int, consistent bool) float64 {
	u := math.Max(1, math.Ceil(float64(size)/4096))
	if !consistent {
		u /= 2
	}
	return u
}

// itemSize is an item's size as DynamoDB counts it: names and values.
func itemSize(item map[string]types.AttributeValue) int {
	n := 0
	for k, v := range item {
		n += len(k) + attributeSize(v)
	}
	return n
}

func attributeSize(v types.AttributeValue) int {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return len(x.Value)
	case *types.AttributeValueMemberN:
		return numberSize(x.Value)
	case *types.AttributeValueMemberB:
		return len(x.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range x.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range x.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range x.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range x.Value {
			n += 1 + attributeSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range x.Value {
			n += 1 + len(k) + attributeSize(e)
		}
		return n
	}
	return 0
}

// numberSize: about one byte per two significant digits, plus one.
func numberSize(s string) int {
	s, _, _ = strings.Cut(strings.ToLower(s), "e")
	digits := strings.Trim(strings.NewReplacer("-", "", "+", "", ".", "").Replace(s), "0")
	return (len(digits)+1)/2 + 1
}

func hasAll(item map[string]types.AttributeValue, keys []string) bool {
	if item == nil {
		return false
	}
	for _, k := range keys {
		if _, ok := item[k]; !ok {
			return false
		}
	}
	return true
}

func sameKeys(a, b map[string]types.AttributeValue, keys []string) bool {
	for _, k := range keys {
		if fmt.Sprint(a[k]) != fmt.Sprint(b[k]) {
			return false
		}
	}
	return true
}

func sameItem(a, b map[string]types.AttributeValue) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !sameValue(v, w) {
			return false
		}
	}
	return true
}

func sameValue(a, b types.AttributeValue) bool {
	return fmt.Sprintf("%#v", unwrap(a)) == fmt.Sprintf("%#v", unwrap(b))
}

// unwrap turns an attribute value into plain Go values, so two values
// compare by content.
func unwrap(v types.AttributeValue) any {
	switch x := v.(type) {
	case *types.AttributeValueMemberL:
		l := make([]any, len(x.Value))
		for i, e := range x.Value {
			l[i] = unwrap(e)
		}
		return l
	case *types.AttributeValueMemberM:
		m := make(map[string]any, len(x.Value))
		for k, e := range x.Value {
			m[k] = unwrap(e)
		}
		return m
	case *types.AttributeValueMemberS:
		return x.Value
	case *types.AttributeValueMemberN:
		return "N" + x.Value
	case *types.AttributeValueMemberB:
		return x.Value
	case *types.AttributeValueMemberBOOL:
		return x.Value
	case *types.AttributeValueMemberNULL:
		return nil
	case *types.AttributeValueMemberSS:
		return x.Value
	case *types.AttributeValueMemberNS:
		return x.Value
	case *types.AttributeValueMemberBS:
		return x.Value
	}
	return v
}

func (m *meter) keyString(item map[string]types.AttributeValue) string {
	var b strings.Builder
	for _, k := range m.tableKeys {
		fmt.Fprintf(&b, "%v|", unwrap(item[k]))
	}
	return b.String()
}

// writeKeys lists the keys a write call touches, in order.
func (m *meter) writeKeys(params any) []map[string]types.AttributeValue {
	key := func(item map[string]types.AttributeValue) map[string]types.AttributeValue {
		k := map[string]types.AttributeValue{}
		for _, n := range m.tableKeys {
			k[n] = item[n]
		}
		return k
	}
	switch p := params.(type) {
	case *dynamodb.PutItemInput:
		return []map[string]types.AttributeValue{key(p.Item)}
	case *dynamodb.UpdateItemInput:
		return []map[string]types.AttributeValue{p.Key}
	case *dynamodb.DeleteItemInput:
		return []map[string]types.AttributeValue{p.Key}
	case *dynamodb.BatchWriteItemInput:
		var out []map[string]types.AttributeValue
		for _, reqs := range p.RequestItems {
			for _, r := range reqs {
				if r.PutRequest != nil {
					out = append(out, key(r.PutRequest.Item))
				} else if r.DeleteRequest != nil {
					out = append(out, r.DeleteRequest.Key)
				}
			}
		}
		return out
	case *dynamodb.TransactWriteItemsInput:
		var out []map[string]types.AttributeValue
		for _, it := range p.TransactItems {
			switch {
			case it.Put != nil:
				out = append(out, key(it.Put.Item))
			case it.Update != nil:
				out = append(out, it.Update.Key)
			case it.Delete != nil:
				out = append(out, it.Delete.Key)
			case it.ConditionCheck != nil:
				out = append(out, it.ConditionCheck.Key)
			}
		}
		return out
	}
	return nil
}

func isConditionCheck(params any, i int) bool {
	p, ok := params.(*dynamodb.TransactWriteItemsInput)
	return ok && p.TransactItems[i].ConditionCheck != nil
}

// images reads, unmetered, the current items a write call touches.
func (m *meter) images(ctx context.Context, params any) []map[string]types.AttributeValue {
	keys := m.writeKeys(params)
	out := make([]map[string]types.AttributeValue, len(keys))
	for i, k := range keys {
		got, err := m.reader.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(m.table), Key: k, ConsistentRead: aws.Bool(true)})
		if err == nil {
			out[i] = got.Item
		}
	}
	return out
}

// afterImages are the items a write call left: what it put, nothing where
// it deleted, the items read back where it updated, and the old items where
// it failed (a condition, a cancelled transaction) or left a request
// unprocessed.
func (m *meter) afterImages(ctx context.Context, params, result any, err error, before []map[string]types.AttributeValue) []map[string]types.AttributeValue {
	if err != nil {
		return before
	}
	after := m.images(ctx, params)
	if r, ok := result.(*dynamodb.BatchWriteItemOutput); ok && r != nil {
		unprocessed := map[string]bool{}
		for _, reqs := range r.UnprocessedItems {
			for _, q := range reqs {
				if q.PutRequest != nil {
					unprocessed[m.keyString(q.PutRequest.Item)] = true
				} else if q.DeleteRequest != nil {
					unprocessed[m.keyString(q.DeleteRequest.Key)] = true
				}
			}
		}
		for i, k := range m.writeKeys(params) {
			if unprocessed[m.keyString(k)] {
				after[i] = before[i]
			}
		}
	}
	return after
}

// evaluatedBytes is what a query or scan read: DynamoDB bills the items it
// evaluated, before any filter and whatever the projection, so the page is
// read again, unmetered, without either.
func (m *meter) evaluatedBytes(ctx context.Context, params, result any) int {
	sum := func(items []map[string]types.AttributeValue) int {
		n := 0
		for _, it := range items {
			n += itemSize(it)
		}
		return n
	}
	switch p := params.(type) {
	case *dynamodb.QueryInput:
		if p.FilterExpression == nil && p.ProjectionExpression == nil && p.Select == "" {
			if r, ok := result.(*dynamodb.QueryOutput); ok && r != nil {
				return sum(r.Items)
			}
			return 0
		}
		q := *p
		q.FilterExpression, q.ProjectionExpression, q.Select = nil, nil, ""
		q.ExpressionAttributeNames, q.ExpressionAttributeValues = usedNames(p.ExpressionAttributeNames, p.KeyConditionExpression),
			usedValues(p.ExpressionAttributeValues, p.KeyConditionExpression)
		out, err := m.reader.Query(ctx, &q)
		if err != nil {
			return 0
		}
		return sum(out.Items)
	case *dynamodb.ScanInput:
		if p.FilterExpression == nil && p.ProjectionExpression == nil && p.Select == "" {
			if r, ok := result.(*dynamodb.ScanOutput); ok && r != nil {
				return sum(r.Items)
			}
			return 0
		}
		q := *p
		q.FilterExpression, q.ProjectionExpression, q.Select = nil, nil, ""
		q.ExpressionAttributeNames, q.ExpressionAttributeValues = nil, nil
		out, err := m.reader.Scan(ctx, &q)
		if err != nil {
			return 0
		}
		return sum(out.Items)
	}
	return 0
}

func usedNames(names map[string]string, expr *string) map[string]string {
	out := map[string]string{}
	for k, v := range names {
		if strings.Contains(aws.ToString(expr), k) {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func usedValues(values map[string]types.AttributeValue, expr *string) map[string]types.AttributeValue {
	out := map[string]types.AttributeValue{}
	for k, v := range values {
		if strings.Contains(aws.ToString(expr), k) {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
