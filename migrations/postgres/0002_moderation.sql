-- Moderation: pre-moderation, question settings and countdowns, card
-- states, paper votes, merges, and the audit log (PostgreSQL).

ALTER TABLE sessions ADD COLUMN premoderate BIGINT NOT NULL DEFAULT 0;

ALTER TABLE questions ADD COLUMN hide_tallies BIGINT NOT NULL DEFAULT 0;
ALTER TABLE questions ADD COLUMN tallies_revealed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE questions ADD COLUMN cards_while_voting BIGINT NOT NULL DEFAULT 0;
ALTER TABLE questions ADD COLUMN votes_while_collecting BIGINT NOT NULL DEFAULT 0;
ALTER TABLE questions ADD COLUMN timer_ends_at BIGINT;
CREATE INDEX questions_timer ON questions (timer_ends_at);

-- A card's state: visible, pending (waiting for approval), hidden, merged.
-- Dots on cards that are not visible stay stored but do not count.
ALTER TABLE cards ADD COLUMN status TEXT NOT NULL DEFAULT 'visible';
ALTER TABLE cards ADD COLUMN hidden_reason TEXT;
ALTER TABLE cards ADD COLUMN original_text TEXT;
ALTER TABLE cards ADD COLUMN pinned BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN sub_element_key TEXT;
-- Set when a facilitator typed the card in from paper.
ALTER TABLE cards ADD COLUMN entered_by TEXT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE cards ADD COLUMN merge_id TEXT;
ALTER TABLE cards ADD COLUMN on_behalf BIGINT NOT NULL DEFAULT 0;
-- A facilitator's retried paper card finds the first one.
CREATE UNIQUE INDEX cards_entered_by_key ON cards (entered_by, idempotency_key);

-- Dots recorded from a show of hands or a paper tally, per group.
CREATE TABLE paper_votes (
    card_id    TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    group_key  TEXT NOT NULL,
    dots       BIGINT NOT NULL CHECK (dots > 0),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (card_id, group_key)
);

-- A merge of source cards into one new card, kept so it can be undone.
CREATE TABLE merges (
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    card_id    TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    undone_at  BIGINT,
    undone_by  TEXT REFERENCES users (id) ON DELETE SET NULL
);
CREATE TABLE merge_sources (
    merge_id TEXT NOT NULL REFERENCES merges (id) ON DELETE CASCADE,
    card_id  TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    PRIMARY KEY (merge_id, card_id)
);
-- Idea → problem links that a merge moved to the merged card.
CREATE TABLE merge_answers (
    merge_id   TEXT NOT NULL REFERENCES merges (id) ON DELETE CASCADE,
    idea_id    TEXT NOT NULL,
    problem_id TEXT NOT NULL,
    PRIMARY KEY (merge_id, idea_id, problem_id)
);

CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT,
    reason     TEXT,
    detail     TEXT
);
CREATE INDEX audit_log_session ON audit_log (session_id, id);

-- What participants see of a change: 'all' (the same as staff), 'staff'
-- (nothing) or 'masked' (public_payload).
ALTER TABLE events ADD COLUMN audience TEXT NOT NULL DEFAULT 'all';
ALTER TABLE events ADD COLUMN public_payload TEXT;
