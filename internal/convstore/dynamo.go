package convstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The table's layout (Terraform creates it with these keys and TTL): one
// partition per caller, so no query can leave the caller's records.
//
//	pk = caller   sk = "r#<response>#<part>"        a stored response, in parts
//	              sk = "c#<conversation>"           a conversation's own record
//	              sk = "i#<conversation>#<seq>#<part>"  an item, in parts, in order
//	              sk = "x#<conversation>#<item>"    item id → seq
//
// A record larger than partBytes is split; its part 0 (written last)
// carries the number of parts, so a write cut short is never read as whole.
const (
	KeyAttribute  = "pk"
	SortAttribute = "sk"
	TTLAttribute  = "expires_at"
	partBytes     = 350_000 // of the 400 KB DynamoDB allows per item
	seqDigits     = 12
)

// Dynamo keeps records in one DynamoDB table shared by every instance.
// Reads are strongly consistent, so a response stored by one instance is
// found at once by another.
type Dynamo struct {
	cfg    Config
	client *dynamodb.Client
	table  string
}

var _ Store = (*Dynamo)(nil)

// NewDynamo uses client for table.
func NewDynamo(client *dynamodb.Client, table string, cfg Config) (*Dynamo, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if table == "" {
		return nil, errors.New("convstore: no table")
	}
	return &Dynamo{cfg: cfg, client: client, table: table}, nil
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func key(caller, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{KeyAttribute: s(caller), SortAttribute: s(sk)}
}

func seqKey(seq int64) string {
	v := strconv.FormatInt(seq, 10)
	for len(v) < seqDigits {
		v = "0" + v
	}
	return v
}

func partKey(prefix string, i int) string { return prefix + strconv.Itoa(10000 + i)[1:] }

// putParts writes blob under prefix+part, the parts after the first
// before it. extra attributes go on part 0.
func (d *Dynamo) putParts(ctx context.Context, caller, prefix string, blob []byte, expires time.Time, extra map[string]types.AttributeValue) error {
	count := max(1, (len(blob)+partBytes-1)/partBytes)
	for i := count - 1; i >= 0; i-- {
		item := key(caller, partKey(prefix, i))
		item["d"] = &types.AttributeValueMemberB{Value: blob[i*partBytes : min(len(blob), (i+1)*partBytes)]}
		item[TTLAttribute] = n(expires.Unix())
		if i == 0 {
			item["parts"] = n(int64(count))
			for k, v := range extra {
				item[k] = v
			}
		}
		if _, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.table), Item: item}); err != nil {
			return fmt.Errorf("put %s: %w", prefix, err)
		}
	}
	return nil
}

// query returns the items of caller whose sort key is between lo and hi,
// in order (or reverse order), reading pages until stop says enough.
func (d *Dynamo) query(ctx context.Context, caller, lo, hi string, desc bool, stop func(items []map[string]types.AttributeValue) bool) ([]map[string]types.AttributeValue, error) {
	in := &dynamodb.QueryInput{
		TableName:                aws.String(d.table),
		KeyConditionExpression:   aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi"),
		ExpressionAttributeNames: map[string]string{"#pk": KeyAttribute, "#sk": SortAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(caller), ":lo": s(lo), ":hi": s(hi),
		},
		ConsistentRead:   aws.Bool(true),
		ScanIndexForward: aws.Bool(!desc),
	}
	var all []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(d.client, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", lo, err)
		}
		all = append(all, out.Items...)
		if stop != nil && stop(all) {
			break
		}
	}
	return all, nil
}

// live reports whether a record has not expired (DynamoDB deletes expired
// items only eventually, up to days later).
func (d *Dynamo) live(item map[string]types.AttributeValue) bool {
	e, err := num(item[TTLAttribute])
	return err == nil && d.cfg.Now().Unix() < e
}

func num(v types.AttributeValue) (int64, error) {
	nv, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("want a number, got %T", v)
	}
	return strconv.ParseInt(nv.Value, 10, 64)
}

func str(v types.AttributeValue) string {
	sv, _ := v.(*types.AttributeValueMemberS)
	if sv == nil {
		return ""
	}
	return sv.Value
}

func sortKey(item map[string]types.AttributeValue) string { return str(item[SortAttribute]) }

// joinParts reassembles one record from its parts (in any order); ok is
// false when the record is incomplete or expired.
func (d *Dynamo) joinParts(parts []map[string]types.AttributeValue) (blob []byte, head map[string]types.AttributeValue, ok bool) {
	byIndex := map[string][]byte{}
	for _, p := range parts {
		k := sortKey(p)
		b, _ := p["d"].(*types.AttributeValueMemberB)
		if b == nil || len(k) < 4 {
			return nil, nil, false
		}
		byIndex[k[len(k)-4:]] = b.Value
		if k[len(k)-4:] == "0000" {
			head = p
		}
	}
	if head == nil || !d.live(head) {
		return nil, nil, false
	}
	count, err := num(head["parts"])
	if err != nil || int(count) != len(byIndex) {
		return nil, nil, false
	}
	for i := range int(count) {
		part, found := byIndex[strconv.Itoa(10000 + i)[1:]]
		if !found {
			return nil, nil, false
		}
		blob = append(blob, part...)
	}
	return blob, head, true
}

// deleteKeys deletes the items of caller with the given sort keys, 25 to a
// batch, retrying what DynamoDB leaves unprocessed.
func (d *Dynamo) deleteKeys(ctx context.Context, caller string, sks []string) error {
	for len(sks) > 0 {
		batch := sks[:min(25, len(sks))]
		sks = sks[len(batch):]
		reqs := make([]types.WriteRequest, len(batch))
		for i, sk := range batch {
			reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(caller, sk)}}
		}
		pending := map[string][]types.WriteRequest{d.table: reqs}
		for range 8 {
			out, err := d.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return fmt.Errorf("delete: %w", err)
			}
			if pending = out.UnprocessedItems; len(pending[d.table]) == 0 {
				break
			}
		}
		if len(pending[d.table]) > 0 {
			return errors.New("delete: DynamoDB kept leaving items unprocessed")
		}
	}
	return nil
}

// deletePrefix deletes every item of caller whose sort key starts with
// prefix.
func (d *Dynamo) deletePrefix(ctx context.Context, caller, prefix string) error {
	items, err := d.query(ctx, caller, prefix, prefix+"~", false, nil)
	if err != nil {
		return err
	}
	return d.deleteItems(ctx, caller, items)
}

func (d *Dynamo) deleteItems(ctx context.Context, caller string, items []map[string]types.AttributeValue) error {
	sks := make([]string, len(items))
	for i, it := range items {
		sks[i] = sortKey(it)
	}
	return d.deleteKeys(ctx, caller, sks)
}

// PutResponse implements Store.
func (d *Dynamo) PutResponse(ctx context.Context, caller string, r *Response) error {
	if caller == "" {
		return ErrNotFound
	}
	blob, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := d.cfg.checkSize(len(blob)); err != nil {
		return err
	}
	return d.putParts(ctx, caller, "r#"+r.ID+"#", blob, r.Created.Add(d.cfg.TTL), nil)
}

// Response implements Store.
func (d *Dynamo) Response(ctx context.Context, caller, id string) (*Response, error) {
	if caller == "" {
		return nil, ErrNotFound
	}
	prefix := "r#" + id + "#"
	items, err := d.query(ctx, caller, prefix, prefix+"~", false, nil)
	if err != nil {
		return nil, err
	}
	blob, _, ok := d.joinParts(items)
	if !ok {
		return nil, ErrNotFound
	}
	r := &Response{ID: id}
	if err := json.Unmarshal(blob, r); err != nil {
		return nil, fmt.Errorf("response %s: %w", id, err)
	}
	return r, nil
}

// DeleteResponse implements Store.
func (d *Dynamo) DeleteResponse(ctx context.Context, caller, id string) error {
	if caller == "" {
		return ErrNotFound
	}
	if _, err := d.Response(ctx, caller, id); err != nil {
		return err
	}
	return d.deletePrefix(ctx, caller, "r#"+id+"#")
}
