/**
 * Root CA certificates supplied from outside meshfed (`clusters[].rootCa.certificateFile`): read at
 * load time so a file that does not parse is a load error with its path, never a synth-time surprise.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { formatFileName, type Problem } from './problems';
import type { TopologyParsed } from './schema';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Parses every CERTIFICATE block of `pem`; each must be a CA certificate. Throws Error with the reason. */
export function parseCaCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new Error('holds no PEM CERTIFICATE block');
  return blocks.map((block, n) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch (err) {
      throw new Error(`certificate ${n + 1} does not parse as X.509 (${(err as Error).message})`);
    }
    // Only a CA certificate can sign the SPIRE server's intermediate CA, so only it can anchor the peers' trust.
    if (!cert.ca) throw new Error(`certificate ${n + 1} (${cert.subject.replace(/\n/g, ', ')}) is not a CA certificate (basicConstraints CA:TRUE)`);
    return cert;
  });
}

/** The PEM text of each root cluster's `rootCa.certificateFile`, by cluster name; problems name the path. */
export function readRootCertificates(t: TopologyParsed, baseDir: string): { pems: Map<string, string>; problems: Problem[] } {
  const pems = new Map<string, string>();
  const problems: Problem[] = [];
  t.clusters.forEach((c, i) => {
    if (c.rootCa === undefined) return;
    const file = c.rootCa.certificateFile;
    const path = ['clusters', i, 'rootCa', 'certificateFile'];
    let text: string;
    try {
      text = readFileSync(isAbsolute(file) ? file : resolve(baseDir, file), 'utf8');
    } catch (err) {
      problems.push({ path, message: `${formatFileName(file)} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); paths are relative to the topology file` });
      return;
    }
    try {
      parseCaCertificates(text);
    } catch (err) {
      problems.push({ path, message: `${formatFileName(file)} ${(err as Error).message}; it must hold the PEM root CA certificate(s) of ${c.trustDomain ?? c.name}` });
      return;
    }
    pems.set(c.name, text);
  });
  return { pems, problems };
}
