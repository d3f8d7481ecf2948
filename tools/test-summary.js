// Prints jest result files (one per run of tools/test.sh) as one plain closing line: `N passed, N failed, N skipped`.
// Exits non-zero when a run wrote no result file, or no test ran at all.
"use strict";
const fs = require("fs");
const files = process.argv.slice(2).filter((f) => fs.existsSync(f));
const total = { passed: 0, failed: 0, skipped: 0, runs: 0 };
for (const file of files) {
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    total.passed += r.numPassedTests;
    total.failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
    total.skipped += r.numPendingTests + r.numTodoTests;
    total.runs++;
    console.log(
        `${file.replace(/.*\//, "").replace(/\.json$/, "")}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`,
    );
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
if (total.runs < process.argv.length - 2 || total.passed + total.failed === 0) process.exitCode = 1;
