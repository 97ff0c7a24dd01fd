-- Prioritising and compiling: voting modes, USG and impact/effort ratings,
-- candidate programmes, workshop roll-up clusters and their record (SQLite).

ALTER TABLE questions ADD COLUMN voting_mode TEXT NOT NULL DEFAULT 'both';

-- One participant's USG rating of a problem card (each 1-5).
CREATE TABLE usg_ratings (
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    card_id        TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    question_id    TEXT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    urgency        INTEGER NOT NULL CHECK (urgency BETWEEN 1 AND 5),
    seriousness    INTEGER NOT NULL CHECK (seriousness BETWEEN 1 AND 5),
    growth         INTEGER NOT NULL CHECK (growth BETWEEN 1 AND 5),
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (participant_id, card_id)
);
CREATE INDEX usg_ratings_card ON usg_ratings (card_id);

-- One participant's impact and effort rating of an idea card (each 1-5).
CREATE TABLE idea_ratings (
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    card_id        TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    question_id    TEXT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    impact         INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
    effort         INTEGER NOT NULL CHECK (effort BETWEEN 1 AND 5),
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (participant_id, card_id)
);
CREATE INDEX idea_ratings_card ON idea_ratings (card_id);

-- An idea marked as a candidate programme.
ALTER TABLE cards ADD COLUMN horizon TEXT;
ALTER TABLE cards ADD COLUMN lead_office TEXT;

-- Cards from several sessions merged into one item of the workshop report
-- (the sessions' own cards stay as they are).
CREATE TABLE clusters (
    id          TEXT PRIMARY KEY,
    workshop_id TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    text        TEXT NOT NULL,
    created_by  TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    undone_at   INTEGER
);
CREATE TABLE cluster_cards (
    cluster_id TEXT NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    card_id    TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    PRIMARY KEY (cluster_id, card_id)
);

-- The workshop-level record (roll-up merges), like audit_log per session.
CREATE TABLE workshop_audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    workshop_id TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT,
    reason      TEXT,
    detail      TEXT
);
