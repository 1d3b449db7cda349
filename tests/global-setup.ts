import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** Builds dist/ once (incrementally), since some tests run the compiled entry points as real processes. */
export default function setup(): void {
  const root = resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
