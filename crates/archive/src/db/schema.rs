//! The database schema and its migrations.
//!
//! Versioned with `PRAGMA user_version`: migration *n* (1-based) moves the schema from
//! version *n-1* to *n*, in one transaction together with the version bump, so a crash
//! mid-migration leaves the previous version intact. A database newer than this build is
//! refused, never "downgraded".
//!
//! Tables:
//! * `messages`: one row per distinct blob (SHA-256): what pec found (kind, ids,
//!   daticert fields), the signature verdict, header/daticert mismatches.
//! * `locations`: where each blob was seen (`path`, `offset` in an mbox, -1 for a
//!   single file). `(path, offset)` is unique: a rescan adds nothing. `gone_at` (v2):
//!   when a live source reported the message gone from that place (the bytes stay).
//! * `sources`: per source file, size and mtime when it was last completely indexed;
//!   what makes a rescan with nothing changed skip a file without reading it.
//! * `scan_folders` (v4): per Maildir `cur/`/`new/`, its modification time and file
//!   count when every file in it was last indexed; a rescan skips such a folder
//!   without listing it while its time is unchanged (Maildir messages are renamed,
//!   never rewritten, so any change to the folder changes its time).
//! * `dirty`: card keys whose cards must be recomputed; written in the same transaction
//!   as the messages that touched them, cleared in the transaction that rewrites the
//!   cards, so pairing survives a kill at any moment.
//! * `cards`, `card_recipients`, `card_messages`: the return cards (derived data; the
//!   time-dependent part, pending vs overdue, is computed when read).
//! * `fts`: FTS5 index over messages (contentless: the text is in the blobs).
//! * `message_addresses` (v6): every address of every message, for exact lookups
//!   ([`crate::addresses`]); indexes (v6) `cards_settled`, cards by the clock-free
//!   part of their state, and `messages_kind_time`, messages by kind in time order.
pub const MIGRATIONS: &[&str] = &[
    // 1: initial schema.
    r#"
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    sha256          TEXT NOT NULL UNIQUE,
    size            INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    parse_error     TEXT,
    message_id      TEXT,
    refers_to       TEXT,
    header_ref      TEXT,
    identificativo  TEXT,
    subject         TEXT,
    from_addr       TEXT,
    to_addrs        TEXT,
    delivered_to    TEXT,
    date            TEXT,
    date_ts         INTEGER,
    dc_tipo         TEXT,
    dc_mittente     TEXT,
    dc_destinatari  TEXT,
    dc_data         TEXT,
    dc_ts           INTEGER,
    dc_consegna     TEXT,
    dc_errore       TEXT,
    dc_errore_esteso TEXT,
    dc_ricevuta     TEXT,
    dc_gestore      TEXT,
    dc_oggetto      TEXT,
    sig_integrity   TEXT NOT NULL,
    sig_trust       TEXT,
    sig_detail      TEXT,
    signer          TEXT,
    inconsistencies TEXT,
    notes           TEXT,
    pc_subject      TEXT,
    pc_date         TEXT,
    pc_date_ts      INTEGER,
    added_at        INTEGER NOT NULL
);
CREATE INDEX messages_message_id ON messages(message_id);
CREATE INDEX messages_refers_to ON messages(refers_to);
CREATE INDEX messages_header_ref ON messages(header_ref);
CREATE INDEX messages_identificativo ON messages(identificativo);
CREATE INDEX messages_kind ON messages(kind);

CREATE TABLE locations (
    id       INTEGER PRIMARY KEY,
    message  INTEGER NOT NULL REFERENCES messages(id),
    path     TEXT NOT NULL,
    offset   INTEGER NOT NULL,
    seen_at  INTEGER NOT NULL,
    UNIQUE(path, offset)
);
CREATE INDEX locations_message ON locations(message);

CREATE TABLE sources (
    path       TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    mtime_ns   INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    messages   INTEGER NOT NULL,
    scanned_at INTEGER NOT NULL
);

CREATE TABLE dirty (key TEXT PRIMARY KEY) WITHOUT ROWID;

CREATE TABLE cards (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    account         TEXT,
    msgid           TEXT,
    identificativo  TEXT,
    subject         TEXT,
    sender          TEXT,
    sent_at         TEXT,
    sent_ts         INTEGER,
    accepted_at     TEXT,
    accepted_ts     INTEGER,
    acceptance      TEXT NOT NULL,
    n_delivered     INTEGER NOT NULL,
    n_failed        INTEGER NOT NULL,
    n_unresolved    INTEGER NOT NULL,
    proof_ok        INTEGER NOT NULL,
    problems        TEXT NOT NULL,
    origin          TEXT,
    original        INTEGER
);
CREATE INDEX cards_sent_ts ON cards(sent_ts);
CREATE INDEX cards_account ON cards(account);
CREATE INDEX cards_identificativo ON cards(identificativo);
CREATE INDEX cards_msgid ON cards(msgid);

CREATE TABLE card_recipients (
    card     INTEGER NOT NULL REFERENCES cards(id),
    pos      INTEGER NOT NULL,
    address  TEXT NOT NULL,
    type     TEXT NOT NULL,
    state    TEXT NOT NULL,
    at       TEXT,
    error    TEXT,
    receipt  INTEGER,
    PRIMARY KEY (card, pos)
) WITHOUT ROWID;
CREATE INDEX card_recipients_address ON card_recipients(address);

CREATE TABLE card_messages (
    card     INTEGER NOT NULL REFERENCES cards(id),
    message  INTEGER NOT NULL REFERENCES messages(id),
    role     TEXT NOT NULL,
    PRIMARY KEY (card, message)
) WITHOUT ROWID;
CREATE INDEX card_messages_message ON card_messages(message);

CREATE VIRTUAL TABLE fts USING fts5(
    subject, addresses, body, attachments, ids, provider, errors,
    content='', tokenize='unicode61 remove_diacritics 2'
);
"#,
    // 2: live sources: a location whose message left its source (deleted, moved,
    // expunged) is marked gone, never deleted; the archived bytes stay.
    r#"
ALTER TABLE locations ADD COLUMN gone_at INTEGER;
"#,
    // 3: messages in time order (the expression search sorts and filters by), so a
    // newest-first search walks the index and stops at the page instead of sorting
    // every match.
    r#"
CREATE INDEX messages_time ON messages(COALESCE(dc_ts, date_ts));
"#,
    // 4: Maildir folders indexed whole, so a rescan skips them unlisted.
    r#"
CREATE TABLE scan_folders (
    path       TEXT PRIMARY KEY,
    mtime_ns   INTEGER NOT NULL,
    files      INTEGER NOT NULL,
    scanned_at INTEGER NOT NULL
) WITHOUT ROWID;
"#,
    // 5: received cards keyed by their envelope's identificativo (copies of one envelope
    // with other bytes are one card): every received card is rebuilt under the new key
    // (the old ones find nothing under theirs and go) when the archive is next opened
    // for writing.
    r#"
INSERT OR IGNORE INTO dirty (key) SELECT key FROM cards WHERE kind = 'received';
INSERT OR IGNORE INTO dirty (key) SELECT 'r:' || COALESCE(NULLIF(identificativo, ''), sha256) FROM messages WHERE kind IN ('transport','anomaly');
"#,
    // 6: search at a million messages. Every address of every message, keyed for an
    // exact lookup in time order (`crate::addresses`), filled here from the columns
    // for what was archived before; and the clock-free part of the card state
    // (`crate::cards::SETTLED_SQL`, the same expression: SQLite uses an expression
    // index only for the identical expression) with `accepted_ts`, so a state filter
    // reads the few cards in that state instead of computing every card's; and
    // messages by kind in time order (a kind filter alone sorted all 400,000
    // deliveries of a million messages: 0.4 s).
    // IF NOT EXISTS / OR IGNORE: running it again changes nothing.
    r#"
CREATE TABLE IF NOT EXISTS message_addresses (
    address TEXT NOT NULL,
    ts      INTEGER NOT NULL,
    message INTEGER NOT NULL,
    PRIMARY KEY (address, ts, message)
) WITHOUT ROWID;
WITH RECURSIVE
    one(message, ts, a) AS (
        SELECT id, COALESCE(dc_ts, date_ts, -9223372036854775808), from_addr FROM messages WHERE from_addr IS NOT NULL
        UNION ALL
        SELECT id, COALESCE(dc_ts, date_ts, -9223372036854775808), dc_mittente FROM messages WHERE dc_mittente IS NOT NULL
        UNION ALL
        SELECT id, COALESCE(dc_ts, date_ts, -9223372036854775808), dc_consegna FROM messages WHERE dc_consegna IS NOT NULL
        UNION ALL
        SELECT m.id, COALESCE(m.dc_ts, m.date_ts, -9223372036854775808), json_extract(j.value, '$.address')
            FROM messages m, json_each(m.dc_destinatari) j WHERE m.dc_destinatari IS NOT NULL AND json_valid(m.dc_destinatari)
    ),
    split(message, ts, a, rest) AS (
        SELECT id, COALESCE(dc_ts, date_ts, -9223372036854775808), NULL, to_addrs || ',' FROM messages WHERE to_addrs IS NOT NULL
        UNION ALL
        SELECT message, ts, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1) FROM split WHERE rest <> ''
    )
INSERT OR IGNORE INTO message_addresses (address, ts, message)
    SELECT lower(trim(a)), ts, message FROM (SELECT message, ts, a FROM one UNION ALL SELECT message, ts, a FROM split)
    WHERE typeof(a) = 'text' AND instr(a, '@') > 0;
CREATE INDEX IF NOT EXISTS cards_settled ON cards((CASE
    WHEN kind = 'received' THEN 'received'
    WHEN acceptance = 'not-accepted' THEN 'not-accepted'
    WHEN n_unresolved > 0 THEN 'unresolved'
    WHEN n_failed > 0 THEN CASE WHEN n_delivered > 0 THEN 'partially-delivered' ELSE 'failed' END
    ELSE 'all-delivered' END), accepted_ts);
CREATE INDEX IF NOT EXISTS messages_kind_time ON messages(kind, COALESCE(dc_ts, date_ts));
"#,
];

/// The schema version this build writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}
