//! Things kept in memory for a moment, and only while what they were made
//! from is unchanged.
//!
//! When the projector shows the QR code, a whole hall asks for the same
//! join code within seconds. What a code shows, and the join page rendered
//! from it, are kept in a [`FreshMap`]: an entry serves for [`FRESH_FOR`]
//! after it was made, and only under the *generation* it was made under.
//! The owner counts generations: a write that changes what the entries
//! were made from moves to the next one, so nothing made before the write
//! (even by a read that finishes after it) is served again.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

/// How long an entry serves before it is made again. A change made
/// through another instance of the same database (which this instance's
/// generation does not count) shows within this.
pub const FRESH_FOR: Duration = Duration::from_secs(2);

/// Past this many entries, stale ones are dropped when one is added.
const TIDY_ABOVE: usize = 256;

/// Entries per key, each with the moment and generation it was made in.
#[derive(Debug)]
pub struct FreshMap<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
}

#[derive(Debug)]
struct Entry<V> {
    at: Instant,
    generation: u64,
    value: Arc<V>,
}

impl<K, V> Default for FreshMap<K, V> {
    fn default() -> Self {
        FreshMap {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V> FreshMap<K, V> {
    /// The entry for `key`, if it was made under `generation` less than
    /// [`FRESH_FOR`] before `now`.
    pub fn get(&self, key: &K, generation: u64, now: Instant) -> Option<Arc<V>> {
        let entries = self.lock();
        let entry = entries.get(key)?;
        (entry.generation == generation && now.duration_since(entry.at) < FRESH_FOR)
            .then(|| entry.value.clone())
    }

    /// Keeps `value`, made at `now` from what was read under `generation`.
    pub fn put(&self, key: K, value: Arc<V>, generation: u64, now: Instant) {
        let mut entries = self.lock();
        if entries.len() >= TIDY_ABOVE {
            entries
                .retain(|_, e| e.generation == generation && now.duration_since(e.at) < FRESH_FOR);
        }
        let entry = Entry {
            at: now,
            generation,
            value,
        };
        entries.insert(key, entry);
    }

    /// Drops every entry (they could no longer serve anyway).
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<K, Entry<V>>> {
        // Entries are replaced whole, so a panic elsewhere while the lock
        // was held leaves nothing half-written.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_serves_while_fresh_and_of_its_generation() {
        let map = FreshMap::default();
        let t0 = Instant::now();
        map.put(7, Arc::new("Sesi 1"), 3, t0);
        assert_eq!(
            map.get(&7, 3, t0 + FRESH_FOR / 2).as_deref(),
            Some(&"Sesi 1")
        );
        assert!(map.get(&8, 3, t0).is_none(), "per key");
        assert!(map.get(&7, 4, t0).is_none(), "a write since");
        assert!(map.get(&7, 3, t0 + FRESH_FOR).is_none(), "expired");
        map.clear();
        assert!(map.get(&7, 3, t0).is_none());
    }

    #[test]
    fn stale_entries_are_tidied_away_as_new_ones_come() {
        let map = FreshMap::default();
        let t0 = Instant::now();
        for n in 0..TIDY_ABOVE {
            map.put(n, Arc::new(()), 1, t0);
        }
        map.put(TIDY_ABOVE, Arc::new(()), 1, t0 + FRESH_FOR);
        assert_eq!(map.lock().len(), 1, "expired ones went");
        for n in 0..TIDY_ABOVE {
            map.put(n, Arc::new(()), 1, t0 + FRESH_FOR);
        }
        map.put(TIDY_ABOVE + 1, Arc::new(()), 2, t0 + FRESH_FOR);
        assert_eq!(map.lock().len(), 1, "another generation's went");
    }
}
