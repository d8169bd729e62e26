import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultDataDir } from './default-data-dir.ts';

describe('defaultDataDir', () => {
  it('is data/ at the checkout root from any folder inside it, and under the cwd elsewhere', () => {
    const root = mkdtempSync(join(tmpdir(), 'cronium-root-'));
    try {
      writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
      mkdirSync(join(root, 'apps/web/src'), { recursive: true });
      expect(defaultDataDir(join(root, 'apps/web'))).toBe(join(root, 'data'));
      expect(defaultDataDir(root)).toBe(join(root, 'data'));
      const elsewhere = mkdtempSync(join(tmpdir(), 'cronium-elsewhere-'));
      expect(defaultDataDir(elsewhere)).toBe(join(elsewhere, 'data'));
      rmSync(elsewhere, { recursive: true });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
