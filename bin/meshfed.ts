#!/usr/bin/env node
/** meshfed CLI entry (compiled to lib/bin/meshfed.js; bin/meshfed.js builds lib/ when it is missing or stale). */
import { runCli, userCwd } from '../synth/program';

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  userCwd: userCwd(process.env, process.cwd()),
}).then((code) => {
  process.exitCode = code;
});
