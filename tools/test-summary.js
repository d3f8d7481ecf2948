// Prints jest's result file as the plain closing line `N passed, N failed, N skipped`.
const fs = require("fs");
const file = process.argv[2];
const r = JSON.parse(fs.readFileSync(file, "utf8"));
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
if (r.numTotalTests === 0) process.exitCode = 1;
