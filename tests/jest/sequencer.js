// Longest suites first, so the two workers finish together instead of one running the
// slowest file alone at the end. Jest's own order (by the durations in its cache) needs a
// previous run; CI starts from a clean clone, where jest falls back to file size. This list
// is the fallback: the suites measured slowest (npx jest --json, testResults' perfStats),
// longest first. A suite jest has timed before keeps its cached order among the rest.
const Sequencer = require('@jest/test-sequencer').default;

const SLOWEST_FIRST = [
  'tests/e2e/reliability/parallel.test.ts',
  'tests/e2e/task/auth.test.ts',
  'tests/e2e/reliability/faults.test.ts',
  'tests/e2e/action/auth.test.ts',
  'tests/e2e/action/lifecycle.test.ts',
  'tests/e2e/cli/commands.test.ts',
  'tests/e2e/task/lifecycle.test.ts',
  'tests/e2e/reliability/badInput.test.ts',
];

class SlowestFirst extends Sequencer {
  sort(tests) {
    const rank = (t) => {
      const rel = t.path.replace(/\\/g, '/');
      const i = SLOWEST_FIRST.findIndex((p) => rel.endsWith(p));
      return i === -1 ? SLOWEST_FIRST.length : i;
    };
    // super.sort: failed-last-time first, then by cached duration or size; stable sort keeps that within a rank.
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowestFirst;
