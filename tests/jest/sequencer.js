// Longest suites first, so the workers finish together instead of one running the
// slowest file alone at the end. Jest's own order (by the durations in its cache) needs a
// previous run; CI starts from a clean clone, where jest falls back to file size. This list
// is the fallback: the suites measured slowest (npx jest --json, testResults' perfStats),
// longest first. A suite jest has timed before keeps its cached order among the rest.
const Sequencer = require('@jest/test-sequencer').default;

const SLOWEST_FIRST = [
  'tests/e2e/reliability/parallel.test.ts',
  'tests/e2e/reliability/faults.test.ts',
  'tests/e2e/frontEnds/progressAndNames.test.ts',
  'tests/integration/fidelity/azure-cli.test.ts',
  'tests/integration/core/unknowns.test.ts',
  'tests/e2e/task/auth.test.ts',
  'tests/e2e/cli/demo.test.ts',
  'tests/e2e/cli/anchors.test.ts',
  'tests/e2e/cli/calibrate.test.ts',
  'tests/integration/core/calibrate.test.ts',
  'tests/e2e/reliability/cancellation.test.ts',
  'tests/e2e/action/auth.test.ts',
  'tests/e2e/security/sources.test.ts',
  'tests/e2e/cli/commands.test.ts',
  'tests/e2e/action/lifecycle.test.ts',
  'tests/integration/core/failures.test.ts',
  'tests/e2e/matrix/cli.matrix.test.ts',
  'tests/integration/core/signIn.test.ts',
  'tests/e2e/security/ownership.test.ts',
  'tests/e2e/reliability/badInput.test.ts',
  'tests/e2e/matrix/frontends.matrix.test.ts',
  'tests/e2e/cli/enable.test.ts',
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
