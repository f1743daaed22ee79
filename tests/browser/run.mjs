// Browser test of the Hearth web UI against a running server at $HEARTH_URL
// (started with demo data, see with-server.sh). Drives Debian's chromium via
// playwright-core, checks each page with axe-core, and fails a test on any
// console error, uncaught exception or CSP violation in the page.
// Prints "ok - name" / "not ok - name: reason" and then "N passed, M failed".
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const BASE = (process.env.HEARTH_URL || '').replace(/\/+$/, '');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const catalog = (lang) => JSON.parse(readFileSync(new URL(`../../web/i18n/${lang}.json`, import.meta.url), 'utf8'));
const EN = catalog('en');
const ES = catalog('es');
const DEMO_PASSWORD = 'hearth-demo-2026'; // set by `hearth demo`; the UI itself never knows it
const TIMEOUT_MS = 10_000;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Runs axe on the current page (CSP stays on: evaluate is not an inline
// script) and fails on serious or critical violations.
async function axeCheck(page, label) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.evaluate(`${AXE_SOURCE}\n;undefined`);
  const results = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  }));
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `axe on ${label}: ${bad.map((v) =>
    `${v.id} (${v.impact}) at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`).join('; ')}`);
}

async function login(page, email, password = DEMO_PASSWORD) {
  await page.goto(`${BASE}/#/login`);
  await page.fill('#login-email', email);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
}

async function expectDashboard(page, strings = EN) {
  await page.waitForSelector('#dashboard h1');
  const heading = (await page.textContent('#dashboard h1')).trim();
  check(heading === strings['dashboard.title'], `dashboard heading is "${heading}"`);
  check(await page.isVisible('#get-help'), '"Get help now" link not visible on the dashboard');
}

const tests = [
  ['message catalogs have the same keys', async () => {
    const missing = [...Object.keys(EN).filter((k) => !(k in ES)).map((k) => `es lacks ${k}`),
      ...Object.keys(ES).filter((k) => !(k in EN)).map((k) => `en lacks ${k}`)];
    check(missing.length === 0, missing.join(', '));
  }, { browser: false }],

  ['login page passes axe', async (page) => {
    await page.goto(`${BASE}/`);
    await page.waitForSelector('#login-form');
    check(await page.getAttribute('html', 'lang') === 'en', '<html lang> is not "en"');
    await axeCheck(page, 'login page');
  }],

  ['"Get help now" comes first and /help works without login', async (page) => {
    await page.goto(`${BASE}/#/login`);
    await page.waitForSelector('#login-form');
    await page.keyboard.press('Tab');
    check(await page.evaluate(() => document.activeElement?.id) === 'skip-link', 'first Tab stop is not the skip link');
    await page.keyboard.press('Tab');
    check(await page.evaluate(() => document.activeElement?.id) === 'get-help', 'second Tab stop is not "Get help now"');
    const helpHref = await page.getAttribute('#get-help', 'href');
    check(new URL(helpHref, 'http://x').pathname === '/help', `"Get help now" points to ${helpHref}, not /help`);
    check((await page.textContent('#get-help')).trim() === EN['help.link'], '"Get help now" has the wrong text');
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/help' && r.request().isNavigationRequest()),
      page.click('#get-help'),
    ]);
    await page.waitForLoadState();
    check(response && response.status() === 200, `/help answered ${response?.status()}`);
    check(new URL(page.url()).pathname === '/help', `ended up at ${page.url()}, not /help`);
    check(await page.isVisible('h1'), '/help has no visible h1');
    const phones = await page.locator('a[href^="tel:"]').count();
    check(phones > 0, '/help lists no phone numbers (a[href^="tel:"])');
    await axeCheck(page, '/help');
  }],

  ['coordinator signs in and sees the dashboard', async (page) => {
    await login(page, 'coordinator@riverside-arts.example');
    await expectDashboard(page);
    check(new URL(page.url()).hash === '#/dashboard', `URL is ${page.url()}`);
    const section = await page.textContent('#dashboard h2');
    check(section.includes(EN['role.coordinator']), `membership heading is "${section}"`);
    check(await page.locator('a[href^="#/admin/"]').count() === 0, 'a coordinator is shown admin links');
    await axeCheck(page, 'coordinator dashboard');
  }],

  ['dashboard fits a 320px wide screen', async (page) => {
    await page.setViewportSize({ width: 320, height: 640 });
    await login(page, 'coordinator@riverside-arts.example');
    await expectDashboard(page);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 320, `page is ${width}px wide, so it scrolls sideways`);
  }],

  ['switching to Spanish translates the dashboard and is remembered', async (page) => {
    await login(page, 'coordinator@riverside-arts.example');
    await expectDashboard(page);
    await page.selectOption('#lang-select', 'es');
    await page.waitForFunction(() => document.documentElement.lang === 'es', null, { timeout: TIMEOUT_MS });
    await page.waitForFunction((text) => document.querySelector('#dashboard h1')?.textContent.trim() === text,
      ES['dashboard.title'], { timeout: TIMEOUT_MS });
    check((await page.textContent('#get-help')).trim() === ES['help.link'], '"Get help now" was not translated');
    check((await page.textContent('#logout')).trim() === ES['nav.logout'], 'sign-out button was not translated');
    await page.reload();
    await expectDashboard(page, ES); // still signed in (via /auth/me) and still in Spanish
    check(await page.getAttribute('html', 'lang') === 'es', '<html lang> is not "es" after a reload');
    await axeCheck(page, 'Spanish dashboard');
  }],

  ['admin sees the users, organisations, audit and token tables', async (page) => {
    await login(page, 'admin@riverside-arts.example');
    await expectDashboard(page);
    await page.click('#dashboard a[href="#/admin/users"]');
    await page.waitForSelector('#users-table tbody tr');
    const users = await page.textContent('#users-table');
    check(users.includes('coordinator@riverside-arts.example'), 'users table lacks the demo coordinator');
    check(await page.evaluate(() => document.activeElement?.tagName) === 'H1', 'focus did not move to the new heading');
    await axeCheck(page, 'users page');
    for (const [link, table, expected] of [['organisations', '#organisations-table', 'Riverside Community Arts'],
      ['audit', '#audit-table', ''], ['tokens', '#tokens-table', '']]) {
      await page.click(`#site-nav a[href="#/admin/${link}"]`);
      await page.waitForSelector(table);
      check((await page.textContent(table)).includes(expected), `${link} table lacks "${expected}"`);
    }
  }],

  ['wrong password shows a focused alert', async (page) => {
    await login(page, 'participant@example.org', 'not-the-password');
    await page.waitForSelector('#login-error[role="alert"]:not([hidden])');
    const text = (await page.textContent('#login-error')).trim();
    check(text.includes(EN['login.error.invalid']), `alert says "${text}"`);
    check(await page.evaluate(() => document.activeElement?.id) === 'login-error', 'focus is not on the alert');
    check(await page.getAttribute('#login-password', 'aria-invalid') === 'true', 'password field not marked invalid');
    check(new URL(page.url()).hash === '#/login', 'left the login page');
    await axeCheck(page, 'login page with error');
  }],

  ['signing out returns to the login page', async (page) => {
    await login(page, 'coordinator@riverside-arts.example');
    await expectDashboard(page);
    await page.click('#logout');
    await page.waitForSelector('#login-form');
    check((await page.textContent('#status')).trim() === EN['status.signedOut'], 'no "signed out" status message');
    await page.reload();
    await page.waitForSelector('#login-form'); // the server forgot the session
  }],
];

// Collects console errors, uncaught exceptions and CSP violations. A 401
// from /api/v1/auth/ is expected (signed out, wrong password) and the
// browser logs it as a failed resource load; that one message is allowed.
function watchPage(page, problems) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location()?.url || '';
    if (/status of 401/.test(msg.text()) && url.includes('/api/v1/auth/')) return;
    problems.push(`console error: ${msg.text()}${url ? ` (${url})` : ''}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
}

async function main() {
  if (!BASE) {
    console.log('not ok - setup: HEARTH_URL is not set');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  let browser;
  let passed = 0;
  let failed = 0;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
  } catch (err) {
    console.log(`not ok - launch chromium: ${err.message.split('\n')[0]}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  for (const [name, body, options = {}] of tests) {
    const problems = [];
    let context;
    try {
      if (options.browser === false) {
        await body();
      } else {
        context = await browser.newContext({ locale: 'en-US', reducedMotion: 'reduce' });
        context.setDefaultTimeout(TIMEOUT_MS);
        await context.addInitScript(() => {
          document.addEventListener('securitypolicyviolation', (e) => {
            console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'}`);
          });
        });
        const page = await context.newPage();
        watchPage(page, problems);
        await body(page);
        await page.waitForTimeout(100); // let late console messages arrive
      }
      check(problems.length === 0, problems.join('; '));
      console.log(`ok - ${name}`);
      passed += 1;
    } catch (err) {
      const reason = [err.message.split('\n')[0], ...problems].join('; ');
      console.log(`not ok - ${name}: ${reason}`);
      failed += 1;
    } finally {
      await context?.close();
    }
  }
  await browser.close();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
