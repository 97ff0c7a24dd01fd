-- Privacy and access (PostgreSQL): what happens to a withdrawn participant's
-- cards, how long personal data is kept, a session's join passcode.

-- 'keep': a withdrawn participant's cards stay, no longer linked to them;
-- 'remove': they are taken out of the session.
ALTER TABLE workshops ADD COLUMN withdrawn_cards TEXT NOT NULL DEFAULT 'keep'
    CHECK (withdrawn_cards IN ('keep', 'remove'));
-- After this date `rembuk purge` removes the workshop's personal data.
ALTER TABLE workshops ADD COLUMN retain_until TEXT;
-- When that was done.
ALTER TABLE workshops ADD COLUMN purged_at BIGINT;

-- A shared passcode the room is told (on the board or the projector);
-- NULL: the join code alone lets people in.
ALTER TABLE sessions ADD COLUMN passcode TEXT;

-- A participant who withdrew: name and device link are gone; the row stays
-- only while votes on closed questions still count in its group.
ALTER TABLE participants ADD COLUMN withdrawn_at BIGINT;
