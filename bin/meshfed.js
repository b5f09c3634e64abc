#!/usr/bin/env node
'use strict';
/**
 * meshfed's command: runs the compiled CLI in lib/ (plain JavaScript: no TypeScript transpiling at every
 * run). In a checkout it first rebuilds lib/ when it is missing or older than a source file, so
 * `npm ci && npm run synth` and edit-then-synth both work; an installed package has no sources and
 * never builds.
 */
const { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const entry = join(root, 'lib', 'bin', 'meshfed.js');
const buildConfig = join(root, 'tsconfig.build.json');

/** Newest modification time (ms) of the build's inputs: the files and folders tsconfig.build.json includes. */
function newestSource(dir = root) {
  const config = JSON.parse(readFileSync(join(dir, 'tsconfig.build.json'), 'utf8'));
  let newest = Math.max(statSync(join(dir, 'tsconfig.build.json')).mtimeMs, statSync(join(dir, 'tsconfig.json')).mtimeMs);
  const visit = (path) => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return; // an include pattern with no match
    }
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else if (path.endsWith('.ts')) newest = Math.max(newest, stat.mtimeMs);
  };
  for (const pattern of config.include) visit(join(dir, pattern.replace(/\/\*\*.*$/, '')));
  return newest;
}

/**
 * Files the compiled code reads next to itself, which tsc does not copy: the offline plan (`meshfed plan`,
 * lib/infra) reads the placeholder root certificate from its own directory (infra/stack-values.ts).
 */
const ASSETS = ['infra/placeholder-root-ca.pem'];

/** True when lib/ must be (re)built before running: no lib/, a source newer than it, or an asset missing from it. */
function needsBuild(dir = root) {
  if (!existsSync(join(dir, 'tsconfig.build.json'))) return false; // installed package: lib/ is all there is
  const built = join(dir, 'lib', 'bin', 'meshfed.js');
  const assetMissing = ASSETS.some((asset) => existsSync(join(dir, asset)) && !existsSync(join(dir, 'lib', asset)));
  return !existsSync(built) || assetMissing || newestSource(dir) > statSync(built).mtimeMs;
}


/** Copies ASSETS from the sources into lib/ (after tsc; `npm run build` runs it too). */
function copyAssets(dir = root) {
  for (const asset of ASSETS) {
    mkdirSync(join(dir, 'lib', asset, '..'), { recursive: true });
    copyFileSync(join(dir, asset), join(dir, 'lib', asset));
  }
}

function build() {
  process.stderr.write('meshfed: lib/ is missing or older than the sources; compiling (npm run build) ...\n');
  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  } catch {
    process.stderr.write('meshfed: cannot build lib/: typescript is not installed (run npm ci)\n');
    return 1;
  }
  // From scratch, like `npm run build`: outputs of deleted sources must not linger (or be packed).
  rmSync(join(root, 'lib'), { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', buildConfig], { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.status === 0) copyAssets();
  return result.status ?? 1;
}

if (require.main === module) {
  if (needsBuild()) {
    const status = build();
    if (status !== 0) process.exit(status === 2 ? 1 : status); // a failed build is meshfed's fault, not the user's
  }
  require(entry);
}

module.exports = { copyAssets, needsBuild, newestSource };
