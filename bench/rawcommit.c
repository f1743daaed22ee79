/*
 * bench/rawcommit.c: what SQLite alone commits, for bench/programs.sh to
 * compare a single write over HTTP with. N single-row transactions (an
 * INSERT of an attendance-sized row, autocommit: one transaction each) into
 * a fresh database file in WAL mode at synchronous=NORMAL, SQLite's own
 * automatic checkpoints left on, one connection, one prepared statement.
 * Prints "N SECONDS COMMITS_PER_SECOND".
 *
 *   cc -O2 -o rawcommit bench/rawcommit.c -lsqlite3
 *   ./rawcommit DIR/raw.db 50000
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sqlite3.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = 1;
	if (argc != 3) {
		fprintf(stderr, "usage: %s DB N\n", argv[0]);
		return 2;
	}
	long n = strtol(argv[2], NULL, 10);
	if (n < 1 || sqlite3_open(argv[1], &db) != SQLITE_OK)
		goto out;
	if (sqlite3_exec(db,
	                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	                 "CREATE TABLE IF NOT EXISTS marks (id INTEGER PRIMARY KEY,"
	                 " session_id INTEGER NOT NULL, participant_id INTEGER NOT NULL,"
	                 " status TEXT NOT NULL, marked_at INTEGER NOT NULL)",
	                 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "INSERT INTO marks (session_id, participant_id, status, marked_at)"
	                       " VALUES (?, ?, 'late', ?)",
	                       -1, &st, NULL) != SQLITE_OK)
		goto out;
	double t0 = now_s();
	for (long i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, i % 1000);
		sqlite3_bind_int64(st, 2, i);
		sqlite3_bind_int64(st, 3, 1700000000 + i);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
		sqlite3_reset(st);
	}
	double s = now_s() - t0;
	printf("%ld %.3f %.0f\n", n, s, (double)n / s);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "rawcommit: %s\n", db ? sqlite3_errmsg(db) : "cannot open");
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
