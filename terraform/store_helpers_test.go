package terraform_test

import (
	"maps"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// The checks the tests of the DynamoDB-backed stores share (quota,
// conversations, streams): each store has its table, a policy document
// that lets the function use it, and that document on the function's role.

// table is the layout a store expects of its DynamoDB table.
type table struct {
	count string            // when the table exists, as written
	hash  string            // the partition key attribute
	sort  string            // the sort key attribute; "" when the store has none
	keys  map[string]string // every key attribute's name and type
	ttl   string            // the TTL attribute
	// kmsKey is the variable that names a customer managed key, "" when
	// the table is encrypted with the AWS owned key only.
	kmsKey string
}

// checkTable checks the aws_dynamodb_table of that name is laid out as
// want says, on demand, and returns it.
func checkTable(tb testing.TB, m *module, name string, want table) *hclsyntax.Block {
	tb.Helper()
	tbl := m.find(tb, "resource", "aws_dynamodb_table", name)
	attrs := map[string]string{
		"count":        want.count,
		"billing_mode": `"PAY_PER_REQUEST"`,
		"hash_key":     `"` + want.hash + `"`,
	}
	if want.sort != "" {
		attrs["range_key"] = `"` + want.sort + `"`
	} else if _, ok := tbl.Body.Attributes["range_key"]; ok {
		tb.Errorf("table %s has a sort key; the store addresses items by %s alone", name, want.hash)
	}
	for attr, w := range attrs {
		if got := m.attr(tb, tbl, attr); got != w {
			tb.Errorf("table %s: %s = %s; want %s", name, attr, got, w)
		}
	}
	types := map[string]string{}
	for _, a := range nested(tbl, "attribute") {
		n := literalString(tb, a, "name")
		if _, dup := types[n]; dup {
			tb.Errorf("table %s: attribute %s declared twice", name, n)
		}
		types[n] = literalString(tb, a, "type")
	}
	if !maps.Equal(types, want.keys) {
		tb.Errorf("table %s: key attributes = %v; want %v", name, types, want.keys)
	}
	ttl := one(tb, tbl, "ttl")
	if literalString(tb, ttl, "attribute_name") != want.ttl || !literal(tb, ttl, "enabled").True() {
		tb.Errorf("table %s: ttl = %s, enabled %s; want %s, true", name, m.attr(tb, ttl, "attribute_name"), m.attr(tb, ttl, "enabled"), want.ttl)
	}
	sse := nested(tbl, "server_side_encryption")
	switch {
	case want.kmsKey == "" && len(sse) > 0:
		tb.Errorf("table %s: a server_side_encryption block; want the AWS owned key", name)
	case want.kmsKey != "":
		wantKey := want.kmsKey + ` == "" ? null : ` + want.kmsKey
		if got := m.attr(tb, one(tb, tbl, "server_side_encryption"), "kms_key_arn"); got != wantKey {
			tb.Errorf("table %s: server_side_encryption.kms_key_arn = %s; want %s", name, got, wantKey)
		}
	}
	return tbl
}

// grant is what one statement of a policy document must say.
type grant struct {
	forEach   string   // the for_each of its dynamic block, as written: when it applies
	actions   []string // in order
	resources string   // as written
}

// checkGrants checks the aws_iam_policy_document of that name holds
// exactly the statements of wants, by sid, each a dynamic block allowing
// its actions on its resources, and returns their contents by sid.
func checkGrants(tb testing.TB, m *module, name string, wants map[string]grant) map[string]*hclsyntax.Block {
	tb.Helper()
	doc := m.find(tb, "data", "aws_iam_policy_document", name)
	for _, b := range doc.Body.Blocks {
		if b.Type == "statement" {
			tb.Errorf("policy %s: an unconditional statement (%s); every grant depends on a setting", name, literalString(tb, b, "sid"))
		}
	}
	bySid := map[string]*hclsyntax.Block{}
	for _, d := range doc.Body.Blocks {
		if d.Type != "dynamic" {
			continue
		}
		c := one(tb, d, "content")
		sid := literalString(tb, c, "sid")
		w, ok := wants[sid]
		if !ok {
			tb.Errorf("policy %s: unexpected statement %s", name, sid)
			continue
		}
		if bySid[sid] != nil {
			tb.Errorf("policy %s: statement %s twice", name, sid)
		}
		bySid[sid] = c
		if got := m.attr(tb, d, "for_each"); got != w.forEach {
			tb.Errorf("policy %s: %s for_each = %s; want %s", name, sid, got, w.forEach)
		}
		if literalString(tb, c, "effect") != "Allow" {
			tb.Errorf("policy %s: %s effect %s", name, sid, m.attr(tb, c, "effect"))
		}
		if got := literalStrings(tb, c, "actions"); !equalStrings(got, w.actions) {
			tb.Errorf("policy %s: %s actions = %q; want %q", name, sid, got, w.actions)
		}
		if got := m.attr(tb, c, "resources"); got != w.resources {
			tb.Errorf("policy %s: %s resources = %s; want %s", name, sid, got, w.resources)
		}
	}
	if len(bySid) != len(wants) {
		tb.Errorf("policy %s: have statements %v; want %v", name, sortedKeys(bySid), sortedKeys(wants))
	}
	return bySid
}

// checkKeyViaDynamoDB checks a statement that grants a KMS key lets it be
// used only by DynamoDB, on the function's behalf, in the stack's Region.
func checkKeyViaDynamoDB(tb testing.TB, m *module, s *hclsyntax.Block) {
	tb.Helper()
	if s == nil {
		return // checkGrants reported it missing
	}
	cond := one(tb, s, "condition")
	got := m.attr(tb, cond, "test") + " " + m.attr(tb, cond, "variable") + " " + m.attr(tb, cond, "values")
	if want := `"StringEquals" "kms:ViaService" ["dynamodb.${var.region}.amazonaws.com"]`; got != want {
		tb.Errorf("%s condition = %s; want %s", literalString(tb, s, "sid"), got, want)
	}
}

// checkRolePolicy checks the aws_iam_role_policy of that name puts the
// policy document of the same name on the function's role, when count
// says.
func checkRolePolicy(tb testing.TB, m *module, name, count string) {
	tb.Helper()
	p := m.find(tb, "resource", "aws_iam_role_policy", name)
	for attr, want := range map[string]string{
		"count":  count,
		"role":   "aws_iam_role.lambda.id",
		"policy": "data.aws_iam_policy_document." + name + ".json",
	} {
		if got := m.attr(tb, p, attr); got != want {
			tb.Errorf("aws_iam_role_policy.%s: %s = %s; want %s", name, attr, got, want)
		}
	}
}
