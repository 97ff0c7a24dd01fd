-- Live events across app instances (PostgreSQL only).
--
-- Every committed change is announced on the channel `rembuk_events` with a
-- small reference, "<session id>:<seq>" (about 40 bytes, far below NOTIFY's
-- 8,000-byte limit). PostgreSQL delivers it at commit, and only if the
-- transaction commits. Each instance LISTENs and reads the change itself
-- from `events`, exactly as it does for its own writes. A trigger rather
-- than a statement in the app, so that no write path (imports included)
-- can forget it.
CREATE FUNCTION rembuk_announce_event() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('rembuk_events', NEW.session_id || ':' || NEW.seq);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER events_announce AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION rembuk_announce_event();
