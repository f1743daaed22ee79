// bench/people.mjs: registers N synthetic people through the API, then runs
// exact searches, and prints registrations/s, search latency percentiles and
// database size per person. Driven by bench/people.sh, which starts the
// server. Env: HEARTH_URL, BENCH_PEOPLE (default 100000), BENCH_CONCURRENCY
// (default 16), BENCH_SEARCHES (default 2000).

const base = process.env.HEARTH_URL;
const N = Number(process.env.BENCH_PEOPLE || 100000);
const C = Number(process.env.BENCH_CONCURRENCY || 16);
const S = Number(process.env.BENCH_SEARCHES || 2000);

async function login() {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'coordinator@riverside-arts.example', password: 'hearth-demo-2026' }),
  });
  if (r.status !== 200) throw new Error(`login: ${r.status}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf_token } = await r.json();
  return { cookie, csrf: csrf_token };
}

// Invented names from small lists: realistic shapes, nobody real.
const first = ['Ada', 'Bo', 'Cai', 'Dara', 'Eli', 'Femi', 'Gus', 'Hana', 'Ines', 'Jo', 'Kit', 'Lior'];
const last = ['Ash', 'Birch', 'Cedar', 'Dale', 'Elm', 'Fern', 'Glen', 'Holt', 'Ivy', 'Juniper'];
const arts = ['painting', 'drawing', 'music', 'singing', 'theatre', 'dance', 'writing', 'craft'];
function person(i) {
  return {
    name: `${first[i % first.length]} ${last[(i >> 3) % last.length]} ${i}`,
    email: `bench${i}@example.org`,
    phone: `+44 7700 ${String(100000 + i).slice(-6)}`,
    languages: ['en'],
    interests: [arts[i % arts.length], arts[(i >> 2) % arts.length]].filter((v, k, a) => a.indexOf(v) === k),
    availability: [{ day: 'tue', start: '17:00', end: '20:00' }],
    needs: { sensory: i % 7 === 0 ? ['hearing_loop'] : [], transport_help: i % 5 === 0 },
    consents: [{ purpose: 'participation', granted: true }],
  };
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const auth = await login();
  const headers = { 'Content-Type': 'application/json', Cookie: auth.cookie, 'X-CSRF-Token': auth.csrf };
  let next = 0, errors = 0;
  const t0 = performance.now();
  let lastReport = t0;
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= N) return;
      const r = await fetch(`${base}/api/v1/participants`, { method: 'POST', headers, body: JSON.stringify(person(i)) });
      await r.arrayBuffer();
      if (r.status !== 201) {
        errors++;
        if (errors < 5) console.error(`register ${i}: ${r.status}`);
      }
      const now = performance.now();
      if (now - lastReport > 5000) {
        lastReport = now;
        console.error(`  ... ${i + 1}/${N} registered (${Math.round((i + 1) / ((now - t0) / 1000))}/s)`);
      }
    }
  }
  await Promise.all(Array.from({ length: C }, worker));
  const regSeconds = (performance.now() - t0) / 1000;

  const lat = [];
  let found = 0;
  for (let k = 0; k < S; k++) {
    const i = Math.floor(Math.random() * N);
    const q = k % 3 === 0 ? `email=bench${i}@example.org`
      : k % 3 === 1 ? `phone=${encodeURIComponent(`+44 7700 ${String(100000 + i).slice(-6)}`)}`
        : `name=${encodeURIComponent(`${first[i % first.length]} ${last[(i >> 3) % last.length]} ${i}`.toUpperCase())}`;
    const s0 = performance.now();
    const r = await fetch(`${base}/api/v1/participants?${q}`, { headers: { Cookie: auth.cookie } });
    const body = await r.json();
    lat.push(performance.now() - s0);
    if (r.status === 200 && body.items.length >= 1) found++;
  }
  lat.sort((a, b) => a - b);

  console.log('');
  console.log(`people benchmark: ${N} registrations through the API, ${C} concurrent clients, ${S} searches`);
  console.log(`| figure | value |`);
  console.log(`|---|---|`);
  console.log(`| registrations/s | ${(N / regSeconds).toFixed(0)} (${regSeconds.toFixed(1)} s, ${errors} errors) |`);
  console.log(`| search p50, client to server and back | ${pct(lat, 50).toFixed(2)} ms |`);
  console.log(`| search p99, client to server and back | ${pct(lat, 99).toFixed(2)} ms (includes node's own fetch overhead) |`);
  console.log(`| searches that found the person | ${found}/${S} |`);
  if (errors || found !== S) {
    console.log('bench: FAILED (errors or missed searches)');
    process.exit(1);
  }
  console.log(`bench: people ok`);
}
main().catch((e) => { console.error(e); process.exit(1); });
