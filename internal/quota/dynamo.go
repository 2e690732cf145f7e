package quota

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The table's layout: one item per caller per window (counters) and one
// item per caller for the concurrent-stream slots. Terraform creates the
// table with this key and TTL attribute.
const (
	// KeyAttribute is the table's partition key (string), e.g.
	// "rpm#<caller>#<minute>", "tok#<caller>#<day>", "con#<caller>".
	KeyAttribute = "pk"
	// TTLAttribute holds, in Unix seconds, when DynamoDB may delete the
	// item (the table's TTL attribute).
	TTLAttribute = "expires_at"
	countAttr    = "n"     // a counter's value
	slotsAttr    = "slots" // slot id → expiry in Unix milliseconds
)

// maxCleanup bounds how many expired slots one acquisition removes, which
// keeps its expression small.
const maxCleanup = 20

// acquireTries bounds the optimistic retries of an acquisition that keeps
// losing races; each retry means the item changed under it.
const acquireTries = 4

// errContention: an acquisition lost acquireTries races in a row.
var errContention = errors.New("slot set changed on every attempt")

// DynamoStore keeps the counts in a DynamoDB table, shared by every
// instance. Each step is one conditional UpdateItem; a full slot set costs
// a GetItem and one more UpdateItem to clear expired slots.
type DynamoStore struct {
	client *dynamodb.Client
	table  string
}

var _ Store = (*DynamoStore)(nil)

// NewDynamoStore builds a DynamoDB client from the standard AWS
// configuration (region, credentials, AWS_ENDPOINT_URL_DYNAMODB and the
// other AWS_* variables; optFns override them) for table.
func NewDynamoStore(ctx context.Context, table string, optFns ...func(*config.LoadOptions) error) (*DynamoStore, error) {
	awsCfg, err := config.LoadDefaultConfig(ctx, optFns...)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	if awsCfg.Region == "" {
		return nil, errors.New("load AWS config: no region: set AWS_REGION")
	}
	return &DynamoStore{client: dynamodb.NewFromConfig(awsCfg, noThrottleRetries), table: table}, nil
}

// noThrottleRetries makes a DynamoDB client return a throttling error at
// once rather than retry it. The SDK's standard retryer retries
// ProvisionedThroughputExceededException and ThrottlingException after a
// backoff of up to a second or more (aws/retry: DefaultThrottleErrorCodes,
// ExponentialJitterBackoff); a store step has Config.StoreTimeout (150 ms by
// default), which ends during that sleep, and the SDK then returns a
// RequestCanceledError that no longer carries the throttling error: the
// Limiter would see a failed store, and under Allow admit the caller that
// made the store throttle. Other errors keep the SDK's retries.
func noThrottleRetries(o *dynamodb.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			if throttled(err) {
				return aws.FalseTernary
			}
			return aws.UnknownTernary
		})}, so.Retryables...)
	})
}

// throttled reports whether DynamoDB refused a request for its traffic on
// the items or the table: ProvisionedThroughputExceededException, or
// ThrottlingException (on-demand tables; see ThrottlingReason in the
// DynamoDB API reference). Every step of this store names the caller's own
// items alone.
func throttled(err error) bool {
	var pte *types.ProvisionedThroughputExceededException
	var te *types.ThrottlingException
	return errors.As(err, &pte) || errors.As(err, &te)
}

// stepError wraps the error of a step on key, marking a throttled one with
// ErrThrottled.
func stepError(step, key string, err error) error {
	if throttled(err) {
		return fmt.Errorf("%s %s: %w: %w", step, key, ErrThrottled, err)
	}
	return fmt.Errorf("%s %s: %w", step, key, err)
}

func (d *DynamoStore) key(k string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{KeyAttribute: &types.AttributeValueMemberS{Value: k}}
}

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func ttl(t time.Time) types.AttributeValue { return num(t.Unix()) }

func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// Take implements Store.
func (d *DynamoStore) Take(ctx context.Context, key string, n, limit int64, expires time.Time) (int64, bool, error) {
	out, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.table),
		Key:                      d.key(key),
		UpdateExpression:         aws.String("ADD #n :n SET #e = :e"),
		ConditionExpression:      aws.String("attribute_not_exists(#n) OR #n < :limit"),
		ExpressionAttributeNames: map[string]string{"#n": countAttr, "#e": TTLAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":n": num(n), ":limit": num(limit), ":e": ttl(expires),
		},
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if conditionFailed(err) {
		return limit, false, nil
	}
	if err != nil {
		return 0, false, stepError("take", key, err)
	}
	count, err := numberOf(out.Attributes[countAttr])
	if err != nil {
		return 0, false, fmt.Errorf("take %s: %w", key, err)
	}
	return count, true, nil
}

// Add implements Store.
func (d *DynamoStore) Add(ctx context.Context, key string, delta int64, expires time.Time) error {
	_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       d.key(key),
		UpdateExpression:          aws.String("ADD #n :n SET #e = :e"),
		ExpressionAttributeNames:  map[string]string{"#n": countAttr, "#e": TTLAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": num(delta), ":e": ttl(expires)},
	})
	if err != nil {
		return stepError("add", key, err)
	}
	return nil
}

// Acquire implements Store. The common case is one UpdateItem: set the
// slot if the set holds fewer than limit. When the set is full (or does
// not exist yet) it reads the set, and in one more conditional UpdateItem
// removes slots that have expired while adding its own; the conditions
// make a race with another instance fail cleanly and try again.
func (d *DynamoStore) Acquire(ctx context.Context, key, id string, limit int64, now, expires time.Time) (bool, error) {
	exp := num(expires.UnixMilli())
	for range acquireTries {
		_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                aws.String(d.table),
			Key:                      d.key(key),
			UpdateExpression:         aws.String("SET #s.#id = :exp, #e = :e"),
			ConditionExpression:      aws.String("attribute_exists(#s) AND size(#s) < :limit"),
			ExpressionAttributeNames: map[string]string{"#s": slotsAttr, "#id": id, "#e": TTLAttribute},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":exp": exp, ":limit": num(limit), ":e": ttl(expires.Add(keepFor)),
			},
		})
		if err == nil {
			return true, nil
		}
		if !conditionFailed(err) {
			return false, stepError("acquire", key, err)
		}
		ok, retry, err := d.acquireSlow(ctx, key, id, limit, now, expires)
		if err != nil || !retry {
			return ok, err
		}
	}
	return false, fmt.Errorf("acquire %s: %w", key, errContention)
}

// acquireSlow handles a set that is missing or full. retry reports that
// the set changed meanwhile and the fast path may now succeed.
func (d *DynamoStore) acquireSlow(ctx context.Context, key, id string, limit int64, now, expires time.Time) (ok, retry bool, err error) {
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(d.table),
		Key:                      d.key(key),
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("#s"),
		ExpressionAttributeNames: map[string]string{"#s": slotsAttr},
	})
	if err != nil {
		return false, false, stepError("acquire: read slots", key, err)
	}
	exp := num(expires.UnixMilli())
	slots, isMap := out.Item[slotsAttr].(*types.AttributeValueMemberM)
	if !isMap {
		_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                aws.String(d.table),
			Key:                      d.key(key),
			UpdateExpression:         aws.String("SET #s = :m, #e = :e"),
			ConditionExpression:      aws.String("attribute_not_exists(#s)"),
			ExpressionAttributeNames: map[string]string{"#s": slotsAttr, "#e": TTLAttribute},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{id: exp}},
				":e": ttl(expires.Add(keepFor)),
			},
		})
		if conditionFailed(err) {
			return false, true, nil // created meanwhile
		}
		if err != nil {
			return false, false, stepError("acquire: create slots", key, err)
		}
		return true, false, nil
	}
	type held struct {
		id  string
		exp string
	}
	var expired []held
	for slot, v := range slots.Value {
		n, isNum := v.(*types.AttributeValueMemberN)
		ms, err := numberOf(v)
		if isNum && err == nil && ms <= now.UnixMilli() {
			expired = append(expired, held{slot, n.Value})
		}
	}
	if len(expired) == 0 {
		// Full, unless a slot was released since the first attempt.
		return false, int64(len(slots.Value)) < limit, nil
	}
	slices.SortFunc(expired, func(a, b held) int { return cmp.Compare(a.id, b.id) })
	expired = expired[:min(len(expired), maxCleanup)]
	names := map[string]string{"#s": slotsAttr, "#id": id, "#e": TTLAttribute}
	values := map[string]types.AttributeValue{
		":exp": exp, ":e": ttl(expires.Add(keepFor)), ":limit": num(limit + int64(len(expired))),
	}
	update, cond := "SET #s.#id = :exp, #e = :e REMOVE ", "size(#s) < :limit"
	for i, h := range expired {
		n, v := "#x"+strconv.Itoa(i), ":x"+strconv.Itoa(i)
		names[n], values[v] = h.id, &types.AttributeValueMemberN{Value: h.exp}
		if i > 0 {
			update += ", "
		}
		update += "#s." + n
		cond += " AND #s." + n + " = " + v
	}
	_, err = d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       d.key(key),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	if conditionFailed(err) {
		return false, true, nil
	}
	if err != nil {
		return false, false, stepError("acquire: clear expired slots", key, err)
	}
	return true, false, nil
}

// Renew implements Store.
func (d *DynamoStore) Renew(ctx context.Context, key, id string, expires time.Time) error {
	_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.table),
		Key:                      d.key(key),
		UpdateExpression:         aws.String("SET #s.#id = :exp, #e = :e"),
		ConditionExpression:      aws.String("attribute_exists(#s.#id)"),
		ExpressionAttributeNames: map[string]string{"#s": slotsAttr, "#id": id, "#e": TTLAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":exp": num(expires.UnixMilli()), ":e": ttl(expires.Add(keepFor)),
		},
	})
	if err != nil && !conditionFailed(err) {
		return stepError("renew", key, err)
	}
	return nil
}

// Release implements Store.
func (d *DynamoStore) Release(ctx context.Context, key, id string) error {
	_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.table),
		Key:                      d.key(key),
		UpdateExpression:         aws.String("REMOVE #s.#id"),
		ConditionExpression:      aws.String("attribute_exists(#s.#id)"),
		ExpressionAttributeNames: map[string]string{"#s": slotsAttr, "#id": id},
	})
	if err != nil && !conditionFailed(err) {
		return stepError("release", key, err)
	}
	return nil
}

func numberOf(v types.AttributeValue) (int64, error) {
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("want a number attribute, got %T", v)
	}
	return strconv.ParseInt(n.Value, 10, 64)
}
