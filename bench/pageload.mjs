// Page load benchmark: the sign-in page of a running Hearth (HEARTH_URL) in
// Debian's Chromium (playwright-core, as tests/browser does) at a phone's
// viewport, with the network throttled through the Chrome DevTools Protocol
// (Network.emulateNetworkConditions), cold cache then warm cache. Prints,
// per case, the requests made, those that went over the network, the KiB
// transferred (bytes on the wire: headers and compressed bodies) and the
// time from navigation to the sign-in form on screen; the median of
// BENCH_RUNS runs (default 3). Goals are reported as met or BELOW, never
// failed; the exit status is non-zero only when the page did not load or
// fetched a module or stylesheet by its plain URL (a broken import map).
//
// The presets are Chrome DevTools' own, from
// front_end/core/sdk/NetworkManager.ts (chromium/src/third_party/devtools-
// frontend; the 4G presets were added in June 2024, crbug.com/342406608).
// DevTools multiplies its targets by adjustment factors so that its
// request-level emulation matches real links; the numbers below are its:
//   Slow3GConditions ("3G", earlier "Slow 3G"): download 500 * 1000 / 8 * .8
//     bytes/s (400 kbit/s), upload the same, latency 400 * 5 = 2000 ms;
//   Fast4GConditions ("Fast 4G"): download 9 * 1000 * 1000 / 8 * .9 bytes/s
//     (8.1 Mbit/s), upload 1.5 * 1000 * 1000 / 8 * .9, latency 60 * 2.75 =
//     165 ms.
// The latency is added to every request (Chromium has no per-round-trip
// emulation), so on Slow 3G each request that must reach the server costs at
// least 2 s: what a page needs before it can show is what decides.
import { chromium } from 'playwright-core';

const BASE = process.env.HEARTH_URL;
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS || 3));
const PRESETS = [
  {
    name: 'Slow 3G',
    conditions: { offline: false, latency: 400 * 5, downloadThroughput: 500 * 1000 / 8 * 0.8, uploadThroughput: 500 * 1000 / 8 * 0.8 },
    goals: { coldMs: 3000, warmMs: 1000, coldKiB: 60 },
  },
  {
    name: 'Fast 4G',
    conditions: { offline: false, latency: 60 * 2.75, downloadThroughput: 9 * 1000 * 1000 / 8 * 0.9, uploadThroughput: 1.5 * 1000 * 1000 / 8 * 0.9 },
    goals: {},
  },
];
// A mid-range phone (CSS pixels), touch, in English.
const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-GB' };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** One navigation to the sign-in page; the network as CDP saw it. */
async function load(page, cdp) {
  const requests = new Map();
  const onSent = (e) => requests.set(e.requestId, { url: e.request.url, network: true, bytes: 0 });
  const onServed = (e) => {
    const r = requests.get(e.requestId);
    if (r) r.network = false;
  };
  const onResponse = (e) => {
    const r = requests.get(e.requestId);
    if (r && (e.response.fromDiskCache || e.response.fromPrefetchCache || e.response.fromServiceWorker)) r.network = false;
  };
  const onFinished = (e) => {
    const r = requests.get(e.requestId);
    if (r) r.bytes = e.encodedDataLength;
  };
  cdp.on('Network.requestWillBeSent', onSent);
  cdp.on('Network.requestServedFromCache', onServed);
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.loadingFinished', onFinished);
  const t0 = performance.now();
  await page.goto(`${BASE}/`, { waitUntil: 'commit' });
  await page.waitForSelector('#login-form', { state: 'visible' });
  const ms = performance.now() - t0;
  await page.waitForLoadState('load');
  cdp.off('Network.requestWillBeSent', onSent);
  cdp.off('Network.requestServedFromCache', onServed);
  cdp.off('Network.responseReceived', onResponse);
  cdp.off('Network.loadingFinished', onFinished);
  const all = [...requests.values()];
  const net = all.filter((r) => r.network);
  return { ms, requests: all.length, network: net.length, kib: net.reduce((s, r) => s + r.bytes, 0) / 1024, urls: all };
}

async function main() {
  if (!BASE) {
    console.error('bench: HEARTH_URL is not set');
    process.exit(2);
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const rows = [];
  let failed = false;
  try {
    for (const preset of PRESETS) {
      const cold = [];
      const warm = [];
      for (let run = 0; run < RUNS; run++) {
        // A new context is a new profile: an empty cache.
        const context = await browser.newContext(PHONE);
        context.setDefaultTimeout(90_000);
        const page = await context.newPage();
        const problems = [];
        page.on('pageerror', (err) => problems.push(err.message));
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', preset.conditions);
        cold.push(await load(page, cdp));
        // Warm: the same profile follows a link back to the page.
        await page.goto('about:blank');
        warm.push(await load(page, cdp));
        await context.close();
        if (problems.length) throw new Error(`page errors: ${problems.join('; ')}`);
      }
      rows.push({ preset, cache: 'cold', runs: cold });
      rows.push({ preset, cache: 'warm', runs: warm });
    }
  } catch (err) {
    console.log(`bench: the sign-in page did not load: ${err.message.split('\n')[0]}`);
    failed = true;
  } finally {
    await browser.close();
  }
  if (failed) process.exit(1);

  console.log(`## Sign-in page, ${PHONE.viewport.width}x${PHONE.viewport.height} phone, median of ${RUNS} run(s)`);
  console.log('network  cache  requests  over network  KiB transferred  sign-in form shown  goals');
  for (const { preset, cache, runs } of rows) {
    const ms = median(runs.map((r) => r.ms));
    const kib = median(runs.map((r) => r.kib));
    const goals = [];
    const limit = cache === 'cold' ? preset.goals.coldMs : preset.goals.warmMs;
    if (limit) goals.push(`< ${limit / 1000} s ${ms < limit ? 'met' : 'BELOW'}`);
    if (cache === 'cold' && preset.goals.coldKiB) goals.push(`<= ${preset.goals.coldKiB} KiB ${kib <= preset.goals.coldKiB ? 'met' : 'BELOW'}`);
    console.log([
      preset.name.padEnd(8), cache.padEnd(5), String(median(runs.map((r) => r.requests))).padStart(8),
      String(median(runs.map((r) => r.network))).padStart(13), kib.toFixed(1).padStart(16),
      `${Math.round(ms)} ms`.padStart(19), ` ${goals.join(', ') || '-'}`,
    ].join('  '));
  }
  // A module or stylesheet fetched by its plain URL means the import map
  // or the hashed links of index.html did not work (a CSP block, say): the
  // page then loads, but revalidates every file on each visit. An error.
  const plain = rows.flatMap(({ runs }) => runs.flatMap((r) => r.urls))
    .map((r) => new URL(r.url).pathname).filter((p) => /\.(js|css)$/.test(p) && !/\.[0-9a-f]{8}\.(js|css)$/.test(p));
  if (plain.length) {
    console.log(`bench: fetched by plain URL instead of hashed: ${[...new Set(plain)].join(' ')}`);
    failed = true;
  }
  if (process.env.BENCH_VERBOSE) {
    for (const { preset, cache, runs } of rows) {
      console.log(`\n# ${preset.name}, ${cache}, run 1`);
      for (const r of runs[0].urls) console.log(`  ${r.network ? 'net  ' : 'cache'} ${String(r.bytes).padStart(7)} B  ${r.url.replace(BASE, '')}`);
    }
  }
  if (failed) process.exit(1);
}

await main();
