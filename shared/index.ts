/**
 * The core's public surface for front-ends (action/, task/, cli/): the two
 * entry points and the types they implement or pass in.
 */
export { runMain, runPost, type RunOptions } from './run';
export type { Platform, RunMetadata, StateKey } from './platform';
export type { AzureSession, CloudEndpoints, Connect } from './session';
export type { JitConfig } from './config';
export { INPUTS, INPUT_NAMES, type InputName, type InputSpec } from './inputs/table';
export { OUTPUTS, type OutputName } from './outputs';
export { describeError, AuthError } from './errors';
export { resolveCloud } from './cloud';
export { abortSignalFromProcess } from './cancel';
