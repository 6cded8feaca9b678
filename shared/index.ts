/**
 * The core's public surface: everything the front-ends (action/, task/, cli/)
 * use, and the only module they import from the core (ESLint enforces it;
 * tests may reach inside). What is not exported here is the core's own.
 */

// Steps and what they return.
export { runMain, runPost, type RunOptions } from './run';
export {
  leftOpen,
  type MainFailure,
  type MainOutcome,
  type MainSuccess,
  type PostFailure,
  type PostOutcome,
  type PostResult,
  type PostSuccess,
} from './outcome';
export type { CloseOutcome, ClosedRule, CloseReport } from './jit/close';
export type { Target, TargetPort } from './jit/targets';

// Operations the CLI offers besides the steps.
export { readStatus, type StatusRequest, type StatusRule, type VmStatus } from './ops/status';
export {
  auditVms,
  type AuditFinding,
  type AuditReport,
  type AuditScope,
  type FindingKind,
} from './ops/audit';
export {
  closeByAddress,
  type AddressClosedRule,
  type AddressCloseOptions,
  type AddressCloseRequest,
} from './ops/closeByAddress';
export { runCalibration, type CalibrationReport } from './calibrate/probe';
export { SWITCH_NAMES } from './calibrate/classify';

// Administration (enable / disable JIT policies).
export { applyPlans, type AdminAzure, type AppliedPolicy, type PolicyPlan } from './admin/apply';
export { describeRule, shown, type VmChange } from './admin/diff';
export { planDisable } from './admin/disable';
export { planEnable, type AdminPlan } from './admin/enable';
export { PolicyChangedError } from './admin/errors';
export { parseDisableOptions, parseEnableOptions, type AdminOptions } from './admin/options';
export { policyLabel } from './admin/policyStore';
export { SOURCES_VARIABLE } from './admin/suggest';

// The runner seam, inputs and outputs.
export type { Platform, RunMetadata, StateKey } from './platform';
export { ADO, CLI, GITHUB, describeInput } from './frontEnd';
export { INPUTS, type InputName } from './inputs/table';
export { readWithAliases } from './inputs/aliases';
export { IssueCollector } from './inputs/collect';
export { parsePorts } from './inputs/ports';
export { parseSource } from './inputs/source';
export { parseWaitTimeoutMs } from './inputs/timing';
export { parseVms, resourceGroupProblem } from './inputs/vms';
export type { VmRef } from './config';
export { OUTPUTS, type OutputName } from './outputs';

// Summaries as data.
export {
  STATUS_TEXT,
  formatSeconds,
  formatUtc,
  relativeTo,
  shortRuleName,
  type MainSummary,
  type PostSummary,
  type Summary,
} from './summary';
export { summaryMarkdown } from './summaryMarkdown';

// Errors.
export {
  AuthError,
  AzureApiError,
  InputError,
  StateError,
  describeError,
  isJitError,
  toJitError,
  type InputIssue,
  type JitError,
} from './errors';

// Azure: sign-in, clouds, clients.
export type { AzureSession, CloudEndpoints, Connect, SignedInDetails } from './session';
export { signIn } from './azure/signIn';
export { azCliSubscription } from './azure/azCliSubscription';
export { proxyPipelineOptions, type ProxyPipelineOptions, type ProxyRoute } from './proxy';
export { KNOWN_CLOUDS, resolveCloud, sameCloud, type KnownCloudName } from './cloud';
export { createAzureClients, type AzureClients } from './azure/clients';
export { timeoutPolicy } from './azure/policies';
export {
  TokenEndpointRecorder,
  describeSignInFailure,
  endpointHint,
  type SignInFailure,
} from './azure/signInFailure';
export { tlsTrustCode } from './tlsTrust';

// Process and text helpers.
export { abortSignalFromProcess, exitWhenFlushed, type ProcessCancellation } from './cancel';
export { sharedByRun } from './abort';
export { loadCompiled } from './compileCache';
export { GUID_PATTERN, isGuid } from './guid';
export { neutralizeCommands } from './outsideText';
