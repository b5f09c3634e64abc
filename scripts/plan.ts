#!/usr/bin/env node
/**
 * `npm run plan -- --topology <file> | --env <name> [--json] [--existing <cluster,...>]`: the Pulumi program of
 * that environment run offline under mocks (infra/plan/plan.ts). Bad input: only the loader's lines on
 * stderr, exit code 2, as synth does.
 */
import { Command } from 'commander';
import { join } from 'node:path';
import { loadTopologyFile, TopologyError } from '../clusters';
import { StackConfigError } from '../infra/mesh-program';
import { formatPlan, runPlan } from '../infra/plan/plan';

export interface PlanCliOptions {
  readonly topology?: string;
  readonly env?: string;
  readonly json?: boolean;
  readonly existing?: string;
}

export async function runPlanCli(options: PlanCliOptions, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; cwd: string }): Promise<number> {
  if ((options.topology === undefined) === (options.env === undefined)) {
    io.stderr.write('give exactly one of --topology <file> or --env <name> (clusters/<name>.yaml)\n');
    return 2;
  }
  const file = options.topology ?? join('clusters', `${options.env}.yaml`);
  let topology;
  try {
    topology = loadTopologyFile(file);
  } catch (err) {
    if (!(err instanceof TopologyError)) throw err;
    io.stderr.write(`${err.problems.join('\n')}\n${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}; nothing was planned.\n`);
    return 2;
  }
  try {
    const plan = await runPlan(topology, { existingClusters: options.existing ? options.existing.split(',').filter((s) => s !== '') : [] });
    io.stdout.write(options.json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan));
    return 0;
  } catch (err) {
    if (err instanceof StackConfigError) {
      io.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  const program = new Command()
    .name('plan')
    .description('the Pulumi program of one environment, offline under mocks: resources per cluster and counts')
    .option('-t, --topology <file>', 'topology file')
    .option('-e, --env <name>', 'environment: clusters/<name>.yaml')
    .option('--existing <clusters>', 'comma-separated clusters treated as existing (given in meshfed:kubeconfigs)')
    .option('--json', 'machine-readable output')
    .action(async (options: PlanCliOptions) => {
      process.exitCode = await runPlanCli(options, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
    });
  void program.parseAsync(process.argv);
}
