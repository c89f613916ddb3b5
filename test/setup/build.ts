import { execFileSync } from 'node:child_process';

/** Child-process tests run the built package (dist/, its runtime bundled as `npm run build` does), and the dashboard serves its built page (dist/ui): build both once before any test file runs. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/bundle-runtime.js'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'src/ui/web/vite.config.ts'], { stdio: 'inherit' });
}
