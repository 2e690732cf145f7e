// make test's last line: it counts and names the steps that did not run on
// this machine, from what the steps themselves recorded. The terraform
// steps are driven for real with a terraform CLI that is not there.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const work = mkdtempSync(path.join(tmpdir(), "chatbot-summary-"));
after(() => rmSync(work, { recursive: true, force: true }));

const env = { ...process.env };
for (const k of ["MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"]) delete env[k];

const summary = (file) =>
  execFileSync(path.join(root, "scripts/test-summary.sh"), [file], { encoding: "utf8" }).trimEnd().split("\n").at(-1);

test("steps skipped without a terraform CLI are recorded and named in the last line", () => {
  const file = path.join(work, "skipped");
  writeFileSync(file, "");
  const out = execFileSync(
    "make",
    ["--no-print-directory", "test-terraform-fmt", "test-terraform-validate", "TERRAFORM=terraform-not-installed-here", `CHATBOT_SKIPPED=${file}`],
    { cwd: root, env, encoding: "utf8" },
  );
  assert.match(out, /^SKIPPED: terraform fmt: /m);
  assert.match(out, /^SKIPPED: terraform validate and terraform test: terraform CLI not found/m);
  assert.equal(readFileSync(file, "utf8").split("\n").filter(Boolean).length, 2);
  assert.equal(
    summary(file),
    "make test: passed, but 2 steps were skipped (the SKIPPED lines above say why): terraform fmt; terraform validate and terraform test",
  );
});

test("with nothing skipped the last line says so", () => {
  const file = path.join(work, "none");
  writeFileSync(file, "");
  assert.equal(summary(file), "make test: every step ran and passed; 0 skipped");
});

test("make test ends with the summary, not a bare 'all tests passed'", () => {
  const recipe = execFileSync("make", ["--no-print-directory", "-n", "test"], { cwd: root, env, encoding: "utf8" });
  assert.match(recipe.trimEnd().split("\n").at(-1), /scripts\/test-summary\.sh .*skipped-steps$/);
  assert.doesNotMatch(recipe, /all tests passed/);
});
