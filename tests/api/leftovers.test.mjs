// Rows an older version left in the clear are sealed at start-up
// (src/programs/programs_privacy.c, programs_seal_leftovers): a theme a
// participant proposed, written by an older version with its title and
// description in the clear, is sealed with the proposer's key at the next
// start and still reads the same; the clear text is gone from the table.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { dbQuery, loginAllRoles, startServer, unique } from './harness.mjs';

let server;
after(async () => {
  if (server) await server.stop();
});

describe('start-up sealing of rows left in the clear', () => {
  test('a participant\'s theme left in the clear is sealed at start and reads the same', async () => {
    server = await startServer();
    let as = await loginAllRoles(server.url);
    const rounds = (await as.participant.get('/api/v1/listening-rounds')).json.items;
    const open = rounds.find((r) => r.status === 'open');
    assert.ok(open, 'the demo has an open round');
    const made = await as.participant.post(`/api/v1/listening-rounds/${open.id}/themes`, { title: unique('Sealed Theme') });
    assert.equal(made.status, 201, made.text);
    const id = made.json.id;
    // As an older version stored it: the words in the clear, nothing sealed.
    const title = unique('LeftoverTitle');
    const description = unique('LeftoverDescription');
    dbQuery(server, `UPDATE themes SET title = '${title}', description = '${description}', sealed = NULL, participant_id = NULL WHERE id = ${id}`);
    assert.equal(dbQuery(server, `SELECT title FROM themes WHERE id = ${id}`).trim(), title);
    const dir = server.dir;
    await server.stop();
    server = await startServer({ dir });
    as = await loginAllRoles(server.url);
    assert.equal(dbQuery(server, `SELECT title FROM themes WHERE id = ${id}`).trim(), '', 'no clear title left');
    assert.equal(dbQuery(server, `SELECT description FROM themes WHERE id = ${id}`).trim(), '', 'no clear description left');
    assert.notEqual(dbQuery(server, `SELECT COUNT(*) FROM themes WHERE id = ${id} AND sealed IS NOT NULL`).trim(), '0', 'sealed');
    const list = await as.coordinator.get(`/api/v1/listening-rounds/${open.id}/themes`);
    assert.equal(list.status, 200, list.text);
    const theme = list.json.items.find((t) => t.id === id);
    assert.ok(theme, 'the theme is still listed');
    assert.equal(theme.title, title);
    assert.equal(theme.description, description);
  });
});
