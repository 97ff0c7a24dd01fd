-- Rembuk's foundation schema (SQLite).
-- Ids are UUID text; instants are milliseconds since the Unix epoch.
-- A PostgreSQL twin of this file lives in ../postgres with the same tables.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'facilitator', 'secretariat')),
    created_at    INTEGER NOT NULL
);

-- Staff logins. Only a hash of the token is kept, so a stolen database
-- does not hand out working sessions.
CREATE TABLE auth_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE workshops (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    place      TEXT,
    starts_on  TEXT,
    ends_on    TEXT,
    language   TEXT NOT NULL CHECK (language IN ('id', 'en')),
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);

-- Facilitators who run a workshop (its creator, and co-facilitators).
CREATE TABLE workshop_members (
    workshop_id TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (workshop_id, user_id)
);

CREATE TABLE dimensions (
    workshop_id TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (workshop_id, key)
);

CREATE TABLE sub_elements (
    workshop_id   TEXT NOT NULL,
    dimension_key TEXT NOT NULL,
    key           TEXT NOT NULL,
    name          TEXT NOT NULL,
    position      INTEGER NOT NULL,
    PRIMARY KEY (workshop_id, dimension_key, key),
    FOREIGN KEY (workshop_id, dimension_key) REFERENCES dimensions (workshop_id, key) ON DELETE CASCADE
);

CREATE TABLE stakeholder_groups (
    workshop_id TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (workshop_id, key)
);

-- last_seq numbers the session's committed changes (see events); every
-- write transaction bumps it first, which also serialises writers of one
-- session on PostgreSQL.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    workshop_id TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    join_code   INTEGER NOT NULL UNIQUE,
    last_seq    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
CREATE INDEX sessions_workshop ON sessions (workshop_id);

CREATE TABLE questions (
    id               TEXT PRIMARY KEY,
    session_id       TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    workshop_id      TEXT NOT NULL,
    dimension_key    TEXT NOT NULL,
    sub_element_key  TEXT,
    prompt           TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('problems', 'ideas')),
    vote_budget      INTEGER NOT NULL CHECK (vote_budget BETWEEN 1 AND 20),
    phase            TEXT NOT NULL CHECK (phase IN ('collecting', 'voting', 'closed')),
    position         INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    phase_changed_at INTEGER NOT NULL,
    -- A dimension that questions use cannot be removed from the workshop.
    FOREIGN KEY (workshop_id, dimension_key) REFERENCES dimensions (workshop_id, key)
);
CREATE INDEX questions_session ON questions (session_id, position);

-- A participant is one device (token) in one session. The same device
-- token may join several sessions; it is stored hashed.
CREATE TABLE participants (
    id              TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash      TEXT NOT NULL,
    group_key       TEXT NOT NULL,
    display_name    TEXT,
    language        TEXT,
    consent_version TEXT NOT NULL,
    consented_at    INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (session_id, token_hash)
);
CREATE INDEX participants_token ON participants (token_hash);
CREATE INDEX participants_session_group ON participants (session_id, group_key);

CREATE TABLE cards (
    id              TEXT PRIMARY KEY,
    question_id     TEXT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    session_id      TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    participant_id  TEXT REFERENCES participants (id) ON DELETE SET NULL,
    group_key       TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('problem', 'idea')),
    text            TEXT NOT NULL,
    idempotency_key TEXT,
    created_at      INTEGER NOT NULL,
    -- A retried submission (same key from the same participant) finds the
    -- first card instead of creating a second one.
    UNIQUE (participant_id, idempotency_key)
);
CREATE INDEX cards_question ON cards (question_id, created_at);
CREATE INDEX cards_session ON cards (session_id);

-- Ideas point at the problem cards they answer.
CREATE TABLE card_answers (
    idea_id    TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    problem_id TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    PRIMARY KEY (idea_id, problem_id)
);
CREATE INDEX card_answers_problem ON card_answers (problem_id);

-- A participant's dots on one card; no row means no dots.
CREATE TABLE votes (
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    card_id        TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    question_id    TEXT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    dots           INTEGER NOT NULL CHECK (dots > 0),
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (participant_id, card_id)
);
CREATE INDEX votes_card ON votes (card_id);
CREATE INDEX votes_participant_question ON votes (participant_id, question_id);

-- The session's history: one row per committed change, numbered by
-- sessions.last_seq. Live streams replay from here after a reconnect.
CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, seq)
);
