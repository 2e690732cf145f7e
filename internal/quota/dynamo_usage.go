package quota

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// usageAttrs name a usage record's attributes, one item per caller per
// window ("use#<caller>#<day>", "usem#<caller>#<month>"), each a number.
var usageAttrs = [...]string{"in", "out", "cache_read", "cache_write", "usd_micros", "requests", "unpriced"}

func (u *Usage) fields() [len(usageAttrs)]*int64 {
	return [...]*int64{&u.Input, &u.Output, &u.CacheRead, &u.CacheWrite, &u.MicroUSD, &u.Requests, &u.Unpriced}
}

// AddUsage implements Store: one UpdateItem adding every count.
func (d *DynamoStore) AddUsage(ctx context.Context, key string, u Usage, expires time.Time) error {
	names := map[string]string{"#e": TTLAttribute}
	values := map[string]types.AttributeValue{":e": ttl(expires)}
	expr := "SET #e = :e ADD "
	for i, p := range u.fields() {
		if i > 0 {
			expr += ", "
		}
		n, v := fmt.Sprintf("#a%d", i), fmt.Sprintf(":a%d", i)
		names[n], values[v] = usageAttrs[i], num(*p)
		expr += n + " " + v
	}
	_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       d.key(key),
		UpdateExpression:          aws.String(expr),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	if err != nil {
		return stepError("add usage", key, err)
	}
	return nil
}

// GetUsage implements Store: a strongly consistent GetItem, so a caller
// sees the answer it just had.
func (d *DynamoStore) GetUsage(ctx context.Context, key string) (Usage, error) {
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(d.table),
		Key:            d.key(key),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Usage{}, stepError("get usage", key, err)
	}
	var u Usage
	for i, p := range u.fields() {
		v, ok := out.Item[usageAttrs[i]]
		if !ok {
			continue
		}
		n, err := numberOf(v)
		if err != nil {
			return Usage{}, fmt.Errorf("get usage %s: %s: %w", key, usageAttrs[i], err)
		}
		*p = n
	}
	return u, nil
}
