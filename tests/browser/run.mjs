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
// Generous: the sanitizer build on a busy 2-core machine can take seconds per page.
const TIMEOUT_MS = Number(process.env.BROWSER_TIMEOUT_MS || 30_000);

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

const COORDINATOR = 'coordinator@riverside-arts.example';
const PARTICIPANT = 'participant@example.org';

// A catalog string with its {placeholders} filled.
function fill(strings, key, params = {}) {
  return strings[key].replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

// Waits until the element's trimmed text is exactly text.
async function waitForText(page, selector, text) {
  await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent.trim() === want,
    [selector, text], { timeout: TIMEOUT_MS });
}

async function expectHeading(page, text) {
  await waitForText(page, '#view h1', text);
}

async function pageWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
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

  ['coordinator registers a person, finds them by exact email, edits them, issues a login code and erases them', async (page) => {
    const email = `new-person-${Date.now()}@example.org`;
    const name = 'Rowan Testperson';
    await login(page, COORDINATOR);
    await expectDashboard(page);
    await page.click('#dashboard a[href="#/people"]');
    await page.waitForSelector('#people-table');
    check((await page.textContent('#people-table')).includes('Sam Rivera'), 'people list lacks the demo participant');
    check((await page.textContent('#search-hint')).trim() === EN['people.searchHint'], 'no explanation that search is exact');
    await axeCheck(page, 'people list');

    await page.click('#register-link');
    await page.waitForSelector('#register-form');
    await expectHeading(page, EN['register.title']);
    check((await page.textContent('#register-form')).includes('I want to take part in sessions'),
      'the register form does not show the plain-language consent text');
    await axeCheck(page, 'register form');
    await page.fill('#reg-name', name);
    await page.fill('#reg-email', email);
    await page.getByLabel(EN['need.step_free_access'], { exact: true }).check();
    await page.check('#reg-consent-participation');
    await page.click('#reg-submit');
    await page.waitForSelector('#person-details');
    await expectHeading(page, name);
    check((await page.textContent('#status')).trim() === fill(EN, 'register.done', { name }), 'no "registered" status');
    check((await page.textContent('#person-needs')).includes(EN['need.step_free_access']), 'the need is not on the person page');
    const participation = await page.textContent('#consent-state .details-row:first-child');
    check(participation.includes(EN['purpose.participation']) && participation.includes(EN['consent.yes']),
      `participation consent row says "${participation.trim()}"`);
    check(await page.locator('#consent-history tbody tr').count() === 1, 'consent history does not have one row');
    await axeCheck(page, 'person page');

    // Exact search: the email in capitals still finds them.
    await page.click('#site-nav a[href="#/people"]');
    await page.waitForSelector('#search-form');
    await page.selectOption('#search-by', 'email');
    await page.fill('#search-q', email.toUpperCase());
    await page.click('#search-submit');
    await page.waitForFunction((want) => document.querySelector('#people-table caption')?.textContent.includes(want),
      email.toUpperCase(), { timeout: TIMEOUT_MS });
    check(await page.locator('#people-table tbody tr').count() === 1, 'search did not find exactly one person');
    await page.click(`#people-table a:has-text("${name}")`);
    await page.waitForSelector('#person-details');

    // Edit: give them pronouns.
    await page.click('#person-edit');
    await page.waitForSelector('#edit-form');
    check(await page.inputValue('#edit-email') === email, 'the edit form is not filled in');
    await axeCheck(page, 'edit form');
    await page.fill('#edit-pronouns', 'they/them');
    await page.click('#edit-submit');
    await page.waitForFunction(() => document.querySelector('#person-details')?.textContent.includes('they/them'),
      null, { timeout: TIMEOUT_MS });
    check((await page.textContent('#status')).trim() === EN['form.saved'], 'no "saved" status after editing');

    // A consent decision recorded on their behalf.
    await page.click('#person-consent');
    await page.waitForSelector('#rc-form');
    check((await page.textContent('#rc-form')).includes('Staff may contact me'), 'no consent text when recording a decision');
    await axeCheck(page, 'record a consent decision');
    await page.getByLabel(EN['purpose.contact'], { exact: true }).check();
    await page.getByLabel(EN['rc.grant'], { exact: true }).check();
    await page.getByLabel(EN['method.verbal'], { exact: true }).check();
    await page.click('#rc-submit');
    await page.waitForSelector('#person-details');
    await waitForText(page, '#status', fill(EN, 'rc.doneGrant', { name, purpose: EN['purpose.contact'] }));
    check(await page.locator('#consent-history tbody tr').count() === 2, 'the recorded decision is not in the history');

    // A login code, shown once.
    await page.click('#code-issue');
    await page.waitForSelector('#account-code');
    const code = (await page.textContent('#account-code')).trim();
    check(/^[A-Z2-9]{4} [A-Z2-9]{4} [A-Z2-9]{4}$/.test(code), `login code looks like "${code}"`);

    // Erase: a dialog names the consequence; the safe button has focus.
    await page.click('#person-erase');
    await page.waitForSelector('#erase-dialog[open]');
    check((await page.textContent('#erase-dialog')).includes(EN['erase.permanent']), 'the dialog does not say it is permanent');
    check(await page.evaluate(() => document.activeElement?.id) === 'erase-cancel', 'focus is not on "keep the record"');
    await axeCheck(page, 'erase dialog');
    await page.click('#erase-confirm');
    await page.waitForSelector('#search-form');
    await waitForText(page, '#status', EN['erase.done']);
  }],

  ['participant withdraws a consent in two clicks and gives it back', async (page) => {
    await login(page, PARTICIPANT);
    await expectDashboard(page);
    await page.click('#dashboard a[href="#/me/consents"]');
    await page.waitForSelector('#toggle-contact');
    await expectHeading(page, EN['myConsents.title']);
    check((await page.textContent('#consent-contact')).includes('Staff may contact me'), 'no plain-language text for "contact"');
    check((await page.textContent('#toggle-contact')).trim() === EN['myConsents.withdraw'], 'contact is not shown as given');
    await axeCheck(page, 'my consents');

    await page.click('#toggle-contact'); // click 1
    await page.click('#confirm-contact'); // click 2
    await waitForText(page, '#status-contact', fill(EN, 'myConsents.withdrawn', { purpose: EN['purpose.contact'] }));
    check((await page.textContent('#toggle-contact')).trim() === EN['myConsents.give'], 'the button does not offer to give it back');
    await axeCheck(page, 'my consents after withdrawing');
    await page.reload(); // the server kept the decision
    await page.waitForSelector('#toggle-contact');
    const state = (await page.textContent('#state-contact')).trim();
    check(state.startsWith(EN['myConsents.stateNo'].split('{')[0]), `after a reload contact says "${state}"`);

    await page.click('#toggle-contact'); // giving it back is one click
    await waitForText(page, '#status-contact', fill(EN, 'myConsents.given', { purpose: EN['purpose.contact'] }));
    check((await page.textContent('#toggle-contact')).trim() === EN['myConsents.withdraw'], 'contact was not given back');
    await page.click('details.history summary');
    check(await page.locator('#my-consent-history tbody tr').count() >= 7, 'history lacks the two new decisions');
  }],

  ['participant sees and corrects their details and needs, and downloads their data', async (page) => {
    await login(page, PARTICIPANT);
    await expectDashboard(page);
    await page.click('#dashboard a[href="#/me/details"]');
    await page.waitForSelector('#me-form');
    check(await page.inputValue('#me-name') === 'Sam Rivera', 'My details does not show the name');
    await axeCheck(page, 'my details');
    await page.fill('#me-pronouns', 'they/them');
    await page.click('#me-submit');
    await waitForText(page, '#me-status', EN['me.saved']);

    await page.click('#site-nav a[href="#/me/needs"]');
    await page.waitForSelector('#needs-form');
    check(await page.getByLabel(EN['need.quiet_room'], { exact: true }).isChecked(), 'My needs does not show "quiet room"');
    await axeCheck(page, 'my needs');

    await page.click('#site-nav a[href="#/me/data"]');
    await page.waitForSelector('#export-json');
    await axeCheck(page, 'my data');
    const json = await page.request.get(new URL(await page.getAttribute('#export-json', 'href'), BASE).href);
    check(json.status() === 200, `the JSON download answered ${json.status()}`);
    check((json.headers()['content-type'] || '').includes('application/json'), 'the download is not JSON');
    const data = await json.json();
    check(data.person?.email === PARTICIPANT, 'the download is not the participant\'s data');
    const html = await page.request.get(new URL(await page.getAttribute('#export-html', 'href'), BASE).href);
    check(html.status() === 200 && (html.headers()['content-type'] || '').includes('text/html'), 'the readable page does not work');
  }],

  ['the Join page passes axe and a registration with a login completes', async (page) => {
    const email = `joiner-${Date.now()}@example.org`;
    const password = 'a long test password 42';
    await page.goto(`${BASE}/#/login`);
    await page.waitForSelector('#login-form');
    await page.click('#claim-link');
    await page.waitForSelector('#claim-form');
    await axeCheck(page, 'Create your login page');
    await page.goBack();
    await page.waitForSelector('#login-form');
    await page.click('#join-link');
    await page.waitForSelector('#join-form');
    await expectHeading(page, EN['join.title']);
    check((await page.textContent('#join-form')).includes('I want to take part in sessions'), 'no consent text on Join');
    check(await page.locator('#join-form [name="website"]').count() === 0
      || await page.getAttribute('#join-form [name="website"]', 'aria-hidden') === 'true', 'a honeypot field is exposed');
    await axeCheck(page, 'Join page');

    // A check made here: "Taking part" is needed.
    await page.selectOption('#join-org', { label: 'Riverside Community Arts' });
    await page.fill('#join-name', 'Ari Newcomer');
    await page.fill('#join-email', PARTICIPANT);
    await page.click('#join-submit');
    await page.waitForSelector('#join-error:not([hidden])');
    check(await page.getAttribute('#join-consent-participation', 'aria-invalid') === 'true', 'participation not marked invalid');
    // The server's answer: this email is taken (409 problem+json naming "email").
    await page.check('#join-consent-participation');
    await page.click('#join-submit');
    await waitForText(page, '#join-error-msg', `${EN['form.error.emailTaken']} this email is already registered; ask the team for a code to log in`);
    check(await page.getAttribute('#join-email', 'aria-invalid') === 'true', 'email not marked aria-invalid');
    check((await page.getAttribute('#join-email', 'aria-describedby')).split(' ').includes('join-error-msg'),
      'email is not described by the error message');
    check(await page.getAttribute('#join-consent-participation', 'aria-invalid') === null, 'an old error mark stayed');
    check(await page.evaluate(() => document.activeElement?.id) === 'join-error', 'focus is not on the error');
    await axeCheck(page, 'Join page with an error');

    await page.fill('#join-email', email);
    await page.getByLabel(EN['need.large_print'], { exact: true }).check();
    await page.click('#join-submit');
    await page.waitForSelector('#join-code');
    const code = (await page.textContent('#join-code')).trim();
    check(/^[A-Z2-9]{4} [A-Z2-9]{4} [A-Z2-9]{4}$/.test(code), `account code looks like "${code}"`);
    check(await page.evaluate(() => document.activeElement?.id) === 'join-done', 'focus did not move to the result');
    await axeCheck(page, 'Join page after registering');

    await page.fill('#claim-password', password);
    await page.fill('#claim-again', password);
    await page.click('#claim-submit');
    await page.waitForSelector('#login-form');
    await waitForText(page, '#status', EN['claim.done']);
    check(await page.inputValue('#login-email') === email, 'the sign-in page does not have the new email');
    await page.fill('#login-password', password);
    await page.click('#login-submit');
    await expectDashboard(page);
    check(await page.locator('#dashboard a[href="#/me/consents"]').count() === 1, 'the new participant has no "My consents" card');
  }, { allowFailed: ['409 /api/v1/register'] }],

  ['new pages fit a 320px wide screen', async (page) => {
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto(`${BASE}/#/join`);
    await page.waitForSelector('#join-form');
    check(await pageWidth(page) <= 320, `Join is ${await pageWidth(page)}px wide`);
    await login(page, COORDINATOR);
    await expectDashboard(page);
    await page.goto(`${BASE}/#/people/new`);
    await page.waitForSelector('#register-form');
    await page.click('#reg-slot-add');
    check(await pageWidth(page) <= 320, `the register form is ${await pageWidth(page)}px wide`);
    await page.goto(`${BASE}/#/people`);
    await page.waitForSelector('#people-table');
    check(await pageWidth(page) <= 320, `People is ${await pageWidth(page)}px wide`);
    await page.click('#people-table a:has-text("Sam Rivera")');
    await page.waitForSelector('#person-details');
    check(await pageWidth(page) <= 320, `a person's page is ${await pageWidth(page)}px wide`);
  }],

  ['Spanish versions of the new pages pass axe and are in Spanish', async (page) => {
    await page.goto(`${BASE}/#/login`);
    await page.waitForSelector('#login-form');
    await page.selectOption('#lang-select', 'es');
    await page.waitForFunction(() => document.documentElement.lang === 'es', null, { timeout: TIMEOUT_MS });
    await page.click('#join-link');
    await page.waitForSelector('#join-form');
    await expectHeading(page, ES['join.title']);
    check((await page.textContent('#join-form')).includes('Quiero participar en las sesiones'), 'Join consent text is not Spanish');
    await axeCheck(page, 'Spanish Join page');

    await login(page, COORDINATOR);
    await expectDashboard(page, ES);
    await page.click('#dashboard a[href="#/people"]');
    await page.waitForSelector('#people-table');
    await expectHeading(page, ES['people.title']);
    check((await page.textContent('#search-hint')).trim() === ES['people.searchHint'], 'search hint is not Spanish');
    await axeCheck(page, 'Spanish people list');
    await page.click('#people-table a:has-text("Sam Rivera")');
    await page.waitForSelector('#consent-state');
    const consentNow = await page.textContent('#consent-state');
    check(consentNow.includes(ES['purpose.participation']) && consentNow.includes(ES['consent.yes']), 'person page is not Spanish');
    await axeCheck(page, 'Spanish person page');
    await page.goto(`${BASE}/#/people/new`);
    await page.waitForSelector('#register-form');
    await expectHeading(page, ES['register.title']);
    check((await page.textContent('#register-form')).includes('El equipo puede contactarme'), 'register consent text is not Spanish');
    await axeCheck(page, 'Spanish register form');
    await page.click('#logout');
    await page.waitForSelector('#login-form');

    await login(page, PARTICIPANT);
    await expectDashboard(page, ES);
    await page.click('#dashboard a[href="#/me/consents"]');
    await page.waitForSelector('#toggle-contact');
    await expectHeading(page, ES['myConsents.title']);
    check((await page.textContent('#consent-contact')).includes('El equipo puede contactarme'), 'consent text is not Spanish');
    check((await page.textContent('#toggle-contact')).trim() === ES['myConsents.withdraw'], 'button is not Spanish');
    await axeCheck(page, 'Spanish my consents');
    for (const [href, form, key] of [['#/me/details', '#me-form', 'me.details.title'],
      ['#/me/needs', '#needs-form', 'me.needs.title'], ['#/me/data', '#export-json', 'myData.title']]) {
      await page.click(`#site-nav a[href="${href}"]`);
      await page.waitForSelector(form);
      await expectHeading(page, ES[key]);
      await axeCheck(page, `Spanish ${href}`);
    }
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
// browser logs it as a failed resource load; that one message is allowed,
// and so are the ones a test provokes on purpose (allowFailed: ["409 /api/v1/register"]).
function watchPage(page, problems, allowFailed = []) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location()?.url || '';
    if (/status of 401/.test(msg.text()) && url.includes('/api/v1/auth/')) return;
    const status = /status of (\d+)/.exec(msg.text())?.[1];
    if (status && allowFailed.some((a) => a === `${status} ${url ? new URL(url).pathname : ''}`)) return;
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
        watchPage(page, problems, options.allowFailed);
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
