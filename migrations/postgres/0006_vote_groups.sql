-- A card's tally counts its dots per stakeholder group. Reading each
-- vote's group through its voter cost a lookup in `participants` for every
-- vote on the card, each time the card's tally is read (every vote): in a
-- large room most of a vote's database time. Each vote now carries its
-- voter's group, and a card's tally is read from one index.
--
-- Triggers keep the copy equal to the participant's group, whatever writes
-- the vote (imports included) and when a participant changes group.
ALTER TABLE votes ADD COLUMN group_key TEXT NOT NULL DEFAULT '';

UPDATE votes v SET group_key = p.group_key FROM participants p WHERE p.id = v.participant_id;

DROP INDEX votes_card;
CREATE INDEX votes_card ON votes (card_id, group_key, dots);

CREATE FUNCTION rembuk_vote_takes_group() RETURNS trigger AS $$
BEGIN
    IF NEW.group_key = '' THEN
        NEW.group_key := (SELECT group_key FROM participants WHERE id = NEW.participant_id);
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER votes_take_group BEFORE INSERT ON votes
    FOR EACH ROW EXECUTE FUNCTION rembuk_vote_takes_group();

CREATE FUNCTION rembuk_group_to_votes() RETURNS trigger AS $$
BEGIN
    UPDATE votes SET group_key = NEW.group_key WHERE participant_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER participants_group_to_votes AFTER UPDATE OF group_key ON participants
    FOR EACH ROW WHEN (NEW.group_key IS DISTINCT FROM OLD.group_key)
    EXECUTE FUNCTION rembuk_group_to_votes();
