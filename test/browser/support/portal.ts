import { existsSync, mkdirSync } from 'fs';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { Browser, BrowserContext, chromium, ConsoleMessage, Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../../libs/core/src/database/data-source';
import { PORTAL_DIST } from '../../../apps/api/src/portal/portal.module';
import { createTestApp, TestApp } from '../../support/app';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(PROJECT_ROOT, 'test', 'artifacts');

/** Debian's Chromium, headless, with nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Portal {
  t: TestApp;
  baseUrl: string;
  browser: Browser;
  /** A fresh browser context (own sessionStorage) on a desktop-sized viewport. */
  newPage(opts?: { width?: number; height?: number }): Promise<Page>;
  /** Errors the pages reported (uncaught exceptions, console.error): a story ends with none. */
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * The production app (createTestApp: same modules, pipes, filters, guards) listening on a free
 * port, serving the built portal (dist/portal) at `/`, and a headless Chromium to drive it.
 */
export async function startPortal(): Promise<Portal> {
  if (!existsSync(path.join(PORTAL_DIST, 'index.html'))) {
    throw new Error(`The portal is not built (${PORTAL_DIST}/index.html is missing): run npm run build:portal`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh (as root)`);
  mkdirSync(ARTIFACTS, { recursive: true });

  const t = await createTestApp();
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  return {
    t,
    baseUrl,
    browser,
    pageErrors,
    newPage: async ({ width = 1280, height = 860 } = {}) => {
      const context = await browser.newContext({
        baseURL: baseUrl,
        viewport: { width, height },
        locale: 'en-AU',
        acceptDownloads: true,
        reducedMotion: 'reduce',
      });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
      page.on('console', (m: ConsoleMessage) => {
        // 4xx answers the story provokes on purpose are shown in the UI; the browser also logs them.
        if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) {
          pageErrors.push(`console.error: ${m.text()}`);
        }
      });
      return page;
    },
    close: async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await t.close();
    },
  };
}

/**
 * Signs in through the form with an API token (the sign-in page's secondary "Use an API token"
 * option: kept for this tab only) and waits for the start page.
 */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Use an API token' }).click();
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Primary' }).waitFor();
}

/**
 * Signs in with email and password (the session cookie every tab of the context shares) and waits
 * for the start page. A user with a password: `userWithPassword(p.t, role, resellerId)` (test/support/sign-in.ts).
 */
export async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Primary' }).waitFor();
}

/** A full-page screenshot under test/artifacts/ (git-ignored), once the page has settled. */
export async function shot(page: Page, name: string): Promise<string> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.evaluate('document.fonts ? document.fonts.ready.then(() => true) : true').catch(() => undefined);
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Navigates inside the single-page app through its own navigation, as a user would. */
export async function openNav(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: label, exact: false }).first().click();
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}
