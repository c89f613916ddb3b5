import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { MARK_OPTION_TABLE } from '../../runtime/spot/option-table.js';
import { REPO } from '../e2e/fixture-project.js';

const HEADER = '| option | meaning | default |\n|---|---|---|\n';

/** The README's options table as the option table says it. */
function markdownTable(): string {
  return HEADER + MARK_OPTION_TABLE.map(o => `| \`${o.name}\` | ${o.meaning} | ${o.default} |\n`).join('');
}

it("the README's options table is the one table of mark options", () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf(HEADER);
  expect(start, 'README.md has an options table').toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n\n', start);
  const expected = markdownTable();
  expect(readme.slice(start, end + 1), `README.md's options table should read:\n${expected}`).toBe(expected);
});
