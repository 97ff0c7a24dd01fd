//! What a join code shows, kept in memory for a moment.
//!
//! When the projector shows the QR code, the whole hall opens the join page
//! within seconds, and every page of a participant asks for the workshop's
//! language by code too. What they read (titles, place, language, groups,
//! whether a passcode is needed) changes a few times per workshop, so each
//! instance keeps it per code:
//!
//! - a write on this instance that changes it ([`JoinCache::forget_all`])
//!   drops every entry at once, so this instance never shows an old value
//!   after its own write;
//! - another instance's write (PostgreSQL scale-out) is seen within
//!   [`FRESH_FOR`](crate::fresh::FRESH_FOR), when the entry expires.
//!
//! Unknown codes are never kept: a session made on another instance is
//! joinable at once. Joining itself always reads the database.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Instant,
};

use rembuk_domain::session::{JoinCode, JoinInfo};

use crate::fresh::FreshMap;

/// The cache. Its generation counts the writes that emptied it: what a read
/// that started before such a write put in is never served.
#[derive(Debug, Default)]
pub(crate) struct JoinCache {
    generation: AtomicU64,
    infos: FreshMap<JoinCode, JoinInfo>,
}

impl JoinCache {
    /// A fresh entry for the code, or the generation to pass to
    /// [`JoinCache::put`] after reading the database.
    pub(crate) fn get(&self, code: JoinCode, now: Instant) -> Result<Arc<JoinInfo>, u64> {
        let generation = self.generation();
        self.infos.get(&code, generation, now).ok_or(generation)
    }

    /// Keeps what was read under `generation` (served only if no write
    /// emptied the cache since).
    pub(crate) fn put(&self, info: Arc<JoinInfo>, generation: u64, now: Instant) {
        self.infos.put(info.code, info, generation, now);
    }

    /// How many times a write has emptied the cache: what was read under
    /// another generation may be out of date.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Drops every entry: called after a write that may change what a join
    /// code shows has committed.
    pub(crate) fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.infos.clear();
    }
}

#[cfg(test)]
mod tests {
    use rembuk_domain::{Lang, SessionId};

    use super::*;
    use crate::fresh::FRESH_FOR;

    fn info(code: u32, title: &str) -> Arc<JoinInfo> {
        Arc::new(JoinInfo {
            session_id: SessionId(uuid::Uuid::new_v4()),
            session_title: title.into(),
            workshop_title: "FGD".into(),
            place: None,
            language: Lang::Id,
            code: JoinCode::from_random(code),
            groups: vec![],
            passcode_required: false,
        })
    }

    #[test]
    fn an_entry_serves_until_it_expires() {
        let cache = JoinCache::default();
        let t0 = Instant::now();
        let first = info(482_913, "Sesi 1");
        let code = first.code;
        let generation = cache.get(code, t0).unwrap_err();
        cache.put(first, generation, t0);
        let got = cache.get(code, t0 + FRESH_FOR / 2).unwrap();
        assert_eq!(got.session_title, "Sesi 1");
        assert!(cache.get(code, t0 + FRESH_FOR).is_err());
    }

    #[test]
    fn a_write_drops_entries_and_a_read_from_before_it_is_not_kept() {
        let cache = JoinCache::default();
        let t0 = Instant::now();
        let kept = info(111_111, "Sesi 1");
        let code = kept.code;
        let generation = cache.get(code, t0).unwrap_err();
        cache.put(kept, generation, t0);

        // A read starts, a write commits and empties the cache, then the
        // read (with the old value) finishes.
        let stale_read = cache.get(JoinCode::from_random(222_222), t0).unwrap_err();
        cache.forget_all();
        assert!(cache.get(code, t0).is_err(), "the write dropped the entry");
        cache.put(info(222_222, "old title"), stale_read, t0);
        assert!(
            cache.get(JoinCode::from_random(222_222), t0).is_err(),
            "a value read before the write is not kept"
        );

        // A read after the write is kept.
        let generation = cache.get(code, t0).unwrap_err();
        cache.put(info(111_111, "Sesi 1b"), generation, t0);
        assert_eq!(cache.get(code, t0).unwrap().session_title, "Sesi 1b");
    }
}
