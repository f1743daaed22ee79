// The HTML pages the server writes itself (not the app's views) checked by
// a third-party validator (html-validate, "standard" rules: what the HTML
// standard requires, not a house style): "Get help now" in each language
// and state, the readable data export in each language, and the app shell.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { HtmlValidate } from 'html-validate';

import { Client, DEMO_PASSWORD, loginAs, startServer } from './harness.mjs';

let server;
let sam;
const validator = new HtmlValidate({ extends: ['html-validate:standard'] });

before(async () => {
  server = await startServer();
  sam = await loginAs(server.url, { email: 'participant@example.org', password: DEMO_PASSWORD });
});

after(async () => {
  if (server) await server.stop();
});

async function assertValid(res, label) {
  assert.equal(res.status, 200, `${label}: ${res.text}`);
  assert.match(res.headers.get('content-type') || '', /^text\/html/, label);
  const report = await validator.validateString(res.text, `${label}.html`);
  const problems = report.results.flatMap((r) => r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`));
  assert.deepEqual(problems, [], `${label} is not valid HTML:\n${problems.join('\n')}`);
}

describe('server-written HTML passes a validator', () => {
  for (const [label, query, headers] of [
    ['help, English', '', { 'Accept-Language': 'en-GB' }],
    ['help, Spanish', '?lang=es', {}],
    ['help, a chosen country', '?country=IE', {}],
    ['help, the country chooser', '?country=ZZ', { 'Accept-Language': 'fr' }],
  ]) {
    test(label, async () => {
      await assertValid(await new Client(server.url).get(`/help${query}`, { headers }), label);
    });
  }

  for (const lang of ['en', 'es']) {
    test(`my data as a page (${lang})`, async () => {
      await assertValid(await sam.get(`/api/v1/me/export.html?lang=${lang}`), `export-${lang}`);
    });
  }

  test('the app shell', async () => {
    await assertValid(await new Client(server.url).get('/'), 'index');
  });
});
