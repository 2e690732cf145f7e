package convstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attributes of a conversation's own record.
const (
	attrCreated  = "created"  // Unix milliseconds
	attrUpdated  = "updated"  // Unix milliseconds
	attrTitle    = "title"    // string
	attrMetadata = "metadata" // JSON object, as a string
	attrSeq      = "seq"      // the last item's sequence number
	attrCount    = "count"    // items held
	attrSeqRef   = "ref"      // on an x# record: the item's seq
)

func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

func convOf(item map[string]types.AttributeValue) (Conversation, error) {
	c := Conversation{ID: sortKey(item)[2:], Title: str(item[attrTitle])}
	created, err1 := num(item[attrCreated])
	updated, err2 := num(item[attrUpdated])
	if err := errors.Join(err1, err2); err != nil {
		return c, fmt.Errorf("conversation %s: %w", c.ID, err)
	}
	c.Created, c.Updated = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if m := str(item[attrMetadata]); m != "" {
		if err := json.Unmarshal([]byte(m), &c.Metadata); err != nil {
			return c, fmt.Errorf("conversation %s: metadata: %w", c.ID, err)
		}
	}
	return c, nil
}

// convRecord reads a live conversation's own record.
func (d *Dynamo) convRecord(ctx context.Context, caller, id string) (map[string]types.AttributeValue, error) {
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(d.table), Key: key(caller, "c#"+id), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("conversation %s: %w", id, err)
	}
	if out.Item == nil || !d.live(out.Item) {
		return nil, ErrNotFound
	}
	return out.Item, nil
}

// CreateConversation implements Store. The cap on conversations is
// checked by counting the caller's live ones first; two creations racing
// at the cap may both pass (by one each), which the cap tolerates.
func (d *Dynamo) CreateConversation(ctx context.Context, caller string, c *Conversation, items []Item) error {
	if caller == "" {
		return ErrNotFound
	}
	if err := d.cfg.checkItems(items); err != nil {
		return err
	}
	if len(items) > d.cfg.MaxItems {
		return &CapError{Cap: CapItems, Limit: d.cfg.MaxItems}
	}
	convs, err := d.query(ctx, caller, "c#", "c#~", false, nil)
	if err != nil {
		return err
	}
	live := 0
	for _, it := range convs {
		if d.live(it) {
			live++
		}
	}
	if live >= d.cfg.MaxConversations {
		return &CapError{Cap: CapConversations, Limit: d.cfg.MaxConversations}
	}
	now := d.cfg.Now()
	c.Created, c.Updated = now, now
	meta, err := json.Marshal(c.Metadata)
	if err != nil {
		return err
	}
	item := key(caller, "c#"+c.ID)
	item[attrCreated], item[attrUpdated] = n(now.UnixMilli()), n(now.UnixMilli())
	item[attrTitle], item[attrMetadata] = s(c.Title), s(string(meta))
	item[attrSeq], item[attrCount] = n(0), n(0)
	item[TTLAttribute] = n(now.Add(d.cfg.TTL).Unix())
	_, err = d.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.table), Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#sk)"),
		ExpressionAttributeNames: map[string]string{"#sk": SortAttribute},
	})
	if conditionFailed(err) {
		return fmt.Errorf("conversation %s exists already", c.ID)
	}
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	if len(items) == 0 {
		return nil
	}
	return d.AppendItems(ctx, caller, c.ID, items)
}

// Conversation implements Store.
func (d *Dynamo) Conversation(ctx context.Context, caller, id string) (*Conversation, error) {
	if caller == "" {
		return nil, ErrNotFound
	}
	item, err := d.convRecord(ctx, caller, id)
	if err != nil {
		return nil, err
	}
	c, err := convOf(item)
	return &c, err
}

// UpdateConversation implements Store.
func (d *Dynamo) UpdateConversation(ctx context.Context, caller, id, title string, metadata map[string]string) (*Conversation, error) {
	if caller == "" {
		return nil, ErrNotFound
	}
	meta, err := json.Marshal(metadata)
	if err != nil {
		return nil, err
	}
	now := d.cfg.Now()
	out, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.table),
		Key:                      key(caller, "c#"+id),
		UpdateExpression:         aws.String("SET #t = :t, #m = :m, #u = :u"),
		ConditionExpression:      aws.String("attribute_exists(#sk) AND #e > :now"),
		ExpressionAttributeNames: map[string]string{"#t": attrTitle, "#m": attrMetadata, "#u": attrUpdated, "#sk": SortAttribute, "#e": TTLAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":t": s(title), ":m": s(string(meta)), ":u": n(now.UnixMilli()), ":now": n(now.Unix()),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if conditionFailed(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("update conversation %s: %w", id, err)
	}
	c, err := convOf(out.Attributes)
	return &c, err
}

// DeleteConversation implements Store: its own record first, so it is
// gone at once, then its items.
func (d *Dynamo) DeleteConversation(ctx context.Context, caller, id string) error {
	if caller == "" {
		return ErrNotFound
	}
	if _, err := d.convRecord(ctx, caller, id); err != nil {
		return err
	}
	if err := d.deleteKeys(ctx, caller, []string{"c#" + id}); err != nil {
		return err
	}
	return errors.Join(d.deletePrefix(ctx, caller, "i#"+id+"#"), d.deletePrefix(ctx, caller, "x#"+id+"#"))
}

// Conversations implements Store. A caller has at most MaxConversations,
// so their records are read whole and sorted here.
func (d *Dynamo) Conversations(ctx context.Context, caller string, p Page) ([]Conversation, bool, error) {
	if caller == "" {
		return nil, false, ErrNotFound
	}
	items, err := d.query(ctx, caller, "c#", "c#~", false, nil)
	if err != nil {
		return nil, false, err
	}
	list := make([]Conversation, 0, len(items))
	for _, it := range items {
		if !d.live(it) {
			continue
		}
		c, err := convOf(it)
		if err != nil {
			return nil, false, err
		}
		list = append(list, c)
	}
	sortNewestFirst(list)
	rest, err := after(list, func(c Conversation) string { return c.ID }, p.After)
	if err != nil {
		return nil, false, err
	}
	out, more := page(rest, p)
	return out, more, nil
}

// AppendItems implements Store: one conditional update reserves the
// items' sequence numbers under the cap, then each item is written.
func (d *Dynamo) AppendItems(ctx context.Context, caller, conversation string, items []Item) error {
	if caller == "" {
		return ErrNotFound
	}
	if err := d.cfg.checkItems(items); err != nil {
		return err
	}
	if len(items) == 0 {
		return nil
	}
	now := d.cfg.Now()
	count := int64(len(items))
	out, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.table),
		Key:                      key(caller, "c#"+conversation),
		UpdateExpression:         aws.String("ADD #seq :k, #count :k SET #u = :u"),
		ConditionExpression:      aws.String("attribute_exists(#sk) AND #e > :now AND #count <= :room"),
		ExpressionAttributeNames: map[string]string{"#seq": attrSeq, "#count": attrCount, "#u": attrUpdated, "#sk": SortAttribute, "#e": TTLAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":k": n(count), ":u": n(now.UnixMilli()), ":now": n(now.Unix()), ":room": n(int64(d.cfg.MaxItems) - count),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if conditionFailed(err) {
		if _, err := d.convRecord(ctx, caller, conversation); err != nil {
			return err
		}
		return &CapError{Cap: CapItems, Limit: d.cfg.MaxItems}
	}
	if err != nil {
		return fmt.Errorf("append to %s: %w", conversation, err)
	}
	last, err1 := num(out.Attributes[attrSeq])
	exp, err2 := num(out.Attributes[TTLAttribute])
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("append to %s: %w", conversation, err)
	}
	expires := time.Unix(exp, 0)
	for i, it := range items {
		seq := last - count + 1 + int64(i)
		ref := key(caller, "x#"+conversation+"#"+it.ID)
		ref[attrSeqRef], ref[TTLAttribute] = n(seq), n(exp)
		if _, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.table), Item: ref}); err != nil {
			return fmt.Errorf("append to %s: %w", conversation, err)
		}
		extra := map[string]types.AttributeValue{"id": s(it.ID)}
		if err := d.putParts(ctx, caller, "i#"+conversation+"#"+seqKey(seq)+"#", it.Data, expires, extra); err != nil {
			return err
		}
	}
	return nil
}

// itemSeq returns the sequence number of item id in conversation.
func (d *Dynamo) itemSeq(ctx context.Context, caller, conversation, id string) (int64, error) {
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(d.table), Key: key(caller, "x#"+conversation+"#"+id), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("item %s: %w", id, err)
	}
	if out.Item == nil || !d.live(out.Item) {
		return 0, ErrNotFound
	}
	return num(out.Item[attrSeqRef])
}

// Items implements Store.
func (d *Dynamo) Items(ctx context.Context, caller, conversation string, p Page) ([]Item, bool, error) {
	if caller == "" {
		return nil, false, ErrNotFound
	}
	if _, err := d.convRecord(ctx, caller, conversation); err != nil {
		return nil, false, err
	}
	prefix := "i#" + conversation + "#"
	lo, hi := prefix, prefix+"~"
	if p.After != "" {
		seq, err := d.itemSeq(ctx, caller, conversation, p.After)
		if err != nil {
			return nil, false, err
		}
		if p.Desc {
			hi = prefix + seqKey(seq)
		} else {
			lo = prefix + seqKey(seq) + "#~"
		}
	}
	want := p.limit() + 1
	var list []Item
	collect := func(raw []map[string]types.AttributeValue) {
		list = list[:0]
		group, seq := []map[string]types.AttributeValue(nil), ""
		flush := func() {
			if blob, head, ok := d.joinParts(group); ok {
				list = append(list, Item{ID: str(head["id"]), Data: blob})
			}
			group = group[:0]
		}
		for _, it := range raw {
			k := sortKey(it)
			if cur := k[:len(prefix)+seqDigits]; cur != seq {
				flush()
				seq = cur
			}
			group = append(group, it)
		}
		flush()
	}
	_, err := d.query(ctx, caller, lo, hi, p.Desc, func(raw []map[string]types.AttributeValue) bool {
		collect(raw)
		return len(list) > want // one more than wanted: the last may be incomplete
	})
	if err != nil {
		return nil, false, err
	}
	if len(list) > want {
		list = list[:want]
	}
	out, more := page(list, p)
	return out, more, nil
}

// Item implements Store.
func (d *Dynamo) Item(ctx context.Context, caller, conversation, id string) (*Item, error) {
	if caller == "" {
		return nil, ErrNotFound
	}
	if _, err := d.convRecord(ctx, caller, conversation); err != nil {
		return nil, err
	}
	seq, err := d.itemSeq(ctx, caller, conversation, id)
	if err != nil {
		return nil, err
	}
	prefix := "i#" + conversation + "#" + seqKey(seq) + "#"
	raw, err := d.query(ctx, caller, prefix, prefix+"~", false, nil)
	if err != nil {
		return nil, err
	}
	blob, _, ok := d.joinParts(raw)
	if !ok {
		return nil, ErrNotFound
	}
	return &Item{ID: id, Data: blob}, nil
}

// DeleteItem implements Store.
func (d *Dynamo) DeleteItem(ctx context.Context, caller, conversation, id string) error {
	if caller == "" {
		return ErrNotFound
	}
	if _, err := d.convRecord(ctx, caller, conversation); err != nil {
		return err
	}
	seq, err := d.itemSeq(ctx, caller, conversation, id)
	if err != nil {
		return err
	}
	if err := d.deleteKeys(ctx, caller, []string{"x#" + conversation + "#" + id}); err != nil {
		return err
	}
	if err := d.deletePrefix(ctx, caller, "i#"+conversation+"#"+seqKey(seq)+"#"); err != nil {
		return err
	}
	_, err = d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.table),
		Key:                      key(caller, "c#"+conversation),
		UpdateExpression:         aws.String("ADD #count :minus SET #u = :u"),
		ConditionExpression:      aws.String("attribute_exists(#sk)"),
		ExpressionAttributeNames: map[string]string{"#count": attrCount, "#u": attrUpdated, "#sk": SortAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":minus": n(-1), ":u": n(d.cfg.Now().UnixMilli()),
		},
	})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("delete item %s: %w", id, err)
	}
	return nil
}

// DeleteAll implements Store.
func (d *Dynamo) DeleteAll(ctx context.Context, caller string) error {
	if caller == "" {
		return ErrNotFound
	}
	items, err := d.query(ctx, caller, "a", "~", false, nil) // every prefix is a lower-case letter
	if err != nil {
		return err
	}
	return d.deleteItems(ctx, caller, items)
}
