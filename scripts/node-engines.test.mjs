// The Node version the README names ("Node 20") is the one every npm
// package the project installs must run on: each lockfile entry's
// engines.node range has to admit that major version, and the node running
// the tests must be it or newer. Ranges are read with npm's own semver.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npmRoot = execFileSync("npm", ["root", "-g"], { encoding: "utf8" }).trim();
const semver = createRequire(path.join(npmRoot, "npm", "package.json"))("semver");

const documented = Number(/Node (\d+)\b/.exec(readFileSync(path.join(root, "README.md"), "utf8"))?.[1]);
const lockfiles = execFileSync("git", ["ls-files", "*package-lock.json"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter(Boolean);

test("the README names a Node major version", () => {
  assert.ok(documented >= 18, `no "Node NN" in README.md (got ${documented})`);
});

test("the node running the tests is at least the documented one", () => {
  assert.ok(semver.major(process.version) >= documented, `node ${process.version}, README says Node ${documented}`);
});

for (const lock of lockfiles) {
  test(`${lock}: every package runs on Node ${documented}`, () => {
    const { packages } = JSON.parse(readFileSync(path.join(root, lock), "utf8"));
    // The newest release of the documented major: a package that needs a
    // later minor of it still installs with an up-to-date Node 20.
    const latest = `${documented}.999.0`;
    const refused = Object.entries(packages)
      .filter(([, p]) => p.engines?.node && !semver.satisfies(latest, p.engines.node))
      .map(([name, p]) => `${name || "(root)"}@${p.version}: node ${p.engines.node}`);
    assert.deepEqual(refused, [], `pin versions that support Node ${documented}`);
  });
}
