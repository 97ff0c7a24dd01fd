-- A card's tally counts its dots per stakeholder group. Reading each
-- vote's group through its voter cost a lookup in `participants` for every
-- vote on the card, each time the card's tally is read (every vote): in a
-- large room most of a vote's database time. Each vote now carries its
-- voter's group, and a card's tally is read from one index.
--
-- Triggers keep the copy equal to the participant's group, whatever writes
-- the vote (imports included) and when a participant changes group. The
-- app's own upsert passes the group, so the insert trigger stays idle on
-- the hot path.
ALTER TABLE votes ADD COLUMN group_key TEXT NOT NULL DEFAULT '';

UPDATE votes
SET group_key = (SELECT p.group_key FROM participants p WHERE p.id = votes.participant_id);

DROP INDEX votes_card;
CREATE INDEX votes_card ON votes (card_id, group_key, dots);

CREATE TRIGGER votes_take_group AFTER INSERT ON votes
    WHEN NEW.group_key = ''
BEGIN
    UPDATE votes
    SET group_key = (SELECT group_key FROM participants WHERE id = NEW.participant_id)
    WHERE participant_id = NEW.participant_id AND card_id = NEW.card_id;
END;

CREATE TRIGGER participants_group_to_votes AFTER UPDATE OF group_key ON participants
    WHEN NEW.group_key IS NOT OLD.group_key
BEGIN
    UPDATE votes SET group_key = NEW.group_key WHERE participant_id = NEW.id;
END;
