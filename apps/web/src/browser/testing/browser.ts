// Browser tests: Debian's Chromium driven by playwright-core (no browser download), against a
// real stack started by the test. Screenshots go to apps/web/screenshots/ (not committed).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CRONIUM_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR =
  process.env.CRONIUM_SCREENSHOTS ?? join(__dirname, '..', '..', '..', 'screenshots');

/** Browser suites run where Chromium is installed, and always in CI (where it must be). */
export const describeInBrowser =
  existsSync(CHROMIUM) || process.env.CI === 'true' ? describe : describe.skip;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A field's label as Mantine renders it (a required field's ends with " *"). */
export function label(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`);
}

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 375, height: 760 };

export interface Look {
  colorScheme: 'light' | 'dark';
  viewport: { width: number; height: number };
}

export const LOOKS: (Look & { name: string })[] = [
  { name: 'light-desktop', colorScheme: 'light', viewport: DESKTOP },
  { name: 'dark-desktop', colorScheme: 'dark', viewport: DESKTOP },
  { name: 'light-375', colorScheme: 'light', viewport: PHONE },
  { name: 'dark-375', colorScheme: 'dark', viewport: PHONE },
];

/** A browser context (its own cookies) with a look; `storageState` signs it in. */
export async function openContext(
  browser: Browser,
  base: string,
  look: Look = LOOKS[0]!,
  storageState?: Awaited<ReturnType<BrowserContext['storageState']>>,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: base,
    colorScheme: look.colorScheme,
    viewport: look.viewport,
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
    ...(storageState ? { storageState } : {}),
  });
  // Generous: CI runs these beside other end-to-end suites on two cores.
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  return { context, page };
}

/** Signs in through the sign-in page and waits for the dashboard. */
export async function signInThroughUi(page: Page, email: string, password: string) {
  await page.goto('/signin');
  await page.getByLabel(label('Email')).fill(email);
  await page.getByLabel(label('Password')).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = (await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(o: object): Promise<{ violations: unknown[] }> } }
    ).axe;
    const result = await axe.run({ resultTypes: ['violations'] });
    return result.violations;
  })) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}

/** The next run's id from a run page's URL. */
export function runIdFromUrl(url: string): number {
  const match = /\/runs\/(\d+)/.exec(url);
  if (!match) throw new Error(`not a run page: ${url}`);
  return Number(match[1]);
}
