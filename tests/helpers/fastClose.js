// Every test process: post's one re-check that deleted rules stayed gone runs
// at once instead of ~30 s later (tests that are about the re-check set their
// own delay). Child processes get it from the step helpers' environments.
process.env.AZURE_JIT_ACCESS_RECHECK_DELAY_MS ??= '0';
