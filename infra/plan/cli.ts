/**
 * `meshfed plan --env NAME | --topology FILE [--json] [--existing a,b]`: the Pulumi program of that environment
 * run offline under mocks (plan.ts). synth/program.ts requires this module lazily, only for this command, so
 * synthesizing never loads Pulumi. Bad input: the loader's lines on stderr, exit code 2, as synth does.
 */
import { loadTopologies, usageError, type Io } from '../../synth/cli-input';
import { StackConfigError } from '../mesh-program';
import { formatPlan, runPlan } from './plan';

export interface PlanCliOptions {
  readonly topology?: string;
  readonly env?: string;
  readonly json?: boolean;
  /** Comma-separated clusters treated as existing (given in meshfed:kubeconfigs). */
  readonly existing?: string;
}

export async function runPlanCli(options: PlanCliOptions, io: Io): Promise<number> {
  if (options.topology === undefined && options.env === undefined) {
    return usageError('plan', io, 'give one of --env <name> (clusters/<name>.yaml) or --topology <file>');
  }
  // The plan runs the stack's program, which generates the roots the topology does not give.
  const loaded = loadTopologies('plan', options, io, 'planned', { rootsFromStack: true });
  if (typeof loaded === 'number') return loaded;
  const { topology } = loaded.topologies[0];
  const existing = options.existing ? options.existing.split(',').filter((s) => s !== '') : [];
  const unknown = existing.filter((c) => !topology.clusters.some((t) => t.name === c));
  if (unknown.length > 0) {
    return usageError('plan', io, `--existing ${JSON.stringify(options.existing)}: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a cluster of ${topology.environment} (clusters: ${topology.clusters.map((c) => c.name).join(', ')})`);
  }
  try {
    const plan = await runPlan(topology, { existingClusters: existing });
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
