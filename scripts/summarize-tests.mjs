// Prints the plain closing line "N passed, N failed" from vitest's JSON report and exits non-zero when
// anything failed, nothing ran, or vitest itself failed before reporting.
import { readFileSync } from 'node:fs';

const [reportPath, vitestStatus] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
} catch (error) {
  console.log(`tests: no report (${error.message})`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const failedTests = report.numFailedTests ?? 0;
// A test file that failed outside its tests (a crash, a failing beforeAll whose tests were then skipped)
// counts as one failure, so the closing line never says "0 failed" for a failed run.
const failedFiles = (report.testResults ?? []).filter(
  (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
).length;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
const failed = failedTests + failedFiles;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 || Number(vitestStatus) !== 0 ? 1 : 0);
