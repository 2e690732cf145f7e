package terraform_test

import (
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/convstore"
)

// TestStateTable checks the conversation table is laid out as the
// gateway's DynamoDB store expects: the caller as partition key, the
// record as sort key, on demand, with TTL, created only when enabled.
func TestStateTable(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	tbl := checkTable(t, m, "state", table{
		count:  "local.state_enabled ? 1 : 0",
		hash:   convstore.KeyAttribute,
		sort:   convstore.SortAttribute,
		keys:   map[string]string{convstore.KeyAttribute: "S", convstore.SortAttribute: "S"},
		ttl:    convstore.TTLAttribute,
		kmsKey: "var.conversation_kms_key_arn",
	})
	if got := m.attr(t, one(t, tbl, "point_in_time_recovery"), "enabled"); got != "var.conversation_point_in_time_recovery" {
		t.Errorf("point_in_time_recovery.enabled = %s", got)
	}
}

// TestStatePolicy checks the function may touch items of its own
// conversation table only, and use the customer key only through DynamoDB.
func TestStatePolicy(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	bySid := checkGrants(t, m, "state", map[string]grant{
		"KeepConversations": {"local.state_enabled ? [1] : []",
			[]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem"},
			"[aws_dynamodb_table.state[0].arn]"},
		"UseConversationKey": {`local.state_enabled && var.conversation_kms_key_arn != "" ? [1] : []`,
			[]string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"},
			"[var.conversation_kms_key_arn]"},
	})
	checkKeyViaDynamoDB(t, m, bySid["UseConversationKey"])
	checkRolePolicy(t, m, "state", "local.state_enabled ? 1 : 0")
}
