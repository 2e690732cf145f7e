package streambuf

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A header with a job holds it, its hash and its state, which Claim moves
// from queued to claimed with one conditional write.
const (
	jobAttr      = "job"
	jobHashAttr  = "job_hash"
	jobStateAttr = "job_state"
	jobQueued    = "queued"
	jobClaimed   = "claimed"
)

func readJob(h *Header, item map[string]types.AttributeValue) {
	if b, ok := item[jobAttr].(*types.AttributeValueMemberB); ok {
		h.Job = b.Value
	}
	if s, ok := item[jobStateAttr].(*types.AttributeValueMemberS); ok {
		h.Claimed = s.Value == jobClaimed
	}
}

// Claim implements Store: one UpdateItem whose condition is the whole
// check, so that of two deliveries of the same job exactly one wins; when
// it fails, one read says why, for the log.
func (d *Dynamo) Claim(ctx context.Context, key Key, hash string, deadline time.Time) (Header, error) {
	if !key.Valid() {
		return Header{}, ErrInvalidKey
	}
	now := d.cfg.Clock.Now()
	out, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(d.table),
		Key:              d.item(key, HeaderSortKey),
		UpdateExpression: aws.String("SET #s = :claimed, #d = :deadline"),
		ConditionExpression: aws.String("attribute_exists(#pk) AND #e > :now AND #h = :hash AND #s = :queued" +
			" AND #d > :nowms"),
		ExpressionAttributeNames: map[string]string{"#pk": KeyAttribute, "#e": TTLAttribute, "#h": jobHashAttr,
			"#s": jobStateAttr, "#d": deadlineAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":claimed": str(jobClaimed), ":queued": str(jobQueued), ":hash": str(hash),
			":deadline": num(deadline.UnixMilli()), ":now": num(now.Unix()), ":nowms": num(now.UnixMilli()),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if conditionFailed(err) {
		return Header{}, d.whyNotClaimed(ctx, key, hash)
	}
	if err != nil {
		return Header{}, fmt.Errorf("claim job: %w", err)
	}
	h := Header{Meta: bytesOf(out.Attributes[metaAttr]), Deadline: deadline}
	if b, ok := out.Attributes[cancelAttr].(*types.AttributeValueMemberBOOL); ok {
		h.CancelRequested = b.Value
	}
	readJob(&h, out.Attributes)
	return h, nil
}

// whyNotClaimed reads the header a claim failed on and names the reason.
func (d *Dynamo) whyNotClaimed(ctx context.Context, key Key, hash string) error {
	h, err := d.Header(ctx, key)
	switch {
	case err != nil:
		return err // ErrNotFound, or the store's failure
	case h.Job == nil || JobHash(h.Job) != hash:
		return ErrNoJob
	case h.Claimed:
		return ErrClaimed
	default:
		return ErrJobExpired
	}
}
