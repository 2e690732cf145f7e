package terraform_test

import (
	"slices"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/chatbot-gateway/chatbot/internal/convstore"
)

// TestStateTable checks the conversation table is laid out as the
// gateway's DynamoDB store expects: the caller as partition key, the
// record as sort key, on demand, with TTL, created only when enabled.
func TestStateTable(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	tbl := m.find(t, "resource", "aws_dynamodb_table", "state")
	for attr, want := range map[string]string{
		"count":        "local.state_enabled ? 1 : 0",
		"billing_mode": `"PAY_PER_REQUEST"`,
		"hash_key":     `"` + convstore.KeyAttribute + `"`,
		"range_key":    `"` + convstore.SortAttribute + `"`,
	} {
		if got := m.attr(t, tbl, attr); got != want {
			t.Errorf("table %s = %s; want %s", attr, got, want)
		}
	}
	var keys []string
	for _, a := range nested(tbl, "attribute") {
		if literalString(t, a, "type") != "S" {
			t.Errorf("attribute %s is not a string", literalString(t, a, "name"))
		}
		keys = append(keys, literalString(t, a, "name"))
	}
	if slices.Sort(keys); !slices.Equal(keys, []string{convstore.KeyAttribute, convstore.SortAttribute}) {
		t.Errorf("attributes = %q", keys)
	}
	ttl := one(t, tbl, "ttl")
	if literalString(t, ttl, "attribute_name") != convstore.TTLAttribute || !literal(t, ttl, "enabled").True() {
		t.Errorf("ttl = %s", m.attr(t, ttl, "attribute_name"))
	}
	sse := one(t, tbl, "server_side_encryption")
	if got := m.attr(t, sse, "kms_key_arn"); got != `var.conversation_kms_key_arn == "" ? null : var.conversation_kms_key_arn` {
		t.Errorf("server_side_encryption.kms_key_arn = %s", got)
	}
}

// TestStatePolicy checks the function may touch items of its own
// conversation table only, and use the customer key only through DynamoDB.
func TestStatePolicy(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	doc := m.find(t, "data", "aws_iam_policy_document", "state")
	bySid := map[string]*hclsyntax.Block{}
	for _, s := range nested(doc, "statement") {
		bySid[literalString(t, s, "sid")] = s
		if literalString(t, s, "effect") != "Allow" {
			t.Errorf("%s: effect %s", literalString(t, s, "sid"), m.attr(t, s, "effect"))
		}
	}
	for sid, want := range map[string]struct {
		actions   []string
		resources string
	}{
		"KeepConversations": {[]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
			"dynamodb:Query", "dynamodb:BatchWriteItem"}, "[aws_dynamodb_table.state[0].arn]"},
		"UseConversationKey": {[]string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"}, "[var.conversation_kms_key_arn]"},
	} {
		s := bySid[sid]
		if s == nil {
			t.Errorf("no %s statement", sid)
			continue
		}
		if got := literalStrings(t, s, "actions"); !equalStrings(got, want.actions) {
			t.Errorf("%s actions = %q; want %q", sid, got, want.actions)
		}
		if got := m.attr(t, s, "resources"); got != want.resources {
			t.Errorf("%s resources = %s; want %s", sid, got, want.resources)
		}
	}
	if len(bySid) != 2 {
		t.Errorf("have statements %v; want exactly the two above", sortedKeys(bySid))
	}
	cond := one(t, bySid["UseConversationKey"], "condition")
	if literalString(t, cond, "variable") != "kms:ViaService" {
		t.Errorf("the key is not limited to DynamoDB: %s", m.attr(t, cond, "variable"))
	}
}
