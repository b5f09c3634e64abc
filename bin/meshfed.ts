#!/usr/bin/env node
/** meshfed CLI: `meshfed synth [--topology <file>] [--out <dir>] [--print-schema]`. */
import { Command } from 'commander';
import { runSynth } from '../synth/cli';

const program = new Command()
  .name('meshfed')
  .description('Istio multi-cluster mesh on SPIRE identities: topology -> Kubernetes manifests per cluster');

program
  .command('synth')
  .description('synthesize manifests: every clusters/*.yaml into dist/<environment>/<cluster>/, or one --topology')
  .option('-t, --topology <file>', 'one topology file (default: every clusters/*.yaml)')
  .option('-o, --out <dir>', 'output directory for --topology (default: dist/<environment>)')
  .option('--print-schema', 'print the JSON Schema of the topology file and exit')
  .action((options: { topology?: string; out?: string; printSchema?: boolean }) => {
    process.exitCode = runSynth(options, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
  });

program.parse(process.argv);
