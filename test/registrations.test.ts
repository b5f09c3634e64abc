/** The detector behind "no resource is created inside an apply" (helpers/registrations.ts) sees both cases. */
import * as pulumi from '@pulumi/pulumi';
import { recordingMocks, settle } from './helpers/pulumi-mocks';
import { trackRegistrations } from './helpers/registrations';

const registrations = trackRegistrations();
const recorded = recordingMocks('dev');

class Thing extends pulumi.CustomResource {
  constructor(name: string) {
    super('test:index:Thing', name, {});
  }
}

it('flags a resource constructed in an apply callback and not one constructed at the top level', async () => {
  new Thing('outside');
  pulumi.output('x').apply((v) => new Thing(`inside-${v}`));
  pulumi.all([pulumi.output(1), pulumi.output(2)]).apply(() => new pulumi.ComponentResource('test:index:Group', 'inside-all', {}));
  await settle(() => recorded.has('inside-x') && recorded.has('inside-all'));
  expect(registrations.map((r) => [r.type, r.name, r.insideApply])).toEqual([
    ['test:index:Thing', 'outside', false],
    ['test:index:Thing', 'inside-x', true],
    ['test:index:Group', 'inside-all', true],
  ]);
});
