/** Pure parts of the stack's remote secrets (the Pulumi side is tested in stack.test.ts). */
import { decodeReaderToken } from '../infra/remote-secrets';

describe('decodeReaderToken', () => {
  it("decodes the token Secret's data and says which cluster lacks one", () => {
    expect(decodeReaderToken('b', { token: Buffer.from('tok-b').toString('base64'), 'ca.crt': 'x' })).toBe('tok-b');
    expect(() => decodeReaderToken('b', {})).toThrow('istio-system/meshfed-istio-reader-token in cluster b has no data.token yet (the token controller fills it in)');
    expect(() => decodeReaderToken('b', undefined)).toThrow('in cluster b has no data.token');
  });
});
