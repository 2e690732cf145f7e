package streambuf

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The table's layout (docs/operations.md): one partition per stream, its
// items ordered by a number.
//
//	pk = "<caller>#<id>"  sk = -1            the header: meta, deadline, cancel
//	                      sk = <last seq>    a batch: first, ev (the events' data)
//	                      sk = EndSortKey    the end: state, last, meta
//
// A batch is keyed by its last event's number, so the events after n are in
// the items with sk > n, and one Query returns them with the end, if any.
// Every item carries the TTL attribute.
const (
	// KeyAttribute is the partition key (string).
	KeyAttribute = "pk"
	// SortAttribute is the sort key (number).
	SortAttribute = "sk"
	// TTLAttribute holds, in Unix seconds, when DynamoDB may delete the
	// item (the table's TTL attribute).
	TTLAttribute = "expires_at"
	// HeaderSortKey and EndSortKey place the header before every batch
	// and the end after.
	HeaderSortKey = -1
	EndSortKey    = lastSeq + 1

	metaAttr     = "meta"
	deadlineAttr = "deadline" // Unix milliseconds
	cancelAttr   = "cancel"
	firstAttr    = "first"
	eventsAttr   = "ev"
	stateAttr    = "state"
	lastAttr     = "last"
)

// MaxItemBytes bounds the data of one item, under DynamoDB's 400 KB item
// limit with room for the key and attributes. A Writer's batches stay far
// below it; a single event above it cannot be stored.
const MaxItemBytes = 350 << 10

// DynamoConfig configures a Dynamo store; zero fields take the defaults.
type DynamoConfig struct {
	// TTL is how long items stay after they were written (DefaultTTL).
	TTL time.Duration
	// PollInterval is how long Wait waits between reads: the bound on the
	// extra latency of a reader that follows a live stream
	// (DefaultPollInterval).
	PollInterval time.Duration
	Clock        Clock
}

// DefaultPollInterval is the default DynamoConfig.PollInterval.
const DefaultPollInterval = 250 * time.Millisecond

// Dynamo keeps streams in a DynamoDB table shared by every instance.
type Dynamo struct {
	client *dynamodb.Client
	table  string
	cfg    DynamoConfig
}

var _ Store = (*Dynamo)(nil)

// NewDynamo uses client for table.
func NewDynamo(client *dynamodb.Client, table string, cfg DynamoConfig) *Dynamo {
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	cfg.Clock = clockOr(cfg.Clock)
	return &Dynamo{client: client, table: table, cfg: cfg}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func (d *Dynamo) item(key Key, sk int64) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		KeyAttribute:  str(key.Caller + "#" + key.ID),
		SortAttribute: num(sk),
	}
}

func (d *Dynamo) expires() types.AttributeValue {
	return num(d.cfg.Clock.Now().Add(d.cfg.TTL).Unix())
}

func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// Create implements Store.
func (d *Dynamo) Create(ctx context.Context, key Key, h Header) error {
	if !key.Valid() {
		return ErrInvalidKey
	}
	if len(h.Meta)+len(h.Job) > MaxItemBytes {
		return ErrTooLarge
	}
	item := d.item(key, HeaderSortKey)
	setBytes(item, metaAttr, h.Meta)
	if h.Job != nil {
		item[jobAttr] = &types.AttributeValueMemberB{Value: h.Job}
		item[jobHashAttr] = str(JobHash(h.Job))
		item[jobStateAttr] = str(jobQueued)
	}
	item[deadlineAttr] = num(h.Deadline.UnixMilli())
	item[TTLAttribute] = d.expires()
	// An expired header that DynamoDB has not deleted yet may be replaced.
	_, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(d.table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk) OR #e <= :now"),
		ExpressionAttributeNames: map[string]string{"#pk": KeyAttribute, "#e": TTLAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": num(d.cfg.Clock.Now().Unix()),
		},
	})
	if conditionFailed(err) {
		return ErrExists
	}
	if err != nil {
		return fmt.Errorf("create stream: %w", err)
	}
	return nil
}

// Header implements Store.
func (d *Dynamo) Header(ctx context.Context, key Key) (Header, error) {
	if !key.Valid() {
		return Header{}, ErrInvalidKey
	}
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(d.table),
		Key:            d.item(key, HeaderSortKey),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Header{}, fmt.Errorf("read stream header: %w", err)
	}
	if out.Item == nil || d.expired(out.Item) {
		return Header{}, ErrNotFound
	}
	h := Header{Meta: bytesOf(out.Item[metaAttr])}
	if ms, err := numberOf(out.Item[deadlineAttr]); err == nil {
		h.Deadline = time.UnixMilli(ms)
	}
	if b, ok := out.Item[cancelAttr].(*types.AttributeValueMemberBOOL); ok {
		h.CancelRequested = b.Value
	}
	readJob(&h, out.Item)
	return h, nil
}

// expired reports an item past its TTL: DynamoDB deletes such items only
// eventually (typically within days), so reads must skip them.
func (d *Dynamo) expired(item map[string]types.AttributeValue) bool {
	e, err := numberOf(item[TTLAttribute])
	return err == nil && e <= d.cfg.Clock.Now().Unix()
}

// Append implements Store: one PutItem for the batch, or one BatchWriteItem
// for the batch and the end. It does not check for a gap, which readers
// detect; ErrGap is returned only for events that are not consecutive.
func (d *Dynamo) Append(ctx context.Context, key Key, events []Event, end *End) error {
	if !key.Valid() {
		return ErrInvalidKey
	}
	var items []map[string]types.AttributeValue
	if len(events) > 0 {
		data := make([]types.AttributeValue, len(events))
		size := 0
		for i, ev := range events {
			if ev.Seq != events[0].Seq+int64(i) {
				return ErrGap
			}
			data[i] = &types.AttributeValueMemberB{Value: ev.Data}
			size += len(ev.Data)
		}
		if size > MaxItemBytes {
			return ErrTooLarge
		}
		it := d.item(key, events[len(events)-1].Seq)
		it[firstAttr] = num(events[0].Seq)
		it[eventsAttr] = &types.AttributeValueMemberL{Value: data}
		it[TTLAttribute] = d.expires()
		items = append(items, it)
	}
	if end != nil {
		if len(end.Meta) > MaxItemBytes {
			return ErrTooLarge
		}
		it := d.item(key, EndSortKey)
		it[stateAttr] = str(string(end.State))
		it[lastAttr] = num(end.Last)
		setBytes(it, metaAttr, end.Meta)
		it[TTLAttribute] = d.expires()
		items = append(items, it)
	}
	switch len(items) {
	case 0:
		return nil
	case 1:
		_, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.table), Item: items[0]})
		if err != nil {
			return fmt.Errorf("append to stream: %w", err)
		}
		return nil
	}
	return d.batchPut(ctx, items)
}

// batchPutTries bounds the rounds of a BatchWriteItem whose items DynamoDB
// left unprocessed (throttling); each round waits a little longer.
const batchPutTries = 5

func (d *Dynamo) batchPut(ctx context.Context, items []map[string]types.AttributeValue) error {
	reqs := make([]types.WriteRequest, len(items))
	for i, it := range items {
		reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
	}
	for try := range batchPutTries {
		out, err := d.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{d.table: reqs},
		})
		if err != nil {
			return fmt.Errorf("append to stream: %w", err)
		}
		if reqs = out.UnprocessedItems[d.table]; len(reqs) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-d.cfg.Clock.After(time.Duration(10<<try) * time.Millisecond):
		}
	}
	return fmt.Errorf("append to stream: %d items left unprocessed after %d tries", len(reqs), batchPutTries)
}

// Events implements Store: one strongly consistent Query for the items
// after the batch that holds event after.
func (d *Dynamo) Events(ctx context.Context, key Key, after int64) ([]Event, *End, error) {
	if !key.Valid() {
		return nil, nil, ErrInvalidKey
	}
	out, err := d.client.Query(ctx, &dynamodb.QueryInput{
		TableName:                aws.String(d.table),
		KeyConditionExpression:   aws.String("#pk = :pk AND #sk > :after"),
		ExpressionAttributeNames: map[string]string{"#pk": KeyAttribute, "#sk": SortAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(key.Caller + "#" + key.ID), ":after": num(max(after, HeaderSortKey)),
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read stream events: %w", err)
	}
	var events []Event
	var end *End
	next := after + 1
	for _, it := range out.Items {
		sk, err := numberOf(it[SortAttribute])
		if err != nil {
			return nil, nil, fmt.Errorf("read stream events: %w", err)
		}
		if sk == EndSortKey {
			last, err := numberOf(it[lastAttr])
			if err != nil {
				return nil, nil, fmt.Errorf("read stream end: %w", err)
			}
			s, _ := it[stateAttr].(*types.AttributeValueMemberS)
			if s == nil {
				return nil, nil, errors.New("read stream end: no state")
			}
			end = &End{State: State(s.Value), Last: last, Meta: bytesOf(it[metaAttr])}
			continue
		}
		first, err := numberOf(it[firstAttr])
		if err != nil {
			return nil, nil, fmt.Errorf("read stream batch: %w", err)
		}
		list, _ := it[eventsAttr].(*types.AttributeValueMemberL)
		if list == nil || first > next {
			break // a batch not written yet: stop before the gap
		}
		for i, v := range list.Value {
			if seq := first + int64(i); seq == next {
				events = append(events, Event{Seq: seq, Data: bytesOf(v)})
				next++
			}
		}
	}
	return events, end, nil
}

// Cancel implements Store.
func (d *Dynamo) Cancel(ctx context.Context, key Key) error {
	if !key.Valid() {
		return ErrInvalidKey
	}
	_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       d.item(key, HeaderSortKey),
		UpdateExpression:          aws.String("SET #c = :t"),
		ConditionExpression:       aws.String("attribute_exists(#pk) AND #e > :now"),
		ExpressionAttributeNames:  map[string]string{"#c": cancelAttr, "#pk": KeyAttribute, "#e": TTLAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}, ":now": num(d.cfg.Clock.Now().Unix())},
	})
	if conditionFailed(err) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("cancel stream: %w", err)
	}
	return nil
}

// Wait implements Store: DynamoDB cannot tell a reader that an item
// arrived, so it waits one poll interval.
func (d *Dynamo) Wait(ctx context.Context, _ Key, _ int64) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-d.cfg.Clock.After(d.cfg.PollInterval):
		return nil
	}
}

func numberOf(v types.AttributeValue) (int64, error) {
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("want a number attribute, got %T", v)
	}
	return strconv.ParseInt(n.Value, 10, 64)
}

func bytesOf(v types.AttributeValue) []byte {
	if b, ok := v.(*types.AttributeValueMemberB); ok {
		return b.Value
	}
	return nil
}

// setBytes sets a binary attribute, leaving it out when b is empty (a
// binary attribute may not be empty in every DynamoDB implementation).
func setBytes(item map[string]types.AttributeValue, name string, b []byte) {
	if len(b) > 0 {
		item[name] = &types.AttributeValueMemberB{Value: b}
	}
}
