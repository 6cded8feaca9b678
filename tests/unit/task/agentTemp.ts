/**
 * Imported FIRST by unit tests that load azure-pipelines-task-lib. While loading,
 * task-lib writes its vault key (`.taskkey`) to Agent.TempDirectory, or else to
 * the current directory, which under jest is the repository.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.AGENT_TEMPDIRECTORY ??= mkdtempSync(join(tmpdir(), 'ado-unit-agent-'));
