//! In-memory limits that protect a session from one runaway phone: write
//! rates per participant and per session, live streams per participant,
//! and passcode guesses. A restart forgets them, which only ever lets a
//! client start over.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use rembuk_domain::{
    AppError, ParticipantId, SessionId,
    ratelimit::{Buckets, RateLimits},
    throttle::{PASSCODE_PER_ADDRESS, Throttle},
};

use crate::{Services, storage};

#[derive(Debug)]
pub(crate) struct Limits {
    config: RateLimits,
    participants: Mutex<Buckets>,
    sessions: Mutex<Buckets>,
    streams: Arc<Mutex<HashMap<ParticipantId, u32>>>,
    passcodes: Mutex<Throttle>,
}

impl Limits {
    pub fn new(config: RateLimits) -> Limits {
        Limits {
            config,
            participants: Mutex::new(Buckets::new(config.participant)),
            sessions: Mutex::new(Buckets::new(config.session)),
            streams: Default::default(),
            passcodes: Mutex::new(Throttle::new(PASSCODE_PER_ADDRESS)),
        }
    }

    /// Counts one write of a participant in a session, or says how long to
    /// wait.
    pub fn write(&self, participant: ParticipantId, session: SessionId) -> Result<(), AppError> {
        let now = storage::now().millis();
        let limited = |retry_after_secs| AppError::RateLimited { retry_after_secs };
        lock(&self.participants)
            .take(&participant.to_string(), now)
            .map_err(limited)?;
        lock(&self.sessions)
            .take(&session.to_string(), now)
            .map_err(limited)
    }

    /// Opens one live stream for a participant; the stream holds the
    /// returned guard and the count drops when it ends.
    pub fn open_stream(&self, participant: ParticipantId) -> Result<StreamGuard, AppError> {
        let max = self.config.streams_per_participant;
        let mut open = lock(&self.streams);
        let n = open.entry(participant).or_insert(0);
        if *n >= max {
            return Err(AppError::TooManyStreams { max });
        }
        *n += 1;
        Ok(StreamGuard {
            participant,
            streams: self.streams.clone(),
        })
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One open live stream of a participant.
#[derive(Debug)]
pub struct StreamGuard {
    participant: ParticipantId,
    streams: Arc<Mutex<HashMap<ParticipantId, u32>>>,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        let mut open = lock(&self.streams);
        if let Some(n) = open.get_mut(&self.participant) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.participant);
            }
        }
    }
}

/// Wrong passcode guesses per key (session and address).
pub(crate) struct PasscodeGuard<'a>(&'a Mutex<Throttle>);

impl PasscodeGuard<'_> {
    pub fn check(&self, key: &str) -> Result<(), AppError> {
        lock(self.0)
            .check(key, storage::now().millis())
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })
    }

    pub fn fail(&self, key: &str) {
        lock(self.0).fail(key, storage::now().millis());
    }
}

impl Services {
    pub(crate) fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    pub(crate) fn passcode_guard(&self) -> PasscodeGuard<'_> {
        PasscodeGuard(&self.inner.limits.passcodes)
    }
}
