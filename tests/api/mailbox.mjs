// A real SMTP server on loopback for the message tests (the npm smtp-server
// package, parsed with mailparser), and a small wait helper.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

import { freePort, sleep } from './harness.mjs';

/**
 * A loopback SMTP server. mode: 'accept', 'refuse' (451 to RCPT TO) or
 * 'hang' (never answers RCPT TO). mails: every accepted message, parsed;
 * raw: the same as received. url: for --smtp-url (plain SMTP: loopback).
 */
export async function smtp() {
  const box = { mode: 'accept', mails: [], raw: [] };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, session, cb) {
      if (box.mode === 'refuse') {
        const e = new Error('try again later');
        e.responseCode = 451;
        return cb(e);
      }
      if (box.mode === 'hang') return undefined; // never answers
      return cb();
    },
    onData(stream, session, cb) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        box.raw.push(raw.toString('utf8'));
        box.mails.push(await simpleParser(raw));
        cb();
      });
    },
  });
  box.port = await freePort();
  await new Promise((resolve) => server.listen(box.port, '127.0.0.1', resolve));
  box.url = `smtp://127.0.0.1:${box.port}`;
  box.close = () => new Promise((resolve) => server.close(resolve));
  return box;
}

/** Polls pred every 100 ms until it returns something truthy (returned). */
export async function until(pred, { timeoutMs = 15_000, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
